package runtime

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"sync"
	"sync/atomic"
	"time"
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
	p := &promise[R]{asking: asking{ctx: ctx}}
	p.promise = p
	// A context that can never be done lets the caller handle the ask itself when the actor is
	// idle: the caller would only wait anyway, and cannot give up early.
	if err := a.m.send(ctx, &p.asking, msg, &p.asking, ctx.Done() == nil); err != nil {
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
	if p, ok := r.promise.(*promise[R]); ok {
		p.resolve(v, nil)
		return
	}
	r.fail(fmt.Errorf("actor %s: reply of type %T does not match the ask's type %s", ac.Path(), v, r.want()))
}

// yieldsBeforePark is how often an asker yields for its reply before it parks.
const yieldsBeforePark = 2

// Delivery states of an ask: whoever moves it out of askQueued decides whether the handler runs.
const (
	askQueued    uint32 = iota
	askHanded           // the handler was given the message
	askAbandoned        // the caller gave up first: the handler never gets it
)

// asking is an ask as the mailbox and the handler see it, whatever its reply's type: the asker's
// ctx, whether the handler was given the message, and the outcome but for the reply's value,
// which the promise holding it keeps. An ask's envelope carries it where a tell's carries the
// sender's ctx (it is a ctx: the asker's), so that an envelope needs no field for asks, and the
// drain loop tells an ask from a tell by one comparison of types.
type asking struct {
	ctx      context.Context // the asker's
	delivery atomic.Uint32
	set      atomic.Bool
	mu       sync.Mutex
	err      error
	wake     chan struct{}
	promise  any // the *promise[R] that holds this asking, for Reply
}

// promise is the reply slot of one ask. Its wake channel is made only by a caller that has to
// wait, so an ask answered on the caller's own goroutine costs one allocation.
type promise[R any] struct {
	asking
	v R
}

// resolve sets the outcome; only the first one counts.
func (p *promise[R]) resolve(v R, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.set.Load() {
		return
	}
	p.v, p.err = v, err
	p.settle()
}

// fail sets the outcome to err and the reply's zero value; only the first outcome counts.
func (r *asking) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.set.Load() {
		return
	}
	r.err = err
	r.settle()
}

// settle marks the outcome set and wakes the asker. Under mu.
func (r *asking) settle() {
	r.set.Store(true)
	if r.wake != nil {
		close(r.wake)
	}
}

// done reports whether the ask has its outcome.
func (r *asking) done() bool { return r.set.Load() }

// want names the reply's type, for the error of a Reply of another type.
func (r *asking) want() string { return r.promise.(interface{ want() string }).want() }

func (p *promise[R]) want() string { return fmt.Sprintf("%T", *new(R)) }

// The asker's ctx, so that an asking is an envelope's ctx.
func (r *asking) Deadline() (time.Time, bool) { return r.ctx.Deadline() }
func (r *asking) Done() <-chan struct{}       { return r.ctx.Done() }
func (r *asking) Err() error                  { return r.ctx.Err() }
func (r *asking) Value(key any) any           { return r.ctx.Value(key) }

// take hands the ask to its handler: it reports false, the ask failed with ErrNotDelivered, if
// the asker's ctx is done or the caller has given up, and the handler must not run.
func (r *asking) take(n *node) bool {
	if err := r.ctx.Err(); err != nil {
		if r.delivery.CompareAndSwap(askQueued, askAbandoned) {
			r.fail(notDelivered(n.path(), err))
		}
		return false
	}
	return r.delivery.CompareAndSwap(askQueued, askHanded)
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
