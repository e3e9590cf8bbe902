package actors

import (
	"context"
	"errors"
	"fmt"

	"github.com/actorgen/actorgen/runtime"

	"github.com/actorgen/actorgen/examples/contacts/contact"
)

// StartDirectory spawns a directory named name under parent. opts override
// the Directory directives, as for SpawnDirectory.
func StartDirectory(parent runtime.Parent, name string, cfg Config, opts ...runtime.Option) (DirectoryRef, error) {
	if cfg.Store == nil {
		return DirectoryRef{}, errors.New("actors: start directory: Config.Store is nil")
	}
	if cfg.IdleStop < 0 {
		return DirectoryRef{}, fmt.Errorf("actors: start directory: Config.IdleStop is negative (%v)", cfg.IdleStop)
	}
	bookOpts := make([]runtime.Option, 0, 1+len(cfg.BookOptions))
	if cfg.IdleStop > 0 {
		bookOpts = append(bookOpts, runtime.WithIdleStop(cfg.IdleStop))
	}
	bookOpts = append(bookOpts, cfg.BookOptions...)
	return SpawnDirectory(parent, name, func(ac *runtime.Context) Directory {
		return &directory{ac: ac, cfg: &cfg, bookOpts: bookOpts, books: make(map[string]BookRef), pruneAt: minPrune}
	}, opts...)
}

// minPrune is the smallest number of remembered books at which the
// directory forgets the ones that have stopped.
const minPrune = 64

// directory is the Directory actor's state: the typed handles of the books it
// started. The runtime's list of children (ac.Child) says which are running.
type directory struct {
	ac       *runtime.Context
	cfg      *Config
	bookOpts []runtime.Option // IdleStop, then cfg.BookOptions
	books    map[string]BookRef
	pruneAt  int
}

func (d *directory) Book(_ context.Context, user string) (Book, error) {
	if err := contact.ValidateUser(user); err != nil {
		return nil, err
	}
	if ref, ok := d.ac.Child(user); ok {
		if b, ok := d.books[user]; ok && b.Ref() == ref {
			return b, nil
		}
		// Only this directory spawns its children, and a Reset stops them all
		// before the fresh state starts, so this is a book of a previous
		// state still on its way out: the caller may try again shortly.
		return nil, fmt.Errorf("directory %s: book %q of a previous state is still stopping: %w", d.ac.Path(), user, runtime.ErrStopped)
	}
	b, err := SpawnBook(d.ac, user, func(ac *runtime.Context) Book { return newBook(ac, user, d.cfg) }, d.bookOpts...)
	if err != nil {
		return nil, fmt.Errorf("directory %s: start book %q: %w", d.ac.Path(), user, err)
	}
	d.books[user] = b
	d.prune()
	return b, nil
}

// prune forgets the handles of stopped books once there are many, so the map
// tracks the running books rather than every user ever seen.
func (d *directory) prune() {
	if len(d.books) < d.pruneAt {
		return
	}
	for user, b := range d.books {
		if b.Ref().Err() != nil { // stopped
			delete(d.books, user)
		}
	}
	d.pruneAt = max(minPrune, 2*len(d.books))
}
