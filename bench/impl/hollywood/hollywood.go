// Package hollywood runs the workloads on github.com/anthdm/hollywood: one Engine per run, each
// actor a Receiver spawned with Engine.Spawn, tells with Engine.Send, asks with Engine.Request
// and Context.Respond, stops with Engine.Poison (graceful: the inbox is drained first).
package hollywood

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/anthdm/hollywood/actor"

	_ "github.com/actorgen/actorgen/bench/internal/protoenv" // before the peers' init: see protoenv
	"github.com/actorgen/actorgen/bench/workload"
)

// askTimeout bounds a Request when the caller's ctx has no deadline (Request takes no context).
const askTimeout = time.Minute

// Impl returns hollywood with its default options (inbox of 1024, throughput 300).
func Impl() workload.Impl {
	return workload.Impl{
		Name:  "hollywood",
		Label: "anthdm/hollywood",
		New: func(context.Context) (workload.System, error) {
			e, err := actor.NewEngine(actor.NewEngineConfig())
			if err != nil {
				return nil, fmt.Errorf("hollywood: new engine: %w", err)
			}
			return &system{engine: e}, nil
		},
	}
}

type system struct {
	engine *actor.Engine
	next   int // ids of spawned actors; Spawn is called from one goroutine per run
}

type tellMsg struct{ v int64 }

type askMsg struct{ v int64 }

type receiver struct{ sink *workload.Sink }

// Receive handles the workload's messages; hollywood's lifecycle messages (Initialized, Started,
// Stopped) need no action.
func (r *receiver) Receive(c *actor.Context) {
	switch m := c.Message().(type) {
	case tellMsg:
		r.sink.Add(m.v)
	case askMsg:
		c.Respond(r.sink.Add(m.v))
	}
}

func (s *system) Spawn(_ context.Context, sink *workload.Sink) (workload.Actor, error) {
	s.next++
	pid := s.engine.Spawn(func() actor.Receiver { return &receiver{sink: sink} }, "sink",
		actor.WithID(strconv.Itoa(s.next)))
	return &ref{engine: s.engine, pid: pid}, nil
}

// Close has nothing to release: the engine has no shutdown, and every actor is poisoned by Stop.
func (s *system) Close(context.Context) error { return nil }

type ref struct {
	engine *actor.Engine
	pid    *actor.PID
}

func (r *ref) Tell(_ context.Context, v int64) error {
	r.engine.Send(r.pid, tellMsg{v: v})
	return nil
}

func (r *ref) Ask(ctx context.Context, v int64) (int64, error) {
	timeout := askTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	got, err := r.engine.Request(r.pid, askMsg{v: v}, timeout).Result()
	if err != nil {
		return 0, fmt.Errorf("hollywood: request: %w", err)
	}
	sum, ok := got.(int64)
	if !ok {
		return 0, fmt.Errorf("hollywood: request answered %T, want int64", got)
	}
	return sum, nil
}

func (r *ref) Stop(ctx context.Context) error {
	select {
	case <-r.engine.Poison(r.pid).Done():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("hollywood: poison %v: %w", r.pid, ctx.Err())
	}
}
