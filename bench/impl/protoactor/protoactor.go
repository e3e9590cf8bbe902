// Package protoactor runs the workloads on github.com/asynkron/protoactor-go: one ActorSystem per
// run, each actor spawned from PropsFromProducer with the default unbounded mailbox and dispatcher,
// tells with RootContext.Send, asks with RootContext.RequestFuture and Context.Respond, stops with
// RootContext.PoisonFuture (graceful: the mailbox is drained first).
package protoactor

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	_ "github.com/actorgen/actorgen/bench/internal/protoenv" // before the peers' init: see protoenv
	"github.com/actorgen/actorgen/bench/workload"
)

// futureTimeout bounds a RequestFuture when the caller's ctx has no deadline (futures take a
// timeout, not a context; PoisonFuture sets its own of 10 s).
const futureTimeout = time.Minute

// Impl returns protoactor-go with its defaults, logging discarded.
func Impl() workload.Impl {
	return workload.Impl{
		Name:  "protoactor",
		Label: "asynkron/protoactor-go",
		New: func(context.Context) (workload.System, error) {
			sys := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
				return slog.New(slog.DiscardHandler)
			}))
			return &system{sys: sys}, nil
		},
	}
}

type system struct{ sys *actor.ActorSystem }

type tellMsg struct{ v int64 }

type askMsg struct{ v int64 }

type receiver struct{ sink *workload.Sink }

// Receive handles the workload's messages; protoactor's lifecycle messages (Started, Stopping,
// Stopped) need no action.
func (r *receiver) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case tellMsg:
		r.sink.Add(m.v)
	case askMsg:
		c.Respond(r.sink.Add(m.v))
	}
}

func (s *system) Spawn(_ context.Context, sink *workload.Sink) (workload.Actor, error) {
	props := actor.PropsFromProducer(func() actor.Actor { return &receiver{sink: sink} })
	pid, err := s.sys.Root.SpawnNamed(props, s.sys.ProcessRegistry.NextId())
	if err != nil {
		return nil, fmt.Errorf("protoactor: spawn: %w", err)
	}
	return &ref{root: s.sys.Root, pid: pid}, nil
}

// Close shuts the actor system down; every actor was poisoned by Stop first.
func (s *system) Close(context.Context) error {
	s.sys.Shutdown()
	return nil
}

type ref struct {
	root *actor.RootContext
	pid  *actor.PID
}

func (r *ref) Tell(_ context.Context, v int64) error {
	r.root.Send(r.pid, tellMsg{v: v})
	return nil
}

func timeout(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return time.Until(dl)
	}
	return futureTimeout
}

func (r *ref) Ask(ctx context.Context, v int64) (int64, error) {
	got, err := r.root.RequestFuture(r.pid, askMsg{v: v}, timeout(ctx)).Result()
	if err != nil {
		return 0, fmt.Errorf("protoactor: request future: %w", err)
	}
	sum, ok := got.(int64)
	if !ok {
		return 0, fmt.Errorf("protoactor: request future answered %T, want int64", got)
	}
	return sum, nil
}

// Stop poisons the actor and waits for its termination (PoisonFuture has its own 10 s timeout).
func (r *ref) Stop(context.Context) error {
	if err := r.root.PoisonFuture(r.pid).Wait(); err != nil {
		return fmt.Errorf("protoactor: poison %v: %w", r.pid, err)
	}
	return nil
}
