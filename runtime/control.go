package runtime

import (
	"errors"
	"fmt"
	"runtime/debug"
	"time"
)

// Control signals, set under node.mu and handled by the actor's own goroutine.
const (
	ctlStop     uint8 = 1 << iota // stop, with rare.stopReason
	ctlReset                      // a sibling decided ResetAll
	ctlDecided                    // a delayed directive is due
	ctlEscalate                   // children escalated faults: rare.escalations
)

// errGoexit is the panic value of a fault that is a call of runtime.Goexit (t.FailNow, say).
var errGoexit = errors.New("runtime.Goexit called")

// build makes a fresh state with the factory and runs its OnStart hook.
func (a *actor[S, M]) build() (f *FaultError) {
	completed := false
	defer func() {
		v := recover()
		if v == nil && !completed {
			a.goexited(&FaultError{Path: a.path(), Value: errGoexit, Stack: debug.Stack()})
			return
		}
		if v != nil {
			f = &FaultError{Path: a.path(), Value: v, Stack: debug.Stack()}
		}
	}()
	a.state = a.factory(&a.ctx)
	if h, ok := any(a.state).(interface{ OnStart(*Context) }); ok {
		h.OnStart(&a.ctx)
	}
	completed = true
	return nil
}

// goexited handles a handler or factory that called runtime.Goexit: the goroutine that drains the
// actor is ending and cannot be kept, so a new goroutine supervises the fault and goes on
// draining. The ask being handled has been answered with the fault.
func (a *actor[S, M]) goexited(f *FaultError) {
	go func() {
		if !a.supervise(a.fault(f)) {
			a.drain(nil)
		}
	}()
}

// hook runs a hook whose panic cannot change what happens next (OnReset, OnStop): the fault
// is reported and logged, and the reset or stop goes on. The hook runs on its own goroutine while
// this one waits, so that a hook calling runtime.Goexit (t.FailNow, say) ends only that goroutine
// and not the reset or stop halfway; both are rare, so the goroutine costs nothing that matters.
func (a *actor[S, M]) hook(fn func(*Context)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		completed := false
		defer func() {
			v := recover()
			if v == nil && !completed {
				v = errGoexit
			}
			if v != nil {
				f := &FaultError{Path: a.path(), Value: v, Stack: debug.Stack()}
				a.sys.emit(&a.node, Event{Kind: EventFault, Err: f})
			}
		}()
		fn(&a.ctx)
		completed = true
	}()
	<-done
}

func (a *actor[S, M]) fault(f *FaultError) Fault {
	return Fault{Actor: Ref{&a.node}, Err: f, Message: f.Message}
}

// supervise lets the policy decide about f and applies the directive, over and over while
// applying it faults again (a Reset whose factory panics). It reports whether the actor stopped.
func (a *actor[S, M]) supervise(f Fault) bool {
	for {
		if f.Escalated {
			a.sys.emit(&a.node, Event{Kind: EventEscalate, Err: f.err(), Child: f.Actor.Path()})
		} else {
			a.sys.emit(&a.node, Event{Kind: EventFault, Err: f.err()})
		}
		d := a.decide(f)
		a.sys.emit(&a.node, Event{Kind: EventDecision, Err: f.err(), Decision: d.Decision, Delay: d.Delay})
		if d.Delay > 0 {
			a.suspend(d, f)
			return false
		}
		stopped, again := a.apply(d, f)
		if stopped || again == nil {
			return stopped
		}
		f = a.fault(again)
		a.mu.Lock()
		stop := a.status != running
		a.mu.Unlock()
		if stop {
			return a.control()
		}
	}
}

// decide asks the policy. A tether whose intensity the fault exceeds makes it escalate, and a
// policy that panics or answers nonsense stops the actor.
func (a *actor[S, M]) decide(f Fault) (d Directive) {
	if !f.Escalated && a.parent.tetherExceeded() {
		return Directive{Decision: Escalate}
	}
	defer func() {
		if v := recover(); v != nil {
			a.sys.logger().Error("actorgen: supervision policy panicked; stopping the actor",
				"actor", a.path(), "panic", v)
			d = Directive{Decision: Stop}
		}
	}()
	a.mu.Lock()
	r := a.extra()
	a.mu.Unlock()
	if r.decider == nil { // the decider belongs to this goroutine
		r.decider = a.cfg.policy.NewDecider()
	}
	d = r.decider.Decide(&a.ctx, f)
	if d.Decision > Escalate {
		d.Decision = Stop
	}
	d.Delay = max(d.Delay, 0)
	return d
}

// suspend holds the mailbox until the directive's delay has passed.
func (a *actor[S, M]) suspend(d Directive, f Fault) {
	a.mu.Lock()
	r := a.extra()
	r.pendingDir = Directive{Decision: d.Decision}
	r.pendingFault = f
	a.suspended = true
	a.mu.Unlock()
	r.delay = time.AfterFunc(d.Delay, func() { a.signal(ctlDecided, nil) })
}

// apply carries out a directive now. It reports whether the actor stopped, or the fault that
// a Reset ran into.
func (a *actor[S, M]) apply(d Directive, f Fault) (stopped bool, again *FaultError) {
	switch d.Decision {
	case Resume:
		return false, nil
	case Reset:
		return false, a.reset(f)
	case ResetAll:
		for _, s := range a.parent.kids(&a.node) {
			s.signal(ctlReset, func(r *rare) { r.resetFault = f })
		}
		return false, a.reset(f)
	case StopAll:
		for _, s := range a.parent.kids(&a.node) {
			s.requestStop(f.err())
		}
		a.terminate(f.err())
		return true, nil
	case Escalate:
		reason := f.err()
		if p := a.parent; p.isTether() {
			// A tether's escalations always cut it; its children all share the reason.
			reason = cutError(p, f)
		}
		a.terminate(reason)
		if p := a.parent; !p.isRoot() {
			esc := Fault{Actor: Ref{&a.node}, Err: f.Err, Message: f.Message, Escalated: true}
			p.signal(ctlEscalate, func(r *rare) { r.escalations = append(r.escalations, esc) })
		}
		return true, nil
	default: // Stop
		a.terminate(f.err())
		return true, nil
	}
}

// reset stops the children, drops the state and builds a new one.
func (a *actor[S, M]) reset(f Fault) *FaultError {
	reason := ErrStopped
	tether := a.isTether()
	if tether {
		reason = cutError(&a.node, f)
	}
	a.stopChildren(reason)
	if h, ok := any(a.state).(interface{ OnReset(*Context) }); ok {
		a.hook(h.OnReset)
	}
	if again := a.build(); again != nil {
		return again
	}
	if tether {
		a.mu.Lock()
		a.rare.tether.times = nil // cut: a fresh start, as a restarted OTP supervisor gets
		a.mu.Unlock()
		a.sys.emit(&a.node, Event{Kind: EventTetherCut, Err: f.err(), Child: f.Actor.Path()})
	} else {
		a.sys.emit(&a.node, Event{Kind: EventReset, Err: f.err()})
	}
	return nil
}

// control handles one pending control signal, the most urgent, and reports whether the actor
// stopped. The others stay pending: the drain loop comes back for them, and while a delayed
// directive is pending (which handling this one may have started) only a stop or that directive
// can be handled.
func (a *actor[S, M]) control() bool {
	a.mu.Lock()
	r := a.extra()
	var sig uint8
	switch c := a.ctl; {
	case c&ctlStop != 0:
		sig = ctlStop
	case c&ctlDecided != 0:
		sig = ctlDecided
		a.suspended = false
	case a.suspended:
	case c&ctlReset != 0:
		sig = ctlReset
	case c&ctlEscalate != 0:
		sig = ctlEscalate
	}
	var reset, esc Fault
	switch sig {
	case ctlReset:
		reset, r.resetFault = r.resetFault, Fault{}
		a.ctl &^= ctlReset
	case ctlEscalate:
		esc, r.escalations = r.escalations[0], r.escalations[1:]
		if len(r.escalations) == 0 {
			a.ctl &^= ctlEscalate
		}
	default:
		a.ctl &^= sig
	}
	a.pending.Store(a.ctl != 0)
	a.mu.Unlock()

	var again *FaultError
	switch sig {
	case ctlStop:
		a.terminate(r.stopReason)
		return true
	case ctlDecided:
		if r.delay != nil {
			r.delay.Stop()
			r.delay = nil
		}
		dir, f := r.pendingDir, r.pendingFault
		r.pendingFault = Fault{}
		var stopped bool
		if stopped, again = a.apply(dir, f); stopped {
			return true
		}
	case ctlReset:
		again = a.reset(reset)
	case ctlEscalate:
		return a.supervise(esc)
	}
	return again != nil && a.supervise(a.fault(again))
}

// terminate stops the actor on its own goroutine: children first, then the OnStop hook, then
// the queued asks fail with ErrStopped.
func (a *actor[S, M]) terminate(reason error) {
	if reason == nil {
		reason = ErrStopped
	}
	a.mu.Lock()
	a.status = stopping
	r := a.rare
	var onStop func()
	if r != nil {
		onStop = r.onStop
		r.onStop = nil
		if r.delay != nil {
			r.delay.Stop()
		}
		if r.idleTimer != nil {
			r.idleTimer.Stop()
		}
	}
	a.mu.Unlock()
	if onStop != nil {
		onStop()
	}
	a.stopChildren(ErrStopped)
	if h, ok := any(a.state).(interface{ OnStop(*Context) }); ok {
		a.hook(h.OnStop)
	}

	// No message can arrive now (the status is stopping): take what is left, fail the asks, free
	// the name, and only then publish the stop, so that whoever sees Done closed or Err set can
	// spawn the same name again.
	a.mu.Lock()
	left := append(a.batch[a.bi:], a.in...)
	a.batch, a.in, a.bi = nil, nil, 0
	a.mu.Unlock()
	if len(left) > 0 {
		err := fmt.Errorf("actor %s: %w", a.path(), ErrStopped)
		for _, e := range left {
			if e.reply != nil {
				e.reply.fail(err)
			}
		}
	}
	a.sys.emit(&a.node, Event{Kind: EventStopped, Err: reason})
	a.parent.remove(&a.node)

	a.mu.Lock()
	a.status = stopped
	a.err = reason
	reap := a.unpark() // an inline ask drained the actor while its goroutine was parked
	done := a.done
	var watchers []func()
	if r != nil {
		watchers = r.watchers
		r.watchers = nil
		if r.space != nil {
			close(r.space) // blocked senders see the actor stopped
			r.space = nil
		}
	}
	a.mu.Unlock()
	if reap != nil {
		reap <- false
	}
	if done != nil {
		close(done)
	}
	for _, w := range watchers {
		w()
	}
}
