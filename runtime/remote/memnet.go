package remote

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// MemNet is an in-memory messaging system with NATS's subjects and semantics, for tests that
// run inside testing/synctest bubbles: every goroutine it starts blocks on channels only. Each
// node gets a MemConn, whose link can be taken down (SetDown: calls fail at once, its
// subscriptions stop counting as responders), cut off silently (SetPartitioned: messages to and
// from it vanish, as through a partition the broker has not noticed) or closed (a dead node).
type MemNet struct {
	mu         sync.Mutex
	subs       map[*memSub]struct{}
	inboxes    map[string]*memReq
	next       uint64
	maxPayload int
}

// NewMemNet returns an empty MemNet with NATS's default maximum payload, 1 MiB.
func NewMemNet() *MemNet {
	return &MemNet{subs: map[*memSub]struct{}{}, inboxes: map[string]*memReq{}, maxPayload: 1 << 20}
}

// SetMaxPayload sets the largest message, in bytes.
func (n *MemNet) SetMaxPayload(size int) {
	n.mu.Lock()
	n.maxPayload = size
	n.mu.Unlock()
}

// MemConn is one node's connection to a MemNet: a Transport.
type MemConn struct {
	net  *MemNet
	name string

	// guarded by net.mu
	down, partitioned, closed bool
	pending                   map[*memReq]struct{}
}

// memReq is a request waiting for its reply.
type memReq struct {
	from  *MemConn
	reply chan []byte   // buffered 1
	lost  chan struct{} // closed when the requester's link goes down
}

// memSub is a subscription: its queue is drained, in order, by a goroutine of its own.
type memSub struct {
	conn    *MemConn
	pattern []string
	handle  func(Msg)

	mu     sync.Mutex
	q      []Msg
	wake   chan struct{} // buffered 1
	closed bool
}

// Conn returns a new connection named name (used in inbox subjects only).
func (n *MemNet) Conn(name string) *MemConn {
	return &MemConn{net: n, name: name, pending: map[*memReq]struct{}{}}
}

var _ Transport = (*MemConn)(nil)

// MaxPayload implements Transport.
func (c *MemConn) MaxPayload() int {
	c.net.mu.Lock()
	defer c.net.mu.Unlock()
	return c.net.maxPayload
}

// SetDown takes the connection's link down (true) or brings it back (false). While it is down
// Publish and Request fail at once with ErrLinkDown, requests in flight fail too, and its
// subscriptions receive nothing and count as no responder; they are kept for when it is back.
func (c *MemConn) SetDown(down bool) {
	c.net.mu.Lock()
	c.down = down
	var lost []*memReq
	if down {
		for r := range c.pending {
			lost = append(lost, r)
			delete(c.pending, r)
		}
	}
	c.net.mu.Unlock()
	for _, r := range lost {
		close(r.lost)
	}
}

// SetPartitioned cuts the connection off silently (true) or heals it (false): what it sends and
// what is sent to it vanishes, but its subscriptions still count as responders.
func (c *MemConn) SetPartitioned(p bool) {
	c.net.mu.Lock()
	c.partitioned = p
	c.net.mu.Unlock()
}

// Close closes the connection for good, as a node that dies: its subscriptions go away (so that
// requests to them get no responders) and its requests in flight fail.
func (c *MemConn) Close() {
	c.SetDown(true)
	c.net.mu.Lock()
	c.closed = true
	var subs []*memSub
	for s := range c.net.subs {
		if s.conn == c {
			subs = append(subs, s)
		}
	}
	c.net.mu.Unlock()
	for _, s := range subs {
		s.stop()
	}
}

func (c *MemConn) state() error {
	switch {
	case c.closed:
		return fmt.Errorf("%w: connection %s is closed", ErrLinkDown, c.name)
	case c.down:
		return fmt.Errorf("%w: connection %s", ErrLinkDown, c.name)
	}
	return nil
}

// Subscribe implements Transport.
func (c *MemConn) Subscribe(subject string, handle func(Msg)) (func(), error) {
	s := &memSub{conn: c, pattern: strings.Split(subject, "."), handle: handle, wake: make(chan struct{}, 1)}
	c.net.mu.Lock()
	if c.closed {
		c.net.mu.Unlock()
		return nil, c.state()
	}
	c.net.subs[s] = struct{}{}
	c.net.mu.Unlock()
	go s.run()
	return s.stop, nil
}

func (s *memSub) stop() {
	s.conn.net.mu.Lock()
	delete(s.conn.net.subs, s)
	s.conn.net.mu.Unlock()
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.wake)
	}
	s.mu.Unlock()
}

func (s *memSub) push(m Msg) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.q = append(s.q, m)
	select {
	case s.wake <- struct{}{}:
	default:
	}
	s.mu.Unlock()
}

func (s *memSub) run() {
	for {
		s.mu.Lock()
		q := s.q
		s.q = nil
		closed := s.closed
		s.mu.Unlock()
		if closed {
			return
		}
		for _, m := range q {
			s.handle(m)
		}
		if _, ok := <-s.wake; !ok {
			return
		}
	}
}

// match reports whether the subject's tokens match the pattern's.
func match(pattern []string, subject string) bool {
	for i, p := range pattern {
		if p == ">" {
			return subject != ""
		}
		if subject == "" {
			return false
		}
		tok, rest, found := strings.Cut(subject, ".")
		if p != "*" && p != tok {
			return false
		}
		subject = rest
		if !found {
			return i == len(pattern)-1
		}
	}
	return false
}

// deliver hands a copy of data to every live subscription matching subject, under net.mu, and
// returns how many could receive it (a partitioned one counts, and receives nothing).
func (c *MemConn) deliver(subject, reply string, h Header, data []byte) (int, error) {
	n := c.net
	if err := c.state(); err != nil {
		return 0, err
	}
	if len(data) > n.maxPayload {
		return 0, fmt.Errorf("%w: %d bytes, the maximum is %d", ErrTooLarge, len(data), n.maxPayload)
	}
	if r, ok := n.inboxes[subject]; ok {
		if !c.partitioned && !r.from.partitioned && !r.from.down {
			select {
			case r.reply <- append([]byte(nil), data...):
			default:
			}
		}
		return 1, nil
	}
	if c.partitioned {
		return 1, nil // gone into the void: the sender cannot tell
	}
	var cp []byte
	var hp Header
	count := 0
	for s := range n.subs {
		if s.conn.down || s.conn.closed || !match(s.pattern, subject) {
			continue
		}
		count++
		if s.conn.partitioned {
			continue
		}
		if cp == nil {
			cp = append([]byte(nil), data...)
			hp = cloneHeader(h)
		}
		s.push(Msg{Subject: subject, Reply: reply, Header: hp, Data: cp})
	}
	return count, nil
}

// cloneHeader copies h, as a network would: the receiver shares nothing with the sender.
func cloneHeader(h Header) Header {
	if h == nil {
		return nil
	}
	cp := make(Header, len(h))
	for k, v := range h {
		cp[k] = slices.Clone(v)
	}
	return cp
}

// Publish implements Transport.
func (c *MemConn) Publish(subject, reply string, h Header, data []byte) error {
	c.net.mu.Lock()
	defer c.net.mu.Unlock()
	_, err := c.deliver(subject, reply, h, data)
	return err
}

// Request implements Transport.
func (c *MemConn) Request(ctx context.Context, subject string, h Header, data []byte) ([]byte, error) {
	n := c.net
	r := &memReq{from: c, reply: make(chan []byte, 1), lost: make(chan struct{})}
	n.mu.Lock()
	n.next++
	inbox := "_INBOX." + c.name + "." + strconv.FormatUint(n.next, 10)
	count, err := c.deliver(subject, inbox, h, data)
	if err == nil && count == 0 {
		err = fmt.Errorf("%w: %s", ErrUnreachable, subject)
	}
	if err != nil {
		n.mu.Unlock()
		return nil, err
	}
	n.inboxes[inbox] = r
	c.pending[r] = struct{}{}
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		delete(n.inboxes, inbox)
		delete(c.pending, r)
		n.mu.Unlock()
	}()
	select {
	case data := <-r.reply:
		return data, nil
	case <-r.lost:
		return nil, fmt.Errorf("%w: %w: connection %s went down while the request waited", ErrLinkDown, ErrUnconfirmed, c.name)
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}
