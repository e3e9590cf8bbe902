package runtime

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Overflow says what a send does when a bounded mailbox is full.
type Overflow uint8

const (
	// OverflowBlock makes the send wait for room, or for its context to be done.
	OverflowBlock Overflow = iota
	// OverflowDrop drops the message; the send returns nil.
	OverflowDrop
	// OverflowFail makes the send fail with ErrMailboxFull.
	OverflowFail
)

var overflowNames = [...]string{"block", "drop", "fail"}

// String returns the overflow's name as the //actor:mailbox directive spells it.
func (o Overflow) String() string {
	if int(o) < len(overflowNames) {
		return overflowNames[o]
	}
	return fmt.Sprintf("Overflow(%d)", uint8(o))
}

// errDropped is what room says when OverflowDrop drops a message.
var errDropped = errors.New("dropped")

// An Option configures an actor at Spawn. Later options override earlier ones. The zero Option
// changes nothing.
type Option struct {
	apply func(*config)
	iface *ifaceDesc // WithInterface's, which Spawn reads without a configuration of its own
}

// option makes an Option that changes the configuration with apply.
func option(apply func(*config)) Option { return Option{apply: apply} }

// config is an actor's configuration. Actors spawned without options share the system's, and
// actors spawned with only WithInterface share their interface's (typeRecord.shared).
type config struct {
	policy   Policy
	size     int
	overflow Overflow
	timeMask uint32 // a message is timed when its sequence number & timeMask == 0: see stamp
	idle     time.Duration
	err      error

	typ *typeRecord // the actor's interface: the system's untyped record without WithInterface
	obs *observer   // nil unless the system observes messages: see observe.go
}

func (c *config) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// WithPolicy sets the actor's supervision policy. The default is Strategy{Decision: Stop}.
func WithPolicy(p Policy) Option {
	return option(func(c *config) {
		if p == nil {
			c.fail(optionError("WithPolicy: policy is nil"))
			return
		}
		if err := validatePolicy(p); err != nil {
			c.fail(fmt.Errorf("WithPolicy: %w", err))
			return
		}
		c.policy = p
	})
}

// WithMailbox bounds the actor's mailbox to size messages not yet handled; overflow says what a
// send to a full mailbox does. Mailboxes are unbounded by default.
func WithMailbox(size int, overflow Overflow) Option {
	return option(func(c *config) {
		if size <= 0 {
			c.fail(optionError("WithMailbox: size %d is not positive", size))
			return
		}
		if overflow > OverflowFail {
			c.fail(optionError("WithMailbox: unknown overflow %d", uint8(overflow)))
			return
		}
		c.size, c.overflow = size, overflow
	})
}

// WithIdleStop stops the actor normally after d without a message, like nact's shutdownAfter.
func WithIdleStop(d time.Duration) Option {
	return option(func(c *config) {
		if d <= 0 {
			c.fail(optionError("WithIdleStop: duration %v is not positive", d))
			return
		}
		c.idle = d
	})
}

// WithDefaultTimeout returns ctx with a timeout of d if ctx has no deadline, and ctx itself
// otherwise. Generated code uses it for the //actor:ask timeout=D directive.
func WithDefaultTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok || d <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}
