package main

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/anthdm/hollywood/actor"
	"github.com/anthdm/hollywood/remote"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// newHollywood starts two hollywood engines, each with a remote (DRPC over TCP) on its own
// loopback port, spawns an echo actor on the server and asks it from the client with
// Engine.Request; the actor answers with Context.Respond. The messages go through the remote's
// default ProtoSerializer.
//
// hollywood's remote advertises the address it was given, not the one it listens on, so ":0"
// cannot be used: each port is picked free by listening and closing first.
func newHollywood() (peer, error) {
	p := peer{name: "hollywood remote (DRPC)"}
	var remotes []*remote.Remote
	var echo *actor.PID
	var srv *actor.Engine
	p.close = func() error {
		if echo != nil {
			select {
			case <-srv.Poison(echo).Done():
			case <-time.After(10 * time.Second):
				return errors.New("echo actor not stopped after 10 s")
			}
		}
		// The client first, so that its stream writer is gone before the server stops.
		for i := len(remotes) - 1; i >= 0; i-- {
			remotes[i].Stop().Wait()
		}
		return nil
	}
	engine := func() (*actor.Engine, error) {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		r := remote.New(addr, remote.NewConfig())
		e, err := actor.NewEngine(actor.NewEngineConfig().WithRemote(r))
		if err != nil {
			return nil, fmt.Errorf("hollywood: new engine: %w", err)
		}
		remotes = append(remotes, r)
		return e, nil
	}
	var err error
	if srv, err = engine(); err != nil {
		return p, err
	}
	cli, err := engine()
	if err != nil {
		return p, err
	}
	reply := make([]byte, answer)
	echo = srv.SpawnFunc(func(c *actor.Context) {
		if _, ok := c.Message().(*wrapperspb.BytesValue); ok {
			c.Respond(&wrapperspb.BytesValue{Value: reply})
		}
	}, "echo")
	p.ask = func(body []byte) error {
		got, err := cli.Request(echo, &wrapperspb.BytesValue{Value: body}, askTimeout).Result()
		if err != nil {
			return err
		}
		if m, ok := got.(*wrapperspb.BytesValue); !ok || len(m.Value) != answer {
			return fmt.Errorf("answered %T %v, want %d bytes", got, got, answer)
		}
		return nil
	}
	return p, nil
}

// freeAddr returns a 127.0.0.1 address whose port was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}
