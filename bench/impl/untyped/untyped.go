// Package untyped runs the workloads on this runtime's untyped API, without generated code:
// runtime.Spawn with a handler over one message struct, Actor.Tell, runtime.Ask and
// runtime.Reply, Ref.Stop and System.Shutdown. Each actor has the default unbounded mailbox.
package untyped

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/actorgen/actorgen/runtime"

	"github.com/actorgen/actorgen/bench/workload"
)

// Impl returns this runtime driven through runtime.Spawn, Tell and Ask.
func Impl() workload.Impl {
	return workload.Impl{
		Name:  "untyped",
		Label: "actorgen runtime, untyped API",
		New: func(context.Context) (workload.System, error) {
			return system{sys: runtime.NewSystem(runtime.WithLogger(slog.New(slog.DiscardHandler)))}, nil
		},
	}
}

type system struct{ sys *runtime.System }

// msg is the one message type of the actor: a value, and whether the sender waits for the sum.
type msg struct {
	v   int64
	ask bool
}

func handle(_ context.Context, ac *runtime.Context, s *workload.Sink, m msg) {
	sum := s.Add(m.v)
	if m.ask {
		runtime.Reply(ac, sum)
	}
}

func (s system) Spawn(_ context.Context, sink *workload.Sink) (workload.Actor, error) {
	a, err := runtime.Spawn(s.sys, "", func(*runtime.Context) *workload.Sink { return sink }, handle)
	if err != nil {
		return nil, fmt.Errorf("untyped: spawn: %w", err)
	}
	return ref{a: a}, nil
}

// Close shuts the system down.
func (s system) Close(ctx context.Context) error {
	if err := s.sys.Shutdown(ctx); err != nil {
		return fmt.Errorf("untyped: shutdown: %w", err)
	}
	return nil
}

type ref struct{ a runtime.Actor[msg] }

func (r ref) Tell(ctx context.Context, v int64) error {
	if err := r.a.Tell(ctx, msg{v: v}); err != nil {
		return fmt.Errorf("untyped: tell: %w", err)
	}
	return nil
}

func (r ref) Ask(ctx context.Context, v int64) (int64, error) {
	sum, err := runtime.Ask[msg, int64](ctx, r.a, msg{v: v, ask: true})
	if err != nil {
		return 0, fmt.Errorf("untyped: ask: %w", err)
	}
	return sum, nil
}

func (r ref) Stop(ctx context.Context) error {
	if err := r.a.Ref().Stop(ctx); err != nil {
		return fmt.Errorf("untyped: stop: %w", err)
	}
	return nil
}
