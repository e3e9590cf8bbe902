package agnats

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go"

	"github.com/actorgen/actorgen/runtime/remote"
)

// link is the node's remote.Transport: it sends on the *nats.Conn that the conn actor owns
// while the link is up, and fails at once while it is down. It keeps the node's subscriptions
// and puts them on every new connection.
//
// Calls read the link's state with one atomic load: state is nil while the link is down, and is
// replaced, never changed, when the link comes up or goes down. mu serialises those changes and
// guards subs.
type link struct {
	state atomic.Pointer[upLink]
	max   atomic.Int64
	mu    sync.Mutex
	why   error // why it is down
	subs  map[*sub]struct{}
	// cut cancels the epoch of the current upLink (nil while down): its requests in flight.
	cut     context.CancelCauseFunc
	replies *replies // of the current connection, kept across a resume
	closed  bool
	version uint64 // counts connections, so that a late callback of an old one does nothing
}

// upLink is the link while it is up: its connection, and the epoch that ends, with an error
// matching remote.ErrLinkDown as its cause, when the link goes down.
type upLink struct {
	nc      *nats.Conn
	epoch   context.Context
	replies *replies
}

type sub struct {
	subject string
	handle  func(remote.Msg)
	ns      *nats.Subscription
}

var _ remote.Transport = (*link)(nil)

func newLink() *link {
	l := &link{subs: map[*sub]struct{}{}, why: errors.New("not connected yet")}
	l.max.Store(1 << 20)
	return l
}

// up makes nc the link's connection, subscribing the node's subjects and the replies on it,
// and returns the connection's number.
func (l *link) up(nc *nats.Conn) (uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, fmt.Errorf("%w: the node is stopping", remote.ErrLinkDown)
	}
	rs, err := newReplies(nc)
	if err != nil {
		return 0, err
	}
	off := func() {
		rs.off()
		for s := range l.subs {
			s.off()
		}
	}
	for s := range l.subs {
		if err := s.on(nc); err != nil {
			off()
			return 0, err
		}
	}
	if err := nc.Flush(); err != nil { // the server has the subscriptions before a call comes
		off()
		return 0, natsError(err)
	}
	if l.replies != nil {
		l.replies.off()
	}
	l.version++
	l.why, l.replies = nil, rs
	l.max.Store(nc.MaxPayload())
	l.goUp(nc)
	return l.version, nil
}

// goUp publishes the link's state for nc, with a fresh epoch; under mu.
func (l *link) goUp(nc *nats.Conn) {
	epoch, cut := context.WithCancelCause(context.Background())
	l.cut = cut
	l.state.Store(&upLink{nc: nc, epoch: epoch, replies: l.replies})
}

// goDown marks the link down with why, failing the requests in flight with cause; under mu.
func (l *link) goDown(why, cause error) {
	l.state.Store(nil)
	l.why = why
	if l.cut != nil {
		l.cut(cause)
		l.cut = nil
	}
}

// down marks the link down with why, failing the requests in flight, if version is still the
// current connection's.
func (l *link) down(version uint64, why error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if version != l.version || l.state.Load() == nil {
		return
	}
	l.goDown(why, fmt.Errorf("%w: %w: %w", remote.ErrLinkDown, remote.ErrUnconfirmed, why))
}

// resume marks the link up again on the same connection, which nats.go reconnected (and
// re-subscribed) within the grace period.
func (l *link) resume(version uint64, nc *nats.Conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if version != l.version || l.closed {
		return
	}
	l.why = nil
	l.goUp(nc)
}

// close marks the link down for good.
func (l *link) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	l.goDown(errors.New("the node stopped"), fmt.Errorf("%w: %w: the node is stopping", remote.ErrLinkDown, remote.ErrUnconfirmed))
	for s := range l.subs {
		s.off()
	}
	if l.replies != nil {
		l.replies.off()
		l.replies = nil
	}
}

// current returns the link's state while it is up.
func (l *link) current() (*upLink, error) {
	if u := l.state.Load(); u != nil {
		return u, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if u := l.state.Load(); u != nil {
		return u, nil
	}
	return nil, fmt.Errorf("%w: %w", remote.ErrLinkDown, l.why)
}

// replies are the requests of one connection waiting for their reply: one subscription,
// prefix + "*", receives them all and hands each to its request by the last token. It is
// nats.go's own request multiplexer without its context: a request waits on its ctx and on the
// link's epoch in one select, so it derives no context of its own.
type replies struct {
	prefix string // the inbox and a dot
	ns     *nats.Subscription
	next   atomic.Uint64

	mu      sync.Mutex
	waiting map[string]chan *nats.Msg // by token
	chans   sync.Pool                 // chan *nats.Msg, empty, that no reply can reach
}

func newReplies(nc *nats.Conn) (*replies, error) {
	rs := &replies{prefix: nc.NewInbox() + ".", waiting: map[string]chan *nats.Msg{}}
	ns, err := nc.Subscribe(rs.prefix+"*", rs.handle)
	if err != nil {
		return nil, fmt.Errorf("agnats: subscribe to replies: %w", natsError(err))
	}
	if err := ns.SetPendingLimits(-1, -1); err != nil {
		_ = ns.Unsubscribe()
		return nil, fmt.Errorf("agnats: subscribe to replies: %w", err)
	}
	rs.ns = ns
	return rs, nil
}

func (rs *replies) off() { _ = rs.ns.Unsubscribe() }

// add registers a request and returns the channel its reply comes on, its token and its
// reply subject.
func (rs *replies) add() (ch chan *nats.Msg, token, inbox string) {
	ch, _ = rs.chans.Get().(chan *nats.Msg)
	if ch == nil {
		ch = make(chan *nats.Msg, 1)
	}
	var buf [96]byte
	b := append(buf[:0], rs.prefix...)
	b = strconv.AppendUint(b, rs.next.Add(1), 36)
	inbox = string(b)
	token = inbox[len(rs.prefix):]
	rs.mu.Lock()
	rs.waiting[token] = ch
	rs.mu.Unlock()
	return ch, token, inbox
}

// done is called when a request has its reply from ch: ch goes back to the pool.
func (rs *replies) done(ch chan *nats.Msg) { rs.chans.Put(ch) }

// remove withdraws the request of token, which gave up waiting; its channel is reused only if
// no reply can still come on it.
func (rs *replies) remove(ch chan *nats.Msg, token string) {
	rs.mu.Lock()
	_, waiting := rs.waiting[token]
	delete(rs.waiting, token)
	rs.mu.Unlock()
	if waiting {
		rs.chans.Put(ch)
	}
}

// handle hands a reply to its request, if it still waits; only the first reply counts.
func (rs *replies) handle(m *nats.Msg) {
	token := m.Subject[min(len(rs.prefix), len(m.Subject)):]
	rs.mu.Lock()
	ch := rs.waiting[token]
	delete(rs.waiting, token)
	rs.mu.Unlock()
	if ch != nil {
		ch <- m // buffered 1, and only sent to once
	}
}

// natsError maps the errors of nats.go to the transport's.
func natsError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, nats.ErrNoResponders):
		return fmt.Errorf("%w: %w", remote.ErrUnreachable, err)
	case errors.Is(err, nats.ErrMaxPayload):
		return fmt.Errorf("%w: %w", remote.ErrTooLarge, err)
	case errors.Is(err, nats.ErrReconnectBufExceeded), errors.Is(err, nats.ErrConnectionClosed),
		errors.Is(err, nats.ErrConnectionReconnecting), errors.Is(err, nats.ErrDisconnected),
		errors.Is(err, nats.ErrConnectionDraining):
		return fmt.Errorf("%w: %w", remote.ErrLinkDown, err)
	}
	return err
}

// MaxPayload implements remote.Transport: the server's max_payload.
func (l *link) MaxPayload() int { return int(l.max.Load()) }

// Publish implements remote.Transport.
func (l *link) Publish(subject, reply string, h remote.Header, data []byte) error {
	u, err := l.current()
	if err != nil {
		return err
	}
	return natsError(publish(u.nc, subject, reply, h, data))
}

// publish publishes data to subject, with the header h if it is not nil: a message without
// one goes out as a plain PUB, which the server parses faster than an HPUB. A server too old
// for headers gets the message without them: the trace context is lost, the call is not.
func publish(nc *nats.Conn, subject, reply string, h remote.Header, data []byte) error {
	switch {
	case h != nil && nc.HeadersSupported():
		return nc.PublishMsg(&nats.Msg{Subject: subject, Reply: reply, Header: nats.Header(h), Data: data})
	case reply == "":
		return nc.Publish(subject, data)
	}
	return nc.PublishRequest(subject, reply, data)
}

// Request implements remote.Transport: a no-responders answer is ErrUnreachable at once, and
// the link going down fails the request at once.
func (l *link) Request(ctx context.Context, subject string, h remote.Header, data []byte) ([]byte, error) {
	u, err := l.current()
	if err != nil {
		return nil, err
	}
	ch, token, inbox := u.replies.add()
	if err := publish(u.nc, subject, inbox, h, data); err != nil {
		u.replies.remove(ch, token)
		return nil, natsError(err)
	}
	select {
	case m := <-ch:
		u.replies.done(ch)
		if len(m.Data) == 0 && m.Header.Get("Status") == noResponders {
			return nil, fmt.Errorf("%w: %w", remote.ErrUnreachable, nats.ErrNoResponders)
		}
		return m.Data, nil
	case <-ctx.Done():
		u.replies.remove(ch, token)
		return nil, context.Cause(ctx)
	case <-u.epoch.Done():
		u.replies.remove(ch, token)
		return nil, context.Cause(u.epoch)
	}
}

// noResponders is the status the server answers a request with when nobody subscribes to
// its subject.
const noResponders = "503"

// Subscribe implements remote.Transport. Pending limits are off: a subscription never drops a
// message as a slow consumer.
func (l *link) Subscribe(subject string, handle func(remote.Msg)) (func(), error) {
	s := &sub{subject: subject, handle: handle}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, fmt.Errorf("%w: the node is stopping", remote.ErrLinkDown)
	}
	if u := l.state.Load(); u != nil {
		if err := s.on(u.nc); err != nil {
			return nil, err
		}
		// The server has the subscription before the caller sends what it waits for (a watch
		// request, after subscribing to the actor's events).
		_ = u.nc.Flush()
	}
	l.subs[s] = struct{}{}
	return func() {
		l.mu.Lock()
		delete(l.subs, s)
		s.off()
		l.mu.Unlock()
	}, nil
}

func (s *sub) on(nc *nats.Conn) error {
	ns, err := nc.Subscribe(s.subject, func(m *nats.Msg) {
		s.handle(remote.Msg{Subject: m.Subject, Reply: m.Reply, Header: remote.Header(m.Header), Data: m.Data})
	})
	if err != nil {
		return fmt.Errorf("agnats: subscribe %s: %w", s.subject, natsError(err))
	}
	if err := ns.SetPendingLimits(-1, -1); err != nil {
		_ = ns.Unsubscribe()
		return fmt.Errorf("agnats: subscribe %s: %w", s.subject, err)
	}
	s.ns = ns
	return nil
}

func (s *sub) off() {
	if s.ns != nil {
		_ = s.ns.Unsubscribe()
		s.ns = nil
	}
}
