package remote

import (
	"encoding/binary"
	goruntime "runtime"
	"sync"
	"sync/atomic"
)

// tellWindow packs the tells a node sends in quick succession into fewer messages. A tell
// that finds no window open is published at once, as it always was, and opens one: a flusher
// goroutine that yields once and then publishes what was told meanwhile, the tells to one
// subject (one actor and method) packed into one reqTells message, until a yield finds
// nothing new. A sender in a loop thus pays the transport, and the broker and the serving
// node pay their per-message work, once for many tells, while a lone tell goes out as it is
// told.
//
// Order is kept: the packed messages go out in the order of their first tells, nothing is
// published past a pending tell to the same receiver (a tell to another subject starts a new
// message after the pending ones), and flushBefore makes asks, stops and watches wait for the
// tells told before them. Everything that publishes tells holds send, so publishes do not
// overtake each other.
type tellWindow struct {
	send sync.Mutex // held while tells are published: by the lone tell, the flusher, flushBefore

	mu     sync.Mutex
	open   bool         // a flusher is coming or running: tells wait for it
	closed bool         // the node closed: tells go out one by one
	segs   []tellSeg    // pending, in order; the slots past len keep their buffers for reuse
	spare  []tellSeg    // the last published segs, for reuse
	size   int          // bytes pending
	unsent atomic.Int64 // tells pending or being published: 0 lets an ask go at once
}

// tellSeg is one message of packed tells, or one tell as it was framed (single).
type tellSeg struct {
	subject string
	data    []byte
	n       int
	single  bool
}

// maxPending is the size of pending tells at which the sender publishes them itself instead
// of leaving them to the flusher: what bounds the memory a sender faster than the link takes.
const maxPending = 64 << 10

// maxSegBuf is the largest segment buffer kept for reuse.
const maxSegBuf = 2 * maxPending

// tell publishes a tell to subject: frame is the whole request, head the length of its
// envelope. It returns the transport's error when it publishes at once; a tell that joins the
// window is published by the flusher, and lost, with a Debug log, if that fails (at most
// once). A traced tell (h != nil) is not packed: it goes out after the pending ones.
func (n *Node) tell(subject string, h Header, frame []byte, head int) error {
	w := &n.tells
	if h != nil {
		n.flushBefore()
		return n.t.Publish(subject, "", h, frame)
	}
	w.mu.Lock()
	if w.open && !w.closed {
		w.add(subject, frame, head, n.name, n.t.MaxPayload())
		full := w.size >= maxPending
		w.mu.Unlock()
		if full {
			n.flushBefore()
		}
		return nil
	}
	lone := !w.closed
	w.open = lone
	w.mu.Unlock()
	w.send.Lock()
	err := n.t.Publish(subject, "", nil, frame)
	w.send.Unlock()
	if !lone {
		return err
	}
	w.mu.Lock()
	switch {
	case w.closed:
		w.open = false
		w.mu.Unlock()
		n.flushBefore()
	case err != nil && len(w.segs) == 0:
		// The link failed: the next tell tries it again, and says so, instead of waiting.
		w.open = false
		w.mu.Unlock()
	default:
		n.wg.Add(1) // under mu while not closed: Close's Wait comes after
		w.mu.Unlock()
		go n.flushTells()
	}
	return err
}

// add appends a tell to the pending segments: to the last one if it is to the same subject
// and has room, else to a new one.
func (w *tellWindow) add(subject string, frame []byte, head int, sender string, max int) {
	body := frame[head:]
	need := uvarintLen(uint64(len(body))) + len(body)
	k := len(w.segs)
	if k == 0 || w.segs[k-1].single || w.segs[k-1].subject != subject || (max > 0 && len(w.segs[k-1].data)+need > max) {
		if k < cap(w.segs) {
			w.segs = w.segs[:k+1]
		} else {
			w.segs = append(w.segs, tellSeg{})
		}
		s := &w.segs[k]
		s.subject, s.n = subject, 0
		s.data = appendRequest(s.data[:0], reqTells, binary.LittleEndian.Uint32(frame[2:6]), 0, sender)
		s.single = max > 0 && len(s.data)+need > max
		if s.single { // it fits as it was framed (request checked), not packed
			s.data = append(s.data[:0], frame...)
		}
		k++
	}
	s := &w.segs[k-1]
	if !s.single {
		s.data = appendTell(s.data, body)
	}
	s.n++
	w.size += need
	w.unsent.Add(1)
}

// take returns the pending segments and makes the spare ones pending; the caller holds send
// and gives them back with done.
func (w *tellWindow) take() []tellSeg {
	segs := w.segs
	w.segs, w.spare = w.spare[:0], nil
	w.size = 0
	return segs
}

// done gives published segments back for reuse.
func (w *tellWindow) done(segs []tellSeg) {
	for i := range segs {
		if cap(segs[i].data) > maxSegBuf {
			segs[i].data = nil
		}
		segs[i].subject = ""
	}
	w.spare = segs[:0]
}

// publishTells publishes segs in order; a message that fails is logged and its tells are
// lost, as a tell in the transport's buffer is when the link goes. It returns the first
// error.
func (n *Node) publishTells(segs []tellSeg) error {
	var first error
	told := 0
	for _, s := range segs {
		told += s.n
		if err := n.t.Publish(s.subject, "", nil, s.data); err != nil {
			n.log.Debug("remote: tells lost", "subject", s.subject, "tells", s.n, "err", err)
			if first == nil {
				first = err
			}
		}
	}
	n.tells.unsent.Add(-int64(told))
	return first
}

// flushTells is the window's flusher: it yields, publishes what was told meanwhile, and goes
// on until a yield finds nothing, or a publish fails (the next tell then tries the link and
// gets its error).
func (n *Node) flushTells() {
	defer n.wg.Done()
	w := &n.tells
	for {
		goruntime.Gosched()
		w.send.Lock()
		w.mu.Lock()
		if len(w.segs) == 0 {
			w.open = false
			w.mu.Unlock()
			w.send.Unlock()
			return
		}
		segs := w.take()
		w.mu.Unlock()
		err := n.publishTells(segs)
		w.mu.Lock()
		w.done(segs)
		if err != nil && len(w.segs) == 0 {
			w.open = false
			w.mu.Unlock()
			w.send.Unlock()
			return
		}
		w.mu.Unlock()
		w.send.Unlock()
	}
}

// flushBefore publishes the tells pending, and waits for those being published, so that what
// the caller sends next goes out after every tell it told before.
func (n *Node) flushBefore() {
	w := &n.tells
	if w.unsent.Load() == 0 {
		return
	}
	w.send.Lock()
	w.mu.Lock()
	if len(w.segs) == 0 {
		w.mu.Unlock()
		w.send.Unlock()
		return
	}
	segs := w.take()
	w.mu.Unlock()
	_ = n.publishTells(segs)
	w.mu.Lock()
	w.done(segs)
	w.mu.Unlock()
	w.send.Unlock()
}

// closeTells makes tells go out one by one from now on, and publishes the pending ones.
func (n *Node) closeTells() {
	n.tells.mu.Lock()
	n.tells.closed = true
	n.tells.mu.Unlock()
	n.flushBefore()
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}
