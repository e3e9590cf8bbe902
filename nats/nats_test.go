package agnats_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"go.uber.org/goleak"

	agnats "github.com/actorgen/actorgen/nats"
	"github.com/actorgen/actorgen/runtime"
	"github.com/actorgen/actorgen/runtime/remote"
	rtest "github.com/actorgen/actorgen/runtime/remote/remotetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quiet = slog.New(slog.DiscardHandler)

// startServer starts a nats-server on 127.0.0.1, on port (-1: a random one).
func startServer(t testing.TB, port int, maxPayload int32) *server.Server {
	t.Helper()
	return startServerWith(t, server.Options{Port: port, MaxPayload: maxPayload})
}

// startServerWith starts a nats-server with opts, on 127.0.0.1, quiet, and shuts it down at the
// end of the test.
func startServerWith(t testing.TB, opts server.Options) *server.Server {
	t.Helper()
	opts.Host, opts.NoLog, opts.NoSigs = "127.0.0.1", true, true
	ns, err := server.NewServer(&opts)
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(5 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	return ns
}

// waitUp waits, boundedly, for the node's link to come up.
func waitUp(t testing.TB, n *agnats.Node, up bool) {
	t.Helper()
	for range 500 {
		if n.Up() == up {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("node %s: link up %v after 5 s", n.Name(), !up)
}

type pair struct {
	srv, cli  *agnats.Node
	sys, csys *runtime.System
	c         rtest.CounterRef
	remote    rtest.CounterRef
}

func cfg(name, url string) agnats.Config {
	return agnats.Config{Name: name, URL: url, Heartbeat: 100 * time.Millisecond, DownAfter: 300 * time.Millisecond,
		LinkGrace: 200 * time.Millisecond, Logger: quiet,
		Keeper: runtime.KeeperSchedule{Sweep: 50 * time.Millisecond, MaxSweep: 200 * time.Millisecond}}
}

// newSystem returns a quiet system with opts, shut down at the end of the test (the systems
// made after it first).
func newSystem(t testing.TB, opts ...runtime.SystemOption) *runtime.System {
	sys := runtime.NewSystem(append([]runtime.SystemOption{runtime.WithLogger(quiet)}, opts...)...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = sys.Shutdown(ctx)
	})
	return sys
}

// startNodes starts the nodes srv and cli with cfg's settings, srv on srvURL in sys and cli on
// url in csys, and waits for their links.
func startNodes(t testing.TB, sys, csys *runtime.System, srvCfg, cliCfg agnats.Config) (srv, cli *agnats.Node) {
	t.Helper()
	srv, err := agnats.Start(sys, srvCfg)
	if err != nil {
		t.Fatal(err)
	}
	if cli, err = agnats.Start(csys, cliCfg); err != nil {
		t.Fatal(err)
	}
	waitUp(t, srv, true)
	waitUp(t, cli, true)
	return srv, cli
}

// serveCounter spawns a Counter named name in sys, serves it on srv and returns it and cli's
// ref to it.
func serveCounter(t testing.TB, sys *runtime.System, srv, cli *agnats.Node, name string, opts ...runtime.Option) (local, far rtest.CounterRef) {
	t.Helper()
	local, err := rtest.SpawnCounter(sys, name, rtest.New, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := rtest.ServeCounter(srv.Node, local); err != nil {
		t.Fatal(err)
	}
	if far, err = rtest.DialCounter(cli.Node, "srv", "/"+name); err != nil {
		t.Fatal(err)
	}
	return local, far
}

// newPair starts two nodes on the server at url (the server node's own link may go through
// srvURL, a proxy), and serves /c on srv.
func newPair(t testing.TB, url, srvURL string, opts ...runtime.Option) *pair {
	t.Helper()
	p := &pair{sys: newSystem(t)}
	p.csys = newSystem(t)
	p.srv, p.cli = startNodes(t, p.sys, p.csys, cfg("srv", srvURL), cfg("cli", url))
	p.c, p.remote = serveCounter(t, p.sys, p.srv, p.cli, "c", opts...)
	return p
}

func TestSemantics(t *testing.T) {
	ns := startServer(t, -1, 64<<10)
	p := newPair(t, ns.ClientURL(), ns.ClientURL(), runtime.WithMailbox(1, runtime.OverflowFail))
	ctx := context.Background()
	timed := func(what string, limit time.Duration, f func() error, ok func(error) bool) {
		t.Helper()
		start := time.Now()
		err := f()
		d := time.Since(start)
		if !ok(err) {
			t.Fatalf("%s: %v", what, err)
		}
		if d > limit {
			t.Fatalf("%s took %v, over %v", what, d, limit)
		}
		t.Logf("%s: %v: %v", what, d, err)
	}
	timed("returns", time.Second, func() error {
		n, err := p.remote.Add(ctx, 2)
		if err == nil && n != 2 {
			err = fmt.Errorf("sum %d", n)
		}
		return err
	}, func(err error) bool { return err == nil })
	timed("sentinel", time.Second, func() error { _, err := p.remote.Find(ctx, "x"); return err },
		func(err error) bool { return errors.Is(err, rtest.ErrNotFound) })
	timed("panic", time.Second, func() error { return p.remote.Fail(ctx, "boom") }, func(err error) bool {
		return errors.Is(err, runtime.ErrFault) && strings.Contains(err.Error(), "boom") && strings.Contains(err.Error(), "srv:/c")
	})
	timed("stopped", time.Second, func() error { _, err := p.remote.Add(ctx, 1); return err },
		func(err error) bool { return errors.Is(err, runtime.ErrStopped) })
	// The fault stopped /c (the default policy): a fresh one for what follows.
	c2, _ := rtest.SpawnCounter(p.sys, "c2", rtest.New, runtime.WithMailbox(1, runtime.OverflowFail))
	_ = rtest.ServeCounter(p.srv.Node, c2)
	r2, _ := rtest.DialCounter(p.cli.Node, "srv", "/c2")
	hidden, _ := rtest.DialCounter(p.cli.Node, "srv", "/hidden")
	timed("unknown", time.Second, func() error { _, err := hidden.Add(ctx, 1); return err },
		func(err error) bool {
			return errors.Is(err, runtime.ErrStopped) && errors.Is(err, remote.ErrUnknownActor)
		})
	ghost, _ := rtest.DialCounter(p.cli.Node, "ghost", "/c")
	timed("unreachable", 50*time.Millisecond, func() error { _, err := ghost.Add(ctx, 1); return err },
		func(err error) bool { return errors.Is(err, remote.ErrUnreachable) })
	done := make(chan error, 2)
	go func() { done <- r2.Sleep(ctx, 300*time.Millisecond) }()
	time.Sleep(50 * time.Millisecond)
	go func() { _, err := r2.Add(ctx, 1); done <- err }()
	time.Sleep(50 * time.Millisecond)
	timed("mailbox full", time.Second, func() error { _, err := r2.Add(ctx, 1); return err },
		func(err error) bool { return errors.Is(err, runtime.ErrMailboxFull) })
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	timed("ctx deadline", 200*time.Millisecond, func() error { return r2.Sleep(dctx, time.Hour) },
		func(err error) bool { return errors.Is(err, context.DeadlineExceeded) })
	timed("too large", 10*time.Millisecond, func() error { _, err := r2.Size(ctx, make([]byte, 64<<10)); return err },
		func(err error) bool { return errors.Is(err, remote.ErrTooLarge) })
	c3, _ := rtest.SpawnCounter(p.sys, "c3", rtest.New)
	_ = rtest.ServeCounter(p.srv.Node, c3)
	r3, _ := rtest.DialCounter(p.cli.Node, "srv", "/c3")
	var want []string
	for i := range 500 {
		want = append(want, fmt.Sprint(i))
		r3.Note(ctx, fmt.Sprint(i))
	}
	notes, err := r3.Notes(ctx)
	if err != nil || rtest.Joined(notes) != rtest.Joined(want) {
		t.Fatalf("tells out of order or lost: %d of 500, %v", len(notes), err)
	}
	me, err := r2.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := me.Add(ctx, 0); err != nil || n != 1 {
		t.Fatalf("a ref that came in a reply: %d %v", n, err)
	}
}

func TestNodeDeath(t *testing.T) {
	ns := startServer(t, -1, 0)
	p := newPair(t, ns.ClientURL(), ns.ClientURL())
	ctx := context.Background()
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- p.remote.Sleep(ctx, time.Hour) }()
	}
	watched := p.remote.Ref().Done()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	// The serving node dies without a word: its connection closes, its heartbeats stop.
	p.srv.Ref().Stop(ctx)
	for range 2 {
		if err := <-errs; !errors.Is(err, remote.ErrUnconfirmed) || !errors.Is(err, remote.ErrNodeDown) {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("asks in flight failed after %v (DownAfter 300 ms)", d)
	}
	<-watched
	if err := p.remote.Ref().Err(); !errors.Is(err, remote.ErrNodeDown) {
		t.Fatal(err)
	}
	start = time.Now()
	if _, err := p.remote.Add(ctx, 1); !errors.Is(err, remote.ErrUnreachable) || time.Since(start) > 50*time.Millisecond {
		t.Fatalf("a call to the dead node: %v after %v", err, time.Since(start))
	}
}

// proxy forwards TCP connections to target until it is told to stop forwarding; then it keeps
// the connections open and drops what they send, as a partition does.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	holed  bool
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *proxy) url() string { return "nats://" + p.ln.Addr().String() }

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, s)
		go p.pipe(s, c)
	}
}

func (p *proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		p.mu.Lock()
		holed := p.holed
		p.mu.Unlock()
		if holed {
			continue
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

func (p *proxy) hole() {
	p.mu.Lock()
	p.holed = true
	p.mu.Unlock()
}

func (p *proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func TestPartition(t *testing.T) {
	ns := startServer(t, -1, 0)
	px := newProxy(t, strings.TrimPrefix(ns.ClientURL(), "nats://"))
	p := newPair(t, ns.ClientURL(), px.url())
	ctx := context.Background()
	if _, err := p.remote.Add(ctx, 1); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 1)
	go func() { errs <- p.remote.Sleep(ctx, time.Hour) }()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	px.hole()
	if err := <-errs; !errors.Is(err, remote.ErrUnconfirmed) || !errors.Is(err, remote.ErrNodeDown) {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("the ask failed after %v (DownAfter 300 ms)", d)
	}
	px.close() // the server node's link drops; shut down can go on
}

func TestBrokerRestart(t *testing.T) {
	ns := startServer(t, -1, 0)
	port := ns.Addr().(*net.TCPAddr).Port
	p := newPair(t, ns.ClientURL(), ns.ClientURL())
	ctx := context.Background()
	if _, err := p.remote.Add(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// The ask in flight goes to an actor of its own: /c must not be busy with it after the
	// restart, where an ask queued behind a long sleep would wait seconds on heartbeats.
	_, farSleeper := serveCounter(t, p.sys, p.srv, p.cli, "sleeper")
	inflight := make(chan error, 1)
	go func() { inflight <- farSleeper.Sleep(ctx, 5*time.Second) }()
	time.Sleep(50 * time.Millisecond)
	ns.Shutdown()
	start0 := time.Now()
	if err := <-inflight; !errors.Is(err, remote.ErrLinkDown) || time.Since(start0) > 100*time.Millisecond {
		t.Fatalf("an ask in flight when the link dropped: %v after %v", err, time.Since(start0))
	}
	ns.WaitForShutdown()
	waitUp(t, p.cli, false)
	if err := p.remote.Actor().Tell(ctx, rtest.CounterNoteMsg{S: "lost"}.Message()); !errors.Is(err, remote.ErrLinkDown) {
		t.Fatalf("a tell while the link is down: %v", err)
	}
	start := time.Now()
	if _, err := p.remote.Add(ctx, 1); !errors.Is(err, remote.ErrLinkDown) || time.Since(start) > 10*time.Millisecond {
		t.Fatalf("a call while the link is down: %v after %v", err, time.Since(start))
	}
	time.Sleep(400 * time.Millisecond) // past LinkGrace: the connection actors fault, the keepers redial
	startServer(t, port, 0)
	waitUp(t, p.srv, true)
	waitUp(t, p.cli, true)
	var n int
	var err error
	for range 100 { // the server node's subscription reaches the new server a moment after its link is up
		if n, err = p.remote.Add(ctx, 1); err == nil {
			break
		}
		if errors.Is(err, remote.ErrUnconfirmed) { // it may have run: trying again could add twice
			t.Fatalf("after the restart: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil || n != 2 {
		t.Fatalf("after the restart: %d %v", n, err)
	}
	if notes, err := p.remote.Notes(ctx); err != nil || len(notes) != 0 {
		t.Fatalf("a tell sent while the link was down arrived after all: %q %v", notes, err)
	}
	if p.sys.Shutdown(ctx) != nil || p.c.Ref().Err() != runtime.ErrStopped {
		t.Fatal("the application did not survive the broker")
	}
}

func TestBrokerDownAtBoot(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	sys := runtime.NewSystem(runtime.WithLogger(quiet))
	defer sys.Shutdown(context.Background())
	n, err := agnats.Start(sys, cfg("boot", fmt.Sprintf("nats://127.0.0.1:%d", port)))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := rtest.DialCounter(n.Node, "srv", "/c")
	if _, err := r.Add(context.Background(), 1); !errors.Is(err, remote.ErrLinkDown) {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // a few failed dials, contained by the keeper
	if n.Ref().Err() != nil {
		t.Fatal(n.Ref().Err())
	}
	startServer(t, port, 0)
	waitUp(t, n, true)
	if _, err := r.Add(context.Background(), 1); !errors.Is(err, remote.ErrUnreachable) {
		t.Fatalf("after the server came up: %v", err)
	}
}
