package agnats

import (
	"net"
	goruntime "runtime"
	"sync"
	"sync/atomic"
	"time"
)

// dialer dials the node's connections with writes that coalesce (see wconn). It dials as
// nats.go would: with the net.Dialer of the options, if they have one.
type dialer struct{ d *net.Dialer }

func (d dialer) Dial(network, address string) (net.Conn, error) {
	c, err := d.d.Dial(network, address)
	if err != nil {
		return nil, err
	}
	return newWconn(c), nil
}

// maxBuffered bounds what a wconn queues for its writer: past it, Write waits, as a socket's
// would when full. nats.go's own buffer is 32 KiB.
const maxBuffered = 64 << 10

// wconn is a connection whose writes return once their bytes are queued, and one goroutine
// writes what has queued meanwhile with one system call. nats.go writes while holding its
// connection's lock, so that every publisher of the connection waits out each system call, and
// with many asks served or sent at once nearly every message went out in a write of its own
// (BenchmarkAskParallel: half the CPU was in nats.go's flusher's write system calls). The
// writer yields once before it takes the queue, so that the publishers that are ready to run
// add theirs to the same write: that took BenchmarkAskParallel from 16.5 to 9.6 µs an ask. Order
// is kept, and a write that fails closes the connection: nothing queued is kept for another.
type wconn struct {
	net.Conn
	mu      sync.Mutex
	room    sync.Cond // signalled when the writer took what was queued, or failed
	buf     []byte    // queued
	spare   []byte
	writing bool
	err     error // the first write error, or net.ErrClosed after Close: every Write fails
	closed  bool
	kick    chan struct{}
	timeout atomic.Int64 // nats.go's write timeout, in ns, for each system call
}

func newWconn(c net.Conn) *wconn {
	w := &wconn{Conn: c, kick: make(chan struct{}, 1)}
	w.room.L = &w.mu
	go w.run()
	return w
}

// Write queues p for the writer.
func (w *wconn) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.err == nil && len(w.buf) >= maxBuffered {
		w.room.Wait()
	}
	if w.err != nil {
		return 0, w.err
	}
	idle := len(w.buf) == 0 && !w.writing
	w.buf = append(w.buf, p...)
	if idle { // under mu: Close closes kick under mu
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// SetWriteDeadline keeps the timeout nats.go sets around its writes for the writer's system
// calls; the queueing itself never times out.
func (w *wconn) SetWriteDeadline(t time.Time) error {
	if !t.IsZero() {
		w.timeout.Store(int64(time.Until(t)))
	}
	return nil
}

// run writes what is queued until the connection closes or a write fails.
func (w *wconn) run() {
	for range w.kick {
		goruntime.Gosched() // the publishers that are ready to run queue theirs first: see wconn
		w.mu.Lock()
		for len(w.buf) > 0 && w.err == nil {
			b := w.buf
			w.buf, w.spare = w.spare[:0], nil
			w.writing = true
			w.mu.Unlock()
			if d := time.Duration(w.timeout.Load()); d > 0 {
				_ = w.Conn.SetWriteDeadline(time.Now().Add(d))
			}
			_, err := w.Conn.Write(b)
			w.mu.Lock()
			w.writing = false
			if cap(b) <= 4*maxBuffered {
				w.spare = b[:0]
			}
			if err != nil && w.err == nil {
				w.err = err
				_ = w.Conn.Close() // the reader sees it, and nats.go reconnects
			}
			w.room.Broadcast()
		}
		w.mu.Unlock()
	}
}

// Close closes the connection; what is still queued is dropped.
func (w *wconn) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	if w.err == nil {
		w.err = net.ErrClosed
	}
	close(w.kick)
	w.buf = nil
	w.room.Broadcast()
	w.mu.Unlock()
	return w.Conn.Close()
}
