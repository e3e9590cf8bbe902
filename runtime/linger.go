package runtime

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// An actor whose mailbox empties keeps its goroutine for a while, parked, so that the next
// message wakes a goroutine that exists instead of starting one: a wake costs about what a
// channel send to a waiting goroutine costs, a start several times more. The sweeper ends the
// goroutines that have been parked for a whole period, so an idle actor holds no goroutine for
// long.
//
// The state is in node, under node.mu. parked says a goroutine waits on wake and drains nothing;
// at most one does (park refuses a second, which ends instead). Whoever takes the actor out of
// parked sends one token on wake once mu is released: true to drain (the sender has set sched
// for it), false to end. A goroutine that was sent a token may not have received it yet when
// another goroutine parks, so two may wait on wake for a moment; each token carries its own
// meaning, so whichever goroutine takes it does what it says, and every token is taken by one of
// them. listed says the node is on the sweeper's list; parkGen is the sweep generation in which
// it parked.

// sweeper ends the goroutines of a system's actors that have been parked for a whole period. Its
// own goroutine runs only while some actor is on its list.
type sweeper struct {
	period time.Duration // 0: goroutines do not linger
	gen    atomic.Uint64 // sweeps so far

	mu      sync.Mutex
	list    []*node
	spare   []*node       // the buffer list gets while a sweep works on the old one
	running chan struct{} // closed when the sweeping goroutine ends; nil when none runs
	kick    chan struct{} // makes the running sweeping goroutine sweep now
}

// park, under n.mu, parks the goroutine of n, which drains nothing now; it reports false if
// goroutines do not linger, or the actor is not running, and the goroutine should end instead.
func (n *node) park() bool {
	s := &n.sys.sweep
	if s.period <= 0 || n.status != running || n.parked {
		return false
	}
	if n.wake == nil {
		n.wake = make(chan bool, 1)
	}
	n.parked = true
	n.parkGen = s.gen.Load()
	if !n.listed {
		n.listed = true
		s.add(n)
	}
	return true
}

// unpark, under n.mu, takes the parked goroutine, if there is one, out of parked and returns
// the channel to send its token on once mu is released: true if the caller has scheduled the
// actor (set sched) for it to drain, false to make it end. It returns nil if none is parked.
func (n *node) unpark() chan<- bool {
	if !n.parked {
		return nil
	}
	n.parked = false
	return n.wake
}

// handOff gives an actor that the caller has scheduled (set sched for) to a goroutine, once mu
// is released: to the parked one unpark took out of parked if wake is not nil, else to a new one.
func (n *node) handOff(wake chan<- bool) {
	if wake != nil {
		wake <- true
		return
	}
	go n.cell.drain(nil)
}

// add puts n on the list, and starts the sweeping goroutine if none runs.
func (s *sweeper) add(n *node) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = append(s.list, n)
	if s.running == nil {
		s.running, s.kick = make(chan struct{}), make(chan struct{}, 1)
		go s.loop(s.running, s.kick)
	}
}

// loop sweeps once a period until the list is empty.
func (s *sweeper) loop(running, kick chan struct{}) {
	t := time.NewTimer(s.period)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-kick:
		}
		if !s.sweep() {
			close(running)
			return
		}
		t.Reset(s.period)
	}
}

// sweep ends the goroutines parked since before the previous sweep, and keeps on the list the
// nodes whose goroutines parked since. It reports false, having marked the sweeper stopped, if
// the list is empty.
//
// The list and its spare take turns, so that a sweep makes no garbage however many actors
// linger; both are dropped when the list empties.
func (s *sweeper) sweep() bool {
	gen := s.gen.Add(1)
	s.mu.Lock()
	list := s.list
	s.list, s.spare = s.spare, nil
	s.mu.Unlock()
	keep := list[:0] // filtered in place
	for _, n := range list {
		n.mu.Lock()
		var w chan<- bool
		switch {
		case n.parked && n.parkGen+1 < gen:
			w = n.unpark()
			n.listed = false
		case n.parked:
			keep = append(keep, n)
		default:
			n.listed = false
		}
		n.mu.Unlock()
		if w != nil {
			w <- false
		}
	}
	clear(list[len(keep):])
	s.mu.Lock()
	defer s.mu.Unlock()
	added := s.list // the nodes that parked during the sweep
	s.list = append(keep, added...)
	clear(added)
	s.spare = added[:0]
	if len(s.list) == 0 {
		s.list, s.spare, s.running = nil, nil, nil
		return false
	}
	return true
}

// flush makes the sweeping goroutine sweep now and waits until it has ended, or until ctx is
// done. Shutdown calls it once every actor has stopped: nothing is parked then, so the sweep
// leaves an empty list and the goroutine ends.
func (s *sweeper) flush(ctx context.Context) error {
	s.mu.Lock()
	running, kick := s.running, s.kick
	s.mu.Unlock()
	if running == nil {
		return nil
	}
	select {
	case kick <- struct{}{}:
	default:
	}
	select {
	case <-running:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
