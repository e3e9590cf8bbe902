// Command bench runs identical workloads against this runtime (through generated refs and
// through its untyped API), a goroutine + buffered channel baseline, a mutex-protected struct
// and the Go actor frameworks hollywood, protoactor-go and go-actor, and prints a Markdown table
// of medians over interleaved rounds with ratios to the channel baseline.
//
// Usage:
//
//	cd bench && go run . [-rounds 5] [-n tell=1000000,ask=100000,fanout=10000x100,spawn=100000] [-only chan,actorgen,ask] [-v]
//
// See docs/bench.md for what each workload does on each implementation.
package main

import (
	// protoenv must initialise before hollywood and protoactor-go: see its doc.
	_ "github.com/actorgen/actorgen/bench/internal/protoenv"

	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/actorgen/actorgen/bench/impl/actorgen"
	"github.com/actorgen/actorgen/bench/impl/chanbase"
	"github.com/actorgen/actorgen/bench/impl/goactor"
	"github.com/actorgen/actorgen/bench/impl/hollywood"
	"github.com/actorgen/actorgen/bench/impl/mutex"
	"github.com/actorgen/actorgen/bench/impl/protoactor"
	"github.com/actorgen/actorgen/bench/impl/untyped"
	"github.com/actorgen/actorgen/bench/runner"
	"github.com/actorgen/actorgen/bench/workload"
)

// impls lists every implementation in table order.
func impls() []workload.Impl {
	return []workload.Impl{
		chanbase.Impl(),
		mutex.Impl(),
		actorgen.Impl(),
		untyped.Impl(),
		hollywood.Impl(),
		protoactor.Impl(),
		goactor.Impl(),
	}
}

func main() {
	// The context is not cancellable on purpose: this runtime's Tell detaches a cancellable
	// context from the message (context.WithoutCancel, one allocation), which the peers, taking no
	// context, never pay. Interrupting the program ends it as usual. docs/bench.md says more.
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rounds := fs.Int("rounds", 5, "interleaved rounds; the table shows medians")
	sizes := fs.String("n", "", "workload sizes over the defaults, e.g. tell=1000000,ask=100000,fanout=10000x100,spawn=100000")
	only := fs.String("only", "", "comma-separated implementations and/or workloads to run (the chan baseline always runs)")
	verbose := fs.Bool("v", false, "print every run to stderr as it finishes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	sz, err := runner.ParseSizes(*sizes, workload.DefaultSizes())
	if err != nil {
		return err
	}
	selImpls, kinds, err := runner.Select(*only, impls())
	if err != nil {
		return err
	}
	cfg := runner.Config{Rounds: *rounds, Sizes: sz, Impls: selImpls, Kinds: kinds}
	if *verbose {
		cfg.Progress = stderr
	}
	rep, err := runner.Run(ctx, cfg)
	if err != nil {
		return err
	}
	return rep.Markdown(stdout, runner.Machine())
}
