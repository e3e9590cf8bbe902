package runtime

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"sync"
	"sync/atomic"
)

// Ask sends msg to the actor and waits for the reply of type R that its handler gives with
// Reply. It returns early when ctx is done: with an error that matches ErrNotDelivered and ctx's
// error if the handler had not been given msg (it never will be), and with ctx's error alone if
// the handler was running. It fails at once with an error that wraps ErrFault and the panic value
// when the handler panics on msg; with ErrStopped when the actor stops before handling msg; and
// with ErrNoReply when the handler returns without replying.
func Ask[M, R any](ctx context.Context, a Actor[M], msg M) (R, error) {
	var zero R
	if a.m == nil {
		return zero, ErrStopped
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return zero, notDelivered(a.Ref().Path(), err)
	}
	p := new(promise[R])
	// A context that can never be done lets the caller handle the ask itself when the actor is
	// idle: the caller would only wait anyway, and cannot give up early.
	if err := a.m.send(ctx, ctx, msg, p, ctx.Done() == nil); err != nil {
		if err == errRemote {
			return remoteAsk[M, R](ctx, a.m.remote(), msg)
		}
		if !errors.Is(err, ErrNotDelivered) { // stopped, or a full mailbox: see stats.go
			a.m.cfg.typ.asksFailed.Add(1)
		}
		return zero, err
	}
	v, err, withdrawn := p.wait(ctx)
	if err != nil && err == ctx.Err() {
		if withdrawn {
			return zero, notDelivered(a.m.path(), err)
		}
		return zero, fmt.Errorf("ask %s: %w", a.m.path(), err)
	}
	return v, err
}

// notDelivered is the error of an ask to the actor at path that ctxErr ended before its handler
// was given the message.
func notDelivered(path string, ctxErr error) error {
	return fmt.Errorf("ask %s: %w: %w", path, ErrNotDelivered, ctxErr)
}

// Reply answers the ask being handled by the actor of ac. Only the first reply counts, and only
// one given before the handler returns; Reply does nothing while a tell is handled.
func Reply[R any](ac *Context, v R) {
	r := ac.reply
	if r == nil {
		return
	}
	ac.reply = nil
	if p, ok := r.(*promise[R]); ok {
		p.resolve(v, nil)
		return
	}
	r.fail(fmt.Errorf("actor %s: reply of type %T does not match the ask's type %s", ac.Path(), v, r.want()))
}

// replier is the reply side of an ask, as the mailbox holds it.
type replier interface {
	// take hands the ask to its handler: it reports false, the ask failed with ErrNotDelivered,
	// if ctx is done or the caller has given up, and the handler must not run.
	take(ctx context.Context, n *node) bool
	fail(err error)
	want() string
	done() bool // the ask has its outcome
}

// yieldsBeforePark is how often an asker yields for its reply before it parks.
const yieldsBeforePark = 2

// Delivery states of a promise: whoever moves it out of askQueued decides whether the handler
// runs.
const (
	askQueued    uint32 = iota
	askHanded           // the handler was given the message
	askAbandoned        // the caller gave up first: the handler never gets it
)

// promise is the reply slot of one ask. Its wake channel is made only by a caller that has to
// wait, so an ask answered on the caller's own goroutine costs one allocation.
type promise[R any] struct {
	delivery atomic.Uint32
	set      atomic.Bool
	mu       sync.Mutex
	v        R
	err      error
	wake     chan struct{}
}

// resolve sets the outcome; only the first one counts.
func (p *promise[R]) resolve(v R, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.set.Load() {
		return
	}
	p.v, p.err = v, err
	p.set.Store(true)
	if p.wake != nil {
		close(p.wake)
	}
}

func (p *promise[R]) fail(err error) {
	var zero R
	p.resolve(zero, err)
}

func (p *promise[R]) done() bool { return p.set.Load() }

func (p *promise[R]) want() string { return fmt.Sprintf("%T", *new(R)) }

func (p *promise[R]) take(ctx context.Context, n *node) bool {
	if err := ctx.Err(); err != nil {
		if p.delivery.CompareAndSwap(askQueued, askAbandoned) {
			p.fail(notDelivered(n.path(), err))
		}
		return false
	}
	return p.delivery.CompareAndSwap(askQueued, askHanded)
}

// wait returns the outcome, or ctx's error if ctx is done first; withdrawn then says that the
// handler was not given the message and never will be.
func (p *promise[R]) wait(ctx context.Context) (v R, err error, withdrawn bool) {
	// The actor's goroutine was just made runnable, most often on this processor: yielding to it
	// a few times lets a quick handler answer before this goroutine parks on a channel, which
	// costs a channel, a select and two wake-ups more.
	for range yieldsBeforePark {
		if p.set.Load() || ctx.Err() != nil {
			break
		}
		goruntime.Gosched()
	}
	p.mu.Lock()
	if !p.set.Load() {
		if p.wake == nil {
			p.wake = make(chan struct{})
		}
		wake := p.wake
		p.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			if p.delivery.CompareAndSwap(askQueued, askAbandoned) || p.delivery.Load() == askAbandoned {
				return v, ctx.Err(), true
			}
			p.mu.Lock()
			if !p.set.Load() {
				p.mu.Unlock()
				return v, ctx.Err(), false
			}
			p.mu.Unlock()
		}
		p.mu.Lock()
	}
	defer p.mu.Unlock()
	return p.v, p.err, false
}
