package runtime

import (
	"fmt"
	goruntime "runtime"
	"runtime/debug"
	"time"
)

// drain handles messages until the mailbox is empty, then parks the goroutine for the linger
// (see linger.go) and goes on when woken, or returns; or, with until, it handles them until until
// is done (an inline ask has its reply), and hands what is left to the parked goroutine or a new
// one.
//
// The caller of an inline ask only handles messages: a control signal, or a fault of a handler
// it runs, goes to the actor's own goroutine (the parked one or a new one), and the caller goes
// back to waiting for its reply like any other asker. It never runs a policy, a hook, or a
// stop that waits for children that may be waiting for it.
//
// A handler that calls runtime.Goexit ends handleBatch without returning to this loop, with
// h.busy still set: the deferred call below sees it, and since this goroutine is ending, the
// fault goes to a new one. A panic returns here and the loop clears h.busy. (The recover in
// handleBatch cannot tell the two apart by itself: it gets nil for both under
// GODEBUG=panicnil=1.) The check costs one defer per drain, not one per message or batch.
func (a *actor[S, M]) drain(until *asking) {
	var h handling[M]
	yielded := false // since the last batch
	defer func() {
		if h.busy {
			fault := &FaultError{Path: a.path(), Value: errGoexit, Stack: h.stack, Message: h.e.msg}
			a.observedFault(&h, fault)
			a.finish(fault)
			a.handOffFault(fault)
		}
	}()
	for {
		a.mu.Lock()
		a.publish(&h.obs)
		if a.actionable() {
			if until != nil {
				wake := a.unpark()
				a.mu.Unlock()
				a.handOff(wake)
				return
			}
			a.mu.Unlock()
			if a.control() {
				return
			}
			continue
		}
		empty := a.bi >= len(a.batch) && len(a.in) == 0
		if until != nil && until.done() {
			if !a.suspended && !empty {
				wake := a.unpark()
				a.mu.Unlock()
				a.handOff(wake)
				return
			}
			a.sched = false
			a.idle()
			a.mu.Unlock()
			return
		}
		if empty && !yielded && !a.suspended && until == nil {
			// A message often comes soon after the last one (an asker that has its answer
			// asks again; a sender fanning out comes round again): yielding once before
			// parking lets it find the actor scheduled, and costs neither side a wake.
			yielded = true
			a.mu.Unlock()
			goruntime.Gosched()
			continue
		}
		if a.suspended || empty {
			if empty && len(a.batch) > 0 { // a lingering goroutine keeps no message alive
				clear(a.batch)
				a.batch, a.bi = a.batch[:0], 0
			}
			a.sched = false
			parked := until == nil && a.park()
			a.idle()
			a.mu.Unlock()
			if !parked || !a.parkedUntilWork() {
				return
			}
			continue
		}
		if a.bi >= len(a.batch) {
			// For Walk, see node.
			a.batchEnd += uint32(len(a.in))
			clear(a.batch) // drop the handled messages' references in one sweep
			a.batch, a.in = a.in, a.batch[:0]
			a.times.swap()
			a.bi = 0
		}
		a.mu.Unlock()
		yielded = false
		if a.handleBatch(until, &h) {
			f := h.fault(a.path())
			a.observedFault(&h, f)
			a.finish(f)
			if until != nil {
				a.handOffFault(f)
				return
			}
			if a.supervise(a.fault(f)) {
				return
			}
		}
	}
}

// handling is what drain and handleBatch share about the message being handled.
type handling[M any] struct {
	e     *envelope[M] // in the batch
	ask   bool         // e is an ask
	at    int64        // when e was queued, if it is timed (an observing system only)
	busy  bool         // a handler is running with e, or panicked and drain has not seen it yet
	v     any          // what the handler's panic recovered as
	stack []byte
	obs   observation // what a Hook or the metrics are told: see observe.go
}

// fault turns the handler's panic into a fault of the actor at path and clears busy.
func (h *handling[M]) fault(path string) *FaultError {
	h.busy = false
	v := h.v
	if v == nil {
		v = new(goruntime.PanicNilError) // panic(nil) under GODEBUG=panicnil=1
	}
	return &FaultError{Path: path, Value: v, Stack: h.stack, Message: h.e.msg}
}

// parkedUntilWork waits, parked, for a token: it reports true if the goroutine is to drain the
// actor again, false if it is to end.
func (a *actor[S, M]) parkedUntilWork() bool {
	if <-a.wake {
		return true
	}
	a.mu.Lock()
	a.shed(0)
	a.mu.Unlock()
	return false
}

// idle is called, under mu, when the actor runs out of messages.
func (a *actor[S, M]) idle() {
	if !a.parked {
		a.shed(1)
	}
	if a.cfg.idle <= 0 || a.status != running {
		return
	}
	r := a.rare
	r.idleSince = time.Now()
	if r.idleTimer == nil {
		r.idleTimer = time.AfterFunc(a.cfg.idle, a.idleCheck)
	} else {
		r.idleTimer.Reset(a.cfg.idle)
	}
}

// idleCheck stops the actor if it has had no message for its idle period.
func (a *actor[S, M]) idleCheck() {
	a.mu.Lock()
	r := a.rare
	if a.status != running || a.sched || a.suspended || len(a.in) > 0 {
		a.mu.Unlock()
		return
	}
	if left := a.cfg.idle - time.Since(r.idleSince); left > 0 {
		r.idleTimer.Reset(left)
		a.mu.Unlock()
		return
	}
	// Stop under the same lock as the check: a send either came first (and the actor is not
	// idle) or sees the actor stopping and fails with ErrStopped; none is accepted and dropped.
	onStop, ok := a.beginStop()
	a.mu.Unlock()
	if ok {
		a.finishStopRequest(onStop, ErrStopped)
	}
}

// shed, under mu, drops the inbox's buffers that hold more than keep messages, when no goroutine
// drains the actor or waits to. A goroutine that ends for having lingered a whole period with
// nothing to do keeps none (0), so that an idle actor holds no buffer. One that ends at once (the
// caller's, after an ask it handled inline, or any in a system whose goroutines do not linger)
// keeps buffers of one message (1): the actor's next single message allocates nothing, and a
// burst's buffers are not kept by an actor that has no goroutine.
func (a *actor[S, M]) shed(keep int) {
	if a.sched {
		return
	}
	if cap(a.batch) > keep && a.bi >= len(a.batch) {
		a.batch, a.bi = nil, 0
		a.times.dropBatch()
	}
	if cap(a.in) > keep && len(a.in) == 0 {
		a.in = nil
		a.times.dropIn()
	}
}

// release ends the spawner's turn: it hands the actor to a goroutine if there is work.
func (a *actor[S, M]) release() {
	a.mu.Lock()
	if a.status == stopped {
		a.mu.Unlock()
		return
	}
	if a.actionable() || (!a.suspended && len(a.in) > 0) {
		a.mu.Unlock()
		a.handOff(nil)
		return
	}
	a.sched = false
	a.idle()
	a.mu.Unlock()
}

// handleBatch handles the messages of the batch, one at a time, until the batch ends or the
// drain loop has something to see to: a control signal, the inline ask's reply. It
// reports true when a handler panicked: h holds the message and the panic, for drain to answer
// and supervise. One deferred recover serves the whole batch, so that a message costs no defer
// of its own.
func (a *actor[S, M]) handleBatch(until *asking, h *handling[M]) (panicked bool) {
	start, obs := a.bi, a.cfg.obs
	var index func(M) int // the method a message calls, with metrics or a hook
	counting := false     // metrics without a hook: a message not timed is only counted
	// When the batch's messages were queued, read through this copy of the slice: its header
	// in queueTimes shares a cache line with the inbox's times, which senders append to.
	var times []int64
	if obs != nil {
		index, _ = a.cfg.typ.index.(func(M) int)
		counting = obs.hook == nil
		times = a.times.batch
	}
	defer func() {
		h.obs.taken += a.bi - start // published under mu by the loop: see node
		if obs != nil {
			a.flushTally(h)
		}
		if h.busy { // a panic, or a Goexit: see drain
			h.v, h.stack = recover(), debug.Stack()
			panicked = true
		}
	}()
	bounded := a.cfg.size > 0
	for a.bi < len(a.batch) {
		h.e = &a.batch[a.bi] // the batch stays as it is until the loop swaps it after this one
		if obs != nil {
			h.at = times[a.bi]
		}
		a.bi++
		if bounded {
			a.freeSlot() // the message leaves the mailbox: a bound counts queued messages
		}
		e := h.e
		ctx, r := e.parts()
		if h.ask = r != nil; h.ask {
			// An asker whose ctx can never be done cannot give up: it needs no hand-over.
			if ctx.Done() != nil && !r.take(&a.node) {
				continue // the asker has given up: do not do work nobody waits for
			}
			a.ctx.reply = r
		}
		h.busy = true
		switch {
		case obs == nil:
			a.handle(ctx, &a.ctx, a.state, e.msg)
		case counting && h.at == 0:
			// The method is noted for a fault, as observe notes it.
			idx := methodIndex(index, e.msg)
			h.obs.cur.on, h.obs.cur.idx = true, idx
			a.handle(ctx, &a.ctx, a.state, e.msg)
			h.obs.cur.on = false
			if tl := &h.obs.tally; tl.n > 0 && tl.idx == idx && (!h.ask || a.ctx.reply == nil) {
				tl.n++ // one more of a run of one method's messages handled OK: see flushTally
			} else {
				a.count(idx, a.outcome(h), &h.obs.tally)
			}
		default:
			a.observe(ctx, obs, index, h)
		}
		h.busy = false
		if h.ask {
			a.finish(nil)
		}
		// Not suspended: only the drain loop suspends the actor, between batches, and it
		// starts none while the actor is suspended. Reading it here, on the cache line that
		// senders write, cost every message a transfer of that line between processors.
		if a.pending.Load() || (until != nil && until.done()) {
			break
		}
	}
	h.e = nil
	return false
}

// finish ends the handling of an ask, which fault ended if it is not nil: an ask the handler
// did not answer gets the fault, or ErrNoReply.
func (a *actor[S, M]) finish(fault *FaultError) {
	if r := a.ctx.reply; r != nil {
		a.ctx.reply = nil
		a.cfg.typ.asksFailed.Add(1)
		if fault != nil {
			r.fail(fault)
		} else {
			r.fail(fmt.Errorf("actor %s: %w", a.path(), ErrNoReply))
		}
	}
}
