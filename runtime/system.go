package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// System is the root of an actor tree.
type System struct {
	root     node
	log      *slog.Logger
	hook     func(Event)
	defaults config
	sweep    sweeper

	// Observability: see observe.go, stats.go and subscribe.go.
	msgHook    Hook
	metrics    bool
	sampleMask uint32
	obs        observer
	untyped    typeRecord // the actors spawned without WithInterface
	subs       atomic.Pointer[[]*Subscription]
	obsMu      sync.Mutex // guards types and changes to subs
	types      map[ifaceKey]*typeRecord
}

// A SystemOption configures a System.
type SystemOption func(*System)

// WithLogger sets the logger for faults, decisions and lifecycle events. The default is
// slog.Default(); pass slog.New(slog.DiscardHandler) for silence.
func WithLogger(l *slog.Logger) SystemOption {
	return func(s *System) {
		if l != nil {
			s.log = l
		}
	}
}

// WithEventHook makes the system call hook for every Event. The hook runs synchronously: the
// actor the event is about waits for it, so it must be quick and must not block on that actor.
// It runs on a goroutine of its own, so a hook that panics or calls runtime.Goexit (t.FailNow,
// say) cannot wedge the actor: that is a fault, logged, and it stops the actor.
func WithEventHook(hook func(Event)) SystemOption {
	return func(s *System) { s.hook = hook }
}

// WithLinger sets how long the goroutine of an actor whose mailbox has emptied waits, parked,
// for the next message before it ends: between d and 2d. A message that finds the goroutine
// parked wakes it, which costs several times less than starting a goroutine, so actors that
// get a message every few milliseconds stay cheap to run. The default is DefaultLinger; 0 or less
// ends the goroutine as soon as the mailbox is empty.
func WithLinger(d time.Duration) SystemOption {
	return func(s *System) { s.sweep.period = max(d, 0) }
}

// DefaultLinger is how long an idle actor's goroutine lingers unless WithLinger says otherwise.
const DefaultLinger = 50 * time.Millisecond

// NewSystem returns a running actor system.
func NewSystem(opts ...SystemOption) *System {
	s := &System{log: slog.Default(), defaults: config{policy: Strategy{}}}
	s.sweep.period = DefaultLinger
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	s.root.sys = s
	s.untyped.perMethod = make([]methodRecord, 1)
	s.defaults.typ = &s.untyped
	s.defaults.timeMask = ^uint32(0)
	if s.msgHook != nil || s.metrics {
		s.obs = observer{hook: s.msgHook, metrics: s.metrics, epoch: time.Now()}
		s.defaults.obs = &s.obs
	}
	if s.metrics {
		s.defaults.timeMask = s.sampleMask
	}
	return s
}

func (s *System) parentNode() *node {
	if s == nil {
		return nil
	}
	return &s.root
}

func (s *System) logger() *slog.Logger { return s.log }

// config returns the configuration opts make: the shared default when there are none, and the
// shared configuration of an interface when WithInterface is the only one.
func (s *System) config(opts []Option) (*config, error) {
	var iface *ifaceDesc
	custom := false
	for _, o := range opts {
		if o.iface != nil {
			iface = o.iface
		}
		custom = custom || o.apply != nil
	}
	var t *typeRecord
	if iface != nil {
		if iface.err != nil {
			return nil, iface.err
		}
		t = s.record(iface)
	}
	if !custom {
		if t != nil {
			return t.shared, nil
		}
		return &s.defaults, nil
	}
	c := new(config)
	*c = s.defaults
	for _, o := range opts {
		if o.apply != nil {
			o.apply(c)
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	if t != nil {
		c.typ = t
	}
	return c, nil
}

// Children returns the top-level actors, sorted by name.
func (s *System) Children() []Ref { return s.root.sortedKids() }

// Child returns the top-level actor called name.
func (s *System) Child(name string) (Ref, bool) { return s.root.child(name) }

// Shutdown stops every actor, children before parents: handlers that are running finish, and
// asks still queued fail with ErrStopped. It returns when all have stopped, or when ctx is done
// first with an error that wraps ctx's and names the actors still running (a handler that does
// not return holds up its actor and its ancestors): those admit no message from then on and
// stop as soon as their handlers return. No actor can be spawned at the top level after
// Shutdown starts; calling it again is harmless. Called from a handler, Shutdown waits for that
// handler too, so it returns only when ctx is done: call it on a goroutine of its own there.
func (s *System) Shutdown(ctx context.Context) error {
	s.root.mu.Lock()
	s.root.status = stopping
	s.root.mu.Unlock()
	kids := s.root.kids(nil)
	for _, c := range kids {
		c.requestStop(ErrStopped)
	}
	for _, c := range kids {
		select {
		case <-c.doneChan():
		case <-ctx.Done():
			return fmt.Errorf("runtime: shutdown: %w; still running: %s", ctx.Err(), s.root.closeSubtree())
		}
	}
	if err := s.sweep.flush(ctx); err != nil {
		return fmt.Errorf("runtime: shutdown: %w", err)
	}
	return nil
}

// closeSubtree asks every actor below n that has not stopped to stop, so that none admits a
// message, and lists them, sorted by path, the first ten of them in full.
func (n *node) closeSubtree() string {
	var running []string
	var walk func(n *node)
	walk = func(n *node) {
		for _, c := range n.kids(nil) {
			c.requestStop(ErrStopped)
			c.mu.Lock()
			live := c.status != stopped
			c.mu.Unlock()
			if live {
				running = append(running, c.path())
			}
			walk(c)
		}
	}
	walk(n)
	slices.Sort(running)
	const shown = 10
	if len(running) > shown {
		return fmt.Sprintf("%s and %d more", strings.Join(running[:shown], ", "), len(running)-shown)
	}
	return strings.Join(running, ", ")
}

// emit reports an event about n to the hook and the log. The hook runs isolated: a hook that
// panics or calls runtime.Goexit is a fault of the actor the event is about, which stops it.
func (s *System) emit(n *node, e Event) {
	s.count(n, e.Kind, e.Err)
	level := e.Kind.level()
	logged := s.log.Enabled(context.Background(), level)
	subs := s.subs.Load()
	if s.hook == nil && !logged && subs == nil {
		return
	}
	e.Path = n.path()
	if s.hook != nil || subs != nil {
		e.Time = time.Now()
	}
	if subs != nil {
		s.publish(*subs, e)
	}
	if s.hook != nil {
		if v, how, stack := isolate(func() { s.hook(e) }); how != returned {
			s.hookFailed(n, e, v, stack)
		}
	}
	if logged {
		attrs := []slog.Attr{slog.String("actor", e.Path)}
		if e.Kind == EventDecision {
			attrs = append(attrs, slog.String("decision", e.Decision.String()))
		}
		if e.Delay > 0 {
			attrs = append(attrs, slog.Duration("delay", e.Delay))
		}
		if e.Child != "" {
			attrs = append(attrs, slog.String("child", e.Child))
		}
		if e.Err != nil {
			attrs = append(attrs, slog.String("err", e.Err.Error()))
		}
		var fe *FaultError
		if e.Kind == EventFault && errors.As(e.Err, &fe) && len(fe.Stack) > 0 {
			attrs = append(attrs, slog.String("stack", string(fe.Stack)))
		}
		s.log.LogAttrs(context.Background(), level, "actor "+e.Kind.String(), attrs...)
	}
}

// hookFailed handles an event hook that panicked with v, or called runtime.Goexit, while it was
// given e about n: it logs the failure and stops n with it.
func (s *System) hookFailed(n *node, e Event, v any, stack []byte) {
	cause := fmt.Errorf("event hook failed on %q: %v", e.Kind.String(), v)
	if err, ok := v.(error); ok {
		cause = fmt.Errorf("event hook failed on %q: %w", e.Kind.String(), err)
	}
	s.log.Error("actorgen: event hook failed; stopping the actor", "actor", e.Path,
		"err", cause.Error(), "stack", string(stack))
	if !n.isRoot() {
		n.requestStop(&FaultError{Path: e.Path, Value: cause, Stack: stack})
	}
}

func (n *node) child(name string) (Ref, bool) {
	n.mu.Lock()
	c, ok := n.children[name]
	n.mu.Unlock()
	if !ok {
		return Ref{}, false
	}
	return Ref{c}, true
}
