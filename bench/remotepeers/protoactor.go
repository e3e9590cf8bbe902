package main

import (
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// newProtoactor starts two protoactor-go actor systems, each with a remote (gRPC) listening on
// 127.0.0.1:0, spawns an echo actor on the server and asks it from the client with
// RootContext.RequestFuture; the actor answers with Context.Respond. The messages go through the
// remote's default protobuf serializer.
//
// Two of protoactor-go's remotes in one process race (go test -race) in two places of the peer's
// own code, which start and close order around:
//   - Remote.Start sets grpc's global logger (grpclog.SetLoggerV2) each time, while the first
//     remote's gRPC server goroutine logs: startSecond waits until that server has sent its
//     HTTP/2 settings on a connection of its own before the second Start.
//   - Remote.Shutdown clears its endpoint manager's connections while an endpoint writer's
//     goroutine, whose stream the other side just ended, still removes an endpoint from them:
//     close shuts the client down first and waits until the server's writer to it has published
//     its EndpointTerminatedEvents (two, or a bounded wait) before shutting the server down.
func newProtoactor() (peer, error) {
	p := peer{name: "protoactor-go remote (gRPC)"}
	var srv, cli *actor.ActorSystem
	var srvRemote, cliRemote *remote.Remote
	var echo *actor.PID
	// terminated has an element for each EndpointTerminatedEvent published on the server.
	terminated := make(chan struct{}, 16)
	p.close = func() error {
		var err error
		if echo != nil {
			if perr := srv.Root.PoisonFuture(echo).Wait(); perr != nil {
				err = fmt.Errorf("poison echo: %w", perr)
			}
		}
		if cliRemote != nil {
			cliRemote.Shutdown(true)
			cli.Shutdown()
			timeout := time.After(2 * time.Second)
		wait:
			for range 2 {
				select {
				case <-terminated:
				case <-timeout:
					break wait
				}
			}
		}
		if srvRemote != nil {
			srvRemote.Shutdown(true)
			srv.Shutdown()
		}
		return err
	}
	newSystem := func() *actor.ActorSystem {
		return actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
			return slog.New(slog.DiscardHandler)
		}))
	}
	srv = newSystem()
	srvRemote = remote.NewRemote(srv, remote.Configure("127.0.0.1", 0))
	srvRemote.Start() // panics if it cannot listen
	// After Start, so that this handler runs after the endpoint manager's for the same event.
	srv.EventStream.SubscribeWithPredicate(func(any) {
		select {
		case terminated <- struct{}{}:
		default:
		}
	}, func(evt any) bool {
		_, ok := evt.(*remote.EndpointTerminatedEvent)
		return ok
	})
	cli = newSystem()
	var err error
	if cliRemote, err = startSecond(srv.Address(), remote.NewRemote(cli, remote.Configure("127.0.0.1", 0))); err != nil {
		return p, err
	}
	reply := make([]byte, answer)
	props := actor.PropsFromFunc(func(c actor.Context) {
		if _, ok := c.Message().(*wrapperspb.BytesValue); ok {
			c.Respond(&wrapperspb.BytesValue{Value: reply})
		}
	})
	if echo, err = srv.Root.SpawnNamed(props, "echo"); err != nil {
		return p, fmt.Errorf("protoactor: spawn: %w", err)
	}
	p.ask = func(body []byte) error {
		got, err := cli.Root.RequestFuture(echo, &wrapperspb.BytesValue{Value: body}, askTimeout).Result()
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

// startSecond starts r once the gRPC server of the remote at first has begun serving: it opens a
// connection to it and reads the first bytes the server sends (its HTTP/2 settings), starts r,
// then writes on that connection and closes it, so that the first server's goroutines log (read
// grpc's global logger) only before that read or after that write, never while r.Start sets the
// logger.
func startSecond(first string, r *remote.Remote) (*remote.Remote, error) {
	c, err := net.DialTimeout("tcp", first, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("protoactor: dial the first remote: %w", err)
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("protoactor: the first remote sent nothing: %w", err)
	}
	r.Start() // panics if it cannot listen
	// A failed write only loses the ordering, which matters to the race detector alone.
	_, _ = c.Write([]byte("bye\n"))
	return r, c.Close()
}
