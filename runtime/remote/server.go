package remote

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/actorgen/actorgen/runtime"
	"github.com/actorgen/actorgen/runtime/wire"
)

// handle serves one request to the node's subjects. Calls are parsed and checked here, on the
// subscription's goroutine, so that tells are delivered in the order they arrived; an ask is
// delivered and answered on a goroutine of its own, so that a slow handler holds up nobody else.
func (n *Node) handle(m Msg) {
	kind, rest, _ := strings.Cut(m.Subject[len(n.self):], ".")
	req, err := parseRequest(m.Data)
	if err != nil {
		n.respond(m, stBad, err.Error())
		return
	}
	switch kind {
	case kindCall:
		n.call(m, req, rest)
	case kindWatch:
		n.watchReq(m, rest)
	case kindStop:
		n.stopReq(m, req, rest)
	default:
		n.respond(m, stBad, fmt.Sprintf("remote: node %s: no request of kind %q", n.name, kind))
	}
}

// resolverFor returns the resolver of the refs in messages from the node named sender, made
// once per sender: a cluster has few nodes, and a request then allocates none.
func (n *Node) resolverFor(sender []byte) *resolver {
	n.rmu.RLock()
	r := n.resolvers[string(sender)]
	n.rmu.RUnlock()
	if r != nil {
		return r
	}
	r = &resolver{n: n, from: string(sender)}
	n.rmu.Lock()
	if len(n.resolvers) < maxResolvers {
		n.resolvers[r.from] = r
	}
	n.rmu.Unlock()
	return r
}

// maxResolvers bounds the resolvers a node keeps, whatever senders claim to be.
const maxResolvers = 1024

// respond answers a request with an error status, if it has a reply subject.
func (n *Node) respond(m Msg, st byte, text string) {
	if m.Reply == "" {
		if st != stOK {
			n.log.Debug("remote: dropped a tell", "subject", m.Subject, "err", text)
		}
		return
	}
	bp := n.getBuf()
	*bp = appendStatus(*bp, st, text)
	_ = n.t.Publish(m.Reply, "", nil, *bp)
	n.putBuf(bp)
}

// find returns the exported actor at the path of a subject's tokens, or answers that there is
// none.
func (n *Node) find(m Msg, tokens string) (*export, runtime.Ref, bool) {
	e, ref, ok := n.lookup(tokens)
	if ok {
		return e, ref, true
	}
	path, err := tokensPath(tokens)
	if err != nil {
		n.respond(m, stBad, err.Error())
		return nil, runtime.Ref{}, false
	}
	n.respond(m, stUnknown, fmt.Sprintf("node %s exports no actor %s", n.name, path))
	return nil, runtime.Ref{}, false
}

func (n *Node) call(m Msg, req request, rest string) {
	typ, rest, _ := strings.Cut(rest, ".")
	meth, tokens, _ := strings.Cut(rest, ".")
	e, ref, ok := n.find(m, tokens)
	if !ok {
		return
	}
	if e.b.name() != typ {
		n.respond(m, stUnknown, fmt.Sprintf("actor %s on node %s is a %s, not a %s", ref.Path(), n.name, e.b.name(), typ))
		return
	}
	i, ok := e.b.methodIndex(meth)
	if !ok {
		n.respond(m, stSchema, fmt.Sprintf("%s.%s: node %s has no such method", typ, meth, n.name))
		return
	}
	md := e.b.method(i)
	if md.Schema != req.schema {
		n.respond(m, stSchema, wire.CheckSchema(typ+"."+meth, md.Schema, req.schema).Error())
		return
	}
	tell := req.kind == reqTell || req.kind == reqTells
	if tell != md.Tell || (req.kind != reqAsk && !tell) {
		n.respond(m, stSchema, fmt.Sprintf("%s.%s: a request of kind %d for a method that is %s", typ, meth, req.kind, map[bool]string{true: "a tell", false: "an ask"}[md.Tell]))
		return
	}
	if req.kind == reqTells {
		n.tellPacked(m, req, e, ref, i)
		return
	}
	if md.Tell {
		n.tellOne(n.extract(context.Background(), m.Header), e, ref, i, req.body, n.resolverFor(req.sender))
		return
	}
	s, _ := n.served.Get().(*served)
	if s == nil {
		s = new(served)
	}
	*s = served{m: m, e: e, ref: ref, i: i, timeout: req.timeout, d: wire.NewDecoder(req.body)}
	s.d.Refs = n.resolverFor(req.sender)
	n.dispatch(s)
}

// tellOne delivers one tell to the local actor; what goes wrong is logged at Debug and
// dropped, as a local tell's error is.
func (n *Node) tellOne(ctx context.Context, e *export, ref runtime.Ref, i int, body []byte, refs *resolver) {
	d := n.getDecoder(body, refs)
	if _, err := e.b.serve(ctx, ref, i, d, nil); err != nil {
		n.log.Debug("remote: a tell was not delivered", "method", e.b.qual(i), "path", ref.Path(), "err", err)
	}
	n.putDecoder(d)
}

// tellPacked delivers the packed tells of a reqTells request, in order; a body that does not split
// ends the rest.
func (n *Node) tellPacked(m Msg, req request, e *export, ref runtime.Ref, i int) {
	refs := n.resolverFor(req.sender)
	ctx := n.extract(context.Background(), m.Header)
	for rest := req.body; len(rest) > 0; {
		body, after, err := nextTell(rest)
		if err != nil {
			n.log.Debug("remote: packed tells not delivered", "method", e.b.qual(i), "path", ref.Path(), "err", err)
			return
		}
		n.tellOne(ctx, e, ref, i, body, refs)
		rest = after
	}
}

// maxIdleServers bounds the goroutines a node keeps for the asks to come.
const maxIdleServers = 32

// servers are the goroutines that serve asks, kept when they are done, up to maxIdleServers,
// for the next asks: a fresh goroutine's stack grows, by copying, through the generated
// binding's Serve and the runtime's Ask, which was a third of an ask's CPU on a MemNet.
type servers struct {
	mu     sync.Mutex
	idle   []chan *served // last in, first out: the warmest stack first
	closed bool
}

// dispatch serves s on an idle server, or on a new one: an ask never waits for another.
func (n *Node) dispatch(s *served) {
	n.servers.mu.Lock()
	if k := len(n.servers.idle); k > 0 {
		next := n.servers.idle[k-1]
		n.servers.idle = n.servers.idle[:k-1]
		n.servers.mu.Unlock()
		next <- s // buffered 1: the server is waiting on it, or about to
		return
	}
	n.servers.mu.Unlock()
	go n.serveAsks(s)
}

// serveAsks serves s, then the asks dispatch gives it, until the node closes or enough
// servers are idle.
func (n *Node) serveAsks(s *served) {
	var next chan *served
	for s != nil {
		n.ask(s)
		n.servers.mu.Lock()
		if n.servers.closed || len(n.servers.idle) >= maxIdleServers {
			n.servers.mu.Unlock()
			return
		}
		if next == nil {
			next = make(chan *served, 1)
		}
		n.servers.idle = append(n.servers.idle, next)
		n.servers.mu.Unlock()
		s = <-next // nil once the node closes
	}
}

// closeServers ends the idle servers; the busy ones end after their ask.
func (n *Node) closeServers() {
	n.servers.mu.Lock()
	n.servers.closed = true
	for _, next := range n.servers.idle {
		close(next)
	}
	n.servers.idle = nil
	n.servers.mu.Unlock()
}

// served is an ask being served, what its goroutine needs: pooled, so that an ask's request
// and decoder cost no allocation of their own.
type served struct {
	m       Msg
	e       *export
	ref     runtime.Ref
	i       int
	timeout time.Duration
	d       wire.Decoder
}

// getDecoder returns a pooled decoder of data.
func (n *Node) getDecoder(data []byte, refs wire.RefResolver) *wire.Decoder {
	d, _ := n.decoders.Get().(*wire.Decoder)
	if d == nil {
		d = new(wire.Decoder)
	}
	*d = wire.NewDecoder(data)
	d.Refs = refs
	return d
}

func (n *Node) putDecoder(d *wire.Decoder) {
	*d = wire.Decoder{}
	n.decoders.Put(d)
}

// ask delivers an ask to the local actor and publishes the answer.
func (n *Node) ask(s *served) {
	defer func() {
		*s = served{}
		n.served.Put(s)
	}()
	m, e, i := s.m, s.e, s.i
	ctx, cancel := withTimeout(n.asks, s.timeout)
	defer cancel()
	ctx = n.extract(ctx, m.Header)
	bp := n.getBuf()
	defer n.putBuf(bp)
	b := append(*bp, stOK)
	b, err := e.b.serve(ctx, s.ref, i, &s.d, b)
	if n.asks.Err() != nil && err == nil {
		// The node closed while the handler ran, cancelling its ctx: what it answered is most
		// likely that, so the caller hears that the node went away.
		err = context.Canceled
	}
	if err != nil {
		b = n.errorReply(b[:0], e.b.qual(i), err, e.b.sentinels())
	} else if max := n.t.MaxPayload(); max > 0 && len(b) > max {
		b = appendStatus(b[:0], stBad, fmt.Sprintf("%s: the reply is %d bytes, over the transport's maximum of %d", e.b.qual(i), len(b), max))
	}
	*bp = b
	if m.Reply == "" {
		return
	}
	if err := n.t.Publish(m.Reply, "", nil, b); err != nil {
		n.log.Debug("remote: an answer was not sent", "method", e.b.qual(i), "err", err)
	}
}

// errorReply encodes the error of delivering a call as a reply.
func (n *Node) errorReply(b []byte, qual string, err error, known wire.Sentinels) []byte {
	var bad *badMessage
	var fault *runtime.FaultError
	switch {
	case errors.As(err, &bad):
		return appendStatus(b, stBad, fmt.Sprintf("%s: %v", qual, bad.err))
	case errors.As(err, &fault):
		return appendFault(b, fault, known)
	case n.asks.Err() != nil && errors.Is(err, context.Canceled):
		return appendStatus(b, stGone, fmt.Sprintf("node %s closed while the handler ran: %v", n.name, err))
	case errors.Is(err, runtime.ErrNotDelivered):
		return appendStatus(b, stExpired, err.Error())
	case errors.Is(err, runtime.ErrMailboxFull):
		return appendStatus(b, stFull, err.Error())
	case errors.Is(err, runtime.ErrStopped):
		return appendStatus(b, stStopped, err.Error())
	case errors.Is(err, runtime.ErrNoReply):
		return appendStatus(b, stNoReply, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return appendStatus(b, stDeadline, err.Error())
	}
	return appendStatus(b, stError, err.Error())
}

// watchReq answers a watch request with the actor's state, and publishes its stop later.
func (n *Node) watchReq(m Msg, tokens string) {
	e, ref, ok := n.find(m, tokens)
	if !ok {
		return
	}
	bp := n.getBuf()
	defer n.putBuf(bp)
	if err := ref.Err(); err != nil {
		*bp = stopEvent(*bp, err, e.b.sentinels())
		_ = n.t.Publish(m.Reply, "", nil, *bp)
		return
	}
	n.mu.Lock()
	start := !n.watching[tokens] && !n.closed
	if start {
		n.watching[tokens] = true
		n.wg.Add(1)
	}
	n.mu.Unlock()
	if start {
		go n.publishStop(ref, tokens, e.b.sentinels())
	}
	*bp = append((*bp)[:0], stOK)
	_ = n.t.Publish(m.Reply, "", nil, *bp)
}

// stopEvent encodes the stop of an actor whose Err is err.
func stopEvent(b []byte, err error, known wire.Sentinels) []byte {
	var fault *runtime.FaultError
	if errors.As(err, &fault) {
		return appendFault(b[:0], fault, known)
	}
	return appendStatus(b[:0], stStopped, err.Error())
}

// appendFault appends a fault's status and its value, as an error that keeps the sentinels of
// known.
func appendFault(b []byte, fault *runtime.FaultError, known wire.Sentinels) []byte {
	b = append(b, stFault)
	v, ok := fault.Value.(error)
	if !ok {
		v = errors.New(fmt.Sprint(fault.Value))
	}
	return wire.AppendError(b, v, known)
}

// extract returns ctx with what a request's header carries.
func (n *Node) extract(ctx context.Context, h Header) context.Context {
	if n.prop == nil || h == nil {
		return ctx
	}
	return n.prop.Extract(ctx, h)
}

// withTimeout is ctx with a timeout of d, or ctx itself for d ≤ 0 (no deadline travelled).
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}

// publishStop waits for the actor to stop and publishes it to its watchers.
func (n *Node) publishStop(ref runtime.Ref, tokens string, known wire.Sentinels) {
	defer n.wg.Done()
	select {
	case <-ref.Done():
	case <-n.stop:
		return
	}
	n.mu.Lock()
	delete(n.watching, tokens)
	n.mu.Unlock()
	_ = n.t.Publish(n.eventSubject(n.name, tokens), "", nil, stopEvent(nil, ref.Err(), known))
}

// stopReq stops an actor exported with AllowStop, and answers once it has stopped.
func (n *Node) stopReq(m Msg, req request, tokens string) {
	e, ref, ok := n.find(m, tokens)
	if !ok {
		return
	}
	if !e.allowStop {
		n.respond(m, stRefused, fmt.Sprintf("actor %s on node %s is not exported with AllowStop", ref.Path(), n.name))
		return
	}
	go func() {
		ctx, cancel := withTimeout(context.Background(), req.timeout)
		defer cancel()
		if err := ref.Stop(ctx); err != nil {
			n.respond(m, stError, err.Error())
			return
		}
		n.respond(m, stOK, "")
	}()
}
