package runtime

import (
	"fmt"
	"time"
)

// The control-signal protocol. Everything that changes an actor's life (a stop, a sibling's
// ResetAll, a delayed directive falling due, a child's escalation) is a control signal: a bit in
// node.ctl, with its data in rare, set under node.mu by signal. Signals are handled only by the
// goroutine that drains the actor, between two messages (drain checks node.pending after every
// message), one at a time and the most urgent first: a stop, then a due directive, then (unless a
// delayed directive is still pending, when only those two can be) a ResetAll, then escalations in
// the order they came. No other goroutine ever runs an actor's supervision: not a sender, not
// the caller of an inline ask, not a parent. A signal to an actor that no goroutine drains starts
// one (or wakes its parked one), as a message does.
//
// Faults are decided on the same goroutine, and only while they still mean something:
//
//   - A fault of an actor that is being stopped (its status is stopping) is reported and
//     ignored: the stop goes on with the reason it was given.
//   - Each actor counts its incarnations as a parent (rare.inc, bumped when it resets or stops);
//     a child records the count it was adopted in (node.pinc). A child whose parent has moved on
//     is about to be stopped by it, so its fault is reported and ignored, and an escalation that
//     arrives from a child of an earlier incarnation is dropped: the parent's next incarnation
//     never decides, counts or cuts for a child it did not have.
//   - ResetAll goes in rounds (rare.round on the parent, node.builtAt on each child: the round
//     its state was built in). A sibling whose state was built before the current round began
//     is already due for a reset: its ResetAll joins that round instead of starting another, and
//     a reset signal for a round its state is newer than is skipped. So each fault of a storm
//     costs one reset of its own actor, not one of every sibling.
//   - A state that failed to build (the factory or OnStart faulted) has nothing to resume, so
//     Resume rebuilds it; and at most maxFailedBuilds failed builds in a row are retried at
//     once: then the actor stops, as Akka stops a child that fails to start under unlimited
//     restarts. A directive with a delay clears the count, since its delay bounds the rate.
//
// Signals to an actor that has stopped are dropped (signal checks the status).
const (
	ctlStop     uint8 = 1 << iota // stop, with rare.stopReason
	ctlReset                      // a sibling decided ResetAll: rare.resetFault, rare.resetRound
	ctlDecided                    // a delayed directive is due
	ctlEscalate                   // children escalated faults: rare.escalations
	ctlRestart                    // Ref.Reset: rebuild the state, as a Reset decision does
)

// maxFailedBuilds is how many builds in a row may fail, each retried at once by a Reset (or a
// Resume of a state that was never built), before the actor stops instead.
const maxFailedBuilds = 3

// Phases of an actor's state, in node.phase.
const (
	unbuilt uint8 = iota // the factory did not return: there is no state
	built                // the factory returned, OnStart did not
	started              // ready for messages
)

// build makes a fresh state with the factory and runs its OnStart hook. A runtime.Goexit in
// either ends the goroutine: the fault goes to a new one.
func (a *actor[S, M]) build() *FaultError {
	var zero S
	a.state, a.phase = zero, unbuilt // the old state is gone, whatever happens
	v, how, stack := guard(func() {
		a.state = a.factory(&a.ctx)
		a.phase = built
		if h, ok := any(a.state).(interface{ OnStart(*Context) }); ok {
			h.OnStart(&a.ctx)
		}
		a.phase = started
	}, func(stack []byte) {
		a.failedBuilds++
		a.handOffFault(&FaultError{Path: a.path(), Value: errGoexit, Stack: stack})
	})
	if how == returned {
		a.failedBuilds = 0
		return nil
	}
	a.failedBuilds++
	return &FaultError{Path: a.path(), Value: v, Stack: stack}
}

// handOffFault has a new goroutine supervise f and go on draining the actor, which the caller
// has scheduled: for a fault on a goroutine that may not supervise it (one that is ending with
// runtime.Goexit, or the caller of an inline ask).
func (a *actor[S, M]) handOffFault(f *FaultError) {
	go func() {
		if !a.supervise(a.fault(f)) {
			a.drain(nil)
		}
	}()
}

// hook runs a hook whose fault cannot change what happens next (OnReset, OnStop): it is
// reported and logged, and the reset or stop goes on. The hook runs isolated, so that one that
// calls runtime.Goexit ends only its own goroutine, not the reset or stop halfway.
func (a *actor[S, M]) hook(fn func(*Context)) {
	if v, how, stack := isolate(func() { fn(&a.ctx) }); how != returned {
		a.sys.emit(&a.node, Event{Kind: EventFault, Err: &FaultError{Path: a.path(), Value: v, Stack: stack}})
	}
}

func (a *actor[S, M]) fault(f *FaultError) Fault {
	return Fault{Actor: Ref{&a.node}, Err: f, Message: f.Message}
}

// supervise lets the policy decide about f and applies the directive, over and over while
// applying it faults again (a Reset whose factory panics). It reports whether the actor stopped.
func (a *actor[S, M]) supervise(f Fault) bool {
	for {
		if f.Escalated {
			if f.Actor.n.pinc != a.incarnation() {
				return false // from a child of an earlier incarnation, which the reset stopped
			}
			a.sys.emit(&a.node, Event{Kind: EventEscalate, Err: f.err(), Child: f.Actor.Path()})
		} else {
			a.sys.emit(&a.node, Event{Kind: EventFault, Err: f.err()})
			if a.beingStopped() {
				// Nothing is handled until the stop, which is under way, arrives.
				a.mu.Lock()
				a.suspended = true
				a.mu.Unlock()
				return false
			}
		}
		d := a.decide(f)
		reason := f.err()
		if a.phase != started && rebuildsAtOnce(d) && a.failedBuilds >= maxFailedBuilds {
			d = Directive{Decision: Stop}
			reason = fmt.Errorf("%w (gave up after %d failed builds in a row)", f.Err, a.failedBuilds)
		}
		a.sys.emit(&a.node, Event{Kind: EventDecision, Err: f.err(), Decision: d.Decision, Delay: d.Delay})
		if d.Delay > 0 {
			a.failedBuilds = 0
			a.suspend(d, f)
			return false
		}
		stopped, again := a.apply(d, f, reason)
		if stopped || again == nil {
			return stopped
		}
		f = a.fault(again)
	}
}

// rebuildsAtOnce reports whether d, about a state that failed to build, builds one again at once.
func rebuildsAtOnce(d Directive) bool {
	return d.Delay == 0 && (d.Decision == Reset || d.Decision == ResetAll || d.Decision == Resume)
}

// beingStopped reports whether the actor's fault comes too late to decide: the actor is
// stopping, or its parent has moved on to another incarnation and is stopping it.
func (a *actor[S, M]) beingStopped() bool {
	a.mu.Lock()
	stopping := a.status != running
	a.mu.Unlock()
	return stopping || a.pinc != a.parent.incarnation()
}

// incarnation returns n's count of incarnations as a parent.
func (n *node) incarnation() uint32 {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.rare == nil {
		return 0
	}
	return n.rare.inc
}

// nextIncarnation makes n's children so far children of an earlier incarnation.
func (n *node) nextIncarnation() {
	n.mu.Lock()
	n.extra().inc++
	n.mu.Unlock()
}

// decide asks the policy. A tether whose intensity the fault exceeds makes it escalate. A policy
// that panics, calls runtime.Goexit or answers nonsense stops the actor; it runs isolated, so
// that a Goexit (a failed assertion in a test's policy, say) cannot wedge the actor.
func (a *actor[S, M]) decide(f Fault) Directive {
	if !f.Escalated && a.parent.tetherExceeded(a.pinc) {
		return Directive{Decision: Escalate}
	}
	a.mu.Lock()
	r := a.extra()
	a.mu.Unlock()
	var d Directive
	v, how, _ := isolate(func() {
		if r.decider == nil { // the decider belongs to this actor's goroutine
			r.decider = a.cfg.policy.NewDecider()
		}
		d = r.decider.Decide(&a.ctx, f)
	})
	if how != returned {
		a.sys.logger().Error("actorgen: supervision policy failed; stopping the actor",
			"actor", a.path(), "panic", fmt.Sprint(v))
		return Directive{Decision: Stop}
	}
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

// apply carries out a directive now; reason is the error a Stop stops with. It reports whether
// the actor stopped, or the fault that a Reset ran into.
func (a *actor[S, M]) apply(d Directive, f Fault, reason error) (stopped bool, again *FaultError) {
	switch d.Decision {
	case Resume:
		if a.phase != started {
			return false, a.reset(f) // there is no state to resume: build one
		}
		return false, nil
	case Reset:
		return false, a.reset(f)
	case ResetAll:
		if round, first := a.parent.beginRound(a.builtAt); first {
			for _, s := range a.parent.kids(&a.node) {
				s.signal(ctlReset, func(r *rare) {
					r.resetFault, r.resetRound = f, max(r.resetRound, round)
				})
			}
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
		a.terminate(reason)
		return true, nil
	}
}

// beginRound starts a round of ResetAll among n's children, for a fault of a child whose state
// was built in round builtAt, and returns it. It reports false if a round has begun since that
// state was built: the child is due for a reset in that round already, and joins it.
func (n *node) beginRound(builtAt uint32) (round uint32, first bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	r := n.extra()
	if r.round != builtAt {
		return r.round, false
	}
	r.round++
	return r.round, true
}

// round returns the current round of ResetAll among n's children.
func (n *node) round() uint32 {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.rare == nil {
		return 0
	}
	return n.rare.round
}

// reset stops the children, drops the state and builds a new one. Children that OnReset spawns
// are stopped too: the new state starts with the children its factory makes.
func (a *actor[S, M]) reset(f Fault) *FaultError {
	reason := ErrStopped
	tether := a.isTether()
	if tether {
		reason = cutError(&a.node, f)
	}
	a.nextIncarnation()
	a.stopChildren(reason)
	if h, ok := any(a.state).(interface{ OnReset(*Context) }); ok && a.phase != unbuilt {
		a.hook(h.OnReset)
		a.stopChildren(reason)
	}
	a.nextIncarnation()
	a.builtAt = a.parent.round()
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
	case c&ctlRestart != 0:
		sig = ctlRestart
	}
	var reset, esc Fault
	var round uint32
	switch sig {
	case ctlReset:
		reset, r.resetFault = r.resetFault, Fault{}
		round, r.resetRound = r.resetRound, 0
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
		if stopped, again = a.apply(dir, f, f.err()); stopped {
			return true
		}
	case ctlReset:
		if round > a.builtAt { // else the state was built after that round began: it is fresh
			again = a.reset(reset)
		}
	case ctlEscalate:
		return a.supervise(esc)
	case ctlRestart:
		self := Ref{&a.node}
		again = a.reset(Fault{Actor: self, Err: &FaultError{Path: a.path(), Value: errResetAsked}})
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
	a.status = stopping // from now on no child is adopted
	if len(a.children) > 0 {
		a.extra().inc++ // the children's faults from now on are ignored
	}
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
	if h, ok := any(a.state).(interface{ OnStop(*Context) }); ok && a.phase != unbuilt {
		a.hook(h.OnStop)
	}

	// No message can arrive now (the status is stopping): take what is left, fail the asks, free
	// the name, and only then publish the stop, so that whoever sees Done closed or Err set can
	// spawn the same name again.
	a.mu.Lock()
	left := append(a.batch[a.bi:], a.in...)
	a.batch, a.in, a.bi = nil, nil, 0
	a.times.dropBatch()
	a.times.dropIn()
	a.mu.Unlock()
	if len(left) > 0 {
		err := fmt.Errorf("actor %s: %w", a.path(), ErrStopped)
		for _, e := range left {
			if _, r := e.parts(); r != nil {
				r.fail(err)
				a.cfg.typ.asksFailed.Add(1)
			}
		}
	}
	a.sys.emit(&a.node, Event{Kind: EventStopped, Err: reason})
	a.cfg.typ.live.Add(-1)
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
