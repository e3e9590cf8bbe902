package actors

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"

	"github.com/actorgen/actorgen/runtime"

	"github.com/actorgen/actorgen/examples/contacts/contact"
)

// Store is where books keep their contacts. Each method's change must be
// durable when it returns; *store.Store is the SQLite implementation.
type Store interface {
	// Load returns all contacts of user, oldest first.
	Load(ctx context.Context, user string) ([]contact.Contact, error)
	// Insert adds c to user's contacts.
	Insert(ctx context.Context, user string, c contact.Contact) error
	// Update replaces user's contact c.ID (an error wrapping contact.ErrNotFound if missing).
	Update(ctx context.Context, user string, c contact.Contact) error
	// Delete removes user's contact id (an error wrapping contact.ErrNotFound if missing).
	Delete(ctx context.Context, user string, id contact.ID) error
}

// book is the state of one user's Book actor: plain maps, no locks, since the
// actor handles one message at a time.
type book struct {
	user  string
	store Store
	chaos *Chaos
	newID func() contact.ID
	byID  map[contact.ID]contact.Contact
	order []contact.ID // ids, oldest first
	// byKey maps the key digest of each keyed id in byID to that id (see
	// keyedID): the idempotency keys of the creates that made the contacts
	// the book holds, rebuilt from the ids at every load.
	byKey map[string]contact.ID
}

// newBook is the factory of a user's book actor: it loads the user's
// contacts from the store, at start and on every Reset. A store that cannot be
// read is a fault (a panic): the book's policy retries the load after its
// backoff.
func newBook(ac *runtime.Context, user string, cfg *Config) Book {
	b, err := LoadBook(context.Background(), user, *cfg)
	if err != nil {
		panic(err)
	}
	ac.Logger().Info("book loaded", "user", user, "contacts", len(b.(*book).order))
	return b
}

// LoadBook returns user's book as plain state, not an actor: loaded from
// cfg.Store, with cfg.Chaos and cfg.NewID, and not safe for concurrent use.
// The Book actors are built from it; benchmarks use it to serve the same
// state through a plain goroutine and channel.
func LoadBook(ctx context.Context, user string, cfg Config) (Book, error) {
	if cfg.Store == nil {
		return nil, errors.New("actors: load book: Config.Store is nil")
	}
	list, err := cfg.Store.Load(ctx, user)
	if err != nil {
		return nil, fmt.Errorf("book %q: load contacts: %w", user, err)
	}
	b := &book{
		user:  user,
		store: cfg.Store,
		chaos: cfg.Chaos,
		newID: cfg.NewID,
		byID:  make(map[contact.ID]contact.Contact, len(list)),
		order: make([]contact.ID, 0, len(list)),
		byKey: make(map[string]contact.ID),
	}
	if b.newID == nil {
		b.newID = randomID
	}
	for _, c := range list {
		b.byID[c.ID] = c
		b.order = append(b.order, c.ID)
		if digest, ok := keyDigest(c.ID); ok {
			b.byKey[digest] = c.ID
		}
	}
	return b, nil
}

// randomID returns 128 random bits as 26 base32 characters.
func randomID() contact.ID { return contact.ID(rand.Text()) }

func (b *book) List(context.Context) ([]contact.Contact, error) {
	b.chaos.Maybe("Book.List")
	out := make([]contact.Contact, 0, len(b.order))
	for _, id := range b.order {
		out = append(out, b.byID[id])
	}
	return out, nil
}

func (b *book) Get(_ context.Context, id contact.ID) (contact.Contact, error) {
	b.chaos.Maybe("Book.Get")
	c, ok := b.byID[id]
	if !ok {
		return contact.Contact{}, b.notFound(id)
	}
	return c, nil
}

// Create makes a contact. With c.IdempotencyKey set, the contact gets the
// keyed id of the user, the key and its fields: if the book already holds a
// contact for that key, Create returns it as it is now (and writes nothing)
// when the fields are those of its create, and fails with an error wrapping
// contact.ErrKeyReused when they are not. A key is bound for as long as its
// contact exists: deleting the contact frees it.
func (b *book) Create(ctx context.Context, c contact.Contact) (contact.Contact, error) {
	b.chaos.Maybe("Book.Create")
	if c.ID != "" {
		return contact.Contact{}, &contact.ValidationError{Field: "id", Reason: "is assigned by the service"}
	}
	if err := c.Validate(); err != nil {
		return contact.Contact{}, err
	}
	key := c.IdempotencyKey
	c.IdempotencyKey = ""
	var digest string
	if key != "" {
		c.ID, digest = keyedID(b.user, key, c)
		if prev, ok := b.byKey[digest]; ok {
			if prev != c.ID {
				return contact.Contact{}, fmt.Errorf("book %q: create: %w", b.user, contact.ErrKeyReused)
			}
			return b.byID[prev], nil
		}
	} else {
		c.ID = b.newID()
	}
	if _, taken := b.byID[c.ID]; taken {
		return contact.Contact{}, fmt.Errorf("book %q: new id %q is already in use", b.user, c.ID)
	}
	// The write is not cut short by the caller going away: once it starts, the
	// store and the book's state agree on its outcome.
	if err := b.store.Insert(context.WithoutCancel(ctx), b.user, c); err != nil {
		return contact.Contact{}, fmt.Errorf("book %q: create: %w", b.user, err)
	}
	b.byID[c.ID] = c
	b.order = append(b.order, c.ID)
	if digest != "" {
		b.byKey[digest] = c.ID
	}
	return c, nil
}

func (b *book) Update(ctx context.Context, id contact.ID, p contact.Patch) (contact.Contact, error) {
	b.chaos.Maybe("Book.Update")
	old, ok := b.byID[id]
	if !ok {
		return contact.Contact{}, b.notFound(id)
	}
	c, err := p.Apply(old)
	if err != nil {
		return contact.Contact{}, err
	}
	if err := b.store.Update(context.WithoutCancel(ctx), b.user, c); err != nil {
		return contact.Contact{}, fmt.Errorf("book %q: update: %w", b.user, err)
	}
	b.byID[id] = c
	return c, nil
}

func (b *book) Delete(ctx context.Context, id contact.ID) error {
	b.chaos.Maybe("Book.Delete")
	if _, ok := b.byID[id]; !ok {
		return b.notFound(id)
	}
	if err := b.store.Delete(context.WithoutCancel(ctx), b.user, id); err != nil {
		return fmt.Errorf("book %q: delete: %w", b.user, err)
	}
	delete(b.byID, id)
	if digest, ok := keyDigest(id); ok && b.byKey[digest] == id {
		delete(b.byKey, digest)
	}
	if i := slices.Index(b.order, id); i >= 0 {
		b.order = slices.Delete(b.order, i, i+1)
	}
	return nil
}

func (b *book) notFound(id contact.ID) error {
	return fmt.Errorf("book %q: contact %q: %w", b.user, id, contact.ErrNotFound)
}
