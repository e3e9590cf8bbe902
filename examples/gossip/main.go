// Command gossip is the tether example of actorgen, after the story of
// ExVenture's Gossip socket: game servers keep a websocket link to a relay
// that may be down at boot or die at any time, and stay up, reconnecting by
// themselves.
//
// Usage:
//
//	gossip -demo [-addr 127.0.0.1:0] [-observe :8081]
//	gossip keygen
//	gossip relay -keys FILE [-addr 127.0.0.1:4000] [-cert FILE -key FILE]
//	gossip server -name NAME -key-file FILE [-relay ws://127.0.0.1:4000/] [-ca FILE] [-channel gossip] [-observe :8081]
//
// -demo runs, in one process, a relay and two game servers, stops and
// restarts the relay on a schedule while the servers chat, and tells the
// story phase by phase: boot with the relay down, link up, relay killed,
// tether cut, keeper retries, back up; then a summary. It takes about 19
// seconds and exits with status 0.
//
// -observe serves the live view of the actors (runtime/observe) while the
// demo or a server runs, and the demo prints its URL; ":PORT" means
// 127.0.0.1:PORT.
//
// relay and server run the two sides as separate processes: keygen makes a
// key for each server, the relay's -keys file lists them by name, and each
// server reads its own. A server broadcasts every line it reads on stdin
// and prints what the others send. Both stop on SIGINT or SIGTERM. See
// docs/gossip.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/actorgen/actorgen/examples/internal/observehttp"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args and runs the demo or a subcommand; it returns the exit
// status.
func run(args []string, stdout, stderr io.Writer) int {
	return runWith(context.Background(), args, os.Stdin, stdout, stderr)
}

func runWith(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) > 0 {
		switch args[0] {
		case "relay":
			return runRelay(ctx, args[1:], stdout, stderr)
		case "server":
			return runServer(ctx, args[1:], stdin, stdout, stderr)
		case "keygen":
			return runKeygen(args[1:], stdout, stderr)
		}
	}
	fs := flag.NewFlagSet("gossip", flag.ContinueOnError)
	fs.SetOutput(stderr)
	usage := "usage: gossip -demo [-addr host:port] | keygen | relay -keys FILE ... | server -name NAME -key-file FILE ... (-h after a subcommand for its flags)"
	fs.Usage = func() {
		fmt.Fprintln(stderr, usage)
		fs.PrintDefaults()
	}
	demo := fs.Bool("demo", false, "run the relay kill/restart demo and tell its story")
	addr := fs.String("addr", "127.0.0.1:0", "the demo relay's address (port 0 picks a free one)")
	observe := fs.String("observe", "", observehttp.Usage)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if !*demo || fs.NArg() > 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	a, err := relayAddr(*addr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	dc := defaultDemo(a)
	dc.Observe = *observe
	if _, err := runDemo(ctx, stdout, dc); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
