package runtime

import (
	"fmt"
	"runtime/debug"
	"time"
)

// drain handles messages until the mailbox is empty, then parks the goroutine for the linger
// (see linger.go) and goes on when woken, or returns; or, with until, it handles them until until
// is done (an inline ask has its reply), and hands what is left to the parked goroutine or a new
// one.
func (a *actor[S, M]) drain(until replier) {
	for {
		a.mu.Lock()
		if a.actionable() {
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
		if a.suspended || empty {
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
			clear(a.batch) // drop the handled messages' references in one sweep
			a.batch, a.in = a.in, a.batch[:0]
			a.bi = 0
		}
		a.mu.Unlock()
		if f := a.handleBatch(until); f != nil && a.supervise(a.fault(f)) {
			return
		}
	}
}

// parkedUntilWork waits, parked, for a token: it reports true if the goroutine is to drain the
// actor again, false if it is to end.
func (a *actor[S, M]) parkedUntilWork() bool {
	if <-a.wake {
		return true
	}
	a.mu.Lock()
	a.shed()
	a.mu.Unlock()
	return false
}

// idle is called, under mu, when the actor runs out of messages.
func (a *actor[S, M]) idle() {
	if !a.parked {
		a.shed()
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

// shed, under mu, drops a burst's buffers when no goroutine drains the actor or waits to: an
// idle actor does not keep them.
func (a *actor[S, M]) shed() {
	if a.sched {
		return
	}
	if cap(a.batch) > 1024 && a.bi >= len(a.batch) {
		a.batch, a.bi = nil, 0
	}
	if cap(a.in) > 1024 && len(a.in) == 0 {
		a.in = nil
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
// drain loop has something to see to: a control signal, a suspension, the inline ask's reply. A
// panic in a handler ends it with the fault, the failing message already answered; one deferred
// recover serves the whole batch, so that a message costs no defer of its own.
func (a *actor[S, M]) handleBatch(until replier) (f *FaultError) {
	var e envelope[M]
	busy := false // a handler is running with e
	defer func() {
		if !busy {
			return
		}
		v := recover()
		goexit := v == nil
		if goexit {
			v = errGoexit
		}
		fault := &FaultError{Path: a.path(), Value: v, Stack: debug.Stack(), Message: e.msg}
		a.finish(&e, fault)
		if goexit {
			a.goexited(fault)
			return
		}
		f = fault
	}()
	bounded := a.cfg.size > 0
	for a.bi < len(a.batch) {
		e = a.batch[a.bi]
		a.bi++
		if e.reply != nil {
			if err := e.ctx.Err(); err != nil {
				e.reply.fail(err) // the asker has gone: do not do work nobody waits for
				if bounded {
					a.freeSlot()
				}
				continue
			}
			a.ctx.reply = e.reply
		}
		busy = true
		a.handle(e.ctx, &a.ctx, a.state, e.msg)
		busy = false
		if e.reply != nil || bounded {
			a.finish(&e, nil)
		}
		// suspended is written only by this goroutine, so it can be read without mu.
		if a.pending.Load() || a.suspended || (until != nil && until.done()) {
			break
		}
	}
	return nil
}

// finish ends the handling of e, which fault ended if it is not nil: an ask the handler did not
// answer gets the fault, or ErrNoReply; a bounded mailbox gets its slot back.
func (a *actor[S, M]) finish(e *envelope[M], fault *FaultError) {
	if r := a.ctx.reply; r != nil {
		a.ctx.reply = nil
		if fault != nil {
			r.fail(fault)
		} else {
			r.fail(fmt.Errorf("actor %s: %w", a.path(), ErrNoReply))
		}
	}
	if a.cfg.size > 0 {
		a.freeSlot()
	}
}
