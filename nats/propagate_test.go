package agnats_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/actorgen/actorgen/runtime"
	rtest "github.com/actorgen/actorgen/runtime/remote/remotetest"
)

// tracedPair starts two nodes with rtest.Propagator on the server at url, serves /c on one
// (in a system with opts) and returns the other's ref to it.
func tracedPair(t testing.TB, url string, opts ...runtime.SystemOption) rtest.CounterRef {
	t.Helper()
	sys := newSystem(t, opts...)
	csys := newSystem(t)
	scfg, ccfg := cfg("srv", url), cfg("cli", url)
	scfg.Propagator, ccfg.Propagator = rtest.Propagator{}, rtest.Propagator{}
	srv, cli := startNodes(t, sys, csys, scfg, ccfg)
	_, far := serveCounter(t, sys, srv, cli, "c")
	return far
}

// TestHeadersCarryTheTrace: on a real server, the caller's trace context travels in NATS
// headers to the handler's ctx for asks and tells, and a call with nothing to carry is sent
// without headers.
func TestHeadersCarryTheTrace(t *testing.T) {
	ns := startServer(t, -1, 0)
	hook := &rtest.Handlers{}
	far := tracedPair(t, ns.ClientURL(), runtime.WithHook(hook))

	// A plain connection sees what goes over the wire to /c.
	watcher, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()
	wire, err := watcher.SubscribeSync("ag.local.srv.m.Counter.*.c")
	if err != nil {
		t.Fatal(err)
	}
	if err := watcher.Flush(); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(rtest.WithTrace(context.Background(), "00-trace-ask-01"), 5*time.Second)
	defer cancel()
	if _, err := far.Add(ctx, 1); err != nil {
		t.Fatal(err)
	}
	far.Note(rtest.WithTrace(context.Background(), "00-trace-tell-01"), "n")
	if _, err := far.Add(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := far.Notes(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := hook.Of("Add"), []string{"00-trace-ask-01", ""}; !slices.Equal(got, want) {
		t.Errorf("Add handlers saw %q, want %q", got, want)
	}
	if got, want := hook.Of("Note"), []string{"00-trace-tell-01"}; !slices.Equal(got, want) {
		t.Errorf("the Note handler saw %q, want %q", got, want)
	}
	for i, want := range []string{"00-trace-ask-01", "00-trace-tell-01", "", ""} {
		m, err := wire.NextMsg(2 * time.Second)
		if err != nil {
			t.Fatalf("message %d on the wire: %v", i, err)
		}
		if got := m.Header.Get("traceparent"); got != want {
			t.Errorf("message %d (%s) carried traceparent %q, want %q", i, m.Subject, got, want)
		}
		if want == "" && m.Header != nil {
			t.Errorf("message %d (%s) carried headers %v, want none", i, m.Subject, m.Header)
		}
	}
}

// TestServerWithoutHeaders: a server that does not support headers (before nats-server 2.2)
// gets traced calls without their trace context, and they still succeed.
func TestServerWithoutHeaders(t *testing.T) {
	ns := startServerWith(t, server.Options{Port: -1, NoHeaderSupport: true})
	hook := &rtest.Handlers{}
	far := tracedPair(t, ns.ClientURL(), runtime.WithHook(hook))
	ctx := rtest.WithTrace(context.Background(), "00-trace-ask-01")
	if _, err := far.Add(ctx, 1); err != nil {
		t.Fatalf("a traced ask through a server without headers: %v", err)
	}
	far.Note(ctx, "n")
	if _, err := far.Notes(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := hook.Of("Add"), []string{""}; !slices.Equal(got, want) {
		t.Errorf("Add handlers saw %q, want %q", got, want)
	}
	if got, want := hook.Of("Note"), []string{""}; !slices.Equal(got, want) {
		t.Errorf("Note handlers saw %q, want %q", got, want)
	}
}
