package runtime

import (
	"fmt"
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
func (a *actor[S, M]) drain(until replier) {
	for {
		a.mu.Lock()
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
		if f := a.handleBatch(until); f != nil {
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
// panic in a handler ends it with the fault, the failing message already answered; one guard
// serves the whole batch, so that a message costs no defer of its own. A runtime.Goexit in a
// handler ends the goroutine: the fault goes to a new one.
func (a *actor[S, M]) handleBatch(until replier) *FaultError {
	var e envelope[M]
	busy := false // a handler is running with e
	v, how, stack := guard(func() {
		bounded := a.cfg.size > 0
		for a.bi < len(a.batch) {
			e = a.batch[a.bi]
			a.bi++
			if bounded {
				a.freeSlot() // the message leaves the mailbox: a bound counts queued messages
			}
			if e.reply != nil {
				if !e.reply.take(e.ctx, &a.node) {
					continue // the asker has given up: do not do work nobody waits for
				}
				a.ctx.reply = e.reply
			}
			busy = true
			a.handle(e.ctx, &a.ctx, a.state, e.msg)
			busy = false
			if e.reply != nil {
				a.finish(nil)
			}
			// suspended is written only by this goroutine, so it can be read without mu.
			if a.pending.Load() || a.suspended || (until != nil && until.done()) {
				break
			}
		}
	}, func(stack []byte) {
		fault := &FaultError{Path: a.path(), Value: errGoexit, Stack: stack, Message: e.msg}
		a.finish(fault)
		a.handOffFault(fault)
	})
	if how == returned || !busy {
		return nil
	}
	fault := &FaultError{Path: a.path(), Value: v, Stack: stack, Message: e.msg}
	a.finish(fault)
	return fault
}

// finish ends the handling of an ask, which fault ended if it is not nil: an ask the handler
// did not answer gets the fault, or ErrNoReply.
func (a *actor[S, M]) finish(fault *FaultError) {
	if r := a.ctx.reply; r != nil {
		a.ctx.reply = nil
		if fault != nil {
			r.fail(fault)
		} else {
			r.fail(fmt.Errorf("actor %s: %w", a.path(), ErrNoReply))
		}
	}
}
