// Command contacts is the contacts service from nact's lessons, built with
// actorgen: an HTTP JSON API where a directory actor starts one child actor
// per user, each owning that user's contacts, kept in SQLite.
//
// Usage:
//
//	go run ./examples/contacts [-addr 127.0.0.1:8080] [-db contacts.db] [-idle 1m]
//	                           [-timeout 5s] [-chaos P] [-chaos-seed N] [-log-level info]
//	                           [-header-timeout 5s] [-read-timeout 30s] [-write-timeout 40s]
//	                           [-idle-timeout 2m] [-drain 10s] [-observe :8081]
//
// Each flag may instead be set by an environment variable, CONTACTS_ and the
// flag's name in upper case with '-' as '_' (CONTACTS_ADDR, CONTACTS_DB,
// CONTACTS_LOG_LEVEL, ...); a flag on the command line wins over its variable,
// and an empty variable counts as unset.
//
// SIGINT or SIGTERM shuts it down gracefully: the listener closes, in-flight
// requests finish (for at most -drain), the actors stop, the database closes,
// and it exits 0. A second signal during that exits at once, with status
// 128+signal (130 for SIGINT, 143 for SIGTERM).
//
// -observe serves the live view of the actors (runtime/observe) on its own
// listener; ":PORT" means 127.0.0.1:PORT, as the view shows the whole tree to
// whoever reaches it.
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
	"strings"
	"syscall"
	"time"

	"github.com/actorgen/actorgen/examples/contacts/service"
	"github.com/actorgen/actorgen/examples/internal/observehttp"
	"github.com/actorgen/actorgen/runtime"
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		cancel(fmt.Errorf("signal %v", sig))
		sig = <-sigs
		fmt.Fprintf(os.Stderr, "contacts: second signal (%v): exiting at once, without draining\n", sig)
		os.Exit(signalStatus(sig))
	}()
	if err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr, nil); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "contacts:", err)
		}
		os.Exit(2)
	}
}

// signalStatus is the shell's exit status for a process killed by sig.
func signalStatus(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

// stopActorsGrace bounds the actors' shutdown after the HTTP drain.
const stopActorsGrace = 10 * time.Second

// options are the command's flags.
type options struct {
	addr      string
	db        string
	idle      time.Duration
	timeout   time.Duration
	chaos     float64
	chaosSeed uint64
	logLevel  slog.Level

	headerTimeout time.Duration // http.Server.ReadHeaderTimeout
	readTimeout   time.Duration // http.Server.ReadTimeout
	writeTimeout  time.Duration // http.Server.WriteTimeout
	idleTimeout   time.Duration // http.Server.IdleTimeout
	drain         time.Duration // how long a shutdown waits for in-flight requests
	observe       string        // where to serve the live view; "" for nowhere

	role       string // "", "front" or "books": see remote.go
	natsURL    string
	natsListen string
}

// envPrefix starts the name of the environment variable of each flag:
// CONTACTS_ and the flag's name in upper case with '-' as '_' (-log-level is
// CONTACTS_LOG_LEVEL).
const envPrefix = "CONTACTS_"

// envName returns the environment variable of the flag name.
func envName(name string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// parseFlags parses args. A flag not given in args takes its value from its
// environment variable (see envName) if getenv has a non-empty one, then from
// its default. Errors name the flag or the variable the bad value came from.
func parseFlags(args []string, getenv func(string) (string, bool), stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("contacts", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage of contacts:\n")
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "Each flag may instead be set in the environment as %s<FLAG> (%s, %s, ...);\n"+
			"a flag on the command line wins over its variable.\n", envPrefix, envName("addr"), envName("log-level"))
	}
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	fs.StringVar(&o.db, "db", "contacts.db", "SQLite database file, created if missing")
	fs.DurationVar(&o.idle, "idle", time.Minute, "stop a user's actor after this long without requests (0: never)")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Second, "how long a request waits for its actor before a 503 (not handled) or 504 (outcome unknown)")
	fs.Float64Var(&o.chaos, "chaos", 0, "fraction `P` (0 to 1) of actor handler calls that panic")
	fs.Uint64Var(&o.chaosSeed, "chaos-seed", 0, "seed for -chaos (0: random)")
	fs.TextVar(&o.logLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn or error")
	fs.DurationVar(&o.headerTimeout, "header-timeout", 5*time.Second, "close a connection whose request headers take longer than this to arrive")
	fs.DurationVar(&o.readTimeout, "read-timeout", 30*time.Second, "close a connection whose request (headers and body) takes longer than this to arrive")
	fs.DurationVar(&o.writeTimeout, "write-timeout", 40*time.Second, "cut a response not written this long after its request's headers arrived; must exceed -timeout")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", 2*time.Minute, "close a keep-alive connection after this long without a request")
	fs.DurationVar(&o.drain, "drain", 10*time.Second, "on shutdown, how long in-flight requests may take to finish before their connections are closed")
	fs.StringVar(&o.observe, "observe", "", observehttp.Usage)
	fs.StringVar(&o.role, "role", "", "split over NATS: front (the HTTP API) or books (the directory, the books and the database); empty runs both in one process")
	fs.StringVar(&o.natsURL, "nats", "", "the NATS server's URL; a front without one starts an embedded server on -nats-listen")
	fs.StringVar(&o.natsListen, "nats-listen", "127.0.0.1:4222", "where a front's embedded NATS server listens (port 0 picks a free port)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	fromEnv := map[string]bool{}
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || envErr != nil {
			return
		}
		v, ok := getenv(envName(f.Name))
		if !ok || v == "" {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			want := ""
			if g, ok := f.Value.(flag.Getter); ok {
				if _, ok := g.Get().(time.Duration); ok {
					want = " (want a duration such as 500ms, 30s or 2m)"
				}
			}
			envErr = fmt.Errorf("%s=%q: invalid value for -%s%s: %w", envName(f.Name), v, f.Name, want, err)
		}
		fromEnv[f.Name] = true
	})
	if envErr != nil {
		return o, envErr
	}
	// bad is the error for the value of the flag name, named by where it came from.
	bad := func(name, reason string) error {
		v := fs.Lookup(name).Value.String()
		switch {
		case fromEnv[name]:
			return fmt.Errorf("%s=%s: %s", envName(name), v, reason)
		case v == "":
			return fmt.Errorf("-%s: %s", name, reason)
		}
		return fmt.Errorf("-%s %s: %s", name, v, reason)
	}
	positive := func(name string, d time.Duration) error {
		if d <= 0 {
			return bad(name, "must be positive")
		}
		return nil
	}
	switch {
	case !(o.chaos >= 0 && o.chaos <= 1):
		return o, bad("chaos", "must be between 0 and 1")
	case o.idle < 0:
		return o, bad("idle", "must not be negative")
	case o.db == "":
		return o, bad("db", "must not be empty")
	}
	if err := errors.Join(
		positive("timeout", o.timeout),
		positive("header-timeout", o.headerTimeout),
		positive("read-timeout", o.readTimeout),
		positive("write-timeout", o.writeTimeout),
		positive("idle-timeout", o.idleTimeout),
		positive("drain", o.drain),
	); err != nil {
		return o, err
	}
	if o.writeTimeout <= o.timeout {
		return o, bad("write-timeout", fmt.Sprintf("must exceed -timeout %v, or answers that take the whole -timeout are cut", o.timeout))
	}
	return o, nil
}

// run serves until ctx is done, then shuts down gracefully: the listener
// stops, in-flight requests finish (for at most -drain, after which their
// connections are closed), the actors stop, the store closes.
// getenv looks up the flags' environment variables (os.LookupEnv); ready,
// if not nil, is called with the listening address.
func run(ctx context.Context, args []string, getenv func(string) (string, bool), stdout, stderr io.Writer, ready func(addr string)) error {
	o, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: o.logLevel}))
	cfg := service.Config{DBPath: o.db, IdleStop: o.idle, Timeout: o.timeout, Chaos: o.chaos, Logger: log}
	if o.chaosSeed != 0 {
		cfg.ChaosSource = rand.NewPCG(o.chaosSeed, o.chaosSeed)
	}
	if o.observe != "" {
		cfg.SystemOptions = []runtime.SystemOption{runtime.WithMetrics(runtime.MetricsOptions{})}
	}
	svc, stopNATS, err := open(ctx, o, cfg, stdout, log)
	if err != nil {
		return err
	}
	defer stopNATS()
	if o.observe != "" {
		view, err := observehttp.Start(o.observe, svc.System(), log)
		if err != nil {
			return errors.Join(err, svc.Close(context.Background()))
		}
		defer func() {
			if err := view.Close(); err != nil {
				log.Warn("observe: close", "err", err)
			}
		}()
		fmt.Fprintf(stdout, "contacts: live view of the actors on %s\n", view.URL)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return errors.Join(fmt.Errorf("listen on %s: %w", o.addr, err), svc.Close(context.Background()))
	}
	srv := &http.Server{
		Handler:           svc.Handler(),
		ReadHeaderTimeout: o.headerTimeout,
		ReadTimeout:       o.readTimeout,
		WriteTimeout:      o.writeTimeout,
		IdleTimeout:       o.idleTimeout,
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
		log.Error("serving failed; shutting down", "err", serveErr)
	case <-ctx.Done():
		log.Info("shutting down", "cause", context.Cause(ctx).Error(), "drain", o.drain)
	}
	errHTTP := drain(srv, o.drain, log)
	if serveErr == nil {
		serveErr = <-served
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	actx, cancel := context.WithTimeout(context.Background(), stopActorsGrace)
	defer cancel()
	err = errors.Join(serveErr, errHTTP, svc.Close(actx))
	if err == nil {
		log.Info("stopped")
	}
	return err
}

// drain shuts srv down: it stops accepting, closes idle connections and waits
// for the in-flight requests, for at most d; then it closes the connections
// still open. Requests cut that way are logged, not an error: the shutdown
// was asked for and it happened.
func drain(srv *http.Server, d time.Duration, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	err := srv.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	log.Warn("drain timed out: closing the connections of the requests still in flight", "drain", d)
	if err := srv.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("close connections after the drain: %w", err)
	}
	return nil
}

func printUsage(w io.Writer, addr string, o options) {
	base := "http://" + addr
	fmt.Fprintf(w, "contacts: listening on %s (database %s, idle stop %v, chaos %v%s)\n", base, o.db, o.idle, o.chaos, map[bool]string{true: ", role " + o.role, false: ""}[o.role != ""])
	fmt.Fprintf(w, "Try:\n")
	fmt.Fprintf(w, "  curl -si -X POST %s/api/alice/contacts -H 'Content-Type: application/json' -d '{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\"}'\n", base)
	fmt.Fprintf(w, "  curl -s %s/api/alice/contacts\n", base)
	fmt.Fprintf(w, "  curl -s -X PATCH %s/api/alice/contacts/ID -H 'Content-Type: application/json' -d '{\"phone\":\"+44 20 7946 0958\"}'\n", base)
	fmt.Fprintf(w, "  curl -si -X DELETE %s/api/alice/contacts/ID\n", base)
	fmt.Fprintf(w, "Stop with Ctrl-C (a second Ctrl-C exits at once).\n")
}
