// Command remotepeers measures remote asks in one run: raw nats.go request-reply through an
// in-process nats-server (the baseline), actorgen's remote over the same kind of server, and two
// Go actor peers, hollywood (its remote package, DRPC over TCP) and protoactor-go (its remote
// package, gRPC): for each, a server and a client in this process on 127.0.0.1 TCP loopback, an
// ask of a 64-byte payload answered with 8 bytes, latency p50 and p99 with one caller, and asks
// per second with 1 and 64 callers. Each figure is the median over interleaved rounds; the
// implementations take turns to go first. bench/remote measures actorgen's remote (asks, tells,
// failures, the codec) against raw nats.go in more detail.
//
// The peers carry a protobuf message; the ask and the reply are wrapperspb.BytesValue (a
// well-known type, so no generated code is needed), and each peer uses its default serializer.
//
// Usage:
//
//	cd bench && go run ./remotepeers [-rounds 5] [-asks 20000]
package main

import (
	// protoenv must initialise before hollywood and protoactor-go: see its doc.
	_ "github.com/actorgen/actorgen/bench/internal/protoenv"

	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	goruntime "runtime"
	"slices"
	"strings"
	"time"

	"github.com/actorgen/actorgen/bench/internal/calls"
	"github.com/actorgen/actorgen/bench/runner"
)

func main() {
	// hollywood logs through slog's default logger (a connection closed at shutdown is an error
	// record there); only warnings and worse reach stderr.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "remotepeers:", err)
		}
		os.Exit(2)
	}
}

const (
	payload = 64 // bytes in each ask
	answer  = 8  // bytes in each reply
	callers = 64 // concurrent callers of the second throughput figure
	maxAsks = 1_000_000
	// askTimeout bounds every ask: neither peer's ask takes a context.
	askTimeout = 5 * time.Second
	// warmup asks open each peer's connections before the first round.
	warmup = 200
)

type sizes struct{ rounds, asks int }

func run(args []string, out, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("remotepeers", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var s sizes
	fs.IntVar(&s.rounds, "rounds", 5, "interleaved rounds; each figure is their median")
	fs.IntVar(&s.asks, "asks", 20000, fmt.Sprintf("asks per latency and throughput measurement (%d to %d)", callers, maxAsks))
	if err = fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if s.rounds < 1 || s.rounds > 100 || s.asks < callers || s.asks > maxAsks {
		return fmt.Errorf("-rounds must be 1 to 100 and -asks %d to %d", callers, maxAsks)
	}
	peers, err := start()
	defer func() {
		for _, p := range peers {
			if cerr := p.close(); cerr != nil && err == nil {
				err = fmt.Errorf("%s: close: %w", p.name, cerr)
			}
		}
	}()
	if err != nil {
		return err
	}
	f, err := measure(peers, s)
	if err != nil {
		return err
	}
	return table(out, peers, f, s)
}

// peer is one actor framework's remote: a server engine serving an echo actor, a client engine
// asking it.
type peer struct {
	name  string // the table's column
	ask   func(body []byte) error
	close func() error
}

// start brings the baseline (raw nats.go, the first column), actorgen and the peers up; on an
// error it also returns the peers that have something to close.
func start() ([]peer, error) {
	var peers []peer
	for _, newPeer := range []func() (peer, error){newRawNATS, newActorgen, newHollywood, newProtoactor} {
		p, err := newPeer()
		if p.close != nil {
			peers = append(peers, p)
		}
		if err != nil {
			return peers, fmt.Errorf("%s: %w", p.name, err)
		}
		body := make([]byte, payload)
		for range warmup {
			if err := p.ask(body); err != nil {
				return peers, fmt.Errorf("%s: warm-up ask: %w", p.name, err)
			}
		}
	}
	return peers, nil
}

// figures holds each round's value of each figure, keyed by peer name and figure.
type figures map[string][]float64

func (f figures) add(k string, v float64) { f[k] = append(f[k], v) }

func (f figures) median(k string) float64 {
	s := slices.Clone(f[k])
	slices.Sort(s)
	return s[len(s)/2]
}

func measure(peers []peer, s sizes) (figures, error) {
	body := make([]byte, payload)
	f := figures{}
	for round := range s.rounds {
		for i := range peers {
			p := peers[(round+i)%len(peers)]
			ask := func() error { return p.ask(body) }
			ds, err := calls.Latencies(s.asks, ask)
			if err != nil {
				return nil, fmt.Errorf("%s latency: %w", p.name, err)
			}
			f.add(p.name+" p50", float64(ds[len(ds)/2].Nanoseconds()))
			f.add(p.name+" p99", float64(ds[len(ds)*99/100].Nanoseconds()))
			for _, n := range []int{1, callers} {
				tp, err := calls.Throughput(s.asks, n, ask)
				if err != nil {
					return nil, fmt.Errorf("%s throughput, %d callers: %w", p.name, n, err)
				}
				f.add(fmt.Sprintf("%s tp%d", p.name, n), tp)
			}
		}
	}
	return f, nil
}

func table(out io.Writer, peers []peer, f figures, s sizes) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Medians of %d interleaved rounds of %d asks. Machine: %s, %d CPUs (GOMAXPROCS %d), %s/%s, %s. Server and client engines in one process, TCP loopback 127.0.0.1, %d-byte ask answered with %d bytes; (×N) is the ratio to the first column.\n\n",
		s.rounds, s.asks, runner.CPUModel(), goruntime.NumCPU(), goruntime.GOMAXPROCS(0), goruntime.GOOS, goruntime.GOARCH, goruntime.Version(), payload, answer)
	b.WriteString("| figure |")
	for _, p := range peers {
		fmt.Fprintf(&b, " %s |", p.name)
	}
	b.WriteString("\n| --- |")
	for range peers {
		b.WriteString(" ---: |")
	}
	b.WriteString("\n")
	row := func(label, key string, format func(float64) string) {
		fmt.Fprintf(&b, "| %s |", label)
		base := f.median(peers[0].name + " " + key)
		for i, p := range peers {
			v := f.median(p.name + " " + key)
			if i == 0 {
				fmt.Fprintf(&b, " %s |", format(v))
				continue
			}
			fmt.Fprintf(&b, " %s (×%.2f) |", format(v), v/base)
		}
		b.WriteString("\n")
	}
	us := func(ns float64) string { return fmt.Sprintf("%.1f µs", ns/1e3) }
	ks := func(v float64) string { return fmt.Sprintf("%.1f k/s", v/1e3) }
	row("ask latency p50 (1 caller)", "p50", us)
	row("ask latency p99 (1 caller)", "p99", us)
	row("asks per second, 1 caller", "tp1", ks)
	row(fmt.Sprintf("asks per second, %d callers", callers), fmt.Sprintf("tp%d", callers), ks)
	_, err := io.WriteString(out, b.String())
	return err
}
