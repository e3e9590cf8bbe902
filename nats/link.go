package agnats

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"

	"github.com/actorgen/actorgen/runtime/remote"
)

// link is the node's remote.Transport: it sends on the *nats.Conn that the conn actor owns
// while the link is up, and fails at once while it is down. It keeps the node's subscriptions
// and puts them on every new connection.
type link struct {
	mu      sync.Mutex
	nc      *nats.Conn // nil while the link is down
	why     error      // why it is down
	epoch   context.Context
	cut     context.CancelCauseFunc // cancels epoch: the requests in flight on nc
	max     int
	subs    map[*sub]struct{}
	closed  bool
	version uint64 // counts connections, so that a late callback of an old one does nothing
}

type sub struct {
	subject string
	handle  func(remote.Msg)
	ns      *nats.Subscription
}

var _ remote.Transport = (*link)(nil)

func newLink() *link {
	l := &link{subs: map[*sub]struct{}{}, why: errors.New("not connected yet"), max: 1 << 20}
	l.epoch, l.cut = context.WithCancelCause(context.Background())
	l.cut(remote.ErrLinkDown)
	return l
}

// up makes nc the link's connection, subscribing the node's subjects on it, and returns the
// connection's number.
func (l *link) up(nc *nats.Conn) (uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, fmt.Errorf("%w: the node is stopping", remote.ErrLinkDown)
	}
	for s := range l.subs {
		if err := s.on(nc); err != nil {
			for s := range l.subs {
				s.off()
			}
			return 0, err
		}
	}
	if err := nc.Flush(); err != nil { // the server has the subscriptions before a call comes
		for s := range l.subs {
			s.off()
		}
		return 0, natsError(err)
	}
	l.version++
	l.nc, l.why = nc, nil
	l.max = int(nc.MaxPayload())
	l.epoch, l.cut = context.WithCancelCause(context.Background())
	return l.version, nil
}

// down marks the link down with why, failing the requests in flight, if version is still the
// current connection's.
func (l *link) down(version uint64, why error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if version != l.version || l.nc == nil {
		return
	}
	l.nc, l.why = nil, why
	l.cut(fmt.Errorf("%w: %w: %w", remote.ErrLinkDown, remote.ErrUnconfirmed, why))
}

// resume marks the link up again on the same connection, which nats.go reconnected (and
// re-subscribed) within the grace period.
func (l *link) resume(version uint64, nc *nats.Conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if version != l.version || l.closed {
		return
	}
	l.nc, l.why = nc, nil
	l.epoch, l.cut = context.WithCancelCause(context.Background())
}

// close marks the link down for good.
func (l *link) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.nc != nil {
		l.cut(fmt.Errorf("%w: %w: the node is stopping", remote.ErrLinkDown, remote.ErrUnconfirmed))
	}
	l.nc, l.why = nil, errors.New("the node stopped")
	for s := range l.subs {
		s.off()
	}
}

func (l *link) current() (*nats.Conn, context.Context, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.nc == nil {
		return nil, nil, fmt.Errorf("%w: %w", remote.ErrLinkDown, l.why)
	}
	return l.nc, l.epoch, nil
}

// natsError maps the errors of nats.go to the transport's.
func natsError(err error) error {
	switch {
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
func (l *link) MaxPayload() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.max
}

// Publish implements remote.Transport.
func (l *link) Publish(subject, reply string, data []byte) error {
	nc, _, err := l.current()
	if err != nil {
		return err
	}
	if reply == "" {
		err = nc.Publish(subject, data)
	} else {
		err = nc.PublishRequest(subject, reply, data)
	}
	return natsError(err)
}

// Request implements remote.Transport: a no-responders answer is ErrUnreachable at once, and
// the link going down fails the request at once.
func (l *link) Request(ctx context.Context, subject string, data []byte) ([]byte, error) {
	nc, epoch, err := l.current()
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(epoch, func() { cancel(context.Cause(epoch)) })
	m, err := nc.RequestWithContext(rctx, subject, data)
	stop()
	cause := context.Cause(rctx)
	cancel(nil)
	if err != nil {
		if ctx.Err() == nil && cause != nil && errors.Is(cause, remote.ErrLinkDown) {
			return nil, cause
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			if c := context.Cause(ctx); c != nil {
				return nil, c
			}
		}
		return nil, natsError(err)
	}
	return m.Data, nil
}

// Subscribe implements remote.Transport. Pending limits are off: a subscription never drops a
// message as a slow consumer.
func (l *link) Subscribe(subject string, handle func(remote.Msg)) (func(), error) {
	s := &sub{subject: subject, handle: handle}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, fmt.Errorf("%w: the node is stopping", remote.ErrLinkDown)
	}
	if l.nc != nil {
		if err := s.on(l.nc); err != nil {
			return nil, err
		}
		// The server has the subscription before the caller sends what it waits for (a watch
		// request, after subscribing to the actor's events).
		_ = l.nc.Flush()
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
		s.handle(remote.Msg{Subject: m.Subject, Reply: m.Reply, Data: m.Data})
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
