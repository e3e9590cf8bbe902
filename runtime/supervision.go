package runtime

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Decision is what a policy decides to do about a fault.
type Decision uint8

const (
	// Stop stops the faulted actor and its subtree.
	Stop Decision = iota
	// StopAll stops the faulted actor and all its siblings, with their subtrees.
	StopAll
	// Reset stops the actor's children, builds a fresh state with the factory and goes on with
	// the same mailbox.
	Reset
	// ResetAll resets the faulted actor and each of its siblings; a sibling that is handling a
	// message is reset after that message.
	ResetAll
	// Resume keeps the state, drops the failing message and goes on.
	Resume
	// Escalate stops the faulted actor and hands the fault to its parent, whose policy decides
	// what happens to the parent. At the top of the tree only the faulted actor stops.
	Escalate
)

var decisionNames = [...]string{"stop", "stop-all", "reset", "reset-all", "resume", "escalate"}

// String returns the decision's name as the //actor:supervise directive spells it.
func (d Decision) String() string {
	if int(d) < len(decisionNames) {
		return decisionNames[d]
	}
	return fmt.Sprintf("Decision(%d)", uint8(d))
}

// Directive is a decision and how long to wait before applying it. While it waits the actor's
// mailbox is suspended: messages queue and none is handled.
type Directive struct {
	Decision Decision
	Delay    time.Duration
}

// Fault describes a fault to a policy.
type Fault struct {
	// Actor is the actor that faulted; when Escalated, the child that escalated.
	Actor Ref
	// Err is the panic, as an error.
	Err *FaultError
	// Message is the message being handled, or nil for a fault in the factory or a hook.
	Message any
	// Escalated is true when a child escalated the fault to the deciding actor.
	Escalated bool
}

// err returns the fault's error, or a true nil when there is none.
func (f Fault) err() error {
	if f.Err == nil {
		return nil
	}
	return f.Err
}

// A Policy decides what happens to actors that fault. It is a recipe: each actor gets its own
// Decider from NewDecider the first time it faults and keeps it across resets, so state a
// policy keeps belongs to one actor.
type Policy interface {
	NewDecider() Decider
}

// A Decider makes the decisions for one actor. It runs on the actor's goroutine, with the
// actor's mailbox suspended; ac.Mailbox lists the queued messages.
type Decider interface {
	Decide(ac *Context, f Fault) Directive
}

// PolicyFunc returns a stateless policy that calls decide for every fault.
func PolicyFunc(decide func(ac *Context, f Fault) Directive) Policy {
	return funcPolicy(decide)
}

type funcPolicy func(ac *Context, f Fault) Directive

func (p funcPolicy) NewDecider() Decider { return p }

func (p funcPolicy) validate() error {
	if p == nil {
		return optionError("PolicyFunc: decide is nil")
	}
	return nil
}

func (p funcPolicy) Decide(ac *Context, f Fault) Directive { return p(ac, f) }

// Stateful returns a policy whose decider keeps a state of type T, starting at initial for each
// actor and kept across resets: decide gets the state and returns the next one with the
// directive.
func Stateful[T any](initial T, decide func(state T, ac *Context, f Fault) (T, Directive)) Policy {
	return statefulPolicy[T]{initial: initial, decide: decide}
}

type statefulPolicy[T any] struct {
	initial T
	decide  func(T, *Context, Fault) (T, Directive)
}

func (p statefulPolicy[T]) validate() error {
	if p.decide == nil {
		return optionError("Stateful: decide is nil")
	}
	return nil
}

func (p statefulPolicy[T]) NewDecider() Decider {
	return &statefulDecider[T]{state: p.initial, decide: p.decide}
}

type statefulDecider[T any] struct {
	state  T
	decide func(T, *Context, Fault) (T, Directive)
}

func (d *statefulDecider[T]) Decide(ac *Context, f Fault) Directive {
	next, dir := d.decide(d.state, ac, f)
	d.state = next
	return dir
}

// Limit wraps p with a restart intensity, as in OTP: a fault that makes more than max faults
// within the sliding period escalates instead of going to p. With max 0 the first fault
// escalates.
func Limit(p Policy, max int, period time.Duration) Policy {
	return limitPolicy{p: p, max: max, period: period}
}

type limitPolicy struct {
	p      Policy
	max    int
	period time.Duration
}

func (l limitPolicy) NewDecider() Decider {
	return &limitDecider{inner: l.p.NewDecider(), window: window{max: l.max, period: l.period}}
}

func (l limitPolicy) validate() error {
	if l.p == nil {
		return optionError("Limit: policy is nil")
	}
	if err := validatePolicy(l.p); err != nil {
		return err
	}
	return validateIntensity("Limit", l.max, l.period)
}

type limitDecider struct {
	inner  Decider
	window window
}

func (d *limitDecider) Decide(ac *Context, f Fault) Directive {
	if d.window.exceeded(time.Now()) {
		return Directive{Decision: Escalate}
	}
	return d.inner.Decide(ac, f)
}

// window counts events in a sliding period and says when there are more than max of them.
type window struct {
	max    int
	period time.Duration
	times  []time.Time
}

// exceeded records an event at now and reports whether more than max events fall within the
// period that ends at now.
func (w *window) exceeded(now time.Time) bool {
	keep := w.times[:0]
	for _, t := range w.times {
		if now.Sub(t) < w.period {
			keep = append(keep, t)
		}
	}
	w.times = append(keep, now)
	return len(w.times) > w.max
}

func validateIntensity(what string, max int, period time.Duration) error {
	if max < 0 {
		return optionError("%s: max faults %d is negative", what, max)
	}
	if period <= 0 {
		return optionError("%s: period %v is not positive", what, period)
	}
	return nil
}

// Strategy is a declarative policy: the //actor:supervise directive as data. The zero Strategy
// stops the actor at its first fault.
type Strategy struct {
	// Decision is applied to every fault, unless restart intensity escalates it.
	Decision Decision
	// Delay waits a fixed time before applying the decision. It excludes BackoffMin/BackoffMax.
	Delay time.Duration
	// BackoffMin and BackoffMax make the delay exponential: the k-th fault in a row (from 0)
	// waits min(BackoffMax, BackoffMin·2^k).
	BackoffMin, BackoffMax time.Duration
	// Jitter adds a random part of up to this fraction, in [0, 1], to the delay, after the cap.
	Jitter float64
	// ResetAfter clears the backoff count after this long without a fault, counted from when
	// the last decision was applied. Zero means (BackoffMin+BackoffMax)/2 with backoff.
	ResetAfter time.Duration
	// MaxFaults and Period set the restart intensity: a fault that makes more than MaxFaults
	// faults within the sliding Period escalates instead. A zero Period turns it off.
	MaxFaults int
	Period    time.Duration
}

// Validate reports whether the strategy's fields make sense, naming the field that does not.
func (s Strategy) Validate() error {
	if s.Decision > Escalate {
		return optionError("Strategy.Decision: unknown decision %d", uint8(s.Decision))
	}
	if s.Delay < 0 {
		return optionError("Strategy.Delay: %v is negative", s.Delay)
	}
	backoff := s.BackoffMin != 0 || s.BackoffMax != 0
	if backoff {
		if s.Delay != 0 {
			return optionError("Strategy.Delay: a fixed delay and a backoff exclude each other")
		}
		if s.BackoffMin <= 0 {
			return optionError("Strategy.BackoffMin: %v is not positive", s.BackoffMin)
		}
		if s.BackoffMax < s.BackoffMin {
			return optionError("Strategy.BackoffMax: %v is less than BackoffMin %v", s.BackoffMax, s.BackoffMin)
		}
	}
	if s.Jitter < 0 || s.Jitter > 1 || s.Jitter != s.Jitter {
		return optionError("Strategy.Jitter: %v is outside [0, 1]", s.Jitter)
	}
	if s.Jitter != 0 && s.Delay == 0 && !backoff {
		return optionError("Strategy.Jitter: set without a delay or backoff (it is a fraction of the delay)")
	}
	if s.ResetAfter < 0 {
		return optionError("Strategy.ResetAfter: %v is negative", s.ResetAfter)
	}
	if s.ResetAfter != 0 && !backoff {
		return optionError("Strategy.ResetAfter: set without a backoff")
	}
	if s.MaxFaults < 0 {
		return optionError("Strategy.MaxFaults: %d is negative", s.MaxFaults)
	}
	if s.Period < 0 {
		return optionError("Strategy.Period: %v is negative", s.Period)
	}
	if s.MaxFaults > 0 && s.Period == 0 {
		return optionError("Strategy.Period: MaxFaults is set without a period")
	}
	return nil
}

// NewDecider returns the strategy's decider for one actor.
func (s Strategy) NewDecider() Decider {
	d := &strategyDecider{s: s}
	if s.Period > 0 {
		d.window = &window{max: s.MaxFaults, period: s.Period}
	}
	if s.ResetAfter == 0 {
		d.s.ResetAfter = (s.BackoffMin + s.BackoffMax) / 2
	}
	return d
}

type strategyDecider struct {
	s      Strategy
	window *window
	k      int       // faults in a row, for the backoff
	quiet  time.Time // when the last delayed decision applies; quiet time counts from there
}

func (d *strategyDecider) Decide(_ *Context, _ Fault) Directive {
	now := time.Now()
	if d.window != nil && d.window.exceeded(now) {
		return Directive{Decision: Escalate}
	}
	delay := d.s.Delay
	if d.s.BackoffMin > 0 {
		if !d.quiet.IsZero() && now.Sub(d.quiet) >= d.s.ResetAfter {
			d.k = 0
		}
		delay = backoff(d.s.BackoffMin, d.s.BackoffMax, d.k)
		d.k++
	}
	delay = jitter(delay, d.s.Jitter)
	d.quiet = now.Add(delay)
	return Directive{Decision: d.s.Decision, Delay: delay}
}

// backoff returns min(max, min·2^k) without overflowing.
func backoff(min, max time.Duration, k int) time.Duration {
	d := min
	for i := 0; i < k && d < max; i++ {
		d *= 2
	}
	if d > max || d <= 0 {
		return max
	}
	return d
}

// jitter adds a uniformly random part of up to fraction f to d.
func jitter(d time.Duration, f float64) time.Duration {
	if f == 0 || d <= 0 {
		return d
	}
	return d + time.Duration(f*rand.Float64()*float64(d))
}

// validatePolicy checks the policies whose settings can be wrong.
func validatePolicy(p Policy) error {
	switch p := p.(type) {
	case Strategy:
		return p.Validate()
	case *Strategy:
		if p == nil {
			return optionError("WithPolicy: policy is nil")
		}
		return p.Validate()
	case interface{ validate() error }:
		return p.validate()
	}
	return nil
}
