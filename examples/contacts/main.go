// Command contacts is the contacts service from nact's lessons, built with
// actorgen: an HTTP JSON API where a directory actor starts one child actor
// per user, each owning that user's contacts, kept in SQLite.
//
// Usage:
//
//	go run ./examples/contacts [-addr 127.0.0.1:8080] [-db contacts.db] [-idle 1m]
//	                           [-timeout 5s] [-chaos P] [-chaos-seed N] [-log-level info]
//
// See docs/contacts.md for the routes, the supervision and persistence design,
// and a chaos demonstration.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/actorgen/actorgen/examples/contacts/service"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "contacts:", err)
		}
		os.Exit(2)
	}
}

// shutdownGrace bounds the graceful shutdown after ctx is done.
const shutdownGrace = 10 * time.Second

// options are the command's flags.
type options struct {
	addr      string
	db        string
	idle      time.Duration
	timeout   time.Duration
	chaos     float64
	chaosSeed uint64
	logLevel  slog.Level
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("contacts", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	fs.StringVar(&o.db, "db", "contacts.db", "SQLite database file, created if missing")
	fs.DurationVar(&o.idle, "idle", time.Minute, "stop a user's actor after this long without requests (0: never)")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Second, "how long a request waits for its actor before a 503 (not handled) or 504 (outcome unknown)")
	fs.Float64Var(&o.chaos, "chaos", 0, "fraction `P` (0 to 1) of actor handler calls that panic")
	fs.Uint64Var(&o.chaosSeed, "chaos-seed", 0, "seed for -chaos (0: random)")
	fs.TextVar(&o.logLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case !(o.chaos >= 0 && o.chaos <= 1):
		return o, fmt.Errorf("-chaos %v: must be between 0 and 1", o.chaos)
	case o.idle < 0:
		return o, fmt.Errorf("-idle %v: must not be negative", o.idle)
	case o.timeout <= 0:
		return o, fmt.Errorf("-timeout %v: must be positive", o.timeout)
	case o.db == "":
		return o, errors.New("-db: must not be empty")
	}
	return o, nil
}

// run serves until ctx is done, then shuts down gracefully: the listener
// stops, in-flight requests finish, the actors stop, the store closes.
// ready, if not nil, is called with the listening address.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready func(addr string)) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: o.logLevel}))
	cfg := service.Config{DBPath: o.db, IdleStop: o.idle, Timeout: o.timeout, Chaos: o.chaos, Logger: log}
	if o.chaosSeed != 0 {
		cfg.ChaosSource = rand.NewPCG(o.chaosSeed, o.chaosSeed)
	}
	svc, err := service.Open(ctx, cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return errors.Join(fmt.Errorf("listen on %s: %w", o.addr, err), svc.Close(context.Background()))
	}
	srv := &http.Server{
		Handler:           svc.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	addr := ln.Addr().String()
	printUsage(stdout, addr, o)
	if ready != nil {
		ready(addr)
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var serveErr error
	select {
	case serveErr = <-served:
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	errHTTP := srv.Shutdown(sctx)
	if serveErr == nil {
		serveErr = <-served
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return errors.Join(serveErr, errHTTP, svc.Close(sctx))
}

func printUsage(w io.Writer, addr string, o options) {
	base := "http://" + addr
	fmt.Fprintf(w, "contacts: listening on %s (database %s, idle stop %v, chaos %v)\n", base, o.db, o.idle, o.chaos)
	fmt.Fprintf(w, "Try:\n")
	fmt.Fprintf(w, "  curl -si -X POST %s/api/alice/contacts -H 'Content-Type: application/json' -d '{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\"}'\n", base)
	fmt.Fprintf(w, "  curl -s %s/api/alice/contacts\n", base)
	fmt.Fprintf(w, "  curl -s -X PATCH %s/api/alice/contacts/ID -H 'Content-Type: application/json' -d '{\"phone\":\"+44 20 7946 0958\"}'\n", base)
	fmt.Fprintf(w, "  curl -si -X DELETE %s/api/alice/contacts/ID\n", base)
	fmt.Fprintf(w, "Stop with Ctrl-C.\n")
}
