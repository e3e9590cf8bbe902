// Package remote makes generated actor refs work across processes: a Node serves the actors
// exported on it and dials actors on other nodes, over a Transport (the NATS one is the module
// github.com/actorgen/actorgen/nats; NewMemNet is an in-memory one for tests). Generated code for
// an //actor:remote interface binds to it: ServeX, ServeXChildren and DialX, and a Binding that
// encodes and delivers the interface's messages. The package depends on the standard library
// and the actorgen runtime only. See docs/remote.md.
package remote

import (
	"context"
	"errors"
)

// Msg is a message a subscription receives. Reply is the subject to publish the answer of a
// request to; it is empty for a message that was published without one. Header is nil unless
// the sender gave one.
type Msg struct {
	Subject string
	Reply   string
	Header  Header
	Data    []byte
}

// Header is metadata a message carries beside its data, as NATS's headers do: the trace
// context of a sampled span (see Propagator). Nearly every message has none: a nil Header.
type Header map[string][]string

// Propagator carries what a caller's ctx holds, a trace's context, across the wire in a
// request's header: Inject on the calling node, Extract on the serving one before the actor
// gets the message. The OpenTelemetry module's agotel.Propagator is one; Config.Propagator
// sets it.
type Propagator interface {
	// Inject returns the header that carries what ctx holds, or nil when there is nothing to
	// carry (no trace, or one that is not sampled): a nil header costs a message nothing.
	Inject(ctx context.Context) Header
	// Extract returns ctx with what h carries; h is not nil. It must not keep h.
	Extract(ctx context.Context, h Header) context.Context
}

// Transport is the messaging a Node runs on: subjects as NATS has them (tokens separated by
// dots, "*" matching one token and ">" the rest in a subscription), request-reply, publish and
// subscribe.
//
// A transport reports its failures with errors that match these sentinels: ErrLinkDown when
// its own link is down (at once: it never buffers a message to send it later), and also for a
// request that was waiting when the link went down; ErrUnreachable for a request that no
// subscriber could receive (NATS's no-responders); ErrTooLarge for data over MaxPayload.
type Transport interface {
	// Request publishes data, with header h if it is not nil, to subject with a reply subject
	// of its own and returns the first reply, or fails when ctx is done.
	Request(ctx context.Context, subject string, h Header, data []byte) ([]byte, error)
	// Publish sends data, with header h if it is not nil, to subject; reply, if not empty, is
	// the subject to answer to. The transport does not keep data or h after it returns.
	Publish(subject, reply string, h Header, data []byte) error
	// Subscribe calls handle for every message on the subjects that match subject, one at a
	// time and in order, until unsubscribe is called. A transport whose link comes and goes
	// keeps its subscriptions across links. handle must not keep m.Data after it returns
	// unless the transport says otherwise (both here do not reuse it).
	Subscribe(subject string, handle func(m Msg)) (unsubscribe func(), err error)
	// MaxPayload is the largest message the transport can carry, in bytes.
	MaxPayload() int
}

// Errors of the transport and of remote calls. Match them with errors.Is.
var (
	// ErrLinkDown: this node's link to the messaging system is down; nothing was sent, or a
	// request that was sent lost its way back.
	ErrLinkDown = errors.New("remote: link down")
	// ErrUnreachable: no node serves the subject (NATS answers "no responders" at once).
	ErrUnreachable = errors.New("remote: unreachable: no node serves it")
	// ErrTooLarge: the message is larger than the transport's maximum payload; nothing was sent.
	ErrTooLarge = errors.New("remote: message too large")
	// ErrNodeDown: the node that runs the actor stopped sending heartbeats (it died, or is cut
	// off from this one), or restarted.
	ErrNodeDown = errors.New("remote: node down")
	// ErrUnconfirmed: the request was sent and no answer will come: whether the handler ran is
	// unknown. It comes with ErrNodeDown, ErrLinkDown or the ctx's error.
	ErrUnconfirmed = errors.New("remote: outcome unknown")
	// ErrBadMessage: the peer could not decode the message (or this node its answer); the
	// error names the method.
	ErrBadMessage = errors.New("remote: bad message")
	// ErrRefused: the serving node refused the operation (a Stop of an actor exported without
	// AllowStop).
	ErrRefused = errors.New("remote: refused")
)
