package game_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actorgen/actorgen/examples/gossip/game"
	"github.com/actorgen/actorgen/examples/gossip/internal/testcert"
	"github.com/actorgen/actorgen/examples/gossip/relay"
	"github.com/actorgen/actorgen/runtime"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	linkA   = "/server-a/tether/link"
	tetherA = "/server-a/tether"
	linkB   = "/server-b/tether/link"
	tetherB = "/server-b/tether"
)

// first returns the first record of kind about path ("" matches any path).
func first(recs []rec, path, kind string) (rec, bool) {
	for _, x := range recs {
		if x.kind == kind && (path == "" || x.path == path) {
			return x, true
		}
	}
	return rec{}, false
}

func TestRelayDownAtBoot(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		a, inA := e.start("server-a", nil)

		// The relay is down: the keeper's tries fail, the server serves.
		retry := e.rec.waitCount(t, "server-a", "keeper retry", 2)
		assert.ErrorContains(t, retry.err, "gossip: server-a: dial relay")
		assert.Equal(t, 200*time.Millisecond, retry.delay, "the sweep doubles: 100ms, then 200ms")
		require.NoError(t, a.Ref().Err(), "the server is up")

		start := time.Now()
		err := a.Broadcast(e.ctx(), "gossip", "anyone?")
		require.ErrorIs(t, err, game.ErrLinkDown)
		assert.EqualError(t, err, "gossip: link to relay is down (server-a Broadcast: never connected yet)")
		_, err = a.Online(e.ctx())
		require.ErrorIs(t, err, game.ErrLinkDown)
		if e.synced {
			assert.Zero(t, time.Since(start), "calls fail at once")
		}
		assert.Zero(t, count(e.rec.all(), func(x rec) bool { return x.kind == "fault" }), "a failed start is not a fault")

		// The relay comes up: the link is up at the keeper's next try.
		e.up()
		relayUp, _ := first(e.rec.all(), "", "relay up")
		up := e.linkUp("server-a", 1)
		if e.synced {
			assert.LessOrEqual(t, up.Sub(relayUp.at), retry.delay, "link up within one retry interval")
		}
		names, err := a.Online(e.ctx())
		require.NoError(t, err)
		assert.Equal(t, []string{"server-a"}, names)

		b, inB := e.start("server-b", nil)
		e.linkUp("server-b", 1)
		require.NoError(t, a.Broadcast(e.ctx(), "gossip", "hello b"))
		assert.Equal(t, game.Message{From: "server-a", Channel: "gossip", Text: "hello b"}, inB.next(t))
		require.NoError(t, b.Broadcast(e.ctx(), "ooc", "hello a"))
		assert.Equal(t, game.Message{From: "server-b", Channel: "ooc", Text: "hello a"}, inA.next(t))
		assert.Equal(t, "server-b joined", <-inA.presence)
		names, err = b.Online(e.ctx())
		require.NoError(t, err)
		assert.Equal(t, []string{"server-a", "server-b"}, names)
	})
}

func TestRelayKilled(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		e.up()
		a, inA := e.start("server-a", nil)
		b, inB := e.start("server-b", nil)
		e.linkUp("server-a", 1)
		e.linkUp("server-b", 1)
		require.NoError(t, a.Broadcast(e.ctx(), "gossip", "before"))
		assert.Equal(t, "before", inB.next(t).Text)

		e.kill()
		cut := e.rec.waitCount(t, "server-a", "tether cut", 1)
		e.rec.waitCount(t, "server-b", "tether cut", 1)
		recs := e.rec.since("relay killed")
		killed, _ := first(e.rec.all(), "", "relay killed")

		// The link faults (the connection, then every redial), resets with
		// backoff, and the fault after the tether's intensity (3) cuts it.
		for _, link := range []string{linkA, linkB} {
			var decisions []string
			for _, x := range recs {
				if x.path == link && x.kind == "decision" {
					decisions = append(decisions, fmt.Sprintf("%s %v", x.dec, x.delay))
				}
			}
			assert.Equal(t, []string{"reset 20ms", "reset 40ms", "reset 80ms", "escalate 0s"}, decisions, link)
			assert.Equal(t, 4, count(recs, func(x rec) bool { return x.path == link && x.kind == "fault" }), link)
		}
		f, _ := first(recs, linkA, "fault")
		assert.ErrorContains(t, f.err, "connection to relay lost")
		assert.ErrorIs(t, cut.err, runtime.ErrFault)
		if e.synced {
			assert.Equal(t, 140*time.Millisecond, cut.at.Sub(killed.at), "cut after 20+40+80ms of resets")
		}

		// The fault goes no higher than the tether: nothing else faulted,
		// decided or stopped, and the servers are up.
		for _, x := range recs {
			switch x.kind {
			case "fault", "decision", "escalate", "stopped", "reset":
				atTether := (x.path == tetherA || x.path == tetherB) &&
					(x.kind == "escalate" || x.kind == "decision" && x.dec == runtime.Reset)
				if x.path != linkA && x.path != linkB && !atTether {
					t.Errorf("fault went beyond the tether: %s %s: %v", x.path, x.kind, x.err)
				}
			}
		}
		require.NoError(t, a.Ref().Err())
		require.NoError(t, b.Ref().Err())

		// Calls fail at once, with the link's fate.
		start := time.Now()
		err := a.Broadcast(e.ctx(), "gossip", "while down")
		require.ErrorIs(t, err, game.ErrLinkDown)
		require.ErrorIs(t, err, runtime.ErrFault)
		require.ErrorIs(t, err, runtime.ErrTetherCut)
		if e.synced {
			assert.Zero(t, time.Since(start))
		}

		// The keeper retries; the relay comes back; messages flow again.
		e.rec.waitCount(t, "server-a", "keeper retry", 1)
		e.up()
		e.linkUp("server-a", 2)
		e.linkUp("server-b", 2)
		require.NoError(t, a.Broadcast(e.ctx(), "gossip", "after a"))
		assert.Equal(t, game.Message{From: "server-a", Channel: "gossip", Text: "after a"}, inB.next(t))
		require.NoError(t, b.Broadcast(e.ctx(), "gossip", "after b"))
		assert.Equal(t, game.Message{From: "server-b", Channel: "gossip", Text: "after b"}, inA.next(t))
	})
}

func TestRelayClosesNormally(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		e.up()
		a, inA := e.start("server-a", nil)
		b, _ := e.start("server-b", nil)
		e.linkUp("server-a", 1)
		e.linkUp("server-b", 1)

		e.closeRelay()
		down := e.rec.waitCount(t, "server-a", "link down", 1)
		assert.Equal(t, websocket.StatusNormalClosure, websocket.CloseStatus(down.err), "down: %v", down.err)
		stopped := e.rec.wait(t, "the link stops", func(recs []rec) bool {
			_, ok := first(recs, linkA, "stopped")
			return ok
		})
		st, _ := first(stopped, linkA, "stopped")
		assert.ErrorIs(t, st.err, runtime.ErrStopped, "a normal closure stops the link normally")
		assert.NotErrorIs(t, st.err, runtime.ErrFault)

		// The stopped event comes while the link is still stopping: its
		// reason is visible to Chat a moment later.
		var err error
		e.eventually(t, "calls to see the link's stop reason", func() bool {
			err = a.Broadcast(e.ctx(), "gossip", "anyone?")
			return errors.Is(err, runtime.ErrStopped)
		})
		require.ErrorIs(t, err, game.ErrLinkDown)

		// The keeper starts a link called "link" again: no already_present trap.
		e.up()
		e.linkUp("server-a", 2)
		e.linkUp("server-b", 2)
		assert.Zero(t, count(e.rec.all(), func(x rec) bool { return x.kind == "fault" }), "a normal closure is no fault")
		// The keeper reports its start after the link is up.
		e.rec.waitCount(t, "server-a", "keeper start", 2)
		require.NoError(t, b.Broadcast(e.ctx(), "gossip", "back"))
		assert.Equal(t, "back", inA.next(t).Text)
	})
}

// TestWrongKey: a refused hello is no fault; the refusal is permanent, so
// the keeper waits its longest interval (MaxSweep, 800ms here) before every
// next try (runtime.RetryAfter): each try dials, and no try fails without
// dialing.
func TestWrongKey(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		e.up()
		a, _ := e.start("server-a", func(c *game.Config) { c.Key = []byte("a guess, sixteen bytes or more") })
		recs := e.rec.wait(t, "3 keeper retries", func(recs []rec) bool {
			return count(recs, func(x rec) bool { return x.kind == "keeper retry" }) >= 3
		})
		var retries, dials []rec
		for _, x := range recs {
			switch x.kind {
			case "keeper retry":
				retries = append(retries, x)
			case "link refused":
				dials = append(dials, x)
			}
		}
		// One refused dial per try: no try without a dial (the dial of the
		// next try comes 800ms after the last retry).
		require.LessOrEqual(t, len(retries), len(dials), "no try without a dial")
		require.LessOrEqual(t, len(dials), len(retries)+1)
		for i, d := range dials {
			require.ErrorIs(t, d.err, game.ErrRefused)
			assert.NotErrorIs(t, d.err, game.ErrNameTaken)
			assert.EqualError(t, d.err, "gossip: relay refused the hello of server-a: relay: bad credentials for server-a (unknown server or wrong key) (status 1008)")
			if i > 0 {
				assert.GreaterOrEqual(t, d.at.Sub(dials[i-1].at), 800*time.Millisecond, "dial %d is held back", i)
			}
		}
		for i, r := range retries {
			require.ErrorIs(t, r.err, game.ErrRefused)
			assert.ErrorContains(t, r.err, "bad credentials for server-a")
			assert.Equal(t, 800*time.Millisecond, r.delay, "retry %d waits MaxSweep, not the sweep's 100ms, 200ms, 400ms", i)
			if i > 0 {
				// The keeper waits the announced delay before trying again:
				// exactly in a bubble, at least on real sockets.
				gap := r.at.Sub(retries[i-1].at)
				if e.synced {
					assert.Equal(t, retries[i-1].delay, gap)
				} else {
					assert.GreaterOrEqual(t, gap, retries[i-1].delay)
				}
			}
		}
		assert.Zero(t, count(recs, func(x rec) bool { return x.kind == "fault" }), "a refused hello is not a fault")
		_, err := a.Online(e.ctx())
		require.ErrorIs(t, err, game.ErrLinkDown)
		assert.Empty(t, e.relay.Hub().Online())
	})
}

// TestDuplicateName: a second server with the same name and key is refused
// with its own reason while the first stays online; the refusal makes one
// dial per MaxSweep and no fault; once the first server stops, the second
// takes the name at its next dial.
func TestDuplicateName(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		e.up()
		first, _ := e.start("server-a", nil)
		e.linkUp("server-a", 1)

		r2 := newRecorder()
		sys2 := runtime.NewSystem(runtime.WithLogger(quiet()), runtime.WithEventHook(r2.runtimeEvent))
		defer func() { require.NoError(t, sys2.Shutdown(context.Background())) }()
		cfg := e.config("server-a", newInbox())
		cfg.OnEvent = r2.gameEvent
		second, err := game.Start(sys2, cfg)
		require.NoError(t, err)

		recs := r2.wait(t, "3 refused dials", func(recs []rec) bool {
			return count(recs, func(x rec) bool { return x.kind == "link refused" }) >= 3
		})
		var prev time.Time
		for _, x := range recs {
			if x.kind != "link refused" {
				continue
			}
			require.ErrorIs(t, x.err, game.ErrNameTaken)
			require.ErrorIs(t, x.err, game.ErrRefused)
			assert.EqualError(t, x.err, "gossip: relay refused the hello of server-a: gossip: another server is online under this name: relay: server-a is online already; a second server may not take its name (status 4001)")
			if !prev.IsZero() {
				assert.GreaterOrEqual(t, x.at.Sub(prev), 800*time.Millisecond, "dials are held back for MaxSweep")
			}
			prev = x.at
		}
		// No burst of keeper retries: each try dials, and the keeper waits
		// MaxSweep after each refusal.
		var retries []rec
		for _, x := range recs {
			if x.kind == "keeper retry" {
				retries = append(retries, x)
			}
		}
		require.NotEmpty(t, retries)
		assert.LessOrEqual(t, len(retries), count(recs, func(x rec) bool { return x.kind == "link refused" }), "no try without a dial")
		for i, r := range retries {
			require.ErrorIs(t, r.err, game.ErrNameTaken)
			assert.GreaterOrEqual(t, r.delay, 800*time.Millisecond, "retry %d waits MaxSweep", i)
			if i > 0 {
				assert.GreaterOrEqual(t, r.at.Sub(retries[i-1].at), 800*time.Millisecond, "retry %d comes MaxSweep after the one before", i)
			}
		}
		assert.Zero(t, count(recs, func(x rec) bool { return x.kind == "fault" }), "the second server: no fault")
		assert.Zero(t, count(e.rec.all(), func(x rec) bool { return x.kind == "fault" || x.kind == "link down" }), "the first server: untouched")
		require.NoError(t, first.Broadcast(e.ctx(), "gossip", "still the one"))
		_, err = second.Online(e.ctx())
		require.ErrorIs(t, err, game.ErrLinkDown)

		// The first server stops: the second gets the name.
		stopped := time.Now()
		require.NoError(t, first.Ref().Stop(e.ctx()))
		up := r2.waitCount(t, "server-a", "link up", 1)
		if e.synced {
			assert.LessOrEqual(t, up.at.Sub(stopped), 1600*time.Millisecond, "within the hold and one more keeper sweep")
		}
		names, err := second.Online(e.ctx())
		require.NoError(t, err)
		assert.Equal(t, []string{"server-a"}, names)
	})
}

// TestOverTLS: a server links up to a wss:// relay whose certificate its
// HTTPClient trusts, and messages flow.
func TestOverTLS(t *testing.T) {
	cert, err := testcert.New()
	require.NoError(t, err)
	e := newLoopbackEnv(t)
	tc := &tls.Config{Certificates: []tls.Certificate{cert.TLS}}
	rs, err := relay.Listen("127.0.0.1:0", relay.Config{Keys: relayKeys(), Logger: quiet(), TLS: tc})
	require.NoError(t, err)
	t.Cleanup(rs.Kill)
	e.url = rs.URL()
	e.client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: cert.Pool}}}
	a, _ := e.start("server-a", nil)
	b, inB := e.start("server-b", nil)
	e.linkUp("server-a", 1)
	e.linkUp("server-b", 1)
	require.NoError(t, a.Broadcast(e.ctx(), "gossip", "over tls"))
	assert.Equal(t, game.Message{From: "server-a", Channel: "gossip", Text: "over tls"}, inB.next(t))
	names, err := b.Online(e.ctx())
	require.NoError(t, err)
	assert.Equal(t, []string{"server-a", "server-b"}, names)
}

// TestBroadcastSizeLimit: a text of relay.MaxText bytes is delivered; one
// byte more fails at once with ErrTooLarge, nothing is sent and the link is
// untouched.
func TestBroadcastSizeLimit(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		e.up()
		a, _ := e.start("server-a", nil)
		_, inB := e.start("server-b", nil)
		e.linkUp("server-a", 1)
		e.linkUp("server-b", 1)

		big := strings.Repeat("\x01", relay.MaxText) // JSON makes it six times longer
		require.NoError(t, a.Broadcast(e.ctx(), "gossip", big))
		assert.Equal(t, big, inB.next(t).Text)

		start := time.Now()
		err := a.Broadcast(e.ctx(), "gossip", big+"x")
		require.ErrorIs(t, err, game.ErrTooLarge)
		assert.NotErrorIs(t, err, game.ErrLinkDown)
		assert.NotErrorIs(t, err, game.ErrUnconfirmed)
		assert.EqualError(t, err, "gossip: broadcast text too large: server-a Broadcast: the text is 32769 bytes, over the relay's limit of 32768 (relay.MaxText)")
		if e.synced {
			assert.Zero(t, time.Since(start))
		}
		require.NoError(t, a.Broadcast(e.ctx(), "gossip", "after"))
		assert.Equal(t, "after", inB.next(t).Text)
		assert.Zero(t, count(e.rec.all(), func(x rec) bool { return x.kind == "fault" || x.kind == "link down" }), "the link is untouched")
	})
}

// TestImpersonationRefused: a server that holds server-b's key and calls
// itself server-a is refused; the real server-a is untouched.
func TestImpersonationRefused(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		e.up()
		genuine, _ := e.start("server-a", nil)
		e.linkUp("server-a", 1)
		sys2 := runtime.NewSystem(runtime.WithLogger(quiet()), runtime.WithEventHook(e.rec.runtimeEvent))
		defer func() { require.NoError(t, sys2.Shutdown(context.Background())) }()
		cfg := e.config("server-a", newInbox())
		cfg.Key = keyOf("server-b")
		cfg.OnEvent = nil
		_, err := game.Start(sys2, cfg)
		require.NoError(t, err)
		e.rec.waitCount(t, "server-a", "keeper retry", 1)
		retry, _ := first(e.rec.all(), "", "keeper retry")
		require.ErrorIs(t, retry.err, game.ErrRefused)
		assert.ErrorContains(t, retry.err, "bad credentials for server-a")
		assert.Equal(t, []string{"server-a"}, e.relay.Hub().Online())
		names, err := genuine.Online(e.ctx())
		require.NoError(t, err)
		assert.Equal(t, []string{"server-a"}, names)
		assert.Zero(t, count(e.rec.all(), func(x rec) bool { return x.kind == "fault" }))
	})
}

// TestKillRestartCycles kills and restarts the relay 20 times; the servers
// reconnect every time, and nothing leaks: goleak checks the goroutines (a
// live link connection has a reader goroutine), the relay counts the
// connections.
func TestKillRestartCycles(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		e.up()
		fast := func(c *game.Config) {
			c.Keeper = runtime.KeeperSchedule{First: 10 * time.Millisecond, Sweep: 20 * time.Millisecond, MaxSweep: 80 * time.Millisecond}
		}
		a, inA := e.start("server-a", fast)
		b, inB := e.start("server-b", fast)
		for i := 1; i <= 20; i++ {
			e.linkUp("server-a", i)
			e.linkUp("server-b", i)
			require.Equal(t, 2, e.relay.Hub().Conns(), "cycle %d: one connection per server", i)
			require.NoError(t, a.Broadcast(e.ctx(), "gossip", fmt.Sprint("a", i)))
			require.Equal(t, fmt.Sprint("a", i), inB.next(t).Text)
			require.NoError(t, b.Broadcast(e.ctx(), "gossip", fmt.Sprint("b", i)))
			require.Equal(t, fmt.Sprint("b", i), inA.next(t).Text)
			e.kill()
			e.rec.waitCount(t, "server-a", "link down", i)
			e.rec.waitCount(t, "server-b", "link down", i)
			if i%2 == 0 {
				// Every other cycle, let the tether be cut before the relay
				// returns; otherwise a redial finds it back.
				e.rec.waitCount(t, "server-a", "tether cut", i/2)
				e.rec.waitCount(t, "server-b", "tether cut", i/2)
			}
			e.up()
		}
		e.linkUp("server-a", 21)
		e.linkUp("server-b", 21)
		require.Equal(t, 2, e.relay.Hub().Conns())
		require.NoError(t, e.sys.Shutdown(context.Background()))
		e.relay.Close()
		e.relay = nil
		if !e.synced {
			goleak.VerifyNone(t)
		}
	})
}

func TestBadInput(t *testing.T) {
	sys := runtime.NewSystem(runtime.WithLogger(quiet()))
	defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
	in := newInbox()

	_, err := game.Start(sys, game.Config{})
	require.Error(t, err)
	for _, want := range []string{"gossip: bad config:", "Config.Name is empty", `bad Config.URL "": want ws://`, "bad Config.Key: 0 bytes, want at least 16", "bad Config.Inbox: nil"} {
		assert.ErrorContains(t, err, want)
	}
	_, err = game.Start(sys, game.Config{Name: "a b", URL: "http://x/", Key: keyOf("server-a"), Inbox: in.factory, DialTimeout: -1, TetherMax: -2})
	for _, want := range []string{`Config.Name "a b" has a bad character ' ' at byte 1`, `bad Config.URL "http://x/"`, "bad Config.DialTimeout: -1ns is negative", "bad Config.TetherMax: -2 is negative"} {
		assert.ErrorContains(t, err, want)
	}

	// A look-alike of server-a (a Cyrillic е) is refused before anything is dialed.
	_, err = game.Start(sys, game.Config{Name: "s\u0435rver-a", URL: "ws://127.0.0.1:1/", Key: keyOf("server-a"), Inbox: in.factory})
	assert.ErrorContains(t, err, `Config.Name "s\u0435rver-a" has a bad character '\u0435' at byte 1`)

	ok := game.Config{Name: "server-a", URL: "ws://127.0.0.1:1/", Key: keyOf("server-a"), Inbox: in.factory}
	_, err = game.Start(nil, ok)
	assert.ErrorContains(t, err, "parent is nil")
	bad := ok
	bad.Keeper = runtime.KeeperSchedule{First: time.Second}
	_, err = game.Start(sys, bad)
	require.ErrorIs(t, err, runtime.ErrInvalidOption)
	assert.ErrorContains(t, err, "gossip: start server server-a:")
	assert.ErrorContains(t, err, "KeeperSchedule.Sweep")

	a, err := game.Start(sys, ok)
	require.NoError(t, err)
	_, err = game.Start(sys, ok)
	require.ErrorIs(t, err, runtime.ErrNameTaken)

	err = a.Broadcast(t.Context(), "no spaces", "x")
	assert.EqualError(t, err, `gossip: server-a Broadcast: relay: channel "no spaces" has a bad character ' ' at byte 2 (a-z, 0-9, '-', '_', '.' only, beginning with a-z or 0-9)`)
	err = a.Broadcast(t.Context(), strings.Repeat("c", 65), "x")
	assert.ErrorContains(t, err, "longer than 64 bytes")
}

// fakeRelay serves, on e's network, a relay that sends each server a
// challenge, reads its hello (whatever its proof)
// and hands the connection to serve; the connection is dropped when serve
// returns.
func fakeRelay(t *testing.T, e *env, serve func(c *websocket.Conn, hello relay.Frame)) {
	ln, err := e.listen()
	require.NoError(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		var hello relay.Frame
		if wsjson.Write(r.Context(), c, relay.Frame{Type: relay.TypeChallenge, Nonce: "n"}) != nil ||
			wsjson.Read(r.Context(), c, &hello) != nil {
			return
		}
		serve(c, hello)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
}

// welcomeThen welcomes every server, then calls onRequest for each frame it
// reads until onRequest returns false.
func welcomeThen(onRequest func(c *websocket.Conn, f relay.Frame) bool) func(*websocket.Conn, relay.Frame) {
	return func(c *websocket.Conn, hello relay.Frame) {
		ctx := context.Background()
		if wsjson.Write(ctx, c, relay.Frame{Type: relay.TypeWelcome, Names: []string{hello.Name}}) != nil {
			return
		}
		for {
			var f relay.Frame
			if err := wsjson.Read(ctx, c, &f); err != nil || !onRequest(c, f) {
				return
			}
		}
	}
}

// TestSilentRelay: a relay that welcomes the server and then never answers.
// A call without a deadline fails after Chat's default of 5s instead of
// hanging.
func TestSilentRelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newPipeEnv(t)
		fakeRelay(t, e, welcomeThen(func(*websocket.Conn, relay.Frame) bool { return true }))
		a, _ := e.start("server-a", nil)
		e.linkUp("server-a", 1)
		start := time.Now()
		err := a.Broadcast(context.Background(), "gossip", "anyone?")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 5*time.Second, time.Since(start))
		_, err = a.Online(context.Background())
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 10*time.Second, time.Since(start))
	})
}

// TestRelayDiesBeforeAnswering: the connection drops after the broadcast was
// sent and before the relay's ok: the caller learns that the outcome is
// unknown, at once.
func TestRelayDiesBeforeAnswering(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newPipeEnv(t)
		fakeRelay(t, e, welcomeThen(func(*websocket.Conn, relay.Frame) bool { return false }))
		a, _ := e.start("server-a", nil)
		e.linkUp("server-a", 1)
		start := time.Now()
		err := a.Broadcast(context.Background(), "gossip", "did it arrive?")
		require.ErrorIs(t, err, game.ErrUnconfirmed)
		require.ErrorIs(t, err, game.ErrLinkDown)
		assert.EqualError(t, err, "gossip: sent, but the relay's answer never came (broadcast): gossip: link to relay is down: the connection ended")
		assert.Zero(t, time.Since(start))
	})
}

// TestRefusedRedial: the relay drops the connection, and refuses the reset's
// redial because the name is taken meanwhile: the link stops normally (one
// fault, the drop; none for the refusal) and the keeper is held back.
func TestRefusedRedial(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newPipeEnv(t)
		var conns atomic.Int32
		fakeRelay(t, e, func(c *websocket.Conn, hello relay.Frame) {
			if conns.Add(1) == 1 {
				welcomeThen(func(*websocket.Conn, relay.Frame) bool { return false })(c, hello)
				return // drops the connection: a fault
			}
			_ = c.Close(relay.StatusNameTaken, "relay: server-a is online already")
		})
		a, _ := e.start("server-a", nil)
		e.linkUp("server-a", 1)
		err := a.Broadcast(e.ctx(), "gossip", "x") // the relay drops the connection
		require.ErrorIs(t, err, game.ErrLinkDown)
		e.rec.waitCount(t, "server-a", "link refused", 1)
		recs := e.rec.wait(t, "the link stops", func(recs []rec) bool {
			_, ok := first(recs, linkA, "stopped")
			return ok
		})
		st, _ := first(recs, linkA, "stopped")
		assert.ErrorIs(t, st.err, runtime.ErrStopped)
		assert.NotErrorIs(t, st.err, runtime.ErrFault)
		assert.Equal(t, 1, count(recs, func(x rec) bool { return x.kind == "fault" }), "the drop only")
		refused, _ := first(e.rec.all(), "", "link refused")
		retry := e.rec.waitCount(t, "server-a", "keeper retry", 1)
		require.ErrorIs(t, retry.err, game.ErrRefused)
		assert.ErrorContains(t, retry.err, "not dialing for another")
		assert.Equal(t, 800*time.Millisecond, retry.at.Add(retry.delay).Sub(refused.at), "the keeper waits for the rest of the hold")
		assert.Equal(t, int32(2), conns.Load(), "no dial during the hold")
	})
}

// TestRelayAnswersHelloWrongly: a relay that answers the hello with
// anything but a welcome fails the keeper's try, which is no fault.
func TestRelayAnswersHelloWrongly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newPipeEnv(t)
		fakeRelay(t, e, func(c *websocket.Conn, _ relay.Frame) {
			_ = wsjson.Write(context.Background(), c, relay.Frame{Type: relay.TypeOK})
		})
		a, _ := e.start("server-a", nil)
		retry := e.rec.waitCount(t, "server-a", "keeper retry", 1)
		assert.EqualError(t, retry.err, `gossip: server-a: relay answered the hello with a "ok" frame, want "welcome"`)
		assert.Zero(t, count(e.rec.all(), func(x rec) bool { return x.kind == "fault" }))
		_, err := a.Online(e.ctx())
		require.ErrorIs(t, err, game.ErrLinkDown)
	})
}

// TestRelayRefusesARequest: an error frame in answer to a request fails the
// call with ErrRefused and the relay's reason; the link stays up.
func TestRelayRefusesARequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newPipeEnv(t)
		fakeRelay(t, e, welcomeThen(func(c *websocket.Conn, f relay.Frame) bool {
			return wsjson.Write(context.Background(), c, relay.Frame{Type: relay.TypeError, ID: f.ID, Error: "relay: not today"}) == nil
		}))
		a, _ := e.start("server-a", nil)
		e.linkUp("server-a", 1)
		err := a.Broadcast(e.ctx(), "gossip", "hello?")
		require.ErrorIs(t, err, game.ErrRefused)
		assert.NotErrorIs(t, err, game.ErrLinkDown)
		assert.EqualError(t, err, "gossip: relay refused broadcast: relay: not today")
		_, err = a.Online(e.ctx())
		require.ErrorIs(t, err, game.ErrRefused)
		assert.Zero(t, count(e.rec.all(), func(x rec) bool { return x.kind == "fault" }))
	})
}
