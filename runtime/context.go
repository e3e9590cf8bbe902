package runtime

import "log/slog"

// Parent is what an actor can be spawned under: a *System, an actor's *Context or a *Tether.
type Parent interface {
	parentNode() *node
}

// Context is an actor's view of itself, given to its factory, handler, hooks and policy. Use it
// only on the actor's goroutine, while one of those runs. It is a Parent: actors spawned under
// it are the actor's children, stopped before it stops and on every Reset.
type Context struct {
	n     *node
	reply *asking // the ask being handled, until Reply answers it
}

func (c *Context) parentNode() *node {
	if c == nil {
		return nil
	}
	return c.n
}

// Self returns the actor's own handle.
func (c *Context) Self() Ref { return Ref{c.n} }

// Parent returns the actor's parent; the zero Ref for a top-level actor.
func (c *Context) Parent() Ref {
	if c.n.topLevel() {
		return Ref{}
	}
	return Ref{c.n.parent}
}

// Name returns the actor's name.
func (c *Context) Name() string { return c.n.name }

// Path returns the actor's path, such as "/directory/alice".
func (c *Context) Path() string { return c.n.path() }

// System returns the actor's system.
func (c *Context) System() *System { return c.n.sys }

// Logger returns the system's logger with the actor's path.
func (c *Context) Logger() *slog.Logger { return c.n.sys.log.With("actor", c.n.path()) }

// Children returns the actor's children, sorted by name.
func (c *Context) Children() []Ref { return c.n.sortedKids() }

// Child returns the child called name.
func (c *Context) Child(name string) (Ref, bool) { return c.n.child(name) }

// Stop stops the actor after the message it is handling, normally.
func (c *Context) Stop() { c.n.requestStop(ErrStopped) }

// Mailbox returns the messages queued for the actor, oldest first.
func (c *Context) Mailbox() []any { return c.n.cell.queued() }
