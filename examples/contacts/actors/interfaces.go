package actors

import (
	"context"

	"github.com/actorgen/actorgen/examples/contacts/contact"
)

// Directory hands out the book of each user, starting the book's actor as a
// child of the directory when it is not running: on first use, after it
// stopped for being idle, and after a Reset of the directory stopped it.
//
// A fault in the directory itself resets it: its children are stopped and it
// starts again with no books running; each comes back, loaded from the store,
// on its next request.
//
//actor:generate
//actor:supervise reset
//actor:remote
type Directory interface {
	// Book returns user's book. The error is a *contact.ValidationError for an
	// invalid user name.
	Book(ctx context.Context, user string) (Book, error)
}

// Book keeps one user's contacts. Every change is durable in the store before
// the method returns.
//
// A fault (a panic) in a book resets it with exponential backoff: the k-th
// fault in a row (from 0) waits min(5s, 100ms·2^k) plus up to 20% jitter,
// then the factory loads the user's contacts from the store again. Three
// seconds without a fault start the backoff from 100ms again. A bounded mailbox turns
// overload (or a long backoff) into a quick runtime.ErrMailboxFull.
//
//actor:generate
//actor:supervise reset backoff=100ms..5s jitter=0.2 reset-after=3s
//actor:mailbox size=256 overflow=fail
//actor:remote
type Book interface {
	// List returns the user's contacts, oldest first.
	List(ctx context.Context) ([]contact.Contact, error)
	// Get returns the contact id, or an error wrapping contact.ErrNotFound.
	Get(ctx context.Context, id contact.ID) (contact.Contact, error)
	// Create validates c, gives it a new id, stores it and returns it. With c.IdempotencyKey set,
	// it returns the contact already created for that key and those fields, or fails with
	// contact.ErrKeyReused.
	Create(ctx context.Context, c contact.Contact) (contact.Contact, error)
	// Update applies p to the contact id, stores the result and returns it.
	Update(ctx context.Context, id contact.ID, p contact.Patch) (contact.Contact, error)
	// Delete removes the contact id, or returns an error wrapping
	// contact.ErrNotFound.
	Delete(ctx context.Context, id contact.ID) error
}
