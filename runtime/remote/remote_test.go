package remote_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/actorgen/actorgen/runtime"
	"github.com/actorgen/actorgen/runtime/remote"
	rtest "github.com/actorgen/actorgen/runtime/remote/remotetest"
	"github.com/actorgen/actorgen/runtime/wire"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// world is two nodes on a MemNet: srv runs the actor /c (a Counter, exported), cli dials it.
type world struct {
	t        testing.TB
	net      *remote.MemNet
	srvConn  *remote.MemConn
	cliConn  *remote.MemConn
	srv, cli *remote.Node
	sys      *runtime.System // the server's
	csys     *runtime.System // the client's
	c        rtest.CounterRef
	remote   rtest.CounterRef // cli's ref to srv:/c
}

func newWorld(t testing.TB, opts ...runtime.Option) *world {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	w := &world{t: t, net: remote.NewMemNet()}
	w.srvConn, w.cliConn = w.net.Conn("srv"), w.net.Conn("cli")
	var err error
	w.srv, err = remote.NewNode(remote.Config{Name: "srv", Transport: w.srvConn, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	w.cli, err = remote.NewNode(remote.Config{Name: "cli", Transport: w.cliConn, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	w.sys = runtime.NewSystem(runtime.WithLogger(quiet))
	w.csys = runtime.NewSystem(runtime.WithLogger(quiet))
	w.c, err = rtest.SpawnCounter(w.sys, "c", rtest.New, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := rtest.ServeCounter(w.srv, w.c, remote.AllowStop()); err != nil {
		t.Fatal(err)
	}
	w.remote, err = rtest.DialCounter(w.cli, "srv", "/c")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.close)
	return w
}

func (w *world) close() {
	ctx := context.Background()
	_ = w.cli.Close()
	_ = w.srv.Close()
	_ = w.sys.Shutdown(ctx)
	_ = w.csys.Shutdown(ctx)
	w.srvConn.Close()
	w.cliConn.Close()
}

// elapsed runs f and returns how long it took in the bubble's time.
func elapsed(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}

func TestReturns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		ctx := context.Background()
		var n int
		var err error
		if d := elapsed(func() { n, err = w.remote.Add(ctx, 2) }); err != nil || n != 2 || d != 0 {
			t.Fatalf("Add: %d %v after %v", n, err, d)
		}
		var c rtest.Counter = w.remote // the same type, implementing the interface
		if n, err := c.Add(ctx, 3); err != nil || n != 5 {
			t.Fatalf("Add through the interface: %d %v", n, err)
		}
		v, err := w.remote.Find(ctx, "k")
		if err != nil || v != "v" {
			t.Fatalf("Find k: %q %v", v, err)
		}
		_, err = w.remote.Find(ctx, "x")
		if !errors.Is(err, rtest.ErrNotFound) || !strings.Contains(err.Error(), "find x") {
			t.Fatalf("Find x: the sentinel did not keep its identity: %#v", err)
		}
		if got := w.remote.Ref().Path(); got != "srv:/c" || !w.remote.Ref().IsRemote() {
			t.Fatalf("Path %q", got)
		}
		if back, ok := rtest.CounterRefOf(w.remote.Ref()); !ok || back != w.remote {
			t.Fatal("CounterRefOf of a remote ref")
		}
	})
}

func TestHandlerPanics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		var err error
		d := elapsed(func() { err = w.remote.Fail(context.Background(), "boom") })
		if !errors.Is(err, runtime.ErrFault) || d != 0 {
			t.Fatalf("%v after %v", err, d)
		}
		if !strings.Contains(err.Error(), "boom") || !strings.Contains(err.Error(), "srv:/c") {
			t.Fatalf("the error lacks the panic's text or the remote path: %v", err)
		}
		fe, ok := errors.AsType[*runtime.FaultError](err)
		if !ok || fe.Path != "srv:/c" {
			t.Fatalf("%#v", err)
		}
	})
}

func TestStopped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		ctx := context.Background()
		// An ask runs, one is queued behind it; the actor is stopped meanwhile.
		errs := make(chan error, 2)
		go func() { errs <- w.remote.Sleep(ctx, time.Second) }()
		synctest.Wait()
		go func() { _, err := w.remote.Add(ctx, 1); errs <- err }()
		synctest.Wait()
		go func() { _ = w.c.Ref().Stop(ctx) }()
		var queued error
		for range 2 {
			if err := <-errs; err != nil {
				queued = err
			}
		}
		if !errors.Is(queued, runtime.ErrStopped) {
			t.Fatalf("the ask queued behind a stop: %v", queued)
		}
		var err error
		if d := elapsed(func() { _, err = w.remote.Add(ctx, 1) }); !errors.Is(err, runtime.ErrStopped) || d != 0 {
			t.Fatalf("an ask to a stopped actor: %v after %v", err, d)
		}
	})
}

func TestUnknown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		// Spawned, not exported.
		if _, err := rtest.SpawnCounter(w.sys, "hidden", rtest.New); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/hidden", "/nobody", "/c/child"} {
			r, err := rtest.DialCounter(w.cli, "srv", path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Add(context.Background(), 1)
			if !errors.Is(err, runtime.ErrStopped) || !errors.Is(err, remote.ErrUnknownActor) || !strings.Contains(err.Error(), "exports no actor "+path) {
				t.Fatalf("%s: %v", path, err)
			}
		}
	})
}

// spawnParent spawns a counter named name under sys that spawns a counter named child as it
// starts.
func spawnParent(t *testing.T, sys *runtime.System, name, child string) rtest.CounterRef {
	t.Helper()
	dir, err := rtest.SpawnCounter(sys, name, func(ac *runtime.Context) rtest.Counter {
		if _, err := rtest.SpawnCounter(ac, child, rtest.New); err != nil {
			panic(err)
		}
		return rtest.New(ac)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestServeChildren(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		dir := spawnParent(t, w.sys, "dir", "early")
		if err := rtest.ServeCounterChildren(w.srv, dir.Ref()); err != nil {
			t.Fatal(err)
		}
		early, _ := rtest.DialCounter(w.cli, "srv", "/dir/early")
		if n, err := early.Add(context.Background(), 7); err != nil || n != 7 {
			t.Fatalf("a child spawned before the export: %d %v", n, err)
		}
		parent, _ := rtest.DialCounter(w.cli, "srv", "/dir")
		if _, err := parent.Add(context.Background(), 1); !errors.Is(err, remote.ErrUnknownActor) {
			t.Fatalf("the parent itself: %v", err)
		}
	})
}

// TestOddNames: actors whose names are not plain subject tokens are reached, exported
// themselves and as children.
func TestOddNames(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		ctx := context.Background()
		odd, err := rtest.SpawnCounter(w.sys, "a.b c*", rtest.New)
		if err != nil {
			t.Fatal(err)
		}
		if err := rtest.ServeCounter(w.srv, odd); err != nil {
			t.Fatal(err)
		}
		r, _ := rtest.DialCounter(w.cli, "srv", "/a.b c*")
		if n, err := r.Add(ctx, 3); err != nil || n != 3 {
			t.Fatalf("exported itself: %d %v", n, err)
		}
		dir := spawnParent(t, w.sys, "dir>", "late one")
		if err := rtest.ServeCounterChildren(w.srv, dir.Ref()); err != nil {
			t.Fatal(err)
		}
		late, _ := rtest.DialCounter(w.cli, "srv", "/dir>/late one")
		if n, err := late.Add(ctx, 4); err != nil || n != 4 {
			t.Fatalf("a child whose name is not a plain token: %d %v", n, err)
		}
		w.srv.Unserve("/dir>", true)
		if _, err := late.Add(ctx, 1); !errors.Is(err, remote.ErrUnknownActor) {
			t.Fatalf("after Unserve: %v", err)
		}
	})
}

func TestUnreachable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		ghost, _ := rtest.DialCounter(w.cli, "ghost", "/c")
		var err error
		if d := elapsed(func() { _, err = ghost.Add(context.Background(), 1) }); !errors.Is(err, remote.ErrUnreachable) || d != 0 {
			t.Fatalf("%v after %v", err, d)
		}
		if !strings.Contains(err.Error(), "unreachable") {
			t.Fatal(err)
		}
	})
}

func TestMailboxFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, runtime.WithMailbox(1, runtime.OverflowFail))
		ctx := context.Background()
		done := make(chan error, 2)
		go func() { done <- w.remote.Sleep(ctx, time.Second) }() // handled
		synctest.Wait()
		go func() { _, err := w.remote.Add(ctx, 1); done <- err }() // queued
		synctest.Wait()
		var err error
		if d := elapsed(func() { _, err = w.remote.Add(ctx, 1) }); !errors.Is(err, runtime.ErrMailboxFull) || d != 0 {
			t.Fatalf("%v after %v", err, d)
		}
		for range 2 {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestNodeDies covers a node that dies and one cut off by a partition, with asks in flight:
// they fail within DownAfter (3 s) of the last heartbeat, saying the outcome is unknown.
func TestNodeDies(t *testing.T) {
	for _, how := range []string{"dies", "partitioned"} {
		t.Run(how, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := newWorld(t)
				ctx := context.Background()
				if _, err := w.remote.Add(ctx, 1); err != nil {
					t.Fatal(err)
				}
				time.Sleep(1500 * time.Millisecond) // heartbeats at 0 and 1 s
				errs := make(chan error, 3)
				for range 3 {
					go func() { errs <- w.remote.Sleep(ctx, time.Hour) }()
				}
				synctest.Wait()
				watched := w.remote.Ref().Done()
				synctest.Wait()
				start := time.Now()
				if how == "dies" {
					w.srvConn.Close()
				} else {
					w.srvConn.SetPartitioned(true)
				}
				for range 3 {
					err := <-errs
					if !errors.Is(err, remote.ErrUnconfirmed) || !errors.Is(err, remote.ErrNodeDown) {
						t.Fatalf("%v", err)
					}
				}
				if d := time.Since(start); d > 3*time.Second {
					t.Fatalf("the asks failed after %v", d)
				}
				<-watched
				if err := w.remote.Ref().Err(); !errors.Is(err, remote.ErrNodeDown) {
					t.Fatalf("Err of a ref whose node is lost: %v", err)
				}
				// A new call to a dead node finds no responder at once; to a partitioned one it
				// waits for the next detection.
				_, err := w.remote.Add(ctx, 1)
				if how == "dies" && !errors.Is(err, remote.ErrUnreachable) || how == "partitioned" && !errors.Is(err, remote.ErrNodeDown) {
					t.Fatalf("after: %v", err)
				}
			})
		})
	}
}

func TestNodeRestarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		ctx := context.Background()
		time.Sleep(1500 * time.Millisecond)
		errs := make(chan error, 1)
		go func() { errs <- w.remote.Sleep(ctx, time.Hour) }()
		synctest.Wait()
		// The node's process dies and a new incarnation of it comes up under the same name.
		w.srvConn.Close()
		conn := w.net.Conn("srv2")
		defer conn.Close()
		srv2, err := remote.NewNode(remote.Config{Name: "srv", Transport: conn, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		defer srv2.Close()
		if err := <-errs; !errors.Is(err, remote.ErrNodeDown) || !strings.Contains(err.Error(), "restarted") {
			t.Fatalf("%v", err)
		}
	})
}

// TestNodeCloses: a node that closes cancels the asks it serves, and says so.
func TestNodeCloses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		errs := make(chan error, 1)
		go func() { errs <- w.remote.Sleep(context.Background(), time.Hour) }()
		synctest.Wait()
		_ = w.srv.Close()
		if err := <-errs; !errors.Is(err, remote.ErrNodeDown) || !errors.Is(err, remote.ErrUnconfirmed) || !strings.Contains(err.Error(), "closed") {
			t.Fatalf("%v", err)
		}
	})
}

func TestContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		var err error
		d := elapsed(func() { err = w.remote.Sleep(ctx, time.Hour) })
		if !errors.Is(err, context.DeadlineExceeded) || d != 100*time.Millisecond {
			t.Fatalf("%v after %v", err, d)
		}
		// The handler got the deadline: it returned when it passed.
		// An ask queued behind a long one, whose deadline passes while it waits, is skipped.
		go func() { _ = w.remote.Sleep(context.Background(), time.Second) }()
		synctest.Wait()
		ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel2()
		if _, err := w.remote.Add(ctx2, 100); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%v", err)
		}
		time.Sleep(2 * time.Second)
		if n, err := w.remote.Add(context.Background(), 0); err != nil || n != 0 {
			t.Fatalf("the expired ask was handled: sum %d %v", n, err)
		}
		// A ctx that has already ended: nothing is sent.
		done, cancel3 := context.WithCancel(context.Background())
		cancel3()
		if _, err := w.remote.Add(done, 1); !errors.Is(err, runtime.ErrNotDelivered) {
			t.Fatalf("%v", err)
		}
	})
}

func TestLinkDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		ctx := context.Background()
		errs := make(chan error, 1)
		go func() { errs <- w.remote.Sleep(ctx, time.Hour) }()
		synctest.Wait()
		start := time.Now()
		w.cliConn.SetDown(true)
		if err := <-errs; !errors.Is(err, remote.ErrLinkDown) || time.Since(start) != 0 {
			t.Fatalf("an ask in flight: %v", err)
		}
		var err error
		if d := elapsed(func() { _, err = w.remote.Add(ctx, 1) }); !errors.Is(err, remote.ErrLinkDown) || d != 0 {
			t.Fatalf("%v after %v", err, d)
		}
		w.remote.Note(ctx, "lost") // a tell fails too: its error is dropped by the ref
		if err := w.remote.Actor().Tell(ctx, rtest.CounterNoteMsg{S: "lost"}.Message()); !errors.Is(err, remote.ErrLinkDown) {
			t.Fatalf("tell: %v", err)
		}
		w.cliConn.SetDown(false)
		notes, err := w.remote.Notes(ctx)
		if err != nil || len(notes) != 0 {
			t.Fatalf("after the link came back: %q %v (nothing was buffered)", notes, err)
		}
	})
}

func TestTellsInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		ctx := context.Background()
		var want []string
		for i := range 200 {
			s := fmt.Sprint(i)
			want = append(want, s)
			w.remote.Note(ctx, s)
		}
		synctest.Wait()
		notes, err := w.remote.Notes(ctx)
		if err != nil || rtest.Joined(notes) != rtest.Joined(want) {
			t.Fatalf("%v %v", notes, err)
		}
	})
}

func TestTooLarge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		w.net.SetMaxPayload(1000)
		if n, err := w.remote.Size(context.Background(), make([]byte, 900)); err != nil || n != 900 {
			t.Fatalf("%d %v", n, err)
		}
		_, err := w.remote.Size(context.Background(), make([]byte, 1000))
		if !errors.Is(err, remote.ErrTooLarge) || !strings.Contains(err.Error(), "Counter.Size") {
			t.Fatalf("%v", err)
		}
		err = w.remote.Actor().Tell(context.Background(), rtest.CounterNoteMsg{S: strings.Repeat("x", 1000)}.Message())
		if !errors.Is(err, remote.ErrTooLarge) {
			t.Fatalf("tell: %v", err)
		}
	})
}

func TestWatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		ctx := context.Background()
		ref := w.remote.Ref()
		if ref.Err() != nil {
			t.Fatal(ref.Err())
		}
		synctest.Wait()
		select {
		case <-ref.Done():
			t.Fatal("done while running")
		default:
		}
		// A fault stops the actor (the default policy): the ref reports the fault.
		_ = w.remote.Fail(ctx, "kaput")
		<-ref.Done()
		if err := ref.Err(); !errors.Is(err, runtime.ErrFault) || !strings.Contains(err.Error(), "kaput") || errors.Is(err, runtime.ErrStopped) {
			t.Fatalf("Err after a remote fault: %v", err)
		}
		// A normal stop, asked for remotely.
		c2, _ := rtest.SpawnCounter(w.sys, "c2", rtest.New)
		_ = rtest.ServeCounter(w.srv, c2, remote.AllowStop())
		r2, _ := rtest.DialCounter(w.cli, "srv", "/c2")
		done := r2.Ref().Done()
		synctest.Wait()
		if err := r2.Ref().Stop(ctx); err != nil {
			t.Fatal(err)
		}
		<-done
		if err := r2.Ref().Err(); err != runtime.ErrStopped || c2.Ref().Err() != runtime.ErrStopped {
			t.Fatalf("Err after a remote stop: %v", err)
		}
		// Stopped on its own node, watched from afar.
		c3, _ := rtest.SpawnCounter(w.sys, "c3", rtest.New)
		_ = rtest.ServeCounter(w.srv, c3) // no AllowStop
		r3, _ := rtest.DialCounter(w.cli, "srv", "/c3")
		if err := r3.Ref().Stop(ctx); !errors.Is(err, remote.ErrRefused) {
			t.Fatalf("a remote stop without AllowStop: %v", err)
		}
		done = r3.Ref().Done()
		synctest.Wait()
		_ = c3.Ref().Stop(ctx)
		<-done
		if err := r3.Ref().Err(); !errors.Is(err, runtime.ErrStopped) {
			t.Fatal(err)
		}
		// An actor that is not there.
		r4, _ := rtest.DialCounter(w.cli, "srv", "/nobody")
		<-r4.Ref().Done()
		if err := r4.Ref().Err(); !errors.Is(err, remote.ErrUnknownActor) {
			t.Fatal(err)
		}
	})
}

func TestRefsInMessages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		ctx := context.Background()
		me, err := w.remote.Me(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ref, ok := me.(rtest.CounterRef)
		if !ok || ref.Ref().Path() != "srv:/c" {
			t.Fatalf("%#v", me)
		}
		if n, err := me.Add(ctx, 5); err != nil || n != 5 {
			t.Fatalf("a ref that arrived in a reply: %d %v", n, err)
		}
		// A ref of the caller's own actor travels in a request; the server calls it back.
		mine, _ := rtest.SpawnCounter(w.csys, "mine", rtest.New)
		if err := rtest.ServeCounter(w.cli, mine); err != nil {
			t.Fatal(err)
		}
		if n, err := w.remote.Forward(ctx, mine, 3); err != nil || n != 3 {
			t.Fatalf("Forward: %d %v", n, err)
		}
		// Handed back to its own node, a ref becomes the local one.
		other, _ := rtest.SpawnCounter(w.sys, "other", rtest.New)
		_ = rtest.ServeCounter(w.srv, other)
		ro, _ := rtest.DialCounter(w.cli, "srv", "/other")
		if n, err := w.remote.Forward(ctx, ro, 4); err != nil || n != 4 {
			t.Fatalf("Forward to another actor of the server: %d %v", n, err)
		}
	})
}

// TestSchemaMismatch sends a call whose schema fingerprint is not the server's, as a peer built
// from another version of the interface would.
func TestSchemaMismatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		body, _ := rtest.CounterAddMsg{N: 1}.MarshalBinary()
		frame := append([]byte{1, 1, 0xde, 0xad, 0xbe, 0xef, 0, 3, 'c', 'l', 'i'}, body...)
		data, err := w.cliConn.Request(context.Background(), "ag.local.srv.m.Counter.Add.c", nil, frame)
		if err != nil {
			t.Fatal(err)
		}
		if data[0] == 0 || !strings.Contains(string(data), "Counter.Add") || !strings.Contains(string(data), "schema") {
			t.Fatalf("%q", data)
		}
		// Garbage gets an error, not a panic.
		data, err = w.cliConn.Request(context.Background(), "ag.local.srv.m.Counter.Add.c", nil, []byte{1, 1, 0, 0})
		if err != nil || data[0] == 0 {
			t.Fatalf("%q %v", data, err)
		}
		// The right schema and a body that does not decode: an error naming the method.
		schema := rtest.CounterAddMsg{}.WireSchema()
		bad := []byte{1, 1, byte(schema), byte(schema >> 8), byte(schema >> 16), byte(schema >> 24), 0, 3, 'c', 'l', 'i', 0xff, 0xff}
		data, err = w.cliConn.Request(context.Background(), "ag.local.srv.m.Counter.Add.c", nil, bad)
		if err != nil || data[0] == 0 || !strings.Contains(string(data), "Counter.Add") {
			t.Fatalf("%q %v", data, err)
		}
		_ = wire.ErrSchema
	})
}

// garbleWire is a binding of Counter that knows only Add, with its right schema, and encodes
// every message as bytes that do not decode.
type garbleWire struct{}

func (garbleWire) Interface() string {
	return "github.com/actorgen/actorgen/runtime/remote/remotetest.Counter"
}

func (garbleWire) Methods() []remote.Method {
	return []remote.Method{{Name: "Add", Schema: rtest.CounterAddMsg{}.WireSchema()}}
}

func (garbleWire) Encode(b []byte, _ rtest.CounterMessage) ([]byte, int, error) {
	return append(b, 0xff, 0xff, 0xff), 0, nil
}

func (garbleWire) Serve(context.Context, runtime.Actor[rtest.CounterMessage], int, *wire.Decoder, []byte) ([]byte, error) {
	panic("garbleWire serves nothing")
}

func (garbleWire) Ref(a runtime.Actor[rtest.CounterMessage]) any { return a }
func (garbleWire) Sentinels() wire.Sentinels                     { return nil }

// TestBadMessage: a request the serving node cannot decode comes back to the caller as
// ErrBadMessage naming the method, through the reply's status.
func TestBadMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		conn := w.net.Conn("garble")
		defer conn.Close()
		n, err := remote.NewNode(remote.Config{Name: "garble", Transport: conn, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		defer n.Close()
		a, err := remote.Dial(n, garbleWire{}, "srv", "/c")
		if err != nil {
			t.Fatal(err)
		}
		_, err = runtime.Ask[rtest.CounterMessage, rtest.CounterAddReply](context.Background(), a, rtest.CounterAddMsg{N: 1}.Message())
		// The serving node's text names the method too, after the caller's.
		if !errors.Is(err, remote.ErrBadMessage) || strings.Count(err.Error(), "Counter.Add") != 2 {
			t.Fatalf("%v", err)
		}
		t.Log(err)
		if n, err := w.remote.Add(context.Background(), 0); err != nil || n != 0 {
			t.Fatalf("the actor after a bad message: sum %d %v", n, err)
		}
	})
}

func TestConcurrentCallers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		var wg sync.WaitGroup
		for range 64 {
			wg.Go(func() {
				for range 10 {
					if _, err := w.remote.Add(context.Background(), 1); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if n, _ := w.remote.Add(context.Background(), 0); n != 640 {
			t.Fatalf("sum %d", n)
		}
	})
}
