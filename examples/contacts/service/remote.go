package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/actorgen/actorgen/runtime"

	agnats "github.com/actorgen/actorgen/nats"

	"github.com/actorgen/actorgen/examples/contacts/actors"
	"github.com/actorgen/actorgen/examples/contacts/api"
)

// BooksNode is the name of the node that runs the directory and the books when the service is
// split over NATS, and DirectoryPath the directory's path there.
const (
	BooksNode     = "books"
	DirectoryPath = "/contacts"
)

// OpenBooks opens the store and starts the actors as Open does, and serves them on a NATS node
// named BooksNode: the directory, and every book as the directory spawns it. Its Handler is
// Open's: the API works on the books node too.
func OpenBooks(ctx context.Context, cfg Config, nc agnats.Config) (*Service, error) {
	s, err := Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	nc.Name = BooksNode
	if nc.Logger == nil {
		nc.Logger = cfg.Logger
	}
	node, err := agnats.Start(s.sys, nc)
	if err == nil {
		err = errors.Join(actors.ServeDirectory(node.Node, s.dir), actors.ServeBookChildren(node.Node, s.dir.Ref()))
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("service: serve on NATS: %w", err), s.Close(ctx))
	}
	return s, nil
}

// OpenFront starts the HTTP API over the directory of the books node, on a NATS node named
// name. It has no store: the books node keeps the contacts.
func OpenFront(cfg Config, name string, nc agnats.Config) (*Service, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	sys := runtime.NewSystem(runtime.WithLogger(log))
	s := &Service{sys: sys}
	nc.Name = name
	if nc.Logger == nil {
		nc.Logger = log
	}
	node, err := agnats.Start(sys, nc)
	if err == nil {
		s.dir, err = actors.DialDirectory(node.Node, BooksNode, DirectoryPath)
	}
	if err == nil {
		_ = actors.RegisterBook(node.Node) // the books that Directory.Book returns
		var h http.Handler
		h, err = api.New(api.Config{Directory: s.dir, Timeout: cfg.Timeout, Logger: log})
		if err == nil {
			s.handler = s.routes(h, log)
		}
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("service: front: %w", err), s.Close(context.Background()))
	}
	return s, nil
}
