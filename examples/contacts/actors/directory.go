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
		return &directory{ac: ac, cfg: &cfg, bookOpts: bookOpts}
	}, opts...)
}

// directory is the Directory actor's state. Its books are its children: the
// runtime's list of them (ac.Child) is the only record, and BookRefOf turns
// a child's handle back into a BookRef.
type directory struct {
	ac       *runtime.Context
	cfg      *Config
	bookOpts []runtime.Option // IdleStop, then cfg.BookOptions
}

func (d *directory) Book(_ context.Context, user string) (Book, error) {
	if err := contact.ValidateUser(user); err != nil {
		return nil, err
	}
	if ref, ok := d.ac.Child(user); ok {
		b, ok := BookRefOf(ref)
		if !ok {
			return nil, fmt.Errorf("directory %s: child %q is not a book", d.ac.Path(), user)
		}
		// A book of a previous state may still be on its way out (a Reset
		// stops the children before the fresh state starts): its asks fail
		// with runtime.ErrStopped, and the caller may try again shortly.
		return b, nil
	}
	b, err := SpawnBook(d.ac, user, func(ac *runtime.Context) Book { return newBook(ac, user, d.cfg) }, d.bookOpts...)
	if err != nil {
		return nil, fmt.Errorf("directory %s: start book %q: %w", d.ac.Path(), user, err)
	}
	return b, nil
}
