package actors

import (
	"time"

	"github.com/actorgen/actorgen/runtime"

	"github.com/actorgen/actorgen/examples/contacts/contact"
)

// Config configures a directory and the books it starts.
type Config struct {
	// Store keeps the contacts. Required.
	Store Store
	// IdleStop stops a book after this long without a message (nact's
	// shutdownAfter); the next request for its user starts it again.
	// Zero keeps books running.
	IdleStop time.Duration
	// Chaos, if not nil, makes a fraction of book handler calls panic.
	Chaos *Chaos
	// NewID returns the id of each new contact; nil means 128 random bits.
	NewID func() contact.ID
	// BookOptions are passed to SpawnBook after the book's directives and
	// IdleStop, so they override both (tests shorten the backoff with them).
	BookOptions []runtime.Option
}
