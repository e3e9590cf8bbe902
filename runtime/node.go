package runtime

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// status is where an actor is in its life.
type status uint8

const (
	running  status = iota
	stopping        // a stop was asked for: no new message is accepted
	stopped         // done: Err is set and Done is closed
)

// cell is the typed half of an actor, seen from the untyped tree.
type cell interface {
	drain(until *asking) // handles messages, on a new goroutine with until nil: see actor.drain
	queued() []any       // the queued messages, oldest first (actor goroutine only)
	inboxLen() int       // the messages in the inbox, not yet taken into a batch (under mu)
}

// node is the part of an actor that does not depend on its types: its place in the tree, its
// lifecycle and its control signals. The system's root is a node without a cell.
//
// The fields are laid out for the two goroutines that touch an actor at once: pending, which the
// draining goroutine reads after every message, comes first; the fields senders write on every
// message (mu and what it guards) come last, where the typed actor adds its inbox. The cold fields
// in between keep the two more than a cache line apart.
type node struct {
	pending atomic.Bool // ctl != 0, readable without mu
	// Messages taken from the inbox into batches so far (mod 2^32), and those taken from
	// batches, added when the drain loop next takes mu after a batch; both by the draining
	// goroutine under mu. Their difference is what the batch being drained has left, for Walk.
	// See observe.go.
	batchEnd uint32
	taken    uint64

	sys      *System
	parent   *node
	name     string
	cell     cell
	cfg      *config
	children map[string]*node
	pinc     uint32 // the parent's incarnation when it adopted the actor: see control.go
	builtAt  uint32 // the parent's round of ResetAll when the state was built (actor goroutine)
	done     chan struct{}
	err      error
	rare     *rare

	mu        sync.Mutex
	status    status
	sched     bool  // a goroutine is draining the actor, or is about to
	suspended bool  // a delayed directive is pending: no message is handled
	ctl       uint8 // pending control signals
	parked    bool  // a goroutine waits on wake, draining nothing: see linger.go
	listed    bool  // on the sweeper's list
	// Of the actor's goroutine, not guarded by mu (they fill the padding here): the phase of
	// its state and its failed builds in a row, see control.go.
	phase        uint8
	failedBuilds uint8
	parkGen      uint64    // the sweep generation in which the goroutine parked
	wake         chan bool // a parked goroutine's token: drain (true) or end (false)
}

// rare holds what most actors never need, so that an idle actor stays small.
type rare struct {
	decider      Decider
	delay        *time.Timer // the pending delayed directive
	pendingDir   Directive
	pendingFault Fault
	escalations  []Fault
	resetFault   Fault  // the sibling's fault behind a ResetAll
	resetRound   uint32 // and its round: see control.go
	inc          uint32 // incarnations as a parent: see control.go
	round        uint32 // the children's rounds of ResetAll
	stopReason   error
	watchers     []func()
	onStop       func()  // called when a stop is asked for
	tether       *window // set on a tether: its children's faults

	remote remoteEnd // the far end of an actor on another node: see remote.go

	// Bounded mailbox: queued counts messages not yet handled; space is closed when one is.
	queued int
	space  chan struct{}

	// Idle stop.
	idleTimer *time.Timer
	idleSince time.Time

	// Children.
	anon    uint64  // names handed to anonymous children
	sorted  []*node // the children sorted by name, nil when a spawn or stop changed them
	kidsVer uint64  // changes with every spawn and stop of a child, for sorted

	// For Walk and the live view (stats.go), under mu.
	faults, resets      uint64
	lastFault           LastFault
	busyNs, busySamples int64 // timed handlings, with WithMetrics
}

func (n *node) extra() *rare {
	if n.rare == nil {
		n.rare = new(rare)
	}
	return n.rare
}

func (n *node) isRoot() bool { return n.cell == nil }

// topLevel reports whether the node's parent is the system's root.
func (n *node) topLevel() bool { return n.parent != nil && n.parent.isRoot() }

// path returns the actor's path, "/a/b"; the root's is "".
func (n *node) path() string {
	if n == nil || n.isRoot() {
		return ""
	}
	if n.topLevel() {
		return "/" + n.name
	}
	return n.parent.path() + "/" + n.name
}

// adopt registers child under n with name, or a generated name if name is empty.
func (n *node) adopt(child *node, name string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.status != running {
		return fmt.Errorf("parent %s: %w", n.describe(), ErrStopped)
	}
	r := n.extra()
	if name == "" {
		// No name given by hand starts with '$' (checkName), so a generated one is free.
		r.anon++
		var buf [16]byte // one allocation for the name: the string
		name = string(strconv.AppendUint(append(buf[:0], '$'), r.anon, 36))
	} else if _, taken := n.children[name]; taken {
		return fmt.Errorf("name %q: %w", name, ErrNameTaken)
	}
	if n.children == nil {
		n.children = make(map[string]*node)
	}
	child.name = name
	child.pinc, child.builtAt = r.inc, r.round
	n.children[name] = child
	r.sorted = nil
	r.kidsVer++
	return nil
}

func (n *node) describe() string {
	if n.isRoot() {
		return "system"
	}
	return n.path()
}

// remove unregisters a stopped child, so that its name can be used again.
func (n *node) remove(child *node) {
	n.mu.Lock()
	if n.children[child.name] == child {
		delete(n.children, child.name)
		n.rare.sorted = nil // adopt made rare
		n.rare.kidsVer++
	}
	n.mu.Unlock()
}

// kids returns the children, in no order; except, if not nil, is left out.
func (n *node) kids(except *node) []*node {
	n.mu.Lock()
	out := make([]*node, 0, len(n.children))
	for _, c := range n.children {
		if c != except {
			out = append(out, c)
		}
	}
	n.mu.Unlock()
	return out
}

// sortedKids returns the children sorted by name. The sorted list is kept until a child is
// spawned or stops, so that asking again costs a copy, not a sort; the sort runs without mu.
func (n *node) sortedKids() []Ref {
	n.mu.Lock()
	r := n.extra()
	sorted, ver := r.sorted, r.kidsVer
	n.mu.Unlock()
	if sorted == nil {
		sorted = n.kids(nil)
		slices.SortFunc(sorted, func(a, b *node) int { return strings.Compare(a.name, b.name) })
		n.mu.Lock()
		if r.kidsVer == ver { // else a change came meanwhile: the next call sorts again
			r.sorted = sorted
		}
		n.mu.Unlock()
	}
	return refs(sorted)
}

func refs(nodes []*node) []Ref {
	out := make([]Ref, len(nodes))
	for i, c := range nodes {
		out[i] = Ref{c}
	}
	return out
}

// signal sets control bits and makes sure a goroutine will handle them.
func (n *node) signal(bits uint8, set func(r *rare)) {
	n.mu.Lock()
	if n.status == stopped {
		n.mu.Unlock()
		return
	}
	if set != nil {
		set(n.extra())
	}
	n.ctl |= bits
	n.pending.Store(true)
	start := !n.sched
	n.sched = true
	var wake chan<- bool
	if start {
		wake = n.unpark()
	}
	n.mu.Unlock()
	if start {
		n.handOff(wake)
	}
}

// requestStop asks the actor to stop after the message it is handling, with reason as its Err.
func (n *node) requestStop(reason error) {
	n.mu.Lock()
	onStop, ok := n.beginStop()
	n.mu.Unlock()
	if ok {
		n.finishStopRequest(onStop, reason)
	}
}

// beginStop, under mu, turns a running actor to stopping, so that no message is accepted from
// now on. It returns the keeper's hook to call, and false if the actor was not running.
func (n *node) beginStop() (onStop func(), ok bool) {
	if n.status != running {
		return nil, false
	}
	n.status = stopping
	if n.rare != nil {
		onStop = n.rare.onStop
	}
	return onStop, true
}

// finishStopRequest, after beginStop and without mu, signals the stop to the actor's goroutine.
func (n *node) finishStopRequest(onStop func(), reason error) {
	if onStop != nil {
		onStop()
	}
	n.signal(ctlStop, func(r *rare) { r.stopReason = reason })
}

// actionable reports, under mu, whether a control signal can be handled now: while a delayed
// directive is pending only a stop and the directive itself can.
func (n *node) actionable() bool {
	c := n.ctl
	if n.suspended {
		c &= ctlStop | ctlDecided
	}
	return c != 0
}

// doneChan returns the channel closed when the actor has stopped.
func (n *node) doneChan() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.done == nil {
		n.done = make(chan struct{})
		if n.status == stopped {
			close(n.done)
		}
	}
	return n.done
}

// isRunning reports whether the actor is running: no stop has been asked for.
func (n *node) isRunning() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.status == running
}

// watch calls fn once the actor has stopped, at once if it has.
func (n *node) watch(fn func()) {
	n.mu.Lock()
	if n.status == stopped {
		n.mu.Unlock()
		fn()
		return
	}
	r := n.extra()
	r.watchers = append(r.watchers, fn)
	n.mu.Unlock()
}

// stopChildren stops every child with reason and waits until they have all stopped.
func (n *node) stopChildren(reason error) {
	kids := n.kids(nil)
	for _, c := range kids {
		c.requestStop(reason)
	}
	for _, c := range kids {
		<-c.doneChan()
	}
}
