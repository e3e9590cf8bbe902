package relay

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is a relay listening on a socket: an http.Server whose handler is a
// [Hub]. A Server runs once: after Kill or Close, start a new one (on the
// same address, to play a relay restart).
type Server struct {
	scheme string // "ws", or "wss" with Config.TLS
	hub    *Hub
	http   *http.Server
	ln     net.Listener

	serving sync.WaitGroup
	stop    sync.Once
}

// Listen starts a relay on addr ("127.0.0.1:0" picks a free port).
func Listen(addr string, cfg Config) (*Server, error) {
	if _, err := cfg.withDefaults(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("relay: listen on %s: %w", addr, err)
	}
	return Serve(ln, cfg)
}

// Serve starts a relay on ln, which it owns from now on (it is closed by Kill
// and Close, and on error). With cfg.TLS it serves TLS on ln (at least TLS
// 1.2).
func Serve(ln net.Listener, cfg Config) (*Server, error) {
	hub, err := NewHub(cfg)
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	scheme := "ws"
	if cfg.TLS != nil {
		tc := cfg.TLS.Clone()
		if tc.MinVersion < tls.VersionTLS12 {
			tc.MinVersion = tls.VersionTLS12
		}
		ln = tls.NewListener(ln, tc)
		scheme = "wss"
	}
	s := &Server{
		scheme: scheme,
		hub:    hub,
		ln:     ln,
		http:   &http.Server{Handler: hub, ReadHeaderTimeout: 5 * time.Second},
	}
	s.serving.Go(func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			hub.log.Error("relay: serve failed", "addr", ln.Addr().String(), "err", err)
		}
	})
	return s, nil
}

// Addr returns the address the relay listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL returns the websocket URL game servers dial: wss:// with Config.TLS,
// ws:// without.
func (s *Server) URL() string { return s.scheme + "://" + s.Addr() + "/" }

// Hub returns the relay's hub.
func (s *Server) Hub() *Hub { return s.hub }

// Kill stops the relay abruptly, as a crash would: the listener closes and
// every connection drops without a close handshake. It returns when the
// relay's goroutines have ended. Later calls do nothing.
func (s *Server) Kill() {
	s.stop.Do(func() {
		_ = s.http.Close()
		s.hub.Kill()
		s.serving.Wait()
	})
}

// Close stops the relay cleanly: the listener closes and every connection is
// closed with status 1000 (normal closure). It returns when the relay's
// goroutines have ended. Later calls do nothing.
func (s *Server) Close() {
	s.stop.Do(func() {
		_ = s.http.Close()
		s.hub.Close()
		s.serving.Wait()
	})
}
