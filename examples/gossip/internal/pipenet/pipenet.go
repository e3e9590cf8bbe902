// Package pipenet is an in-memory network for tests that run inside
// testing/synctest bubbles, where loopback sockets cannot be used (a goroutine
// blocked on socket I/O keeps the bubble's clock from advancing). It has one
// address: a listener can be opened on it, closed (dials are then refused, as
// with a dead server) and opened again; each connection is a [net.Pipe].
package pipenet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"syscall"
)

// ErrRefused is returned by Dial when no listener is open. It wraps
// syscall.ECONNREFUSED, as a refused TCP dial does.
var ErrRefused = fmt.Errorf("pipenet: dial: %w", syscall.ECONNREFUSED)

// Network is the in-memory network. The zero value is ready to use.
type Network struct {
	mu  sync.Mutex
	cur *Listener
}

// Listen opens the network's listener. It fails if one is already open.
func (n *Network) Listen() (*Listener, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cur != nil {
		return nil, errors.New("pipenet: listen: address already in use")
	}
	l := &Listener{net: n, conns: make(chan net.Conn), done: make(chan struct{})}
	n.cur = l
	return l, nil
}

// DialContext connects to the open listener, or fails with [ErrRefused]. Its
// signature fits http.Transport.DialContext; network and addr are ignored.
func (n *Network) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	n.mu.Lock()
	l := n.cur
	n.mu.Unlock()
	if l == nil {
		return nil, ErrRefused
	}
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		return nil, ErrRefused
	case <-ctx.Done():
		return nil, fmt.Errorf("pipenet: dial: %w", ctx.Err())
	}
}

// HTTPClient returns an HTTP client whose connections go over n.
func (n *Network) HTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: n.DialContext, DisableKeepAlives: true}}
}

// Listener is the network's listener; it implements net.Listener.
type Listener struct {
	net   *Network
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

// Accept waits for the next connection.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close closes the listener: pending and later dials are refused until
// Listen is called again. Connections already made stay open.
func (l *Listener) Close() error {
	l.once.Do(func() {
		l.net.mu.Lock()
		if l.net.cur == l {
			l.net.cur = nil
		}
		l.net.mu.Unlock()
		close(l.done)
	})
	return nil
}

// Addr returns the network's single address.
func (l *Listener) Addr() net.Addr { return addr{} }

type addr struct{}

func (addr) Network() string { return "pipe" }
func (addr) String() string  { return "pipenet" }
