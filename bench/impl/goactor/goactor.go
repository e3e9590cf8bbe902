// Package goactor runs the workloads on github.com/vladopajic/go-actor: each actor is a Worker
// reading a Mailbox (the library's default: unbounded, two channels and a forwarding goroutine),
// both combined into one Actor with actor.Combine. Tells are Mailbox.Send; the library has no
// request/response primitive, so an ask carries a reply channel; Stop is the combined Actor's Stop.
package goactor

import (
	"context"
	"fmt"

	"github.com/vladopajic/go-actor/actor"

	"github.com/actorgen/actorgen/bench/workload"
)

// Impl returns go-actor with its default mailbox.
func Impl() workload.Impl {
	return workload.Impl{
		Name:  "goactor",
		Label: "vladopajic/go-actor",
		New:   func(context.Context) (workload.System, error) { return system{}, nil },
	}
}

type system struct{}

type msg struct {
	v     int64
	reply chan int64 // nil for a tell
}

// worker handles one message per DoWork call, as go-actor's workers do.
type worker struct {
	mbx  actor.MailboxReceiver[msg]
	sink *workload.Sink
}

func (w *worker) DoWork(c actor.Context) actor.WorkerStatus {
	select {
	case <-c.Done():
		return actor.WorkerEnd
	case m, ok := <-w.mbx.ReceiveC():
		if !ok {
			return actor.WorkerEnd
		}
		sum := w.sink.Add(m.v)
		if m.reply != nil {
			m.reply <- sum
		}
		return actor.WorkerContinue
	}
}

func (system) Spawn(_ context.Context, sink *workload.Sink) (workload.Actor, error) {
	mbx := actor.NewMailbox[msg]()
	a := actor.Combine(mbx, actor.New(&worker{mbx: mbx, sink: sink})).Build()
	a.Start()
	return &ref{mbx: mbx, actor: a}, nil
}

// Close has nothing to release: every actor is stopped by its own Stop.
func (system) Close(context.Context) error { return nil }

type ref struct {
	mbx   actor.Mailbox[msg]
	actor actor.Actor
}

func (r *ref) Tell(ctx context.Context, v int64) error {
	if err := r.mbx.Send(ctx, msg{v: v}); err != nil {
		return fmt.Errorf("goactor: send: %w", err)
	}
	return nil
}

func (r *ref) Ask(ctx context.Context, v int64) (int64, error) {
	reply := make(chan int64, 1)
	if err := r.mbx.Send(ctx, msg{v: v, reply: reply}); err != nil {
		return 0, fmt.Errorf("goactor: send: %w", err)
	}
	select {
	case sum := <-reply:
		return sum, nil
	case <-ctx.Done():
		return 0, fmt.Errorf("goactor: ask: %w", ctx.Err())
	}
}

// Stop stops the worker and the mailbox and waits for both (Actor.Stop blocks until they end).
func (r *ref) Stop(context.Context) error {
	r.actor.Stop()
	return nil
}
