package runtime

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Handler handles one message for an actor whose state is of type S. ctx is the sender's
// context: for an ask, the caller's; for a tell, the sender's without its cancellation.
type Handler[S, M any] func(ctx context.Context, ac *Context, state S, msg M)

// Actor is the typed handle of an actor that accepts messages of type M. The zero Actor is a
// stopped actor: sending to it fails with ErrStopped.
type Actor[M any] struct {
	m *mailbox[M]
}

// Ref returns the actor's untyped handle.
func (a Actor[M]) Ref() Ref {
	if a.m == nil {
		return Ref{}
	}
	return Ref{&a.m.node}
}

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

// Ask sends msg to the actor and waits for the reply of type R that its handler gives with
// Reply. It returns early with ctx's error when ctx is done; with an error that wraps ErrFault
// and the panic value when the handler panics on msg; with ErrStopped when the actor stops
// before handling msg; and with ErrNoReply when the handler returns without replying.
func Ask[M, R any](ctx context.Context, a Actor[M], msg M) (R, error) {
	var zero R
	if a.m == nil {
		return zero, ErrStopped
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	p := new(promise[R])
	// A context that can never be done lets the caller handle the ask itself when the actor is
	// idle: the caller would only wait anyway, and cannot give up early.
	if err := a.m.send(ctx, ctx, msg, p, ctx.Done() == nil); err != nil {
		return zero, err
	}
	v, err := p.wait(ctx)
	if err != nil && err == ctx.Err() {
		return zero, fmt.Errorf("ask %s: %w", a.m.path(), err)
	}
	return v, err
}

// Self returns the typed handle of the actor that ac belongs to, and false if that actor does
// not take messages of type M. A state can use it to send to itself, from a goroutine it owns.
func Self[M any](ac *Context) (Actor[M], bool) {
	if ac == nil || ac.n == nil {
		return Actor[M]{}, false
	}
	b, ok := ac.n.cell.(boxer[M])
	if !ok {
		return Actor[M]{}, false
	}
	return Actor[M]{m: b.box()}, true
}

// boxer is a cell whose messages are of type M.
type boxer[M any] interface {
	box() *mailbox[M]
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
	fail(err error)
	want() string
	done() bool // the ask has its outcome
}

// promise is the reply slot of one ask. Its wake channel is made only by a caller that has to
// wait, so an ask answered on the caller's own goroutine costs one allocation.
type promise[R any] struct {
	set  atomic.Bool
	mu   sync.Mutex
	v    R
	err  error
	wake chan struct{}
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

// wait returns the outcome, or ctx's error if ctx is done first.
func (p *promise[R]) wait(ctx context.Context) (R, error) {
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
			p.mu.Lock()
			if !p.set.Load() {
				p.mu.Unlock()
				var zero R
				return zero, ctx.Err()
			}
			p.mu.Unlock()
		}
		p.mu.Lock()
	}
	defer p.mu.Unlock()
	return p.v, p.err
}

// envelope is a message in a mailbox.
type envelope[M any] struct {
	ctx   context.Context
	msg   M
	reply replier
}

// mailbox is the half of an actor that senders use: its node and its inbox. It depends on the
// message type only, so that Tell and Ask call it directly.
type mailbox[M any] struct {
	node
	in []envelope[M] // guarded by mu
}

// actor is an actor with state S and messages M. The draining goroutine's fields come first and
// the inbox, which senders write, last: see node.
type actor[S, M any] struct {
	batch   []envelope[M] // the messages being drained, owned by the draining goroutine
	bi      int           // the next message in batch
	handle  Handler[S, M]
	state   S
	ctx     Context
	factory func(*Context) S

	mailbox[M]
}

// Spawn starts an actor named name under parent. factory builds the actor's state: at once,
// on the caller's goroutine, and again on the actor's goroutine for every Reset. handle handles
// the messages, one at a time. name must be unique among the parent's children, may not
// contain "/" and may not begin with "$"; an empty name gets a generated one, which begins with "$".
//
// A panic in the factory is a fault with a nil message: the actor exists and its policy
// decides. If the policy stops it at once, Spawn returns the fault as its error.
func Spawn[S, M any](parent Parent, name string, factory func(*Context) S, handle Handler[S, M], opts ...Option) (Actor[M], error) {
	var p *node
	if parent != nil {
		p = parent.parentNode()
	}
	if p == nil {
		return Actor[M]{}, fmt.Errorf("runtime: spawn %q: parent is nil: %w", name, ErrInvalidOption)
	}
	if factory == nil {
		return Actor[M]{}, fmt.Errorf("runtime: spawn %q: factory is nil: %w", name, ErrInvalidOption)
	}
	if handle == nil {
		return Actor[M]{}, fmt.Errorf("runtime: spawn %q: handler is nil: %w", name, ErrInvalidOption)
	}
	if err := checkName(name); err != nil {
		return Actor[M]{}, fmt.Errorf("runtime: spawn %q: %w", name, err)
	}
	cfg, err := p.sys.config(opts)
	if err != nil {
		return Actor[M]{}, fmt.Errorf("runtime: spawn %q: %w", name, err)
	}
	a := &actor[S, M]{factory: factory, handle: handle}
	a.sys, a.parent, a.cell, a.cfg = p.sys, p, a, cfg
	a.ctx.n = &a.node
	a.sched = true // the spawner runs the start below
	if cfg.size > 0 || cfg.idle > 0 {
		a.extra()
	}
	if err := p.adopt(&a.node, name); err != nil {
		return Actor[M]{}, fmt.Errorf("runtime: spawn %s/%s: %w", p.path(), name, err)
	}
	h := Actor[M]{m: &a.mailbox}
	if f := a.build(); f != nil {
		if a.supervise(a.fault(f)) {
			return h, fmt.Errorf("runtime: spawn %s: %w", a.path(), a.err)
		}
	} else {
		a.sys.emit(&a.node, Event{Kind: EventStarted})
	}
	a.release()
	return h, nil
}

// checkName checks a name given by hand. '$' begins the names generated for anonymous children
// only, so that a generated name never has to be looked up before it is used.
func checkName(name string) error {
	if strings.HasPrefix(name, "$") {
		return fmt.Errorf("name may not begin with '$', which generated names use: %w", ErrInvalidOption)
	}
	if strings.Contains(name, "/") {
		return fmt.Errorf("name may not contain '/': %w", ErrInvalidOption)
	}
	return nil
}

func (a *actor[S, M]) box() *mailbox[M] { return &a.mailbox }

// send puts a message in the mailbox and schedules the actor if it is idle: on its parked
// goroutine if it has one, else on a new goroutine; or with inline on the caller's, until the ask
// r has its outcome.
func (a *mailbox[M]) send(wait, ctx context.Context, msg M, r replier, inline bool) error {
	a.mu.Lock()
	if a.status != running {
		a.mu.Unlock()
		return fmt.Errorf("actor %s: %w", a.path(), ErrStopped)
	}
	if a.cfg.size > 0 {
		if err := a.room(wait); err != nil {
			a.mu.Unlock()
			if err == errDropped {
				return nil
			}
			return err
		}
	}
	a.in = append(a.in, envelope[M]{ctx: ctx, msg: msg, reply: r})
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
			return fmt.Errorf("send to %s: %w", a.path(), wait.Err())
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

// isTether reports whether n is a tether.
func (n *node) isTether() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.rare != nil && n.rare.tether != nil
}

// cutError is the reason of the children of tether t, cut because of f.
func cutError(t *node, f Fault) error {
	return fmt.Errorf("%w by %s: %w", ErrTetherCut, t.path(), f.err())
}

// tetherExceeded records a child's fault on a tether and reports whether it exceeds the
// tether's intensity.
func (n *node) tetherExceeded() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.rare == nil || n.rare.tether == nil {
		return false
	}
	return n.rare.tether.exceeded(time.Now())
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

// queued returns the queued messages, oldest first.
func (a *actor[S, M]) queued() []any {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]any, 0, len(a.batch)-a.bi+len(a.in))
	for _, e := range a.batch[a.bi:] {
		out = append(out, e.msg)
	}
	for _, e := range a.in {
		out = append(out, e.msg)
	}
	return out
}
