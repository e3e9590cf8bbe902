// Package game is the game-server side of the gossip example: a server that
// keeps a websocket link to a relay that may be down at boot or die at any
// time, and stays up, reconnecting by itself.
//
// Start builds this actor tree under a parent (the system, say):
//
//	/NAME              Chat: what game code calls; knows whether the link is up
//	/NAME/inbox        Inbox: game code's handler for what other servers send
//	/NAME/tether       a runtime.Tether, empty at boot
//	/NAME/tether/link  Link: the websocket connection, started by the keeper
//	/NAME/keeper       a runtime keeper: starts the link inside the tether
//
// The keeper dials the relay on its schedule. Once the hello is welcomed it
// spawns the Link actor inside the tether. When the connection breaks, the
// link faults and its policy resets it (a reset redials); when it keeps
// faulting, the tether's intensity is exceeded, the tether is cut (the link
// stops, the fault goes no higher) and the keeper tries again later. While
// the link is down, Chat's calls fail at once with [ErrLinkDown].
package game

import (
	"context"
	"errors"
	"time"

	"github.com/coder/websocket"

	"github.com/actorgen/actorgen/runtime"
)

//go:generate go tool actorgen

// Message is a channel message that another server broadcast.
type Message struct {
	From    string // the server that sent it
	Channel string
	Text    string
}

// ErrLinkDown is matched (errors.Is) by the errors of calls made while the
// link to the relay is down. When the link actor has stopped, the error wraps
// its reason as well (runtime.ErrStopped, or a fault cut loose by the tether).
var ErrLinkDown = errors.New("gossip: link to relay is down")

// ErrUnconfirmed is matched by the error of a request that was sent but
// whose answer never came: the connection ended first (the error matches
// ErrLinkDown too), or ctx did. A broadcast may then have reached the other
// servers or not.
var ErrUnconfirmed = errors.New("gossip: sent, but the relay's answer never came")

// ErrRefused is matched by the error of a dial whose hello the relay refused
// (bad credentials, a name online already), and of a request the relay
// answered with an error frame. A refused hello is permanent: the server
// does not dial again for Config.Keeper.MaxSweep.
var ErrRefused = errors.New("gossip: relay refused")

// ErrTooLarge is matched by the error of a Broadcast whose text is longer
// than relay.MaxText (32 KiB): it is refused before anything is sent, and
// the link is untouched.
var ErrTooLarge = errors.New("gossip: broadcast text too large")

// ErrNameTaken is matched, with ErrRefused, by the error of a dial that the
// relay refused because another server is online under the same name.
var ErrNameTaken = errors.New("gossip: another server is online under this name")

// Chat is what game code uses to talk to the other servers (through
// ChatRef). Its actor is the server's root: it knows whether the link to the
// relay is up, and fails a call at once with ErrLinkDown when it is not.
type Chat interface {
	// Broadcast sends text on channel to every other server connected to the
	// relay, and returns once the relay has accepted it. A text over
	// relay.MaxText bytes (32 KiB) fails at once with ErrTooLarge. Without a
	// deadline on ctx, it gives up after 5s.
	//
	//actor:ask timeout=5s
	Broadcast(ctx context.Context, channel, text string) error
	// Online returns the names of the servers connected to the relay, sorted.
	// Without a deadline on ctx, it gives up after 5s.
	//
	//actor:ask timeout=5s
	Online(ctx context.Context) ([]string, error)
}

// server is the whole protocol of a game server's root actor: Chat, which
// game code calls, and what the server's own actors tell and ask it. The
// actor owns the server's state (which link is current, whether its
// connection is live, how long dials are held back after a refused redial);
// the link and the keeper's start function only send it messages.
//
//actor:generate
type server interface {
	Chat
	// LinkUp tells the server that the link l has the live connection conn,
	// and who was online when the relay welcomed it. Chat's calls go to l
	// from then on.
	LinkUp(ctx context.Context, l linkRef, conn *websocket.Conn, online []string)
	// LinkDown tells the server that conn is no longer live. A report about
	// another connection than the live one is ignored.
	LinkDown(ctx context.Context, conn *websocket.Conn)
	// HoldDials tells the server that the relay refused a reset's redial:
	// the keeper's start must not dial before until.
	HoldDials(ctx context.Context, until time.Time)
	// DialsHeldUntil returns the time before which the keeper's start must
	// not dial (in the past when it may dial now).
	DialsHeldUntil(ctx context.Context) (time.Time, error)
}

// linkRef is a link actor's LinkRef, as an interface that server can name:
// actorgen loads the package without its generated code.
type linkRef interface {
	Link
	Ref() runtime.Ref
}

// Link is the connection to the relay. Its actor lives inside the server's
// tether; only Chat and the connection's reader send it messages.
//
//actor:generate
//actor:supervise reset backoff=100ms..1s
type Link interface {
	// Broadcast sends a broadcast frame and waits for the relay's ok.
	Broadcast(ctx context.Context, channel, text string) error
	// Online sends a who frame and waits for the relay's answer.
	Online(ctx context.Context) ([]string, error)
	// Closed tells the link that its connection ended with err. A normal
	// closure (status 1000) stops the link normally; anything else is a fault
	// (the handler panics with err), so that supervision sees it.
	Closed(ctx context.Context, err error)
}

// Inbox receives what other servers send through the relay. Game code
// implements it (Config.Inbox builds it); it runs as an actor, one event at a
// time, so an implementation needs no locks. It outlives link failures.
//
//actor:generate
//actor:supervise resume
type Inbox interface {
	// Message delivers a message another server broadcast.
	Message(ctx context.Context, m Message)
	// Presence reports that a server joined (online) or left the relay.
	Presence(ctx context.Context, server string, online bool)
}
