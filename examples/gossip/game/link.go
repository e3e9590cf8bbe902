package game

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/actorgen/actorgen/examples/gossip/relay"
	"github.com/actorgen/actorgen/runtime"
)

// connect dials the relay, answers its challenge with a hello that proves
// the server holds its key, and waits for the welcome, all within
// cfg.DialTimeout.
func connect(ctx context.Context, cfg *Config) (*websocket.Conn, relay.Frame, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, cfg.URL, &websocket.DialOptions{HTTPClient: cfg.HTTPClient})
	if err != nil {
		return nil, relay.Frame{}, fmt.Errorf("gossip: %s: dial relay: %w", cfg.Name, err)
	}
	conn.SetReadLimit(relay.MaxFrame) // a message of relay.MaxText bytes is more than the default 32 KiB
	fail := func(format string, args ...any) (*websocket.Conn, relay.Frame, error) {
		_ = conn.CloseNow()
		return nil, relay.Frame{}, fmt.Errorf("gossip: %s: "+format, append([]any{cfg.Name}, args...)...)
	}
	// A close frame where the challenge or the welcome should be is the
	// relay's refusal, with its reason.
	refused := func(err error) error {
		ce, ok := errors.AsType[websocket.CloseError](err)
		if !ok {
			return nil
		}
		_ = conn.CloseNow()
		if ce.Code == relay.StatusNameTaken {
			return fmt.Errorf("%w the hello of %s: %w: %s (status %d)", ErrRefused, cfg.Name, ErrNameTaken, ce.Reason, int(ce.Code))
		}
		return fmt.Errorf("%w the hello of %s: %s (status %d)", ErrRefused, cfg.Name, ce.Reason, int(ce.Code))
	}
	var ch relay.Frame
	if err := wsjson.Read(ctx, conn, &ch); err != nil {
		if rerr := refused(err); rerr != nil {
			return nil, relay.Frame{}, rerr
		}
		return fail("wait for the challenge: %w", err)
	}
	if ch.Type != relay.TypeChallenge || ch.Nonce == "" {
		return fail("relay opened with a %q frame, want a %q with a nonce", ch.Type, relay.TypeChallenge)
	}
	hello := relay.Frame{Type: relay.TypeHello, Name: cfg.Name, Proof: relay.Proof(cfg.Key, cfg.Name, ch.Nonce)}
	if err := wsjson.Write(ctx, conn, hello); err != nil {
		return fail("send hello: %w", err)
	}
	var w relay.Frame
	if err := wsjson.Read(ctx, conn, &w); err != nil {
		if rerr := refused(err); rerr != nil {
			return nil, relay.Frame{}, rerr
		}
		return fail("wait for welcome: %w", err)
	}
	if w.Type != relay.TypeWelcome {
		return fail("relay answered the hello with a %q frame, want %q", w.Type, relay.TypeWelcome)
	}
	return conn, w, nil
}

// startLink is the keeper's runtime.StartFunc: connect, then spawn the link
// inside the tether with the connection. A failed connect is an error, not a
// fault: it costs the tether nothing. A refusal, which is permanent, makes
// the keeper wait at least Keeper.MaxSweep before its next try
// (runtime.RetryAfter). It first asks the server whether a reset's redial
// was refused meanwhile, which the keeper did not see.
func (w *wiring) startLink(ctx context.Context, t *runtime.Tether) (runtime.Ref, error) {
	until, err := w.chat.DialsHeldUntil(ctx)
	if err != nil {
		return runtime.Ref{}, fmt.Errorf("gossip: %s: ask the server whether to dial: %w", w.cfg.Name, err)
	}
	if wait := time.Until(until); wait > 0 {
		return runtime.Ref{}, runtime.RetryAfter(wait, fmt.Errorf("%w: %s: not dialing for another %v after a refusal", ErrRefused, w.cfg.Name, wait.Round(time.Millisecond)))
	}
	conn, welcome, err := w.dial(ctx)
	if errors.Is(err, ErrRefused) {
		return runtime.Ref{}, runtime.RetryAfter(w.cfg.Keeper.MaxSweep, err)
	}
	if err != nil {
		return runtime.Ref{}, err
	}
	var first atomic.Pointer[websocket.Conn]
	first.Store(conn)
	factory := func(ac *runtime.Context) Link {
		// The first state takes the connection made above; every Reset
		// redials, and a failed redial panics: a fault that counts towards
		// the tether's intensity.
		// A refusal is no fault: the state only stops the link (OnStart),
		// and the server holds the keeper's dials back.
		c, wl := first.Swap(nil), welcome
		self, _ := runtime.Self[LinkMessage](ac)
		l := &link{w: w, self: self, log: ac.Logger(), stopSelf: ac.Stop, loopDone: make(chan struct{})}
		if c == nil {
			var err error
			if c, wl, err = w.dial(context.Background()); errors.Is(err, ErrRefused) {
				w.chat.HoldDials(context.Background(), time.Now().Add(w.cfg.Keeper.MaxSweep))
				l.refused = err
				close(l.loopDone)
				return l
			} else if err != nil {
				panic(err)
			}
		}
		l.conn, l.welcome = c, wl
		return l
	}
	ref, err := SpawnLink(t, "link", factory, w.cfg.LinkOptions...)
	if err != nil {
		if c := first.Swap(nil); c != nil {
			_ = c.CloseNow()
		}
		return runtime.Ref{}, fmt.Errorf("gossip: %s: spawn link: %w", w.cfg.Name, err)
	}
	return ref.Ref(), nil
}

// dial connects to the relay. After a refusal, which is permanent, it logs
// why and emits LinkRefused; the caller holds further dials back for
// Keeper.MaxSweep: a second server with this name, or a wrong key, makes one
// dial per MaxSweep and no fault at all.
func (w *wiring) dial(ctx context.Context) (*websocket.Conn, relay.Frame, error) {
	conn, f, err := connect(ctx, &w.cfg)
	if errors.Is(err, ErrRefused) {
		w.log.Error("gossip: the relay refused this server, a mistake in its configuration that retrying cannot fix: not dialing again for "+w.cfg.Keeper.MaxSweep.String(),
			"server", w.cfg.Name, "err", err)
		w.cfg.emit(Event{Kind: LinkRefused, Err: err})
	}
	return conn, f, err
}

// link is the Link actor's state: one websocket connection to the relay.
type link struct {
	w        *wiring
	self     runtime.Actor[LinkMessage] // the actor's own handle, for the reader
	conn     *websocket.Conn
	welcome  relay.Frame
	log      *slog.Logger
	stopSelf func() // the actor's Context.Stop

	refused  error         // the relay refused a redial: the link stops at once, with no connection
	closing  atomic.Bool   // set before the link closes conn itself
	loopDone chan struct{} // closed when the reader has ended
	nextID   uint64        // used on the actor's goroutine only

	mu     sync.Mutex // guards the request waiting for its answer
	waitID uint64
	waitCh chan relay.Frame
}

var _ Link = (*link)(nil)

// OnStart tells the server that the link is up, then starts the
// connection's reader, whose report that the connection is down therefore
// comes after it; a link whose redial was refused stops, normally.
func (l *link) OnStart(*runtime.Context) {
	if l.refused != nil {
		l.stopSelf()
		return
	}
	l.log.Info("gossip: link up", "online", l.welcome.Names)
	l.w.chat.LinkUp(context.Background(), LinkRef{actor: l.self}, l.conn, l.welcome.Names)
	go l.read()
}

// OnReset closes the old connection before a Reset redials.
func (l *link) OnReset(*runtime.Context) { l.close("gossip: link resetting") }

// OnStop closes the connection and waits for its reader to end.
func (l *link) OnStop(*runtime.Context) { l.close("gossip: link stopping") }

func (l *link) close(reason string) {
	if l.conn == nil {
		return // refused: never connected
	}
	l.w.chat.LinkDown(context.Background(), l.conn)
	l.closing.Store(true)
	_ = l.conn.Close(websocket.StatusNormalClosure, reason)
	<-l.loopDone
}

// connLost is the error the reader passes to Closed: it names the
// connection, so that a late report about an old connection is ignored.
type connLost struct {
	conn *websocket.Conn
	err  error
}

func (e *connLost) Error() string {
	if websocket.CloseStatus(e.err) == websocket.StatusNormalClosure {
		return "relay closed the connection normally: " + e.err.Error()
	}
	return "connection to relay lost: " + e.err.Error()
}

func (e *connLost) Unwrap() error { return e.err }

// read reads frames until the connection ends: messages and presence go to
// the inbox, answers to the request waiting for them; the end of the
// connection goes to the link actor as Closed, unless the link closed it.
func (l *link) read() {
	defer close(l.loopDone)
	ctx := context.Background()
	for {
		var f relay.Frame
		if err := wsjson.Read(ctx, l.conn, &f); err != nil {
			if l.closing.Load() {
				return
			}
			l.w.cfg.emit(Event{Kind: LinkDown, Err: err})
			l.w.chat.LinkDown(ctx, l.conn)
			_ = l.self.Tell(ctx, LinkClosedMsg{Err: &connLost{conn: l.conn, err: err}}.Message())
			return
		}
		switch f.Type {
		case relay.TypeMessage:
			l.w.inbox.Message(ctx, Message{From: f.From, Channel: f.Channel, Text: f.Text})
		case relay.TypeJoined, relay.TypeLeft:
			l.w.inbox.Presence(ctx, f.Name, f.Type == relay.TypeJoined)
		case relay.TypeOK, relay.TypeOnline, relay.TypeError:
			l.answer(f)
		default:
			l.log.Warn("gossip: ignoring an unknown frame from the relay", "type", f.Type)
		}
	}
}

// answer hands f to the request waiting for it, if it is still waiting.
func (l *link) answer(f relay.Frame) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.waitCh != nil && f.ID == l.waitID {
		l.waitCh <- f // buffered for exactly this answer
		l.waitCh = nil
	}
}

// request sends f with a fresh id and waits for the relay's answer, ctx or
// the end of the connection.
func (l *link) request(ctx context.Context, f relay.Frame) (relay.Frame, error) {
	l.nextID++
	f.ID = l.nextID
	ch := make(chan relay.Frame, 1)
	l.mu.Lock()
	l.waitID, l.waitCh = f.ID, ch
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.waitCh = nil
		l.mu.Unlock()
	}()

	// The write gets its own timeout: coder/websocket closes the connection
	// when a write's ctx ends, and a caller's deadline must not do that.
	wctx, cancel := context.WithTimeout(context.Background(), l.w.cfg.WriteTimeout)
	err := wsjson.Write(wctx, l.conn, f)
	cancel()
	if err != nil {
		return relay.Frame{}, fmt.Errorf("%w: send %s: %w", ErrLinkDown, f.Type, err)
	}
	select {
	case a := <-ch:
		if a.Type == relay.TypeError {
			return a, fmt.Errorf("%w %s: %s", ErrRefused, f.Type, a.Error)
		}
		return a, nil
	case <-l.loopDone:
		return relay.Frame{}, fmt.Errorf("%w (%s): %w: the connection ended", ErrUnconfirmed, f.Type, ErrLinkDown)
	case <-ctx.Done():
		return relay.Frame{}, fmt.Errorf("%w (%s): %w", ErrUnconfirmed, f.Type, ctx.Err())
	}
}

// Broadcast implements Link.
func (l *link) Broadcast(ctx context.Context, channel, text string) error {
	_, err := l.request(ctx, relay.Frame{Type: relay.TypeBroadcast, Channel: channel, Text: text})
	return err
}

// Online implements Link.
func (l *link) Online(ctx context.Context) ([]string, error) {
	a, err := l.request(ctx, relay.Frame{Type: relay.TypeWho})
	if err != nil {
		return nil, err
	}
	return a.Names, nil
}

// Closed implements Link: a normal closure stops the link, any other end of
// the connection is a fault.
func (l *link) Closed(_ context.Context, err error) {
	if cl, ok := errors.AsType[*connLost](err); ok && cl.conn != l.conn {
		return // about a connection this state no longer has
	}
	if websocket.CloseStatus(err) == websocket.StatusNormalClosure {
		l.log.Info("gossip: relay closed the link normally", "err", err)
		l.stopSelf()
		return
	}
	panic(fmt.Errorf("gossip: %s: %w", l.w.cfg.Name, err))
}
