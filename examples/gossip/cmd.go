package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/actorgen/actorgen/examples/gossip/game"
	"github.com/actorgen/actorgen/examples/gossip/relay"
	"github.com/actorgen/actorgen/examples/internal/observehttp"
	"github.com/actorgen/actorgen/runtime"
)

// lockedWriter serialises the lines that several goroutines print.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) println(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format+"\n", args...)
}

// parse parses a subcommand's flags; it returns the exit status to end with,
// or -1 to go on.
func parse(fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return 2
	}
	return -1
}

// runKeygen prints a fresh key.
func runKeygen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gossip keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gossip keygen\n\nprints a new random key (32 bytes, hex): a line \"NAME KEY\" of the relay's -keys file, and the server's -key-file")
	}
	if st := parse(fs, args); st >= 0 {
		return st
	}
	fmt.Fprintln(stdout, relay.NewKey())
	return 0
}

// runRelay serves a relay until ctx ends, then closes it normally.
func runRelay(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gossip relay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:4000", "address to listen on (port 0 picks a free one)")
	keysFile := fs.String("keys", "", "the servers' keys: a file of lines \"NAME HEXKEY\" (required)")
	certFile := fs.String("cert", "", "PEM certificate: serve wss:// (with -key)")
	keyFile := fs.String("key", "", "PEM private key of -cert")
	if st := parse(fs, args); st >= 0 {
		return st
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "gossip relay: %v\n", err)
		return 1
	}
	if *keysFile == "" {
		fmt.Fprintln(stderr, "gossip relay: -keys is required")
		fs.Usage()
		return 2
	}
	f, err := os.Open(*keysFile)
	if err != nil {
		return fail(err)
	}
	keys, err := relay.ParseKeys(*keysFile, f)
	_ = f.Close()
	if err != nil {
		return fail(err)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	cfg := relay.Config{Keys: keys, Logger: log}
	switch {
	case *certFile != "" && *keyFile != "":
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return fail(fmt.Errorf("-cert %s -key %s: %w", *certFile, *keyFile, err))
		}
		cfg.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	case *certFile != "" || *keyFile != "":
		fmt.Fprintln(stderr, "gossip relay: -cert and -key go together")
		return 2
	default:
		log.Warn("relay: serving ws://, in clear: give -cert and -key to serve wss:// beyond this machine")
	}
	s, err := relay.Listen(*addr, cfg)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "relay: listening on %s (%d servers known)\n", s.URL(), len(keys))
	<-ctx.Done()
	s.Close()
	fmt.Fprintln(stdout, "relay: closed")
	return 0
}

// runServer runs a game server until ctx ends: each line read from stdin
// is broadcast, and what the relay passes on is printed.
func runServer(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gossip server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "this server's name: "+relay.NameAlphabet+" (required)")
	relayURL := fs.String("relay", "ws://127.0.0.1:4000/", "the relay's URL, ws:// or wss://")
	keyFile := fs.String("key-file", "", "file holding this server's key, hex (default: $GOSSIP_KEY)")
	caFile := fs.String("ca", "", "PEM file of the CA of a wss:// relay's certificate (default: the system's roots)")
	channel := fs.String("channel", "gossip", "the channel that lines read from stdin go to")
	observe := fs.String("observe", "", observehttp.Usage)
	if st := parse(fs, args); st >= 0 {
		return st
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "gossip server: %v\n", err)
		return 1
	}
	if err := relay.ValidName("-channel", *channel); err != nil {
		return fail(err)
	}
	keyText, where := os.Getenv("GOSSIP_KEY"), "$GOSSIP_KEY"
	if *keyFile != "" {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return fail(err)
		}
		keyText, where = strings.TrimSpace(string(b)), "-key-file "+*keyFile
	}
	if keyText == "" {
		fmt.Fprintln(stderr, "gossip server: no key: give -key-file or set $GOSSIP_KEY")
		return 2
	}
	key, err := relay.ParseKey(where, keyText)
	if err != nil {
		return fail(err)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	client := &http.Client{}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			return fail(err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fail(fmt.Errorf("-ca %s: no PEM certificate in it", *caFile))
		}
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	}
	if u, err := url.Parse(*relayURL); err == nil && u.Scheme == "ws" && !isLoopback(u.Hostname()) {
		log.Warn("gossip: the relay URL is ws://, in clear: messages can be read and the session taken over on the way; use wss://", "relay", *relayURL)
	}

	out := &lockedWriter{w: stdout}
	opts := []runtime.SystemOption{runtime.WithLogger(log)}
	if *observe != "" {
		opts = append(opts, runtime.WithMetrics(runtime.MetricsOptions{}))
	}
	sys := runtime.NewSystem(opts...)
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := sys.Shutdown(sctx); err != nil {
			log.Error("gossip: shutdown", "err", err)
		}
	}()
	if *observe != "" {
		view, err := observehttp.Start(*observe, sys, log)
		if err != nil {
			return fail(err)
		}
		defer func() {
			if err := view.Close(); err != nil {
				log.Warn("gossip: observe: close", "err", err)
			}
		}()
		out.println("server %s: live view of the actors on %s", *name, view.URL)
	}
	chat, err := game.Start(sys, game.Config{
		Name: *name, URL: *relayURL, Key: key, HTTPClient: client,
		Inbox: func(*runtime.Context) game.Inbox { return printer{out} },
		OnEvent: func(e game.Event) {
			switch e.Kind {
			case game.LinkUp:
				out.println("link up: online %s", strings.Join(e.Names, " "))
			case game.LinkDown:
				out.println("link down: %v", e.Err)
			case game.LinkRefused:
				out.println("link refused: %v", e.Err)
			}
		},
	})
	if err != nil {
		return fail(err)
	}
	out.println("server %s: started, relay %s; lines read from stdin go to #%s", *name, *relayURL, *channel)

	lines := make(chan string)
	go func() { // ends at EOF; the process may outlive it
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			out.println("server %s: stopping", *name)
			return 0
		case line := <-lines:
			if line == "" {
				continue
			}
			if err := chat.Broadcast(ctx, *channel, line); err != nil {
				out.println("broadcast failed: %v", err)
				continue
			}
			out.println("sent on #%s: %q", *channel, line)
		}
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// printer is the server command's Inbox: it prints what arrives.
type printer struct{ out *lockedWriter }

func (p printer) Message(_ context.Context, m game.Message) {
	p.out.println("<- %s on #%s: %q", m.From, m.Channel, m.Text)
}

func (p printer) Presence(_ context.Context, server string, online bool) {
	if online {
		p.out.println("%s joined", server)
	} else {
		p.out.println("%s left", server)
	}
}
