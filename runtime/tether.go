package runtime

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Tether is a supervisor that starts with no children, for children that may keep failing for
// reasons outside the program, such as a connection to a service that is down. Children spawned
// into it (pass the *Tether as the parent) keep their own policies, and the tether counts all
// their faults: when they fault more than max times within a sliding period, or when one
// escalates, the tether is cut. It stops all its children, with an error that matches
// ErrTetherCut and the fault, and stays up, empty; the fault goes no higher. A keeper
// (SpawnKeeper) starts the child again later.
type Tether struct {
	n *node
}

func (t *Tether) parentNode() *node {
	if t == nil {
		return nil
	}
	return t.n
}

// TetherInterface and KeeperInterface are the interface names that tethers and keepers report
// (ActorInfo.Interface, TypeStats.Interface).
const (
	TetherInterface = "runtime.Tether"
	KeeperInterface = "runtime.Keeper"
)

// SpawnTether starts an empty tether named name under parent, cut when its children fault more
// than max times within period.
func SpawnTether(parent Parent, name string, max int, period time.Duration) (*Tether, error) {
	if err := validateIntensity("SpawnTether", max, period); err != nil {
		return nil, fmt.Errorf("runtime: spawn tether %q: %w", name, err)
	}
	// The tether's own policy resets it: it stops its children and starts again, empty.
	a, err := Spawn(parent, name, func(*Context) struct{} { return struct{}{} },
		func(context.Context, *Context, struct{}, struct{}) {}, WithPolicy(Strategy{Decision: Reset}),
		WithInterface(Interface[struct{}]{Name: TetherInterface}))
	if err != nil {
		return nil, err
	}
	n := &a.m.node
	n.mu.Lock()
	n.extra().tether = &window{max: max, period: period}
	n.mu.Unlock()
	return &Tether{n: n}, nil
}

// Ref returns the tether's own handle.
func (t *Tether) Ref() Ref { return Ref{t.n} }

// Children returns the tether's children, sorted by name.
func (t *Tether) Children() []Ref { return t.n.sortedKids() }

// Child returns the tether's child called name.
func (t *Tether) Child(name string) (Ref, bool) { return t.n.child(name) }

// KeeperSchedule says when a keeper tries to start its child.
type KeeperSchedule struct {
	// First is the wait before the first try, and after the kept child goes down.
	First time.Duration
	// Sweep is the wait after a failed try. It doubles with each failure in a row, up to
	// MaxSweep, and the doubling starts again once a child has stayed up for MaxSweep.
	Sweep    time.Duration
	MaxSweep time.Duration
	// Jitter adds a random part of up to this fraction, in [0, 1], to each wait.
	Jitter float64
}

func (s KeeperSchedule) validate() error {
	switch {
	case s.First < 0:
		return optionError("KeeperSchedule.First: %v is negative", s.First)
	case s.Sweep <= 0:
		return optionError("KeeperSchedule.Sweep: %v is not positive", s.Sweep)
	case s.MaxSweep != 0 && s.MaxSweep < s.Sweep:
		return optionError("KeeperSchedule.MaxSweep: %v is less than Sweep %v", s.MaxSweep, s.Sweep)
	case s.Jitter < 0 || s.Jitter > 1 || s.Jitter != s.Jitter:
		return optionError("KeeperSchedule.Jitter: %v is outside [0, 1]", s.Jitter)
	}
	return nil
}

// StartFunc starts a keeper's child inside t and returns its handle, or an error if it cannot
// be started now (the service is down, say). A failed start is not a fault: it costs the tether
// nothing, and the keeper tries again on its schedule, or later if the error came from
// RetryAfter. ctx is cancelled when the keeper stops.
type StartFunc func(ctx context.Context, t *Tether) (Ref, error)

// RetryAfter returns an error wrapping err that, returned by a StartFunc, makes its keeper wait
// at least d before it tries again: for a refusal that trying again soon cannot change (a name
// already taken, a server's Retry-After). The try counts as failed for the backoff as usual.
func RetryAfter(d time.Duration, err error) error {
	return &retryAfterError{after: d, err: err}
}

type retryAfterError struct {
	after time.Duration
	err   error
}

func (e *retryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %v)", e.err, e.after)
}

func (e *retryAfterError) Unwrap() error { return e.err }

// SpawnKeeper starts a keeper named name under parent. It calls start on its schedule until a
// child is up, watches that child, and starts it again after it goes down for any reason: a
// fault, a tether cut, or a normal stop. Stopping the keeper leaves a running child alone. The
// keeper stops when the tether does, and cannot be spawned for a tether that has stopped.
func SpawnKeeper(parent Parent, name string, t *Tether, start StartFunc, s KeeperSchedule) (Ref, error) {
	switch {
	case t == nil || t.n == nil:
		return Ref{}, fmt.Errorf("runtime: spawn keeper %q: tether is nil: %w", name, ErrInvalidOption)
	case start == nil:
		return Ref{}, fmt.Errorf("runtime: spawn keeper %q: start is nil: %w", name, ErrInvalidOption)
	}
	if err := s.validate(); err != nil {
		return Ref{}, fmt.Errorf("runtime: spawn keeper %q: %w", name, err)
	}
	if s.MaxSweep == 0 {
		s.MaxSweep = s.Sweep
	}
	// The keeper's state outlives resets (a sibling's ResetAll, say): a reset must not forget the
	// child it watches, its backoff or its pending try.
	k := &keeper{t: t, start: start, s: s}
	k.ctx, k.cancel = context.WithCancel(context.Background())
	a, err := Spawn(parent, name, func(ac *Context) *keeper {
		if k.self.m == nil {
			k.self, _ = Self[keeperMsg](ac)
			ac.n.mu.Lock()
			ac.n.extra().onStop = k.cancel
			ac.n.mu.Unlock()
		}
		return k
	}, func(_ context.Context, ac *Context, k *keeper, m keeperMsg) { k.handle(ac, m) },
		WithPolicy(Strategy{Decision: Resume}), WithInterface(Interface[keeperMsg]{Name: KeeperInterface}))
	if err != nil {
		k.cancel()
		return Ref{}, err
	}
	if t.n.isRunning() {
		t.n.watch(func() { a.m.requestStop(ErrStopped) })
		return a.Ref(), nil
	}
	a.m.requestStop(ErrStopped)
	return Ref{}, fmt.Errorf("runtime: spawn keeper %q: tether %s: %w", name, t.n.path(), ErrStopped)
}

type keeperMsgKind uint8

const (
	keeperTry keeperMsgKind = iota
	keeperDown
)

type keeperMsg struct {
	kind  keeperMsgKind
	round int // for keeperTry: which scheduled try this is; older ones are stale
	child Ref // for keeperDown
}

// keeper is the state of a keeper actor.
type keeper struct {
	t      *Tether
	start  StartFunc
	s      KeeperSchedule
	self   Actor[keeperMsg]
	ctx    context.Context
	cancel context.CancelFunc

	failures int       // failed tries, and children that went down early, in a row
	child    Ref       // the child started last
	upSince  time.Time // when it started
	timer    *time.Timer
	round    int
}

// OnStart schedules the first try when the keeper starts; after a reset the keeper goes on
// where it was.
func (k *keeper) OnStart(*Context) {
	if k.round == 0 {
		k.schedule(k.s.First)
	}
}

// OnStop cancels the pending try.
func (k *keeper) OnStop(*Context) {
	if k.timer != nil {
		k.timer.Stop()
	}
	k.cancel()
}

func (k *keeper) schedule(d time.Duration) {
	k.round++
	round := k.round
	if k.timer != nil {
		k.timer.Stop()
	}
	k.timer = time.AfterFunc(d, func() {
		_ = k.self.Tell(context.Background(), keeperMsg{kind: keeperTry, round: round})
	})
}

// wait returns the wait after n failures in a row.
func (k *keeper) wait(n int) time.Duration {
	return jitter(backoff(k.s.Sweep, k.s.MaxSweep, n-1), k.s.Jitter)
}

func (k *keeper) handle(ac *Context, m keeperMsg) {
	switch m.kind {
	case keeperTry:
		if m.round != k.round || (!k.child.IsZero() && k.child.Err() == nil) {
			return
		}
		ref, err := k.try()
		if err != nil {
			k.failures++
			d := k.wait(k.failures)
			if ra := (*retryAfterError)(nil); errors.As(err, &ra) {
				d = max(d, ra.after)
			}
			ac.n.sys.emit(ac.n, Event{Kind: EventKeeperRetry, Err: err, Delay: d})
			k.schedule(d)
			return
		}
		k.child, k.upSince = ref, time.Now()
		ac.n.sys.emit(ac.n, Event{Kind: EventKeeperStart, Child: ref.Path()})
		ref.n.watch(func() {
			_ = k.self.Tell(context.Background(), keeperMsg{kind: keeperDown, child: ref})
		})
	case keeperDown:
		if m.child != k.child {
			return
		}
		if time.Since(k.upSince) >= k.s.MaxSweep {
			k.failures = 0
		} else {
			k.failures++
		}
		d := k.s.First
		if k.failures > 0 {
			d = max(d, k.wait(k.failures))
		}
		k.schedule(d)
	}
}

// try calls start, turning a panic, a runtime.Goexit or a missing child into an error. start
// runs isolated, so that a Goexit in it ends only its own goroutine, not the keeper's.
func (k *keeper) try() (ref Ref, err error) {
	v, how, _ := isolate(func() { ref, err = k.start(k.ctx, k.t) })
	switch {
	case how == exited:
		return Ref{}, fmt.Errorf("start ended its goroutine: %v", v)
	case how == panicked:
		return Ref{}, fmt.Errorf("start panicked: %v", v)
	case err == nil && ref.IsZero():
		return Ref{}, errors.New("start returned no actor")
	}
	return ref, err
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

// tetherExceeded records the fault of a child that n adopted in incarnation pinc, if n is a
// tether, and reports whether it exceeds the tether's intensity. A child of an earlier
// incarnation, which a cut is stopping, is not counted: one cut does not lead to another.
func (n *node) tetherExceeded(pinc uint32) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.rare == nil || n.rare.tether == nil || n.rare.inc != pinc {
		return false
	}
	return n.rare.tether.exceeded(time.Now())
}
