// Package mutexbook serves the contacts API without actors: each user's book
// is the very state the Book actor runs (actors.LoadBook), guarded by a
// sync.Mutex, and the directory is a mutex-guarded map. It is the baseline of
// the service's HTTP benchmark (BenchmarkHTTP in package service): the same
// routes, book code and store, with locks in place of actors.
//
// It has none of what the actors add: no supervision (a panic in a book is
// the HTTP server's to recover, and the book's state is not rebuilt), no idle
// stop, no bounded queue (waiters for a busy book pile up without limit and
// do not give up when their context ends).
package mutexbook

import (
	"context"
	"errors"
	"sync"

	"github.com/actorgen/actorgen/examples/contacts/actors"
	"github.com/actorgen/actorgen/examples/contacts/contact"
)

// Directory hands out the users' books, loading each from the store on
// first use. It implements actors.Directory and is safe for concurrent use.
type Directory struct {
	cfg   actors.Config
	mu    sync.Mutex
	books map[string]*Book
}

// New returns a directory over cfg.Store; cfg.IdleStop and cfg.BookOptions
// are ignored.
func New(cfg actors.Config) (*Directory, error) {
	if cfg.Store == nil {
		return nil, errors.New("mutexbook: Config.Store is nil")
	}
	return &Directory{cfg: cfg, books: make(map[string]*Book)}, nil
}

// Book returns user's book. The error is a *contact.ValidationError for an
// invalid user name, or the store's error loading the book.
func (d *Directory) Book(ctx context.Context, user string) (actors.Book, error) {
	if err := contact.ValidateUser(user); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if b, ok := d.books[user]; ok {
		return b, nil
	}
	state, err := actors.LoadBook(ctx, user, d.cfg)
	if err != nil {
		return nil, err
	}
	b := &Book{state: state}
	d.books[user] = b
	return b, nil
}

// Book is one user's book: the actors' book state behind a mutex. It
// implements actors.Book.
type Book struct {
	mu    sync.Mutex
	state actors.Book
}

// List returns the user's contacts, oldest first.
func (b *Book) List(ctx context.Context) ([]contact.Contact, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state.List(ctx)
}

// Get returns the contact id.
func (b *Book) Get(ctx context.Context, id contact.ID) (contact.Contact, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state.Get(ctx, id)
}

// Create stores a new contact, as actors.Book's Create.
func (b *Book) Create(ctx context.Context, c contact.Contact) (contact.Contact, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state.Create(ctx, c)
}

// Update changes the contact id, as actors.Book's Update.
func (b *Book) Update(ctx context.Context, id contact.ID, p contact.Patch) (contact.Contact, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state.Update(ctx, id, p)
}

// Delete removes the contact id, as actors.Book's Delete.
func (b *Book) Delete(ctx context.Context, id contact.ID) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state.Delete(ctx, id)
}
