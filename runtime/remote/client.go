package remote

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/actorgen/actorgen/runtime"
	"github.com/actorgen/actorgen/runtime/wire"
)

// ErrUnknownActor is the error of a call to an actor that its node does not export, or that
// does not exist there. It matches runtime.ErrStopped: the handler never got the message.
var ErrUnknownActor = fmt.Errorf("remote: actor not exported or unknown: %w", runtime.ErrStopped)

// Dial returns the typed handle of the actor at path (such as "/directory/alice") on the node
// named node, whose interface b describes. It does not reach the node: a call finds out whether
// the actor is there, and fails at once if it is not. Generated code wraps it as DialX.
func Dial[M any](n *Node, b Binding[M], node, path string) (runtime.Actor[M], error) {
	bb, err := bindingOf(n, b)
	if err != nil {
		return runtime.Actor[M]{}, err
	}
	return dial(n, bb, node, path)
}

func dial[M any](n *Node, b *binding[M], node, path string) (runtime.Actor[M], error) {
	if err := validNode("node", node); err != nil {
		return runtime.Actor[M]{}, err
	}
	tokens, err := pathTokens(path)
	if err != nil {
		return runtime.Actor[M]{}, err
	}
	r := &remoteActor[M]{n: n, b: b, node: node, path: path, tokens: tokens, addr: node + ":" + path,
		refs: &resolver{n: n, from: node}}
	r.subjects = make([]string, len(b.methods))
	r.quals = make([]string, len(b.methods))
	for i, m := range b.methods {
		r.subjects[i] = n.subject(node, kindCall, b.short+"."+m.Name, tokens)
		r.quals[i] = b.short + "." + m.Name
	}
	_, name := parentOf(path)
	a, stopped := runtime.RemoteActor[M](name, r)
	r.stopped = stopped
	return a, nil
}

// WireRef is the address of the actor ref refers to, for a message: its node (empty for an
// actor of this node, which the receiver knows as the sender), its path and typ, the interface.
// Generated refs of //actor:remote interfaces implement wire.WireRefer with it.
func WireRef(ref runtime.Ref, typ string) wire.Ref {
	p := ref.Path()
	if ref.IsRemote() {
		node, path, _ := strings.Cut(p, ":")
		return wire.Ref{Node: node, Path: path, Type: typ}
	}
	return wire.Ref{Path: p, Type: typ}
}

// remoteActor is the far end of an actor on another node: runtime.RemoteActor's sender.
type remoteActor[M any] struct {
	n                  *Node
	b                  *binding[M]
	node, path, tokens string
	addr               string    // node:path
	subjects, quals    []string  // by method
	refs               *resolver // of the refs in the replies
	stopped            func(error)
}

func (r *remoteActor[M]) Path() string { return r.addr }

// request encodes msg in a pooled buffer, with the envelope's head, and returns the request,
// the length of its head and the method's index.
func (r *remoteActor[M]) request(bp *[]byte, ctx context.Context, msg M, ask bool) ([]byte, int, int, error) {
	b := appendRequest(*bp, reqAsk, 0, timeLeft(ctx), r.n.name)
	head := len(b)
	b, i, err := r.b.b.Encode(b, msg)
	*bp = b
	if err != nil {
		return nil, 0, -1, fmt.Errorf("remote: %s: encoding the message: %w", r.addr, err)
	}
	m := r.b.methods[i]
	verb := "ask"
	if !ask {
		verb = "tell"
	}
	if m.Tell == ask {
		return nil, 0, i, fmt.Errorf("remote: %s %s %s: the method is a %s", verb, r.addr, r.quals[i], map[bool]string{true: "tell", false: "ask"}[m.Tell])
	}
	if !ask {
		b[1] = reqTell
	}
	binary.LittleEndian.PutUint32(b[2:6], m.Schema)
	if max := r.n.t.MaxPayload(); max > 0 && len(b) > max {
		return nil, 0, i, fmt.Errorf("remote: %s %s %s: %w: %d bytes, the transport carries %d at most", verb, r.addr, r.quals[i], ErrTooLarge, len(b), max)
	}
	return b, head, i, nil
}

// inject returns the header that carries what the caller's ctx holds across the wire (a
// sampled trace's context), or nil: most messages carry none.
func (n *Node) inject(ctx context.Context) Header {
	if n.prop == nil {
		return nil
	}
	return n.prop.Inject(ctx)
}

// timeLeft is the time ctx has left, for the request's envelope: 0 for none, and at least 1 ns
// when it has a deadline, even one that has passed.
func timeLeft(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return max(time.Until(dl), 1)
	}
	return 0
}

// Tell sends msg at most once: an error says it was not sent (link down, too large, not
// encodable); a nil error does not say it arrived. Tells told in quick succession are packed
// (tells.go).
func (r *remoteActor[M]) Tell(ctx context.Context, msg M) error {
	bp := r.n.getBuf()
	defer r.n.putBuf(bp)
	b, head, i, err := r.request(bp, ctx, msg, false)
	if err != nil {
		return err
	}
	if err := r.n.tell(r.subjects[i], r.n.inject(ctx), b, head); err != nil {
		return fmt.Errorf("remote: tell %s %s: %w", r.addr, r.quals[i], err)
	}
	return nil
}

// Ask sends msg and decodes the reply into reply.
func (r *remoteActor[M]) Ask(ctx context.Context, msg M, reply any) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("remote: ask %s: %w: %w", r.addr, runtime.ErrNotDelivered, err)
	}
	bp := r.n.getBuf()
	defer r.n.putBuf(bp)
	b, _, i, err := r.request(bp, ctx, msg, true)
	if err != nil {
		return err
	}
	r.n.flushBefore()
	p, err := r.n.peerFor(r.node)
	if err != nil {
		return fmt.Errorf("remote: ask %s %s: %w", r.addr, r.quals[i], err)
	}
	// The request waits on the caller's ctx and on the peer's liveness. A ctx that can never be
	// done adds nothing to the peer's, which is then the request's as it is: most asks derive
	// no context at all.
	pctx := p.current()
	actx := pctx
	var cancel context.CancelCauseFunc
	var stop func() bool
	if ctx.Done() != nil {
		actx, cancel = context.WithCancelCause(ctx)
		stop = context.AfterFunc(pctx, func() { cancel(context.Cause(pctx)) })
	}
	data, err := r.n.t.Request(actx, r.subjects[i], r.n.inject(ctx), b)
	if cancel != nil {
		stop()
		cancel(nil)
	}
	if err != nil {
		return r.askError(ctx, actx, i, err)
	}
	st, text, body, err := parseStatus(data)
	if err != nil {
		return fmt.Errorf("remote: ask %s %s: %w", r.addr, r.quals[i], err)
	}
	if st != stOK {
		return statusError(st, text, body, "ask "+r.addr+" "+r.quals[i], r.addr, r.b.sentinels())
	}
	dec, ok := reply.(interface{ DecodeWire(*wire.Decoder) error })
	if !ok {
		return fmt.Errorf("remote: ask %s %s: a reply of type %T cannot be decoded", r.addr, r.quals[i], reply)
	}
	d := r.n.getDecoder(body, r.refs)
	err = dec.DecodeWire(d)
	r.n.putDecoder(d)
	if err != nil {
		return fmt.Errorf("remote: ask %s %s: %w: the reply: %w", r.addr, r.quals[i], ErrBadMessage, err)
	}
	return nil
}

// askError is the error of a request that failed: the peer was declared down, ctx ended, or
// the transport failed.
func (r *remoteActor[M]) askError(ctx, actx context.Context, i int, err error) error {
	what := "ask " + r.addr + " " + r.quals[i]
	switch cause := context.Cause(actx); {
	case errors.Is(cause, ErrUnconfirmed):
		return fmt.Errorf("remote: %s: %w", what, cause)
	case errors.Is(cause, ErrNodeDown):
		return fmt.Errorf("remote: %s: %w: %w", what, ErrUnconfirmed, cause)
	}
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("remote: %s: %w: %w (the request was sent)", what, ErrUnconfirmed, cerr)
	}
	return fmt.Errorf("remote: %s: %w", what, err)
}

// statusError is the error a reply's status stands for.
func statusError(st byte, text string, body []byte, what, addr string, known wire.Sentinels) error {
	switch st {
	case stFault:
		d := wire.NewDecoder(body)
		v, err := d.Error(wire.Bytes, known)
		if err != nil || v == nil {
			v = errors.New("a panic whose value did not arrive")
		}
		return &runtime.FaultError{Path: addr, Value: v}
	case stStopped:
		return fmt.Errorf("remote: %s: %w", what, runtime.ErrStopped)
	case stUnknown:
		return fmt.Errorf("remote: %s: %w (%s)", what, ErrUnknownActor, text)
	case stFull:
		return fmt.Errorf("remote: %s: %w", what, runtime.ErrMailboxFull)
	case stExpired:
		return fmt.Errorf("remote: %s: %w: %w (the deadline passed before the handler got it)", what, runtime.ErrNotDelivered, context.DeadlineExceeded)
	case stDeadline:
		return fmt.Errorf("remote: %s: %w (while the handler ran)", what, context.DeadlineExceeded)
	case stNoReply:
		return fmt.Errorf("remote: %s: %w", what, runtime.ErrNoReply)
	case stSchema:
		return fmt.Errorf("remote: %s: %w: %s", what, wire.ErrSchema, text)
	case stBad:
		return fmt.Errorf("remote: %s: %w: %s", what, ErrBadMessage, text)
	case stGone:
		return fmt.Errorf("remote: %s: %w: %w: %s", what, ErrUnconfirmed, ErrNodeDown, text)
	case stRefused:
		return fmt.Errorf("remote: %s: %w: %s", what, ErrRefused, text)
	}
	return fmt.Errorf("remote: %s: %s", what, text)
}

// Stop asks the serving node to stop the actor (it must have been exported with AllowStop)
// and waits for the answer, which comes once it has stopped.
func (r *remoteActor[M]) Stop(ctx context.Context) error {
	b := appendRequest(nil, reqStop, 0, timeLeft(ctx), r.n.name)
	r.n.flushBefore() // the tells told before the stop are handled before it
	data, err := r.n.t.Request(ctx, r.n.subject(r.node, kindStop, "", r.tokens), nil, b)
	if err != nil {
		return fmt.Errorf("remote: stop %s: %w", r.addr, err)
	}
	st, text, body, err := parseStatus(data)
	if err != nil {
		return fmt.Errorf("remote: stop %s: %w", r.addr, err)
	}
	if st != stOK {
		err := statusError(st, text, body, "stop "+r.addr, r.addr, r.b.sentinels())
		if errors.Is(err, runtime.ErrStopped) && !errors.Is(err, ErrUnknownActor) {
			r.stopped(runtime.ErrStopped)
			return nil
		}
		return err
	}
	r.stopped(runtime.ErrStopped)
	return nil
}

// Watch starts watching the actor: its stop, a fault or the loss of its node stops the Ref.
func (r *remoteActor[M]) Watch() {
	r.n.mu.Lock()
	closed := r.n.closed
	if !closed {
		r.n.wg.Add(1)
	}
	r.n.mu.Unlock()
	if closed {
		r.stopped(fmt.Errorf("remote: watch %s: %w: node %s is closed", r.addr, ErrLinkDown, r.n.name))
		return
	}
	go r.watch()
}

func (r *remoteActor[M]) watch() {
	defer r.n.wg.Done()
	done := make(chan struct{})
	lost := func(err error) {
		r.stopped(err)
		select {
		case <-done:
		default:
			close(done)
		}
	}
	unsub, err := r.n.t.Subscribe(r.n.eventSubject(r.node, r.tokens), func(m Msg) {
		st, text, body, err := parseStatus(m.Data)
		if err != nil {
			return
		}
		lost(watchError(st, text, body, r.addr, r.b.sentinels()))
	})
	if err != nil {
		r.stopped(fmt.Errorf("remote: watch %s: %w", r.addr, err))
		return
	}
	defer unsub()
	p, err := r.n.peerFor(r.node)
	if err != nil {
		r.stopped(fmt.Errorf("remote: watch %s: %w", r.addr, err))
		return
	}
	p.watch(r, func(err error) { lost(fmt.Errorf("remote: %s: %w", r.addr, err)) })
	defer p.unwatch(r)
	ctx, cancel := context.WithTimeout(context.Background(), r.n.downAfter)
	data, err := r.n.t.Request(ctx, r.n.subject(r.node, kindWatch, "", r.tokens), nil, appendRequest(nil, reqWatch, 0, r.n.downAfter, r.n.name))
	cancel()
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w: no answer from node %s within %v", ErrNodeDown, r.node, r.n.downAfter)
		}
		lost(fmt.Errorf("remote: watch %s: %w", r.addr, err))
		return
	}
	st, text, body, err := parseStatus(data)
	if err != nil {
		lost(fmt.Errorf("remote: watch %s: %w", r.addr, err))
		return
	}
	if st != stOK {
		lost(watchError(st, text, body, r.addr, r.b.sentinels()))
		return
	}
	select {
	case <-done:
	case <-r.n.stop:
		r.stopped(fmt.Errorf("remote: %s: %w: node %s closed, so the actor is no longer watched", r.addr, ErrLinkDown, r.n.name))
	}
}

// watchError is the Err of a remote ref whose watch or event says it stopped.
func watchError(st byte, text string, body []byte, addr string, known wire.Sentinels) error {
	switch st {
	case stStopped:
		return runtime.ErrStopped
	case stFault:
		return statusError(st, text, body, "", addr, known)
	}
	return statusError(st, text, body, "watch "+addr, addr, known)
}

// resolver turns the refs inside messages that arrived from node from into working refs.
type resolver struct {
	n    *Node
	from string
}

// ResolveRef implements wire.RefResolver.
func (r *resolver) ResolveRef(ref wire.Ref) (any, error) {
	node := ref.Node
	if node == "" {
		node = r.from
	}
	r.n.mu.Lock()
	b := r.n.bindings[ref.Type]
	r.n.mu.Unlock()
	if b == nil {
		return nil, fmt.Errorf("remote: node %s does not know the interface %s (serve, dial or register it)", r.n.name, ref.Type)
	}
	if node == r.n.name {
		if _, local, ok := r.n.lookupPath(ref.Path); ok {
			if v, ok := b.wrap(local); ok {
				return v, nil
			}
		}
	}
	return b.dial(r.n, node, ref.Path)
}
