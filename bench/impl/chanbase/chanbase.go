// Package chanbase is the benchmark's baseline: each actor is a goroutine reading a buffered
// channel of capacity 64, written by hand with nothing but the language.
package chanbase

import (
	"context"
	"fmt"

	"github.com/actorgen/actorgen/bench/workload"
)

// Capacity is the buffer of every actor's channel.
const Capacity = 64

// Impl returns the goroutine + buffered channel baseline.
func Impl() workload.Impl {
	return workload.Impl{
		Name:  "chan",
		Label: "goroutine + chan(64) (baseline)",
		New:   func(context.Context) (workload.System, error) { return system{}, nil },
	}
}

type system struct{}

type msg struct {
	v     int64
	reply chan int64 // nil for a tell
}

type actor struct {
	in   chan msg
	done chan struct{}
}

func (system) Spawn(_ context.Context, sink *workload.Sink) (workload.Actor, error) {
	a := &actor{in: make(chan msg, Capacity), done: make(chan struct{})}
	go func() {
		defer close(a.done)
		for m := range a.in {
			sum := sink.Add(m.v)
			if m.reply != nil {
				m.reply <- sum
			}
		}
	}()
	return a, nil
}

// Close has nothing to release: every actor is stopped by its own Stop.
func (system) Close(context.Context) error { return nil }

// Tell sends v; a context that can be done is honoured while the channel is full, one that
// cannot costs nothing (a plain send, not a select).
func (a *actor) Tell(ctx context.Context, v int64) error {
	if ctx.Done() == nil {
		a.in <- msg{v: v}
		return nil
	}
	select {
	case a.in <- msg{v: v}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("chanbase: tell: %w", ctx.Err())
	}
}

// Ask sends v with a reply channel and waits for the sum; as Tell, it selects on the context
// only when the context can be done.
func (a *actor) Ask(ctx context.Context, v int64) (int64, error) {
	reply := make(chan int64, 1)
	if ctx.Done() == nil {
		a.in <- msg{v: v, reply: reply}
		return <-reply, nil
	}
	select {
	case a.in <- msg{v: v, reply: reply}:
	case <-ctx.Done():
		return 0, fmt.Errorf("chanbase: ask: %w", ctx.Err())
	}
	select {
	case sum := <-reply:
		return sum, nil
	case <-ctx.Done():
		return 0, fmt.Errorf("chanbase: ask: %w", ctx.Err())
	}
}

// Stop closes the channel, so the goroutine handles what is queued and returns.
func (a *actor) Stop(ctx context.Context) error {
	close(a.in)
	select {
	case <-a.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("chanbase: stop: %w", ctx.Err())
	}
}
