// Command gossip is the tether example of actorgen, after the story of
// ExVenture's Gossip socket: game servers keep a websocket link to a relay
// that may be down at boot or die at any time, and stay up, reconnecting by
// themselves.
//
// Usage:
//
//	go run ./examples/gossip -demo [-addr 127.0.0.1:0]
//
// runs, in one process, a relay and two game servers, stops and restarts the
// relay on a schedule while the servers chat, and prints a timeline: link up,
// fault, tether cut, retry, link up again, messages delivered. It takes about
// 19 seconds and exits with status 0. See docs/gossip.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args and runs the demo; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gossip", flag.ContinueOnError)
	fs.SetOutput(stderr)
	demo := fs.Bool("demo", false, "run the relay kill/restart demo and print its timeline")
	addr := fs.String("addr", "127.0.0.1:0", "the relay's address (port 0 picks a free one)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if !*demo || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: gossip -demo [-addr host:port]")
		return 2
	}
	a, err := relayAddr(*addr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := runDemo(ctx, stdout, defaultDemo(a)); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
