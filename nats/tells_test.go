package agnats_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nats-io/nats.go"

	rtest "github.com/actorgen/actorgen/runtime/remote/remotetest"
)

// TestTellsPacked: on a real server with a small maximum payload, a sender's burst of tells
// to two methods of one actor arrives complete and in order, in fewer NATS messages than
// tells, none over the maximum.
func TestTellsPacked(t *testing.T) {
	const max = 4096
	ns := startServer(t, -1, max)
	p := newPair(t, ns.ClientURL(), ns.ClientURL())
	watch, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	var msgs, over atomic.Int64
	sub, err := watch.Subscribe("ag.local.srv.m.Counter.*.c", func(m *nats.Msg) {
		msgs.Add(1)
		if len(m.Data) > max {
			over.Add(1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := watch.Flush(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const n = 3000
	var want []string
	bumps := 0
	for i := range n {
		s := fmt.Sprint(i, strings.Repeat(".", 100))
		want = append(want, s)
		p.remote.Note(ctx, s)
		if i%7 == 0 {
			p.remote.Bump(ctx, []byte{byte(i)})
			bumps++
		}
	}
	// The ask goes out after the tells, so they are in the mailbox before it; the notes are
	// then read on the serving side, since they would not fit in one reply.
	if c, err := p.remote.Count(ctx); err != nil || c != bumps {
		t.Fatalf("bumps: %d of %d, %v", c, bumps, err)
	}
	notes, err := p.c.Notes(ctx)
	if err != nil || rtest.Joined(notes) != rtest.Joined(want) {
		t.Fatalf("tells out of order or lost: %d of %d, %v", len(notes), n, err)
	}
	if over.Load() != 0 {
		t.Fatalf("%d messages over the maximum payload", over.Load())
	}
	t.Logf("%d tells in %d messages (asks included)", n+bumps, msgs.Load())
}
