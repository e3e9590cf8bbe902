// Package mutex is the benchmark's floor: no actor at all, each "actor" is a struct behind a
// sync.Mutex and every message is a locked method call on the sender's goroutine.
package mutex

import (
	"context"
	"sync"

	"github.com/actorgen/actorgen/bench/workload"
)

// Impl returns the mutex-protected struct.
func Impl() workload.Impl {
	return workload.Impl{
		Name:  "mutex",
		Label: "mutex-protected struct (floor)",
		New:   func(context.Context) (workload.System, error) { return system{}, nil },
	}
}

type system struct{}

type actor struct {
	mu   sync.Mutex
	sink *workload.Sink
}

func (system) Spawn(_ context.Context, sink *workload.Sink) (workload.Actor, error) {
	return &actor{sink: sink}, nil
}

// Close has nothing to release.
func (system) Close(context.Context) error { return nil }

func (a *actor) Tell(_ context.Context, v int64) error {
	a.mu.Lock()
	a.sink.Add(v)
	a.mu.Unlock()
	return nil
}

func (a *actor) Ask(_ context.Context, v int64) (int64, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sink.Add(v), nil
}

// Stop has nothing to stop.
func (a *actor) Stop(context.Context) error { return nil }
