package remote

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"time"
)

// peer is what a node knows of another node's liveness: the incarnation it last heard, and a
// context that is cancelled, with an error matching ErrNodeDown as its cause, when the peer is
// declared down. Calls in flight to the peer wait on it; remote refs it runs are marked down.
type peer struct {
	n    *Node
	name string

	mu      sync.Mutex
	inc     uint64
	ctx     context.Context
	cancel  context.CancelCauseFunc
	timer   *time.Timer
	armed   bool
	watched map[any]func(error)
}

// peerFor returns the node's peer of name, made the first time.
func (n *Node) peerFor(name string) (*peer, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, fmt.Errorf("%w: node %s is closed", ErrLinkDown, n.name)
	}
	p := n.peers[name]
	if p == nil {
		p = &peer{n: n, name: name, watched: map[any]func(error){}}
		p.ctx, p.cancel = context.WithCancelCause(context.Background())
		p.timer = time.AfterFunc(n.downAfter, p.expire)
		p.armed = true
		n.peers[name] = p
	}
	return p, nil
}

// current returns the context calls to the peer wait on, and arms the liveness timer if no
// heartbeat has armed it since the last time the peer was declared down.
func (p *peer) current() context.Context {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.armed {
		p.armed = true
		p.timer.Reset(p.n.downAfter)
	}
	return p.ctx
}

// watch marks the remote ref key down with lost when the peer is declared down.
func (p *peer) watch(key any, lost func(error)) {
	p.mu.Lock()
	p.watched[key] = lost
	p.mu.Unlock()
	p.current()
}

func (p *peer) unwatch(key any) {
	p.mu.Lock()
	delete(p.watched, key)
	p.mu.Unlock()
}

// beat records a heartbeat of incarnation inc.
func (p *peer) beat(inc uint64) {
	p.mu.Lock()
	restarted := p.inc != 0 && p.inc != inc
	p.inc = inc
	p.armed = true
	p.timer.Reset(p.n.downAfter)
	p.mu.Unlock()
	if restarted {
		p.down(fmt.Errorf("%w: node %s restarted", ErrNodeDown, p.name), false)
	}
}

func (p *peer) expire() {
	p.mu.Lock()
	p.armed = false
	p.mu.Unlock()
	p.down(fmt.Errorf("%w: no heartbeat from node %s for %v", ErrNodeDown, p.name, p.n.downAfter), false)
}

// down fails the calls in flight to the peer and marks its watched refs down with err. Unless
// final, calls from now on wait on a fresh context.
func (p *peer) down(err error, final bool) {
	p.mu.Lock()
	cancel := p.cancel
	watched := p.watched
	p.watched = map[any]func(error){}
	if final {
		p.timer.Stop()
		p.armed = false
	} else {
		p.ctx, p.cancel = context.WithCancelCause(context.Background())
	}
	p.mu.Unlock()
	cancel(err)
	for _, lost := range watched {
		lost(err)
	}
}

// beat publishes the node's heartbeat, its incarnation, every n.heartbeat until the node closes.
func (n *Node) beat() {
	defer n.wg.Done()
	var data [8]byte
	binary.LittleEndian.PutUint64(data[:], n.incarnation)
	subject := n.base + "hb." + n.name
	t := time.NewTicker(n.heartbeat)
	defer t.Stop()
	for {
		_ = n.t.Publish(subject, "", nil, data[:]) // a link that is down fails at once: try at the next tick
		select {
		case <-t.C:
		case <-n.stop:
			return
		}
	}
}

// heard handles a heartbeat of another node.
func (n *Node) heard(m Msg) {
	name := m.Subject[len(n.base)+len("hb."):]
	if name == n.name || len(m.Data) != 8 {
		return
	}
	p, err := n.peerFor(name)
	if err != nil {
		return
	}
	p.beat(binary.LittleEndian.Uint64(m.Data))
}
