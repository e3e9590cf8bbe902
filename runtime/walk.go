package runtime

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unsafe"
)

// ActorState is where an actor is, as Walk sees it.
type ActorState uint8

const (
	// StateIdle: no message to handle and no goroutine.
	StateIdle ActorState = iota
	// StateRunning: a goroutine is handling its messages (or is about to).
	StateRunning
	// StateParked: its mailbox is empty and its goroutine waits, parked, for the next message
	// (see WithLinger).
	StateParked
	// StateSuspended: a delayed supervision directive is pending; messages queue.
	StateSuspended
	// StateStopping: a stop was asked for; no message is accepted.
	StateStopping
	// StateStopped: the actor has stopped.
	StateStopped
)

var stateNames = [...]string{"idle", "running", "parked", "suspended", "stopping", "stopped"}

func (s ActorState) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("ActorState(%d)", uint8(s))
}

// LastFault is an actor's latest fault, as the live view shows it: when, and its error's text.
type LastFault struct {
	Time time.Time
	Err  string
}

// ActorInfo is a snapshot of one actor, as Walk and Ref.Info take it. It holds no message, only
// counts.
type ActorInfo struct {
	Ref       Ref
	Path      string
	Interface string // as WithInterface names it; "" without
	State     ActorState
	// Mailbox is the number of messages queued, and while a batch is being handled the
	// messages of that batch not yet done, the one in hand included: the goroutine takes the
	// whole inbox at once, and the batch's count goes down when the batch ends.
	Mailbox int
	// Handled counts the messages taken from the mailbox since spawn, those that faulted or
	// that their askers had given up on included.
	Handled uint64
	// Faults and Resets count the actor's faults and the rebuilds of its state (for a tether:
	// its cuts); LastFault is the latest fault, its Time zero if none.
	Faults, Resets uint64
	LastFault      LastFault
	// Policy is the actor's supervision policy; PolicyString describes it.
	Policy Policy
	// Children is the number of children.
	Children int
	// Tether reports whether the actor is a tether.
	Tether bool
	// HandleMean is the mean handling time of its timed messages, with WithMetrics; 0 without.
	HandleMean time.Duration
}

// Walk calls fn for every actor of the system, parents before their children, siblings in no
// particular order, until fn returns false. It never stops the world: it holds one actor's lock
// at a time, for as long as it takes to copy its fields and its list of children, so actors
// spawned or stopped during the walk may be seen or missed. fn runs with no lock held.
func (s *System) Walk(fn func(ActorInfo) bool) {
	walkKids(s.root.appendKids(nil), "", fn)
}

// walkKids walks the subtrees of kids, whose parent's path is parent, and reports false if fn
// asked to stop.
func walkKids(kids []*node, parent string, fn func(ActorInfo) bool) bool {
	if len(kids) > 64 {
		// In the order of their addresses, which is most often the order they were made in:
		// memory read in order is read ahead, which makes a walk of many actors about
		// twice as fast as in the map's order.
		slices.SortFunc(kids, func(a, b *node) int {
			return cmp.Compare(uintptr(unsafe.Pointer(a)), uintptr(unsafe.Pointer(b)))
		})
	}
	var grandkids []*node
	for _, c := range kids {
		info, ok := c.info(parent+"/"+c.name, &grandkids)
		if !ok {
			continue
		}
		if !fn(info) {
			return false
		}
		if len(grandkids) > 0 && !walkKids(grandkids, info.Path, fn) {
			return false
		}
		grandkids = nil
	}
	return true
}

// appendKids appends n's children to buf.
func (n *node) appendKids(buf []*node) []*node {
	n.mu.Lock()
	buf = slices.Grow(buf, len(n.children))
	for _, c := range n.children {
		buf = append(buf, c)
	}
	n.mu.Unlock()
	return buf
}

// info takes the snapshot of n, whose path is path, and puts its children in *kids if kids is
// not nil. It reports false for the root.
func (n *node) info(path string, kids *[]*node) (ActorInfo, bool) {
	if n.isRoot() {
		return ActorInfo{}, false
	}
	n.mu.Lock()
	info := ActorInfo{
		Ref: Ref{n}, Path: path, Interface: n.cfg.typ.name, Policy: n.cfg.policy,
		Children: len(n.children),
	}
	switch {
	case n.status == stopped:
		info.State = StateStopped
	case n.status == stopping:
		info.State = StateStopping
	case n.suspended:
		info.State = StateSuspended
	case n.parked:
		info.State = StateParked
	case n.sched:
		info.State = StateRunning
	}
	taken := n.taken
	info.Handled = taken
	if n.status != stopped {
		info.Mailbox = n.cell.inboxLen() + int(int32(n.batchEnd-uint32(taken)))
	}
	if r := n.rare; r != nil {
		info.Faults, info.Resets, info.LastFault = r.faults, r.resets, r.lastFault
		info.Tether = r.tether != nil
		if r.busySamples > 0 {
			info.HandleMean = time.Duration(r.busyNs / r.busySamples)
		}
	}
	if kids != nil && len(n.children) > 0 {
		*kids = make([]*node, 0, len(n.children))
		for _, c := range n.children {
			*kids = append(*kids, c)
		}
	}
	n.mu.Unlock()
	info.Mailbox = max(info.Mailbox, 0)
	return info, true
}

// Info returns a snapshot of the actor, and false for the zero Ref.
func (r Ref) Info() (ActorInfo, bool) {
	if r.n == nil {
		return ActorInfo{}, false
	}
	return r.n.info(r.n.path(), nil)
}

// Children returns the actor's children, sorted by name; nil for the zero Ref.
func (r Ref) Children() []Ref {
	if r.n == nil {
		return nil
	}
	return r.n.sortedKids()
}

// Lookup returns the actor at path ("/directory/alice"), and false if there is none.
func (s *System) Lookup(path string) (Ref, bool) {
	if !strings.HasPrefix(path, "/") || len(path) < 2 {
		return Ref{}, false
	}
	n := &s.root
	for name := range strings.SplitSeq(path[1:], "/") {
		n.mu.Lock()
		c := n.children[name]
		n.mu.Unlock()
		if c == nil {
			return Ref{}, false
		}
		n = c
	}
	return Ref{n}, true
}

// PolicyString describes a policy in one line: a Strategy as the //actor:supervise directive
// spells it ("reset backoff=100ms..10s jitter=0.2 max=10/1m0s"), any other by its Go type.
func PolicyString(p Policy) string {
	switch p := p.(type) {
	case nil:
		return ""
	case Strategy:
		return p.String()
	case *Strategy:
		if p != nil {
			return p.String()
		}
	case limitPolicy:
		return fmt.Sprintf("%s max=%d/%v", PolicyString(p.p), p.max, p.period)
	}
	return fmt.Sprintf("%T", p)
}

// String spells the strategy as the //actor:supervise directive does.
func (s Strategy) String() string {
	var b strings.Builder
	b.WriteString(s.Decision.String())
	if s.Delay > 0 {
		fmt.Fprintf(&b, " delay=%v", s.Delay)
	}
	if s.BackoffMin > 0 {
		fmt.Fprintf(&b, " backoff=%v..%v", s.BackoffMin, s.BackoffMax)
	}
	if s.Jitter > 0 {
		fmt.Fprintf(&b, " jitter=%g", s.Jitter)
	}
	if s.ResetAfter > 0 {
		fmt.Fprintf(&b, " reset-after=%v", s.ResetAfter)
	}
	if s.Period > 0 {
		fmt.Fprintf(&b, " max=%d/%v", s.MaxFaults, s.Period)
	}
	return b.String()
}
