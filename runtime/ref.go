package runtime

import (
	"context"
	"fmt"
)

// Ref is the untyped handle of an actor. It is comparable and cheap to copy. The zero Ref is a
// stopped actor.
type Ref struct {
	n *node
}

// IsZero reports whether r is the zero Ref.
func (r Ref) IsZero() bool { return r.n == nil }

// Path returns the actor's path, such as "/directory/alice"; for an actor on another node, the
// node's name, a colon and the path there, "eu1:/directory/alice".
func (r Ref) Path() string {
	if r.n == nil {
		return ""
	}
	if r.n.sys == nil {
		return r.n.rare.remote.Path()
	}
	return r.n.path()
}

// Name returns the actor's name.
func (r Ref) Name() string {
	if r.n == nil {
		return ""
	}
	return r.n.name
}

// String returns the actor's path.
func (r Ref) String() string { return r.Path() }

// Done returns a channel that is closed when the actor has stopped, its children first. For an
// actor on another node, the transport watches it from the first call of Done or Err on: see
// RemoteActor.
func (r Ref) Done() <-chan struct{} {
	if r.n == nil {
		c := make(chan struct{})
		close(c)
		return c
	}
	if r.n.sys == nil {
		r.n.remoteWatch()
	}
	return r.n.doneChan()
}

// Err returns nil while the actor runs. Once Done is closed it returns ErrStopped if the actor
// stopped normally, or the reason supervision stopped it: an error that matches ErrFault (and
// ErrTetherCut for a child a tether cut loose).
func (r Ref) Err() error {
	if r.n == nil {
		return ErrStopped
	}
	if r.n.sys == nil {
		r.n.remoteWatch()
	}
	r.n.mu.Lock()
	defer r.n.mu.Unlock()
	if r.n.status != stopped {
		return nil
	}
	return r.n.err
}

// Stop asks the actor to stop after the message it is handling and waits until it has stopped
// or ctx is done. Asks still queued fail with ErrStopped. From the actor's own handler use
// Context.Stop instead: Stop would wait for the handler that calls it.
func (r Ref) Stop(ctx context.Context) error {
	if r.n == nil {
		return nil
	}
	if r.n.sys == nil {
		return r.n.rare.remote.Stop(ctx)
	}
	r.n.requestStop(ErrStopped)
	select {
	case <-r.n.doneChan():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop %s: %w", r.n.path(), ctx.Err())
	}
}

// Reset asks the actor to rebuild its state after the message it is handling, as a Reset
// decision does after a fault: its children stop, OnReset runs on the old state, the factory
// builds a new one and OnStart runs; the mailbox is kept. A tether reset this way is cut. The
// reason its events and its children's errors give is a *FaultError whose value is "reset
// asked for" (so a fault in the new state's factory is supervised as usual). Reset does not
// wait, and does nothing to an actor that has stopped; for the live view's control.
func (r Ref) Reset() {
	if r.n == nil || r.n.isRoot() {
		return
	}
	r.n.signal(ctlRestart, nil)
}
