package agnats_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	agnats "github.com/actorgen/actorgen/nats"
	"github.com/actorgen/actorgen/runtime"
	"github.com/actorgen/actorgen/runtime/remote"
	rtest "github.com/actorgen/actorgen/runtime/remote/remotetest"
)

// traceKey is the ctx key of what tracePropagator carries, standing in for a trace's context.
type traceKey struct{}

// tracePropagator carries the string under traceKey in the NATS header "traceparent", and
// nothing when the ctx has none.
type tracePropagator struct{}

func (tracePropagator) Inject(ctx context.Context) remote.Header {
	if v, _ := ctx.Value(traceKey{}).(string); v != "" {
		return remote.Header{"traceparent": {v}}
	}
	return nil
}

func (tracePropagator) Extract(ctx context.Context, h remote.Header) context.Context {
	if v := h["traceparent"]; len(v) == 1 {
		return context.WithValue(ctx, traceKey{}, v[0])
	}
	return ctx
}

// handlerCtx records the traceKey value each handler's ctx has, by method.
type handlerCtx struct {
	mu   sync.Mutex
	seen map[string][]string
}

func (h *handlerCtx) Begin(ctx context.Context, m runtime.MessageInfo) context.Context {
	v, _ := ctx.Value(traceKey{}).(string)
	h.mu.Lock()
	h.seen[m.Method] = append(h.seen[m.Method], v)
	h.mu.Unlock()
	return ctx
}

func (h *handlerCtx) End(context.Context, runtime.MessageInfo, runtime.Outcome, error) {}

func (h *handlerCtx) of(method string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.seen[method])
}

// TestHeadersCarryTheTrace: on a real server, the caller's trace context travels in NATS
// headers to the handler's ctx for asks and tells, and a call with nothing to carry is sent
// without headers.
// tracedPair starts two nodes with tracePropagator on the server at url, serves /c on one
// (in a system with opts) and returns the other's ref to it.
func tracedPair(t testing.TB, url string, opts ...runtime.SystemOption) rtest.CounterRef {
	t.Helper()
	sys := runtime.NewSystem(append([]runtime.SystemOption{runtime.WithLogger(quiet)}, opts...)...)
	csys := runtime.NewSystem(runtime.WithLogger(quiet))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = csys.Shutdown(ctx)
		_ = sys.Shutdown(ctx)
	})
	scfg, ccfg := cfg("srv", url), cfg("cli", url)
	scfg.Propagator, ccfg.Propagator = tracePropagator{}, tracePropagator{}
	srv, err := agnats.Start(sys, scfg)
	if err != nil {
		t.Fatal(err)
	}
	cli, err := agnats.Start(csys, ccfg)
	if err != nil {
		t.Fatal(err)
	}
	waitUp(t, srv, true)
	waitUp(t, cli, true)
	c, err := rtest.SpawnCounter(sys, "c", rtest.New)
	if err != nil {
		t.Fatal(err)
	}
	if err := rtest.ServeCounter(srv.Node, c); err != nil {
		t.Fatal(err)
	}
	far, err := rtest.DialCounter(cli.Node, "srv", "/c")
	if err != nil {
		t.Fatal(err)
	}
	return far
}

func TestHeadersCarryTheTrace(t *testing.T) {
	ns := startServer(t, -1, 0)
	hook := &handlerCtx{seen: map[string][]string{}}
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

	ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), traceKey{}, "00-trace-ask-01"), 5*time.Second)
	defer cancel()
	if _, err := far.Add(ctx, 1); err != nil {
		t.Fatal(err)
	}
	far.Note(context.WithValue(context.Background(), traceKey{}, "00-trace-tell-01"), "n")
	if _, err := far.Add(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := far.Notes(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := hook.of("Add"), []string{"00-trace-ask-01", ""}; !slices.Equal(got, want) {
		t.Errorf("Add handlers saw %q, want %q", got, want)
	}
	if got, want := hook.of("Note"), []string{"00-trace-tell-01"}; !slices.Equal(got, want) {
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
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true, NoHeaderSupport: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(5 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	hook := &handlerCtx{seen: map[string][]string{}}
	far := tracedPair(t, ns.ClientURL(), runtime.WithHook(hook))
	ctx := context.WithValue(context.Background(), traceKey{}, "00-trace-ask-01")
	if _, err := far.Add(ctx, 1); err != nil {
		t.Fatalf("a traced ask through a server without headers: %v", err)
	}
	far.Note(ctx, "n")
	if _, err := far.Notes(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := hook.of("Add"), []string{""}; !slices.Equal(got, want) {
		t.Errorf("Add handlers saw %q, want %q", got, want)
	}
	if got, want := hook.of("Note"), []string{""}; !slices.Equal(got, want) {
		t.Errorf("Note handlers saw %q, want %q", got, want)
	}
}
