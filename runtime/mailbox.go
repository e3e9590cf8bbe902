package runtime

import (
	"context"
	"fmt"
	goruntime "runtime"
	"slices"
	"unsafe"
)

// Tell sends msg to the actor without waiting for it to be handled. It fails with ErrStopped if
// the actor is stopping or stopped, and with ErrMailboxFull if a bounded mailbox with
// OverflowFail is full; a bounded mailbox with OverflowBlock makes it wait for room, or for ctx.
// The handler gets ctx without its cancellation, so values such as trace ids travel with the
// message while the sender's deadline does not cut the handler short.
func (a Actor[M]) Tell(ctx context.Context, msg M) error {
	if a.m == nil {
		return ErrStopped
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ectx := ctx
	if ctx.Done() != nil {
		ectx = context.WithoutCancel(ctx)
	}
	return a.m.send(ctx, ectx, msg, nil, false)
}

// envelope is a message in a mailbox: the message and the sender's ctx or, for an ask, its
// asking, which holds the asker's ctx. One field for both keeps an envelope to two words and
// the message: the sender writes and the actor's goroutine reads fewer cache lines a message
// (see docs/performance.md). The times messages were queued, kept only in a system that observes
// messages, are in slices beside the envelopes (queueTimes).
type envelope[M any] struct {
	ctx context.Context // the sender's, or the ask's *asking
	msg M
}

// parts returns the ctx the handler gets and the ask, nil for a tell.
func (e *envelope[M]) parts() (context.Context, *asking) {
	if r, ok := e.ctx.(*asking); ok {
		return r.ctx, r
	}
	return e.ctx, nil
}

// mailbox is the half of an actor that senders use: its node and its inbox. It depends on the
// message type only, so that Tell and Ask call it directly.
type mailbox[M any] struct {
	node
	in    []envelope[M] // guarded by mu
	times *queueTimes   // in a system that observes messages only
}

// queueTimes holds when each queued message of an actor was queued, if it is timed (see
// observe.go), index for index with its inbox and its batch; apart from the actor, so that an
// actor of a system that observes nothing is not larger for them.
type queueTimes struct {
	in    []int64 // guarded by mu, as mailbox.in
	batch []int64 // the draining goroutine's, as actor.batch
}

// The buffer moves of the actor's inbox and batch, made to its times too; nil-safe, so that the
// drain loop calls them whether or not its system observes messages.
func (t *queueTimes) swap() {
	if t != nil {
		t.batch, t.in = t.in, t.batch[:0]
	}
}

func (t *queueTimes) dropBatch() {
	if t != nil {
		t.batch = nil
	}
}

func (t *queueTimes) dropIn() {
	if t != nil {
		t.in = nil
	}
}

// send puts a message in the mailbox and schedules the actor if it is idle: on its parked
// goroutine if it has one, else on a new goroutine; or with inline on the caller's, until the ask
// r has its outcome. ctx is the handler's for a tell, and r itself for an ask (r holds the
// asker's ctx); the caller converts it, where the conversion costs nothing.
func (a *mailbox[M]) send(wait, ctx context.Context, msg M, r *asking, inline bool) error {
	a.mu.Lock()
	if a.status != running {
		a.mu.Unlock()
		if a.sys == nil { // a remote actor's proxy: see remote.go
			if r == nil {
				return a.remote().s.Tell(wait, msg)
			}
			return errRemote
		}
		return fmt.Errorf("actor %s: %w", a.path(), ErrStopped)
	}
	if a.cfg.size > 0 {
		if err := a.room(wait); err != nil {
			a.mu.Unlock()
			if err == errDropped {
				if r != nil { // nobody would ever answer it
					return fmt.Errorf("actor %s: ask dropped: %w", a.path(), ErrMailboxFull)
				}
				return nil
			}
			return err
		}
	}
	if a.cfg.obs != nil {
		a.times.in = append(a.times.in, a.stamp(len(a.in)))
	}
	if len(a.in) == cap(a.in) && a.cfg.size == 0 { // a bounded inbox grows as append grows it
		a.in = growInbox(a.in)
	}
	a.in = append(a.in, envelope[M]{ctx: ctx, msg: msg})
	start := !a.sched && !a.suspended
	var wake chan<- bool
	if start {
		a.sched = true
		if !inline {
			wake = a.unpark()
		}
	}
	backlog := len(a.in)
	a.mu.Unlock()
	if backlog%yieldEvery == 0 && !start {
		goruntime.Gosched()
	}
	if start {
		if inline {
			a.cell.drain(r)
		} else {
			a.handOff(wake)
		}
	}
	return nil
}

// inboxBurst is the size in bytes an inbox grows to first when it outgrows one message. Most
// actors have one message queued at a time and keep buffers of one; an inbox that holds two is
// likely to hold more (a sender fanning out to actors that lag a few rounds behind, a burst), and
// growing it by doubling from one would make it garbage several times over in its first messages,
// which in a system of many such actors makes the collector run while the senders are busiest
// (see docs/performance.md). An actor without a goroutine keeps no buffer larger than one
// message (see shed), so the memory is an active actor's only.
const inboxBurst = 512

// inboxBurstLen is how many messages of type M fit in inboxBurst bytes.
func inboxBurstLen[M any]() int { return inboxBurst / int(unsafe.Sizeof(envelope[M]{})) }

// growInbox returns in, which is full: grown to inboxBurst bytes if it is smaller, else as it is,
// for append to grow as it grows any slice.
func growInbox[M any](in []envelope[M]) []envelope[M] {
	burst := inboxBurstLen[M]()
	if cap(in) == 0 || cap(in) >= burst {
		return in
	}
	return slices.Grow(in, burst-len(in))
}

// room makes room in a bounded mailbox, under mu, as its overflow says: it waits for room
// (OverflowBlock), or returns errDropped (OverflowDrop) or ErrMailboxFull (OverflowFail).
func (a *mailbox[M]) room(wait context.Context) error {
	r := a.rare
	for r.queued >= a.cfg.size {
		switch a.cfg.overflow {
		case OverflowDrop:
			return errDropped
		case OverflowFail:
			return fmt.Errorf("actor %s: %w", a.path(), ErrMailboxFull)
		}
		if r.space == nil {
			r.space = make(chan struct{})
		}
		space := r.space
		a.mu.Unlock()
		select {
		case <-space:
		case <-wait.Done():
			a.mu.Lock()
			return fmt.Errorf("send to %s: %w: %w", a.path(), ErrNotDelivered, wait.Err())
		}
		a.mu.Lock()
		if a.status != running {
			return fmt.Errorf("actor %s: %w", a.path(), ErrStopped)
		}
	}
	r.queued++
	return nil
}

// yieldEvery is how often, in queued messages, a sender yields the processor while the inbox
// grows. A goroutine started for an idle actor waits in the sender's run queue; a sender in a
// tight loop would otherwise fill the inbox for a whole time slice before the actor ran at all,
// and every message would pay for that growth in copying and garbage collection. The mailbox
// stays unbounded: the send never waits for room.
const yieldEvery = 1024

func (a *mailbox[M]) freeSlot() {
	a.mu.Lock()
	r := a.rare
	r.queued--
	if r.space != nil {
		close(r.space)
		r.space = nil
	}
	a.mu.Unlock()
}
