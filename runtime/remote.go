package runtime

import (
	"context"
	"errors"
	"sync"
)

// RemoteSender is the far end of an actor on another node, as a transport provides it
// (package runtime/remote does): it sends the actor's messages over the wire. RemoteActor turns
// one into an Actor, so that the same generated XRef works whether its actor is local or remote.
type RemoteSender[M any] interface {
	// Path returns the actor's address, its node's name, a colon and its path there:
	// "eu1:/directory/alice".
	Path() string
	// Tell sends msg, at most once.
	Tell(ctx context.Context, msg M) error
	// Ask sends msg and decodes the reply into reply, a pointer to the reply type the generated
	// code asks for (such as *BookCreateReply).
	Ask(ctx context.Context, msg M, reply any) error
	// Stop asks the remote actor to stop and waits until it has, or ctx is done.
	Stop(ctx context.Context) error
	// Watch is called once, the first time Done or Err of the actor's Ref is called: from then
	// on the transport reports the actor's stop with the function RemoteActor returned.
	Watch()
}

// remoteEnd is a *remoteActor without its message type: what a Ref needs.
type remoteEnd interface {
	Path() string
	Stop(ctx context.Context) error
	watch()
}

// remoteActor is the handle of an actor on another node. Its mailbox is a proxy that an Actor
// points to as to a local one, so that an Actor stays one pointer: a node of no system (sys is
// nil) whose status is never running, so that send's not-running branch is the only place that
// looks for it: send hands a tell to s itself, and turns an ask away with errRemote for Ask to
// send over s; the transport sets its Err and Done through remoteStopped; its rare.remote is the
// remoteActor.
type remoteActor[M any] struct {
	mailbox[M]
	s       RemoteSender[M]
	watched sync.Once
}

// errRemote is what send returns for an ask to the proxy mailbox of a remote actor: Ask sends
// it over the transport. It never reaches users.
var errRemote = errors.New("runtime: a remote actor's proxy mailbox")

// remote returns the remoteActor whose proxy mailbox a is; a is one (its sys is nil).
func (a *mailbox[M]) remote() *remoteActor[M] { return a.rare.remote.(*remoteActor[M]) }

// RemoteActor returns the typed handle of an actor on another node, whose messages s sends,
// and the function that reports its stop: once called (only the first call counts), the Ref's
// Done is closed and its Err returns err (ErrStopped for a normal stop, the remote fault, or
// the transport's error for a node that was lost). Tell and Ask on the handle call s; its Ref's
// Path, Stop, Done and Err too. name is the actor's name (the last element of its path).
func RemoteActor[M any](name string, s RemoteSender[M]) (Actor[M], func(err error)) {
	b := &remoteActor[M]{s: s}
	b.name, b.status = name, stopping // never running: see remoteActor
	b.extra().remote = b
	return Actor[M]{m: &b.mailbox}, b.remoteStopped
}

// IsRemote reports whether r is the Ref of an actor on another node (made by RemoteActor).
func (r Ref) IsRemote() bool { return r.n != nil && r.n.sys == nil }

func (b *remoteActor[M]) Path() string                   { return b.s.Path() }
func (b *remoteActor[M]) Stop(ctx context.Context) error { return b.s.Stop(ctx) }
func (b *remoteActor[M]) watch()                         { b.watched.Do(b.s.Watch) }

// remoteAsk is Ask for an actor on another node.
func remoteAsk[M, R any](ctx context.Context, b *remoteActor[M], msg M) (R, error) {
	var rep R
	err := b.s.Ask(ctx, msg, &rep)
	return rep, err
}

// remoteActorOf is ActorOf for the Ref of an actor on another node.
func remoteActorOf[M any](n *node) (Actor[M], bool) {
	if n == nil || n.sys != nil {
		return Actor[M]{}, false
	}
	b, ok := n.rare.remote.(*remoteActor[M])
	if !ok {
		return Actor[M]{}, false
	}
	return Actor[M]{m: &b.mailbox}, true
}

// remoteWatch tells the transport, once, that the remote actor's stop is wanted.
func (n *node) remoteWatch() { n.rare.remote.watch() }

// remoteStopped marks the proxy node of a remote actor stopped with err.
func (n *node) remoteStopped(err error) {
	if err == nil {
		err = ErrStopped
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.status == stopped {
		return
	}
	n.status, n.err = stopped, err
	if n.done != nil {
		close(n.done)
	}
}

// ChildOf returns the child named name of the actor r refers to, and true if it has one. It is
// what a transport uses to reach the children of an exported actor as they are spawned.
func ChildOf(r Ref, name string) (Ref, bool) {
	if r.n == nil || r.n.sys == nil {
		return Ref{}, false
	}
	r.n.mu.Lock()
	c, ok := r.n.children[name]
	r.n.mu.Unlock()
	if !ok {
		return Ref{}, false
	}
	return Ref{c}, true
}
