package remote_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/actorgen/actorgen/runtime"
	"github.com/actorgen/actorgen/runtime/remote"
	rtest "github.com/actorgen/actorgen/runtime/remote/remotetest"
)

// headerSpy is a Transport that records the headers its requests and publications carry.
type headerSpy struct {
	remote.Transport
	mu   sync.Mutex
	sent map[string][]remote.Header // by subject
}

func (s *headerSpy) record(subject string, h remote.Header) {
	s.mu.Lock()
	s.sent[subject] = append(s.sent[subject], h)
	s.mu.Unlock()
}

func (s *headerSpy) Request(ctx context.Context, subject string, h remote.Header, data []byte) ([]byte, error) {
	s.record(subject, h)
	return s.Transport.Request(ctx, subject, h, data)
}

func (s *headerSpy) Publish(subject, reply string, h remote.Header, data []byte) error {
	s.record(subject, h)
	return s.Transport.Publish(subject, reply, h, data)
}

func (s *headerSpy) headers(subject string) []remote.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]remote.Header(nil), s.sent[subject]...)
}

// TestPropagatorCarriesTheCallersContext: what the caller's ctx holds reaches the handler on
// the serving node, for asks and tells, through the request's header; a ctx with nothing to
// carry sends no header; and a node without a Propagator ignores a header it is sent.
func TestPropagatorCarriesTheCallersContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		quiet := slog.New(slog.DiscardHandler)
		net := remote.NewMemNet()
		srvConn, cliConn, bareConn := net.Conn("srv"), net.Conn("cli"), net.Conn("bare")
		defer srvConn.Close()
		defer cliConn.Close()
		defer bareConn.Close()
		spy := &headerSpy{Transport: cliConn, sent: map[string][]remote.Header{}}
		srv, err := remote.NewNode(remote.Config{Name: "srv", Transport: srvConn, Logger: quiet, Propagator: rtest.Propagator{}})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		cli, err := remote.NewNode(remote.Config{Name: "cli", Transport: spy, Logger: quiet, Propagator: rtest.Propagator{}})
		if err != nil {
			t.Fatal(err)
		}
		defer cli.Close()
		bare, err := remote.NewNode(remote.Config{Name: "bare", Transport: bareConn, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		defer bare.Close()

		hook := &rtest.Handlers{}
		sys := runtime.NewSystem(runtime.WithLogger(quiet), runtime.WithHook(hook))
		defer func() { _ = sys.Shutdown(context.Background()) }()
		c, err := rtest.SpawnCounter(sys, "c", rtest.New)
		if err != nil {
			t.Fatal(err)
		}
		if err := rtest.ServeCounter(srv, c); err != nil {
			t.Fatal(err)
		}
		far, err := rtest.DialCounter(cli, "srv", "/c")
		if err != nil {
			t.Fatal(err)
		}

		traced := rtest.WithTrace(context.Background(), "t-ask")
		if _, err := far.Add(traced, 1); err != nil {
			t.Fatal(err)
		}
		// A cancellable ctx (an HTTP request's) is carried as well.
		cctx, cancel := context.WithCancel(rtest.WithTrace(context.Background(), "t-cancellable"))
		if _, err := far.Add(cctx, 1); err != nil {
			t.Fatal(err)
		}
		cancel()
		far.Note(rtest.WithTrace(context.Background(), "t-tell"), "a")
		if _, err := far.Add(context.Background(), 1); err != nil { // nothing to carry
			t.Fatal(err)
		}
		if _, err := far.Notes(context.Background()); err != nil { // after the tell
			t.Fatal(err)
		}
		if got, want := hook.Of("Add"), []string{"t-ask", "t-cancellable", ""}; !slices.Equal(got, want) {
			t.Errorf("Add handlers saw %q, want %q", got, want)
		}
		if got, want := hook.Of("Note"), []string{"t-tell"}; !slices.Equal(got, want) {
			t.Errorf("the Note handler saw %q, want %q", got, want)
		}
		adds := spy.headers("ag.local.srv.m.Counter.Add.c")
		if len(adds) != 3 || adds[0] == nil || adds[2] != nil {
			t.Errorf("Add requests carried headers %v, want one for each traced ask and none for the last", adds)
		}

		// A node without a Propagator sends no header and the handler sees nothing.
		farBare, err := rtest.DialCounter(bare, "srv", "/c")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := farBare.Add(traced, 1); err != nil {
			t.Fatal(err)
		}
		if got := hook.Of("Add"); len(got) != 4 || got[3] != "" {
			t.Errorf("Add handlers saw %q, want a fourth with nothing carried", got)
		}
	})
}
