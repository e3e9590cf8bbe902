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

	"github.com/actorgen/actorgen/runtime/remote"
	rtest "github.com/actorgen/actorgen/runtime/remote/remotetest"
)

// The kinds of request on the wire (frame.go): a tell as it is told, and packed tells.
const (
	kindTell  = 2
	kindTells = 5
)

// sent is one message a gate passed on.
type sent struct {
	method string // the subject's interface and method, "Counter.Note"
	kind   byte
	size   int
}

// gate is a Transport whose calls can be held: while it is shut, the first call publication
// waits in Publish (holding the node's tells) until it opens. It records the call publications
// it passed on.
type gate struct {
	remote.Transport
	mu   sync.Mutex
	shut chan struct{}
	sent []sent
}

func (g *gate) Publish(subject, reply string, h remote.Header, data []byte) error {
	// Calls are p.c.node.m.Type.Method.path...: the rest (heartbeats, replies) passes.
	parts := strings.Split(subject, ".")
	if len(parts) < 6 || parts[3] != "m" {
		return g.Transport.Publish(subject, reply, h, data)
	}
	g.mu.Lock()
	shut := g.shut
	g.shut = nil
	g.mu.Unlock()
	if shut != nil {
		<-shut
	}
	err := g.Transport.Publish(subject, reply, h, data)
	if err == nil {
		g.mu.Lock()
		g.sent = append(g.sent, sent{method: parts[4] + "." + parts[5], kind: data[1], size: len(data)})
		g.mu.Unlock()
	}
	return err
}

// hold shuts the gate for the next call publication and returns what opens it.
func (g *gate) hold() (open func()) {
	ch := make(chan struct{})
	g.mu.Lock()
	g.shut = ch
	g.sent = nil
	g.mu.Unlock()
	return func() { close(ch) }
}

func (g *gate) passed() []sent {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]sent(nil), g.sent...)
}

// gatedWorld is a world whose client node sends through a gate.
func gatedWorld(t *testing.T) (*world, *gate) {
	t.Helper()
	w := newWorld(t)
	_ = w.cli.Close() // the gated node takes its place
	g := &gate{Transport: w.cliConn}
	cli, err := remote.NewNode(remote.Config{Name: "gated", Transport: g, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cli.Close() })
	w.cli = cli
	w.remote, err = rtest.DialCounter(cli, "srv", "/c")
	if err != nil {
		t.Fatal(err)
	}
	return w, g
}

// tellWhileHeld tells "0" through w.remote on a goroutine of its own and returns once its
// publication waits at the shut gate: the tells told after it are then packed.
func tellWhileHeld(w *world) {
	go w.remote.Note(context.Background(), "0")
	synctest.Wait()
}

func numbers(from, to int) []string {
	var s []string
	for i := from; i < to; i++ {
		s = append(s, fmt.Sprint(i))
	}
	return s
}

// TestTellsPacked: the tells told while one is being published go out together, in one
// message, and arrive in the order they were told.
func TestTellsPacked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, g := gatedWorld(t)
		ctx := context.Background()
		open := g.hold()
		tellWhileHeld(w)
		for _, s := range numbers(1, 200) {
			w.remote.Note(ctx, s)
		}
		open()
		synctest.Wait()
		notes, err := w.c.Notes(ctx)
		if err != nil || rtest.Joined(notes) != rtest.Joined(numbers(0, 200)) {
			t.Fatalf("%v %v", notes, err)
		}
		if got := g.passed(); len(got) != 2 || got[0].kind != kindTell || got[1].kind != kindTells {
			t.Fatalf("200 tells went out as %+v, want the first alone and 199 in one message", got)
		}
	})
}

// TestTellsPackedBySubject: a tell to another method begins another message, after the ones
// before it, so the order of what one sender tells holds across methods.
func TestTellsPackedBySubject(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, g := gatedWorld(t)
		ctx := context.Background()
		open := g.hold()
		tellWhileHeld(w)
		w.remote.Note(ctx, "a")
		w.remote.Note(ctx, "b")
		w.remote.Bump(ctx, []byte("x"))
		w.remote.Bump(ctx, []byte("y"))
		w.remote.Note(ctx, "c")
		open()
		synctest.Wait()
		var methods []string
		for _, s := range g.passed() {
			methods = append(methods, fmt.Sprint(s.method, "/", s.kind))
		}
		want := fmt.Sprintf("[Counter.Note/%d Counter.Note/%d Counter.Bump/%d Counter.Note/%d]", kindTell, kindTells, kindTells, kindTells)
		if fmt.Sprint(methods) != want {
			t.Fatalf("sent %v, want %s", methods, want)
		}
		notes, _ := w.c.Notes(ctx)
		n, _ := w.c.Count(ctx)
		if rtest.Joined(notes) != rtest.Joined([]string{"0", "a", "b", "c"}) || n != 2 {
			t.Fatalf("notes %v, count %d", notes, n)
		}
	})
}

// TestAskAfterTells: an ask goes out after the tells its caller told before it, so it sees
// them, whether they were pending or being published.
func TestAskAfterTells(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		ctx := context.Background()
		var want []string
		for round := range 20 {
			for _, s := range numbers(round*50, round*50+50) {
				w.remote.Note(ctx, s)
			}
			want = append(want, numbers(round*50, round*50+50)...)
			notes, err := w.remote.Notes(ctx)
			if err != nil || rtest.Joined(notes) != rtest.Joined(want) {
				t.Fatalf("round %d: the ask saw %d notes of %d: %v", round, len(notes), len(want), err)
			}
		}
	})
}

// TestTellsSplitAtMaxPayload: packed tells stay under the transport's maximum payload; a tell
// that fits only as it was framed goes out alone, in its place.
func TestTellsSplitAtMaxPayload(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, g := gatedWorld(t)
		ctx := context.Background()
		const max = 1000
		w.net.SetMaxPayload(max)
		// The longest note the transport takes: framed alone it fits, packed (a length more) not.
		longest := max
		for ; longest > 0; longest-- {
			if err := w.remote.Actor().Tell(ctx, rtest.CounterNoteMsg{S: strings.Repeat("l", longest)}.Message()); err == nil {
				break
			}
		}
		synctest.Wait()
		open := g.hold()
		tellWhileHeld(w)
		var want []string
		for i := range 12 {
			s := fmt.Sprint(i, strings.Repeat("x", 290))
			if i == 5 {
				s = strings.Repeat("l", longest)
			}
			want = append(want, s)
			w.remote.Note(ctx, s)
		}
		open()
		synctest.Wait()
		notes, err := w.c.Notes(ctx)
		if err != nil || len(notes) != 14 || rtest.Joined(notes[2:]) != rtest.Joined(want) {
			t.Fatalf("%d notes, %v", len(notes), err)
		}
		got := g.passed()
		alone := 0
		for _, s := range got[1:] {
			if s.size > max {
				t.Fatalf("a message of %d bytes, over %d", s.size, max)
			}
			if s.kind == kindTell {
				alone++
			}
		}
		if alone != 1 || len(got) < 1+5 {
			t.Fatalf("sent %+v: want the longest note alone and the others 3 to a message", got)
		}
	})
}

// TestTellsLostWithTheLink: tells packed when the link goes are lost (at most once), and the
// next tell fails at once with ErrLinkDown instead of joining them.
func TestTellsLostWithTheLink(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, g := gatedWorld(t)
		ctx := context.Background()
		open := g.hold()
		tellWhileHeld(w)
		for _, s := range numbers(1, 10) {
			w.remote.Note(ctx, s)
		}
		w.cliConn.SetDown(true)
		open()
		synctest.Wait()
		if err := w.remote.Actor().Tell(ctx, rtest.CounterNoteMsg{S: "late"}.Message()); !errors.Is(err, remote.ErrLinkDown) {
			t.Fatalf("a tell after the link went: %v", err)
		}
		w.cliConn.SetDown(false)
		if notes, err := w.remote.Notes(ctx); err != nil || len(notes) != 0 {
			t.Fatalf("after the link came back: %q %v (nothing was kept)", notes, err)
		}
		w.remote.Note(ctx, "back")
		if notes, err := w.remote.Notes(ctx); err != nil || rtest.Joined(notes) != "back" {
			t.Fatalf("a tell once the link is back: %q %v", notes, err)
		}
	})
}

// TestCloseSendsPendingTells: closing the node publishes the tells still pending, and a tell
// after Close goes out alone.
func TestCloseSendsPendingTells(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, g := gatedWorld(t)
		ctx := context.Background()
		open := g.hold()
		tellWhileHeld(w)
		for _, s := range numbers(1, 50) {
			w.remote.Note(ctx, s)
		}
		open()
		if err := w.cli.Close(); err != nil {
			t.Fatal(err)
		}
		w.remote.Note(ctx, "50")
		synctest.Wait()
		notes, err := w.c.Notes(ctx)
		if err != nil || rtest.Joined(notes) != rtest.Joined(numbers(0, 51)) {
			t.Fatalf("%v %v", notes, err)
		}
	})
}
