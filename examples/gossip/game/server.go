package game

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

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
	ref, err := spawnServer(parent, cfg.Name, func(*runtime.Context) server { return &chat{cfg: cfg} })
	if err != nil {
		return ChatRef{}, fmt.Errorf("gossip: start server %s: %w", cfg.Name, err)
	}
	return ChatRef{r: ref}, nil
}

// ChatRef is a reference to a game server's root actor, for game code: it
// implements Chat by sending messages to the actor's mailbox. The actor's
// other messages (the unexported interface server) are for the server's own
// actors only.
type ChatRef struct {
	r serverRef
}

var _ Chat = ChatRef{}

// Ref returns the untyped handle: path, Stop, Done and Err.
func (c ChatRef) Ref() runtime.Ref { return c.r.Ref() }

// Broadcast implements Chat.
func (c ChatRef) Broadcast(ctx context.Context, channel, text string) error {
	return c.r.Broadcast(ctx, channel, text)
}

// Online implements Chat.
func (c ChatRef) Online(ctx context.Context) ([]string, error) { return c.r.Online(ctx) }

// wiring is what the keeper's start function and the link actors know of
// their server. It is set when the root actor starts, before the keeper, and
// only read after: the server's state is the root actor's, and they send it
// messages through chat.
type wiring struct {
	cfg   Config
	chat  serverRef
	inbox InboxRef
	log   *slog.Logger
}

// chat is the state of the server's root actor, which implements Chat for
// game code and owns what the server knows about its link. Its OnStart
// spawns the rest of the tree.
type chat struct {
	cfg Config

	link      linkRef         // the link that came up last; nil before the first
	live      *websocket.Conn // link's connection while it is live, else nil
	heldUntil time.Time       // no dial before then: the relay refused a redial
}

var _ server = (*chat)(nil)

// OnStart spawns the inbox, the tether and the keeper. A failure panics: a
// fault at start, which makes Start fail.
func (c *chat) OnStart(ac *runtime.Context) {
	self, _ := runtime.Self[serverMessage](ac)
	inbox, err := SpawnInbox(ac, "inbox", c.cfg.Inbox)
	if err != nil {
		panic(fmt.Errorf("gossip: %s: spawn inbox: %w", c.cfg.Name, err))
	}
	w := &wiring{cfg: c.cfg, chat: serverRef{actor: self}, inbox: inbox, log: ac.Logger()}
	t, err := runtime.SpawnTether(ac, "tether", c.cfg.TetherMax, c.cfg.TetherPeriod)
	if err != nil {
		panic(fmt.Errorf("gossip: %s: spawn tether: %w", c.cfg.Name, err))
	}
	if _, err := runtime.SpawnKeeper(ac, "keeper", t, w.startLink, c.cfg.Keeper); err != nil {
		panic(fmt.Errorf("gossip: %s: spawn keeper: %w", c.cfg.Name, err))
	}
}

// LinkUp implements server. A call handled after it reaches l, so it emits
// the LinkUp event.
func (c *chat) LinkUp(_ context.Context, l linkRef, conn *websocket.Conn, online []string) {
	c.link, c.live = l, conn
	c.cfg.emit(Event{Kind: LinkUp, Names: online})
}

// LinkDown implements server.
func (c *chat) LinkDown(_ context.Context, conn *websocket.Conn) {
	if c.live == conn {
		c.live = nil
	}
}

// HoldDials implements server.
func (c *chat) HoldDials(_ context.Context, until time.Time) {
	if until.After(c.heldUntil) {
		c.heldUntil = until
	}
}

// DialsHeldUntil implements server.
func (c *chat) DialsHeldUntil(context.Context) (time.Time, error) { return c.heldUntil, nil }

// current returns the link if it is up, or an error matching ErrLinkDown
// (and the link actor's stop reason, once it has stopped).
func (c *chat) current(op string) (linkRef, error) {
	l := c.link
	if l == nil {
		return nil, fmt.Errorf("%w (%s %s: never connected yet)", ErrLinkDown, c.cfg.Name, op)
	}
	if c.live != nil && l.Ref().Err() == nil {
		return l, nil
	}
	if err := l.Ref().Err(); err != nil {
		return l, fmt.Errorf("%w (%s %s): %w", ErrLinkDown, c.cfg.Name, op, err)
	}
	return l, fmt.Errorf("%w (%s %s: reconnecting)", ErrLinkDown, c.cfg.Name, op)
}

// Broadcast implements Chat.
func (c *chat) Broadcast(ctx context.Context, channel, text string) error {
	if err := relay.ValidName("channel", channel); err != nil {
		return fmt.Errorf("gossip: %s Broadcast: %w", c.cfg.Name, err)
	}
	if len(text) > relay.MaxText {
		return fmt.Errorf("%w: %s Broadcast: the text is %d bytes, over the relay's limit of %d (relay.MaxText)", ErrTooLarge, c.cfg.Name, len(text), relay.MaxText)
	}
	l, err := c.current("Broadcast")
	if err != nil {
		return err
	}
	return c.linkErr("Broadcast", l.Broadcast(ctx, channel, text))
}

// Online implements Chat.
func (c *chat) Online(ctx context.Context) ([]string, error) {
	l, err := c.current("Online")
	if err != nil {
		return nil, err
	}
	names, err := l.Online(ctx)
	return names, c.linkErr("Online", err)
}

// linkErr makes an error from the link actor match ErrLinkDown when the link
// went away during the call.
func (c *chat) linkErr(op string, err error) error {
	if err == nil || errors.Is(err, ErrLinkDown) {
		return err
	}
	if errors.Is(err, runtime.ErrStopped) || errors.Is(err, runtime.ErrFault) {
		return fmt.Errorf("%w (%s %s): %w", ErrLinkDown, c.cfg.Name, op, err)
	}
	return err
}
