package game

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"

	"github.com/actorgen/actorgen/examples/gossip/relay"
	"github.com/actorgen/actorgen/runtime"
)

// Start starts a game server named cfg.Name under parent (see the package
// doc for the actor tree) and returns its Chat. The link comes up on the
// keeper's schedule: Start does not wait for the relay, which may be down.
// Stop the returned actor (or shut the system down) to stop the server.
func Start(parent runtime.Parent, cfg Config) (ChatRef, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return ChatRef{}, err
	}
	srv := &server{cfg: cfg}
	ref, err := SpawnChat(parent, cfg.Name, func(*runtime.Context) Chat { return &chat{srv: srv} })
	if err != nil {
		return ChatRef{}, fmt.Errorf("gossip: start server %s: %w", cfg.Name, err)
	}
	return ref, nil
}

// server is what a game server's actors share.
type server struct {
	cfg   Config
	log   *slog.Logger
	inbox InboxRef

	// noDialBefore (Unix nanoseconds) holds dials back after a refusal. The
	// link's factory sets it, the keeper's start reads it.
	noDialBefore atomic.Int64

	mu        sync.Mutex
	link      LinkRef         // the link the keeper started last; zero before the first
	upRef     runtime.Ref     // the link actor whose connection is live, if any
	upConn    *websocket.Conn // that connection
	upNames   []string        // who was online when the relay welcomed it
	announced *websocket.Conn // the connection LinkUp was last emitted for
}

// attach records the link the keeper just started.
func (s *server) attach(l LinkRef) {
	s.mu.Lock()
	s.link = l
	s.announce()
}

// connUp records that the link actor self has the live connection conn.
func (s *server) connUp(self runtime.Ref, conn *websocket.Conn, names []string) {
	s.mu.Lock()
	s.upRef, s.upConn, s.upNames = self, conn, names
	s.announce()
}

// connDown records that conn is no longer live.
func (s *server) connDown(conn *websocket.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.upConn == conn {
		s.upRef, s.upConn, s.upNames = runtime.Ref{}, nil, nil
	}
}

// announce emits LinkUp once per connection, as soon as the link that owns
// the live connection is also the one Chat calls: a call made after LinkUp
// reaches it. It unlocks s.mu.
func (s *server) announce() {
	upNow := s.upLocked() && s.announced != s.upConn
	if upNow {
		s.announced = s.upConn
	}
	names := s.upNames
	s.mu.Unlock()
	if upNow {
		s.cfg.emit(Event{Kind: LinkUp, Names: names})
	}
}

// upLocked reports whether the link Chat calls has the live connection.
func (s *server) upLocked() bool { return s.upConn != nil && s.link.Ref() == s.upRef }

// current returns the link if it is up, or an error matching ErrLinkDown
// (and the link actor's stop reason, once it has stopped).
func (s *server) current(op string) (LinkRef, error) {
	s.mu.Lock()
	l, up := s.link, s.upLocked()
	s.mu.Unlock()
	if up {
		return l, nil
	}
	if l.Ref().IsZero() {
		return l, fmt.Errorf("%w (%s %s: never connected yet)", ErrLinkDown, s.cfg.Name, op)
	}
	if err := l.Ref().Err(); err != nil {
		return l, fmt.Errorf("%w (%s %s): %w", ErrLinkDown, s.cfg.Name, op, err)
	}
	return l, fmt.Errorf("%w (%s %s: reconnecting)", ErrLinkDown, s.cfg.Name, op)
}

// chat is the Chat actor's state: the server's root. Its OnStart spawns the
// rest of the tree.
type chat struct {
	srv *server
}

var _ Chat = (*chat)(nil)

// OnStart spawns the inbox, the tether and the keeper. A failure panics: a
// fault at start, which makes Start fail.
func (c *chat) OnStart(ac *runtime.Context) {
	cfg := &c.srv.cfg
	c.srv.log = ac.Logger() // before the keeper, the first to use it, starts
	inbox, err := SpawnInbox(ac, "inbox", cfg.Inbox)
	if err != nil {
		panic(fmt.Errorf("gossip: %s: spawn inbox: %w", cfg.Name, err))
	}
	c.srv.inbox = inbox
	t, err := runtime.SpawnTether(ac, "tether", cfg.TetherMax, cfg.TetherPeriod)
	if err != nil {
		panic(fmt.Errorf("gossip: %s: spawn tether: %w", cfg.Name, err))
	}
	if _, err := runtime.SpawnKeeper(ac, "keeper", t, c.srv.startLink, cfg.Keeper); err != nil {
		panic(fmt.Errorf("gossip: %s: spawn keeper: %w", cfg.Name, err))
	}
}

// Broadcast implements Chat.
func (c *chat) Broadcast(ctx context.Context, channel, text string) error {
	if err := relay.ValidName("channel", channel); err != nil {
		return fmt.Errorf("gossip: %s Broadcast: %w", c.srv.cfg.Name, err)
	}
	if len(text) > relay.MaxText {
		return fmt.Errorf("%w: %s Broadcast: the text is %d bytes, over the relay's limit of %d (relay.MaxText)", ErrTooLarge, c.srv.cfg.Name, len(text), relay.MaxText)
	}
	l, err := c.srv.current("Broadcast")
	if err != nil {
		return err
	}
	return c.srv.linkErr("Broadcast", l.Broadcast(ctx, channel, text))
}

// Online implements Chat.
func (c *chat) Online(ctx context.Context) ([]string, error) {
	l, err := c.srv.current("Online")
	if err != nil {
		return nil, err
	}
	names, err := l.Online(ctx)
	return names, c.srv.linkErr("Online", err)
}

// linkErr makes an error from the link actor match ErrLinkDown when the link
// went away during the call.
func (s *server) linkErr(op string, err error) error {
	if err == nil || errors.Is(err, ErrLinkDown) {
		return err
	}
	if errors.Is(err, runtime.ErrStopped) || errors.Is(err, runtime.ErrFault) {
		return fmt.Errorf("%w (%s %s): %w", ErrLinkDown, s.cfg.Name, op, err)
	}
	return err
}
