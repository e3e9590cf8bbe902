package runtime

import (
	"context"
	"fmt"
	"reflect"
	"time"
)

// Observability: what the runtime tells about the messages it handles. Everything here is off
// unless the system is given a Hook (WithHook) or metrics (WithMetrics): the drain loop then
// checks one pointer, config.obs, per message. The counters of rare events (faults, resets,
// stops, tether cuts, keeper retries, asks failed at once, live actors) are kept always, per
// interface, because they cost nothing on the path of a message: see stats.go.

// Kind says whether a message is a tell or an ask.
type Kind uint8

const (
	// KindTell is a one-way message: Actor.Tell, or a generated method marked //actor:tell.
	KindTell Kind = iota + 1
	// KindAsk is a message that waits for a reply: Ask, or a generated method with results.
	KindAsk
)

func (k Kind) String() string {
	switch k {
	case KindTell:
		return "tell"
	case KindAsk:
		return "ask"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Outcome says how the handling of a message ended.
type Outcome uint8

const (
	// OutcomeOK: the handler returned (and, for an ask, replied).
	OutcomeOK Outcome = iota
	// OutcomeFault: the handler panicked or called runtime.Goexit.
	OutcomeFault
	// OutcomeNoReply: the handler of an ask returned without replying; the ask fails with
	// ErrNoReply.
	OutcomeNoReply
	numOutcomes
)

var outcomeNames = [...]string{"ok", "fault", "no_reply"}

// String returns "ok", "fault" or "no_reply", the spelling metrics use.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", uint8(o))
}

// Method describes one method of an actor's interface.
type Method struct {
	Name string // "Create"
	Kind Kind   // KindAsk or KindTell
}

// Interface describes the Go interface behind an actor whose messages are of type M, so that
// hooks, metrics and the live view can name a message's interface and method without
// reflection. Index returns the index in Methods of the method msg calls; a value outside the
// range names no method (""). Generated code passes a method expression, such as
// BookMessage.methodIndex. A hand-written actor may give only a Name.
type Interface[M any] struct {
	Name    string
	Methods []Method
	Index   func(msg M) int
}

// ifaceDesc is an Interface without its type parameter, as WithInterface captures it once.
type ifaceDesc struct {
	key     ifaceKey
	methods []Method
	index   any   // func(M) int, or nil
	err     error // what is wrong with it, reported by Spawn
}

// ifaceKey identifies an interface within a system: its message type and its name.
type ifaceKey struct {
	msg  reflect.Type
	name string
}

// WithInterface names the interface behind the actor's messages: Spawn fails with
// ErrInvalidOption if M is not the actor's message type. Build the option once, in a
// package-level variable, and pass that to every Spawn: actors spawned with it and no other
// option share one configuration, so the spawn allocates no more than one without options.
// Actors spawned without it report the interface "" and the method "". Within a system, the
// first description given for a message type and name is the one used.
func WithInterface[M any](d Interface[M]) Option {
	desc := &ifaceDesc{key: ifaceKey{msg: reflect.TypeFor[M](), name: d.Name}}
	desc.methods = append([]Method(nil), d.Methods...)
	if d.Index != nil {
		desc.index = d.Index
	}
	for _, m := range desc.methods {
		if m.Kind != KindTell && m.Kind != KindAsk {
			desc.err = optionError("WithInterface: method %s.%s has no kind", d.Name, m.Name)
			break
		}
	}
	return Option{iface: desc}
}

// MessageInfo describes the message a Hook is told about.
type MessageInfo struct {
	Actor     Ref    // the actor handling it
	Interface string // the actor's interface, as WithInterface names it; "" if none
	Method    string // the method the message calls; "" if not known
	Kind      Kind   // KindAsk or KindTell
}

// Hook is told about every message an actor handles: Begin before its handler runs, End after,
// on the goroutine that handles the message. ctx is the handler's: for an ask the caller's, for
// a tell the sender's without its cancellation, so a trace that the sender's ctx carries reaches
// the hook either way. The ctx that Begin returns is the one the handler gets, and End gets it
// too: a tracer starts a span in Begin and ends it in End. End's err is the *FaultError for
// OutcomeFault, nil otherwise. A hook must be quick and safe for concurrent use; a panic in it is
// a fault of the actor. Asks that the runtime answers without a handler (the actor stopped, the
// caller's ctx ended first) reach no hook.
type Hook interface {
	Begin(ctx context.Context, m MessageInfo) context.Context
	End(ctx context.Context, m MessageInfo, o Outcome, err error)
}

// WithHook makes the system tell h about every message handled. Without a hook, handling a
// message costs one pointer check more than it did before hooks existed.
func WithHook(h Hook) SystemOption {
	return func(s *System) { s.msgHook = h }
}

// MetricsOptions configures the metrics a system keeps (WithMetrics).
type MetricsOptions struct {
	// SampleEvery is how often messages are timed: 1 in SampleEvery, rounded up to a power of
	// two; 0 means DefaultSampleEvery, 1 times every message. A clock read costs more than a
	// tell here, so timing every message would triple a tell's cost.
	SampleEvery int
}

// DefaultSampleEvery is how often a message is timed (1 in DefaultSampleEvery) unless
// MetricsOptions.SampleEvery says otherwise.
const DefaultSampleEvery = 16

// WithMetrics makes the system count the messages each interface's methods handle, by outcome,
// and time 1 message in o.SampleEvery (its time in the mailbox and its handling), into
// histograms that System.Stats reads. Nothing is exported and no SDK is called: a metrics
// exporter reads System.Stats when it collects.
func WithMetrics(o MetricsOptions) SystemOption {
	return func(s *System) {
		n := o.SampleEvery
		if n <= 0 {
			n = DefaultSampleEvery
		}
		mask := uint32(1)
		for mask < uint32(min(n, 1<<30)) {
			mask <<= 1
		}
		s.metrics, s.sampleMask = true, mask-1
	}
}

// observer is what a system observes messages with; config.obs is nil when it observes none.
type observer struct {
	hook    Hook
	metrics bool
	epoch   time.Time // the clock's origin, for monotonic nanoseconds in envelopes
}

// now returns the monotonic nanoseconds since the system started, never 0.
func (o *observer) now() int64 { return int64(time.Since(o.epoch)) | 1 }

// stamp returns the time a message sent now is queued at, for the mailbox-time histogram, or 0
// if it is not to be timed: 1 message in N, by its sequence number in the actor. Under mu, in a
// system that observes messages; queued is the length of the inbox. (Without metrics timeMask
// is all ones, and the clock is not read.) Small enough to be inlined into send; the clock is
// read out of line, in stampNow.
func (n *node) stamp(queued int) int64 {
	if (n.batchEnd+uint32(queued))&n.cfg.timeMask == 0 {
		return n.stampNow()
	}
	return 0
}

//go:noinline
func (n *node) stampNow() int64 {
	if !n.cfg.obs.metrics { // a hook without metrics: timeMask is all ones
		return 0
	}
	return n.cfg.obs.now()
}

// observation is what the drain loop keeps about observed messages: the one being handled,
// between Begin and End, and the tally of those handled OK that are not yet counted.
type observation struct {
	cur   msgObservation
	tally tally
	taken int // messages taken from batches and not yet added to node.taken

	// Timed handlings not yet added to the actor's figures for the live view (rare.busyNs).
	busyNs, busySamples int64
}

type msgObservation struct {
	on    bool
	idx   int
	kind  Kind
	start int64 // when its handling began, if it is timed
	ctx   context.Context
}

// tally counts messages of one method handled OK, so that a batch of them costs one atomic add
// (flushTally, at the end of the batch or when the method changes), not one each.
type tally struct {
	idx int
	n   uint64
}

// methodIndex returns the index of the method msg calls, or -1 if index is nil.
func methodIndex[M any](index func(M) int, msg M) int {
	if index == nil {
		return -1
	}
	return index(msg)
}

// count adds a message of method idx that ended with out to its method's counters: a fault or
// an ask without a reply at once, one handled OK to the tally, which a run of one method's
// messages grows so that the run costs one atomic add (flushTally). handleBatch grows the tally
// itself, inline, for a message only counted, and calls count for the rest.
func (a *actor[S, M]) count(idx int, out Outcome, tl *tally) {
	switch {
	case out != OutcomeOK:
		a.cfg.typ.method(idx).outcomes[out].Add(1)
	case tl.n > 0 && tl.idx == idx:
		tl.n++
	default:
		if tl.n > 0 {
			a.cfg.typ.method(tl.idx).outcomes[OutcomeOK].Add(tl.n)
		}
		tl.idx, tl.n = idx, 1
	}
}

// outcome is how the handling of the message in h ended, if its handler returned.
func (a *actor[S, M]) outcome(h *handling[M]) Outcome {
	if h.ask && a.ctx.reply != nil {
		return OutcomeNoReply
	}
	return OutcomeOK
}

// observe handles the message in h as handleBatch does, telling the hook and timing it if it is
// one of the 1 in N timed; index is the interface's method index, or nil. (A message that is
// only counted, with metrics and no hook, handleBatch handles itself.) A panic leaves h.obs.cur
// set: drain calls observedFault with the fault.
func (a *actor[S, M]) observe(ctx context.Context, o *observer, index func(M) int, h *handling[M]) {
	e := h.e
	cur := &h.obs.cur
	idx := methodIndex(index, e.msg)
	t := a.cfg.typ
	// Field by field, and ctx only with a hook: a pointer written costs a write barrier while
	// the collector runs.
	cur.on, cur.idx, cur.kind, cur.start = true, idx, KindTell, 0
	if h.ask {
		cur.kind = KindAsk
	}
	if h.at != 0 {
		cur.start = o.now()
		t.method(cur.idx).wait.record(cur.start - h.at)
	}
	if o.hook != nil {
		cur.ctx = ctx
		ctx = o.hook.Begin(ctx, a.info(t, cur))
		cur.ctx = ctx
	}
	a.handle(ctx, &a.ctx, a.state, e.msg)
	a.observed(o, &h.obs, a.outcome(h), nil)
}

// observedFault tells the hook and the metrics that the observed message in h faulted with f.
// It runs outside the drain loop's recover, so the hook runs isolated: a hook that panics here
// is logged, and the fault goes on as it was.
func (a *actor[S, M]) observedFault(h *handling[M], f *FaultError) {
	if h.obs.taken != 0 || h.obs.busySamples != 0 { // the drain loop may not take mu again
		a.mu.Lock()
		a.publish(&h.obs)
		a.mu.Unlock()
	}
	a.flushTally(h)
	if !h.obs.cur.on {
		return
	}
	ob := h.obs // a copy, so that h stays on drain's stack
	h.obs.cur = msgObservation{}
	if v, how, _ := isolate(func() { a.observed(a.cfg.obs, &ob, OutcomeFault, f) }); how != returned {
		a.sys.logger().Error("actorgen: hook failed on a fault", "actor", a.path(), "panic", fmt.Sprint(v))
	}
}

// flushTally adds the tally of h to its method's counter. handleBatch calls it when a batch
// ends.
func (a *actor[S, M]) flushTally(h *handling[M]) {
	if tl := &h.obs.tally; tl.n > 0 {
		a.cfg.typ.method(tl.idx).outcomes[OutcomeOK].Add(tl.n)
		tl.n = 0
	}
}

func (a *actor[S, M]) info(t *typeRecord, cur *msgObservation) MessageInfo {
	return MessageInfo{Actor: Ref{&a.node}, Interface: t.name, Method: t.methodName(cur.idx), Kind: cur.kind}
}

// observed ends the observation of the current message with outcome out.
func (a *actor[S, M]) observed(o *observer, ob *observation, out Outcome, f *FaultError) {
	t := a.cfg.typ
	cur := &ob.cur
	if o.metrics {
		a.count(cur.idx, out, &ob.tally)
		if cur.start != 0 {
			d := o.now() - cur.start
			t.method(cur.idx).handle.record(d)
			ob.busyNs += d
			ob.busySamples++
			cur.start = 0 // a message handleBatch only counts leaves it alone
		}
	}
	if o.hook != nil {
		var err error
		if f != nil {
			err = f
		}
		ctx := cur.ctx
		info := a.info(t, cur)
		cur.on, cur.ctx = false, nil
		o.hook.End(ctx, info, out, err)
		return
	}
	cur.on = false
}

// publish adds what ob counted since it last did to the actor's figures, for Walk: the messages
// taken from batches, and the timed handlings. Under mu.
func (n *node) publish(ob *observation) {
	n.taken += uint64(ob.taken)
	ob.taken = 0
	if ob.busySamples != 0 {
		r := n.extra()
		r.busyNs += ob.busyNs
		r.busySamples += ob.busySamples
		ob.busyNs, ob.busySamples = 0, 0
	}
}
