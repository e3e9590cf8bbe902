package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	agnats "github.com/actorgen/actorgen/nats"
	"github.com/actorgen/actorgen/runtime"
	rtest "github.com/actorgen/actorgen/runtime/remote/remotetest"
)

// startNATS starts an in-process nats-server on a free 127.0.0.1 port.
func startNATS() (*server.Server, error) {
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		return nil, fmt.Errorf("nats-server: %w", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(5 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("nats-server not ready after 5 s")
	}
	return ns, nil
}

// newRawNATS is the baseline of actorgen's remote: raw nats.go request-reply through an
// in-process nats-server, a responder answering 8 bytes on one connection and the caller on
// another.
func newRawNATS() (peer, error) {
	p := peer{name: "raw nats.go request-reply"}
	ns, err := startNATS()
	if err != nil {
		return p, err
	}
	var conns []*nats.Conn
	p.close = func() error {
		for _, c := range conns {
			c.Close()
		}
		ns.Shutdown()
		ns.WaitForShutdown()
		return nil
	}
	for range 2 {
		c, err := nats.Connect(ns.ClientURL())
		if err != nil {
			return p, fmt.Errorf("connect: %w", err)
		}
		conns = append(conns, c)
	}
	reply := make([]byte, answer)
	if _, err := conns[0].Subscribe("raw.ask", func(m *nats.Msg) { _ = m.Respond(reply) }); err != nil {
		return p, fmt.Errorf("subscribe: %w", err)
	}
	if err := conns[0].Flush(); err != nil {
		return p, fmt.Errorf("flush: %w", err)
	}
	p.ask = func(body []byte) error {
		m, err := conns[1].Request("raw.ask", body, askTimeout)
		if err == nil && len(m.Data) != answer {
			err = fmt.Errorf("answered %d bytes, want %d", len(m.Data), answer)
		}
		return err
	}
	return p, nil
}

// newActorgen is actorgen's remote through the same kind of server: two nodes (agnats.Start),
// a Counter served on one and asked from the other, CounterRef.Size(ctx, 64 bytes) answered
// with an int.
func newActorgen() (peer, error) {
	p := peer{name: "actorgen remote (NATS)"}
	ns, err := startNATS()
	if err != nil {
		return p, err
	}
	quiet := slog.New(slog.DiscardHandler)
	sys := runtime.NewSystem(runtime.WithLogger(quiet))
	csys := runtime.NewSystem(runtime.WithLogger(quiet))
	p.close = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := errors.Join(csys.Shutdown(ctx), sys.Shutdown(ctx))
		ns.Shutdown()
		ns.WaitForShutdown()
		return err
	}
	srv, err := agnats.Start(sys, agnats.Config{Name: "srv", URL: ns.ClientURL(), Logger: quiet})
	if err != nil {
		return p, err
	}
	cli, err := agnats.Start(csys, agnats.Config{Name: "cli", URL: ns.ClientURL(), Logger: quiet})
	if err != nil {
		return p, err
	}
	for i := 0; !srv.Up() || !cli.Up(); i++ {
		if i == 500 {
			return p, errors.New("the nodes' links are not up after 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	c, err := rtest.SpawnCounter(sys, "c", rtest.New)
	if err != nil {
		return p, err
	}
	if err := rtest.ServeCounter(srv.Node, c); err != nil {
		return p, err
	}
	far, err := rtest.DialCounter(cli.Node, "srv", "/c")
	if err != nil {
		return p, err
	}
	ctx := context.Background() // as bench/remote asks
	p.ask = func(body []byte) error {
		n, err := far.Size(ctx, body)
		if err == nil && n != len(body) {
			err = fmt.Errorf("answered %d, want %d", n, len(body))
		}
		return err
	}
	return p, nil
}
