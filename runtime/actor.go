package runtime

import (
	"context"
	"fmt"
	"reflect"
	"strings"
)

// Handler handles one message for an actor whose state is of type S. ctx is the sender's
// context: for an ask, the caller's; for a tell, the sender's without its cancellation.
type Handler[S, M any] func(ctx context.Context, ac *Context, state S, msg M)

// Actor is the typed handle of an actor that accepts messages of type M. The zero Actor is a
// stopped actor: sending to it fails with ErrStopped. An Actor made by RemoteActor sends over
// a transport instead (see remote.go).
type Actor[M any] struct {
	m *mailbox[M] // for an actor on another node, a proxy: see remoteActor
}

// Ref returns the actor's untyped handle.
func (a Actor[M]) Ref() Ref {
	if a.m == nil {
		return Ref{}
	}
	return Ref{n: &a.m.node}
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
	if t := cfg.typ; t.key.msg != nil && t.key.msg != reflect.TypeFor[M]() {
		return Actor[M]{}, fmt.Errorf("runtime: spawn %q: WithInterface(%s) is for messages of type %v, not %v: %w",
			name, t.name, t.key.msg, reflect.TypeFor[M](), ErrInvalidOption)
	}
	a := &actor[S, M]{factory: factory, handle: handle}
	a.sys, a.parent, a.cell, a.cfg = p.sys, p, a, cfg
	if cfg.obs != nil {
		a.times = new(queueTimes)
	}
	a.ctx.n = &a.node
	a.sched = true // the spawner runs the start below
	if cfg.size > 0 || cfg.idle > 0 {
		a.extra()
	}
	if err := p.adopt(&a.node, name); err != nil {
		return Actor[M]{}, fmt.Errorf("runtime: spawn %s/%s: %w", p.path(), name, err)
	}
	cfg.typ.live.Add(1)
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

func (a *actor[S, M]) inboxLen() int { return len(a.in) }

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
