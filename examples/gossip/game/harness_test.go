package game_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/actorgen/actorgen/examples/gossip/game"
	"github.com/actorgen/actorgen/examples/gossip/internal/pipenet"
	"github.com/actorgen/actorgen/examples/gossip/relay"
	"github.com/actorgen/actorgen/runtime"
)

// keyOf is the test key of the server called name.
func keyOf(name string) []byte { return []byte("key of " + name + " ....") }

// relayKeys returns the relay's keys: those of server-a and server-b.
func relayKeys() map[string][]byte {
	return map[string][]byte{"server-a": keyOf("server-a"), "server-b": keyOf("server-b")}
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// env is one test's world: a relay that can be started, killed and closed on
// one address, the servers' system, and a record of what happened.
type env struct {
	t      *testing.T
	synced bool // running in a synctest bubble over pipenet
	url    string
	client *http.Client
	listen func() (net.Listener, error)
	relay  *relay.Server
	sys    *runtime.System
	rec    *recorder
}

// both runs f over real loopback sockets with short real intervals, and over
// the in-memory network inside a synctest bubble, where time is exact.
func both(t *testing.T, f func(t *testing.T, e *env)) {
	t.Run("loopback", func(t *testing.T) { f(t, newLoopbackEnv(t)) })
	t.Run("synctest", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) { f(t, newPipeEnv(t)) })
	})
}

func newLoopbackEnv(t *testing.T) *env {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // the relay is down until up()
	return setup(t, &env{
		url:    "ws://" + addr + "/",
		client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}},
		listen: func() (net.Listener, error) { return net.Listen("tcp", addr) },
	})
}

func newPipeEnv(t *testing.T) *env {
	n := &pipenet.Network{}
	return setup(t, &env{
		synced: true,
		url:    "ws://relay/",
		client: n.HTTPClient(),
		listen: func() (net.Listener, error) { return n.Listen() },
	})
}

func setup(t *testing.T, e *env) *env {
	e.t = t
	e.rec = newRecorder()
	e.sys = runtime.NewSystem(runtime.WithLogger(quiet()), runtime.WithEventHook(e.rec.runtimeEvent))
	t.Cleanup(func() {
		require.NoError(t, e.sys.Shutdown(context.Background()))
		if e.relay != nil {
			e.relay.Kill()
		}
	})
	return e
}

// up starts the relay.
func (e *env) up() {
	e.t.Helper()
	require.Nil(e.t, e.relay, "relay already up")
	ln, err := e.listen()
	require.NoError(e.t, err)
	e.relay, err = relay.Serve(ln, relay.Config{Keys: relayKeys(), Logger: quiet()})
	require.NoError(e.t, err)
	e.rec.note("relay up")
}

// kill crashes the relay.
func (e *env) kill() {
	e.rec.note("relay killed")
	e.relay.Kill()
	e.relay = nil
}

// closeRelay stops the relay cleanly (status 1000).
func (e *env) closeRelay() {
	e.rec.note("relay closed")
	e.relay.Close()
	e.relay = nil
}

// config returns a server config with fast, jitter-free settings.
func (e *env) config(name string, in *inbox) game.Config {
	return game.Config{
		Name:         name,
		URL:          e.url,
		Key:          keyOf(name),
		HTTPClient:   e.client,
		Inbox:        in.factory,
		DialTimeout:  2 * time.Second,
		TetherMax:    3,
		TetherPeriod: 5 * time.Second,
		Keeper:       runtime.KeeperSchedule{First: 50 * time.Millisecond, Sweep: 100 * time.Millisecond, MaxSweep: 800 * time.Millisecond},
		// ResetAfter is long so that a slow machine cannot clear the backoff
		// between two faults of one outage.
		LinkOptions: []runtime.Option{runtime.WithPolicy(runtime.Strategy{
			Decision: runtime.Reset, BackoffMin: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond, ResetAfter: 10 * time.Second,
		})},
		OnEvent: e.rec.gameEvent,
	}
}

// start starts a server with the env's settings, changed by mod if not nil.
func (e *env) start(name string, mod func(*game.Config)) (game.ChatRef, *inbox) {
	e.t.Helper()
	in := newInbox()
	cfg := e.config(name, in)
	if mod != nil {
		mod(&cfg)
	}
	c, err := game.Start(e.sys, cfg)
	require.NoError(e.t, err)
	return c, in
}

// linkUp waits for the n-th "link up" of server (counting from 1).
func (e *env) linkUp(server string, n int) time.Time {
	e.t.Helper()
	return e.rec.waitCount(e.t, server, "link up", n).at
}

// eventually polls cond every millisecond (fake time in a bubble) until it
// holds, failing the test after 5s.
func (e *env) eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// ctx returns a context for one call: calls never need long.
func (e *env) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	e.t.Cleanup(cancel)
	return ctx
}

// rec is one recorded event.
type rec struct {
	at     time.Time
	server string // first path element, or the game.Event's server
	path   string
	kind   string // runtime.EventKind's name, "link up", "link down", or a note
	err    error
	delay  time.Duration
	names  []string
	dec    runtime.Decision
}

// recorder records runtime events, game events and notes, and lets tests
// wait for them (waiting on a channel, never sleeping).
type recorder struct {
	mu      sync.Mutex
	recs    []rec
	changed chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

func (r *recorder) add(x rec) {
	x.at = time.Now()
	r.mu.Lock()
	r.recs = append(r.recs, x)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

func (r *recorder) runtimeEvent(ev runtime.Event) {
	server, _, _ := strings.Cut(strings.TrimPrefix(ev.Path, "/"), "/")
	r.add(rec{server: server, path: ev.Path, kind: ev.Kind.String(), err: ev.Err, delay: ev.Delay, dec: ev.Decision})
}

func (r *recorder) gameEvent(ev game.Event) {
	r.add(rec{server: ev.Server, kind: ev.Kind.String(), err: ev.Err, names: ev.Names})
}

func (r *recorder) note(what string) { r.add(rec{kind: what}) }

// all returns a copy of the records so far.
func (r *recorder) all() []rec {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]rec(nil), r.recs...)
}

// since returns the records after the first note called what.
func (r *recorder) since(what string) []rec {
	all := r.all()
	for i, x := range all {
		if x.kind == what {
			return all[i+1:]
		}
	}
	return nil
}

// wait waits until pred holds for the records, failing the test after a
// generous timeout (fake time in a bubble).
func (r *recorder) wait(t *testing.T, what string, pred func([]rec) bool) []rec {
	t.Helper()
	timeout := time.NewTimer(20 * time.Second)
	defer timeout.Stop()
	for {
		r.mu.Lock()
		recs, changed := append([]rec(nil), r.recs...), r.changed
		r.mu.Unlock()
		if pred(recs) {
			return recs
		}
		select {
		case <-changed:
		case <-timeout.C:
			t.Fatalf("timed out waiting for %s; events:\n%s", what, dump(recs))
		}
	}
}

// waitCount waits for the n-th record of kind about server and returns it.
func (r *recorder) waitCount(t *testing.T, server, kind string, n int) rec {
	t.Helper()
	var found rec
	r.wait(t, server+" "+kind, func(recs []rec) bool {
		k := 0
		for _, x := range recs {
			if x.server == server && x.kind == kind {
				if k++; k == n {
					found = x
					return true
				}
			}
		}
		return false
	})
	return found
}

func dump(recs []rec) string {
	var b strings.Builder
	for _, x := range recs {
		b.WriteString("  " + x.server + " " + x.path + " " + x.kind)
		if x.kind == "decision" {
			b.WriteString(" " + x.dec.String())
		}
		if x.delay > 0 {
			b.WriteString(" after " + x.delay.String())
		}
		if x.err != nil {
			b.WriteString(": " + x.err.Error())
		}
		b.WriteString("\n")
	}
	return b.String()
}

// count returns how many records match.
func count(recs []rec, match func(rec) bool) int {
	n := 0
	for _, x := range recs {
		if match(x) {
			n++
		}
	}
	return n
}

// inbox is the tests' game code: it hands what arrives to channels.
type inbox struct {
	msgs     chan game.Message
	presence chan string
}

func newInbox() *inbox {
	return &inbox{msgs: make(chan game.Message, 1024), presence: make(chan string, 1024)}
}

func (in *inbox) factory(*runtime.Context) game.Inbox { return inboxState{in} }

type inboxState struct{ in *inbox }

func (s inboxState) Message(_ context.Context, m game.Message) { s.in.msgs <- m }

func (s inboxState) Presence(_ context.Context, server string, online bool) {
	if online {
		s.in.presence <- server + " joined"
	} else {
		s.in.presence <- server + " left"
	}
}

// next returns the next message, failing the test if none comes in time.
func (in *inbox) next(t *testing.T) game.Message {
	t.Helper()
	timeout := time.NewTimer(20 * time.Second)
	defer timeout.Stop()
	select {
	case m := <-in.msgs:
		return m
	case <-timeout.C:
		t.Fatal("timed out waiting for a message")
		return game.Message{}
	}
}
