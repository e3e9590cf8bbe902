package relay

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// ErrClosed is why a hub refuses a connection after Close or Kill: ServeHTTP
// answers 503 Service Unavailable with its text.
var ErrClosed = errors.New("relay: closed")

// Config configures a [Hub].
type Config struct {
	// Keys is each game server's key, by name: a server proves that it
	// holds its name's key (see [Proof]), so that no server can take
	// another's name. Required; names must pass [ValidName], keys must be at
	// least [MinKeyLen] bytes. The hub keeps a copy.
	Keys map[string][]byte
	// HelloTimeout bounds the wait for the hello frame after the websocket
	// handshake. Default 5s.
	HelloTimeout time.Duration
	// WriteTimeout bounds each frame written to a server. Default 5s.
	WriteTimeout time.Duration
	// SendQueue is how many frames may wait for a slow server before the relay
	// drops its connection (rather than dropping a frame).
	// Default 256.
	SendQueue int
	// TLS, if set, makes [Serve] and [Listen] serve wss:// (websocket over
	// TLS) with it: it needs a certificate (Certificates or GetCertificate).
	// Without it the relay serves ws://, in clear. The hub itself ignores it.
	TLS *tls.Config
	// Logger receives the relay's logs. Default slog.Default().
	Logger *slog.Logger
}

func (c Config) withDefaults() (Config, error) {
	if len(c.Keys) == 0 {
		return c, errors.New("relay: Config.Keys is empty")
	}
	keys := make(map[string][]byte, len(c.Keys))
	var errs []error
	for name, key := range c.Keys {
		if err := ValidName("Config.Keys: server name", name); err != nil {
			errs = append(errs, err)
		} else if len(key) < MinKeyLen {
			errs = append(errs, fmt.Errorf("relay: Config.Keys: the key of %s is %d bytes, want at least %d", name, len(key), MinKeyLen))
		}
		keys[name] = bytes.Clone(key)
	}
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	c.Keys = keys
	if c.TLS != nil && len(c.TLS.Certificates) == 0 && c.TLS.GetCertificate == nil && c.TLS.GetConfigForClient == nil {
		return c, errors.New("relay: Config.TLS has no certificate (Certificates, GetCertificate or GetConfigForClient)")
	}
	if c.HelloTimeout < 0 || c.WriteTimeout < 0 || c.SendQueue < 0 {
		return c, fmt.Errorf("relay: Config has a negative HelloTimeout (%v), WriteTimeout (%v) or SendQueue (%d)",
			c.HelloTimeout, c.WriteTimeout, c.SendQueue)
	}
	if c.HelloTimeout == 0 {
		c.HelloTimeout = 5 * time.Second
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = 5 * time.Second
	}
	if c.SendQueue == 0 {
		c.SendQueue = 256
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}

// Hub is the relay's websocket handler: it authenticates game servers and
// passes frames between them. It is safe for concurrent use.
type Hub struct {
	cfg Config
	log *slog.Logger

	// ctx is cancelled when the hub closes: it ends the reads of servers that
	// have not said hello yet and of those that ignore a close handshake.
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	peers    map[string]*peer
	closed   bool
	handlers sync.WaitGroup // one per ServeHTTP call that got past the closed check
	conns    atomic.Int64   // open websocket connections, authenticated or not
}

// peer is one authenticated game server.
type peer struct {
	name string
	conn *websocket.Conn
	send chan Frame
	done chan struct{} // closed when the peer's writer must stop

	closeOnce sync.Once
}

// NewHub returns a hub with cfg, or an error naming the bad field.
func NewHub(cfg Config) (*Hub, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Hub{cfg: cfg, log: cfg.Logger, ctx: ctx, cancel: cancel, peers: make(map[string]*peer)}, nil
}

// Online returns the names of the connected servers, sorted.
func (h *Hub) Online() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.namesLocked()
}

func (h *Hub) namesLocked() []string {
	names := make([]string, 0, len(h.peers))
	for n := range h.peers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Conns returns the number of open websocket connections, including those
// that have not said hello yet.
func (h *Hub) Conns() int { return int(h.conns.Load()) }

// ServeHTTP upgrades the request to a websocket and serves one game server
// until it disconnects or the hub closes.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		http.Error(w, ErrClosed.Error(), http.StatusServiceUnavailable)
		return
	}
	h.handlers.Add(1)
	h.mu.Unlock()
	defer h.handlers.Done()

	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		h.log.Warn("relay: websocket handshake failed", "remote", r.RemoteAddr, "err", err)
		return
	}
	h.conns.Add(1)
	defer h.conns.Add(-1)
	defer conn.CloseNow()
	conn.SetReadLimit(MaxFrame)

	p, err := h.hello(conn)
	if err != nil {
		h.log.Warn("relay: hello refused", "remote", r.RemoteAddr, "err", err)
		return
	}
	var writer sync.WaitGroup
	writer.Go(func() { h.write(p) })
	defer writer.Wait()
	defer h.leave(p)
	h.read(p)
}

// hello sends the challenge, reads and checks the hello, registers the peer
// and sends the welcome. On failure it has already closed conn with a
// reason.
func (h *Hub) hello(conn *websocket.Conn) (*peer, error) {
	rctx, cancel := context.WithTimeout(h.ctx, h.cfg.HelloTimeout)
	defer cancel()
	nonce := rand.Text()
	if err := wsjson.Write(rctx, conn, Frame{Type: TypeChallenge, Nonce: nonce}); err != nil {
		return nil, fmt.Errorf("relay: writing the challenge: %w", err)
	}
	var f Frame
	if err := wsjson.Read(rctx, conn, &f); err != nil {
		return nil, fmt.Errorf("relay: reading hello: %w", err)
	}
	refuse := func(reason string) (*peer, error) {
		_ = conn.Close(websocket.StatusPolicyViolation, CloseReason(reason))
		return nil, errors.New(reason)
	}
	if f.Type != TypeHello {
		return refuse(fmt.Sprintf("relay: first frame is %q, want %q", f.Type, TypeHello))
	}
	if err := ValidName("server name", f.Name); err != nil {
		return refuse(err.Error())
	}
	// The same answer for an unknown name and a wrong key, so that the
	// reason does not tell a stranger which names exist; the log does.
	key, known := h.cfg.Keys[f.Name]
	if !known || !checkProof(key, f.Name, nonce, f.Proof) {
		h.log.Warn("relay: hello with bad credentials", "server", f.Name, "known", known)
		return refuse("relay: bad credentials for " + f.Name + " (unknown server or wrong key)")
	}

	p := &peer{name: f.Name, conn: conn, send: make(chan Frame, h.cfg.SendQueue), done: make(chan struct{})}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		_ = conn.Close(websocket.StatusGoingAway, "relay: shutting down")
		return nil, ErrClosed
	}
	if _, taken := h.peers[p.name]; taken {
		h.mu.Unlock()
		// The server online keeps its name: a second one with the same
		// name (and key) is a configuration mistake, and replacing the
		// first would make the two kick each other off forever.
		reason := "relay: " + p.name + " is online already; a second server may not take its name"
		h.log.Warn("relay: hello refused: name taken", "server", p.name)
		_ = conn.Close(StatusNameTaken, CloseReason(reason))
		return nil, errors.New(reason)
	}
	h.peers[p.name] = p
	names := h.namesLocked()
	h.fanOutLocked(p, Frame{Type: TypeJoined, Name: p.name})
	h.mu.Unlock()

	wctx, cancel := context.WithTimeout(h.ctx, h.cfg.WriteTimeout)
	defer cancel()
	if err := wsjson.Write(wctx, conn, Frame{Type: TypeWelcome, Name: p.name, Names: names}); err != nil {
		h.leave(p)
		return nil, fmt.Errorf("relay: writing welcome to %s: %w", p.name, err)
	}
	h.log.Info("relay: server joined", "server", p.name)
	return p, nil
}

// read serves p's requests until its connection fails or closes.
func (h *Hub) read(p *peer) {
	for {
		var f Frame
		if err := wsjson.Read(h.ctx, p.conn, &f); err != nil {
			h.log.Info("relay: server disconnected", "server", p.name, "status", websocket.CloseStatus(err), "err", err)
			return
		}
		switch f.Type {
		case TypeBroadcast:
			if err := ValidName("channel", f.Channel); err != nil {
				h.reply(p, Frame{Type: TypeError, ID: f.ID, Error: err.Error()})
				continue
			}
			if len(f.Text) > MaxText {
				h.reply(p, Frame{Type: TypeError, ID: f.ID, Error: fmt.Sprintf("relay: broadcast text is %d bytes, over the limit of %d", len(f.Text), MaxText)})
				continue
			}
			h.mu.Lock()
			h.fanOutLocked(p, Frame{Type: TypeMessage, From: p.name, Channel: f.Channel, Text: f.Text})
			h.mu.Unlock()
			h.reply(p, Frame{Type: TypeOK, ID: f.ID})
		case TypeWho:
			h.reply(p, Frame{Type: TypeOnline, ID: f.ID, Names: h.Online()})
		default:
			h.reply(p, Frame{Type: TypeError, ID: f.ID, Error: fmt.Sprintf("relay: unknown frame type %q", f.Type)})
		}
	}
}

// reply queues f for p alone.
func (h *Hub) reply(p *peer, f Frame) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.enqueueLocked(p, f)
}

// fanOutLocked queues f for every registered peer except from.
func (h *Hub) fanOutLocked(from *peer, f Frame) {
	for _, q := range h.peers {
		if q != from {
			h.enqueueLocked(q, f)
		}
	}
}

// enqueueLocked queues f for p, or drops p's connection if its queue is full:
// a frame is never dropped silently, the server sees its link break.
func (h *Hub) enqueueLocked(p *peer, f Frame) {
	select {
	case <-p.done:
	case p.send <- f:
	default:
		h.log.Warn("relay: server too slow, dropping its connection", "server", p.name, "queued", len(p.send))
		p.drop()
	}
}

// write sends p's queued frames until p is done.
func (h *Hub) write(p *peer) {
	for {
		select {
		case <-p.done:
			return
		case f := <-p.send:
			ctx, cancel := context.WithTimeout(context.Background(), h.cfg.WriteTimeout)
			err := wsjson.Write(ctx, p.conn, f)
			cancel()
			if err != nil {
				h.log.Info("relay: write failed", "server", p.name, "err", err)
				p.close(websocket.StatusInternalError, "relay: write failed")
				return
			}
		}
	}
}

// leave unregisters p (unless a newer connection took its name) and stops
// its writer.
func (h *Hub) leave(p *peer) {
	h.mu.Lock()
	if h.peers[p.name] == p {
		delete(h.peers, p.name)
		h.fanOutLocked(p, Frame{Type: TypeLeft, Name: p.name})
	}
	h.mu.Unlock()
	p.stopWriter()
}

func (p *peer) stopWriter() { p.closeOnce.Do(func() { close(p.done) }) }

// close closes p's connection with code and reason (a close handshake unless
// the connection is already gone).
func (p *peer) close(code websocket.StatusCode, reason string) {
	p.stopWriter()
	_ = p.conn.Close(code, reason)
}

// drop closes p's connection at once, without a close handshake.
func (p *peer) drop() {
	p.stopWriter()
	_ = p.conn.CloseNow()
}

// Close closes every connection with status 1000 (normal closure), refuses new
// ones and waits for the hub's goroutines to end.
func (h *Hub) Close() {
	h.shutdown(func(p *peer) { p.close(websocket.StatusNormalClosure, "relay: shutting down") })
	h.cancel()
	h.handlers.Wait()
}

// Kill drops every connection at once, without a close handshake, as a
// crashing relay would, refuses new ones and waits for the hub's goroutines
// to end.
func (h *Hub) Kill() {
	h.cancel()
	h.shutdown((*peer).drop)
	h.handlers.Wait()
}

func (h *Hub) shutdown(closePeer func(*peer)) {
	h.mu.Lock()
	h.closed = true
	peers := make([]*peer, 0, len(h.peers))
	for _, p := range h.peers {
		peers = append(peers, p)
	}
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range peers {
		wg.Go(func() { closePeer(p) })
	}
	wg.Wait()
}
