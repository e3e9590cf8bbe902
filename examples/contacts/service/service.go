// Package service wires the contacts service together: the SQLite store, an
// actor system with the directory actor, and the HTTP API. The command in
// examples/contacts adds flags, a listener and signal handling; tests start
// services directly.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/actorgen/actorgen/runtime"

	"github.com/actorgen/actorgen/examples/contacts/actors"
	"github.com/actorgen/actorgen/examples/contacts/api"
	"github.com/actorgen/actorgen/examples/contacts/store"
)

// Config configures a service.
//
// The service logs through Logger: the runtime's events (a fault at Error
// with its stack), failed requests, and one access-log line per request at
// Info (see Logged).
type Config struct {
	// DBPath is the SQLite database file, created if missing. Required.
	DBPath string
	// IdleStop stops a user's book after this long without a request; 0 never.
	IdleStop time.Duration
	// Timeout bounds each request's calls to the actors; 0 means api.DefaultTimeout.
	Timeout time.Duration
	// Chaos is the fraction, in [0, 1], of book handler calls that panic.
	Chaos float64
	// ChaosSource draws the chaos; nil means a randomly seeded PCG.
	ChaosSource rand.Source
	// Logger logs the actors' events, the requests and failed requests; nil means slog.Default().
	Logger *slog.Logger
	// BookOptions override the Book directives (tests shorten the backoff).
	BookOptions []runtime.Option
	// SystemOptions are given to the actor system after its logger (metrics for -observe, say).
	SystemOptions []runtime.SystemOption
}

// Service is a running contacts service, without a listener.
type Service struct {
	store   *store.Store
	sys     *runtime.System
	dir     actors.DirectoryRef
	handler http.Handler
}

// Open opens the store and starts the actors.
func Open(ctx context.Context, cfg Config) (*Service, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	var chaos *actors.Chaos
	if cfg.Chaos != 0 {
		src := cfg.ChaosSource
		if src == nil {
			src = rand.NewPCG(rand.Uint64(), rand.Uint64())
		}
		var err error
		if chaos, err = actors.NewChaos(cfg.Chaos, src); err != nil {
			return nil, fmt.Errorf("service: %w", err)
		}
	}
	st, err := store.Open(ctx, cfg.DBPath)
	if err != nil {
		return nil, fmt.Errorf("service: %w", err)
	}
	sys := runtime.NewSystem(append([]runtime.SystemOption{runtime.WithLogger(log)}, cfg.SystemOptions...)...)
	s := &Service{store: st, sys: sys}
	s.dir, err = actors.StartDirectory(sys, "contacts", actors.Config{
		Store:       st,
		IdleStop:    cfg.IdleStop,
		Chaos:       chaos,
		BookOptions: cfg.BookOptions,
	})
	if err == nil {
		var h http.Handler
		h, err = api.New(api.Config{Directory: s.dir, Timeout: cfg.Timeout, Logger: log})
		s.handler = s.routes(h, log)
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("service: %w", err), s.Close(ctx))
	}
	if chaos != nil {
		log.Warn("chaos enabled: book handler calls will panic", "probability", chaos.Probability())
	}
	return s, nil
}

// Handler returns the service's HTTP handler, behind the access log (see
// Logged):
//
//	GET /healthz  liveness: 200 {"status":"ok"} whenever the process serves HTTP
//	GET /readyz   readiness: 200 when the store answers a query and the
//	              directory actor an ask, each within 2s; 503 naming the part
//	              that did not otherwise ({"status","store","actors"})
//	/api/...      the API (package api)
func (s *Service) Handler() http.Handler { return s.handler }

// System returns the actor system, for the live view (runtime/observe).
func (s *Service) System() *runtime.System { return s.sys }

// Directory returns the directory actor.
func (s *Service) Directory() actors.DirectoryRef { return s.dir }

// Close stops the actors (in-flight requests finish, queued ones fail with
// runtime.ErrStopped) and then closes the store.
func (s *Service) Close(ctx context.Context) error {
	errSys := s.sys.Shutdown(ctx)
	if errSys != nil {
		errSys = fmt.Errorf("service: shut down actors: %w", errSys)
	}
	if s.store == nil {
		return errSys
	}
	return errors.Join(errSys, s.store.Close())
}
