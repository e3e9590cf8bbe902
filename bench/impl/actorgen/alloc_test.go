package actorgen

import (
	"context"
	"log/slog"
	"testing"

	"github.com/actorgen/actorgen/runtime"

	"github.com/actorgen/actorgen/bench/workload"
)

// A tell through a generated ref allocates nothing: the message is a CounterMessage held by
// value in the mailbox, not a struct boxed into an interface (which cost one allocation per
// tell of a value of 256 and up). An ask allocates its reply slot only.
func TestGeneratedMessagesDoNotAllocate(t *testing.T) {
	sys := runtime.NewSystem(runtime.WithLogger(slog.New(slog.DiscardHandler)))
	defer func() {
		if err := sys.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	sink := workload.NewSink(-1, func() {})
	c, err := SpawnCounter(sys, "counter", func(*runtime.Context) Counter { return counter{sink: sink} })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range 1000 { // grow the inbox and wake the goroutine once
		c.Add(ctx, 1000)
	}
	if _, err := c.AddSum(cctx, 1000); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(1000, func() { c.Add(ctx, 1000) }); n != 0 {
		t.Errorf("a generated tell allocates %v times, want 0", n)
	}
	if n := testing.AllocsPerRun(1000, func() { _, _ = c.AddSum(cctx, 1000) }); n > 1 {
		t.Errorf("a generated ask with a cancellable ctx allocates %v times, want at most 1", n)
	}
}
