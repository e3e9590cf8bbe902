package runtime

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// An actor that has a sibling's ResetAll and a child's escalation pending at once handles the
// reset first. When the reset's factory faults and its policy delays, nothing else is decided
// while the actor is suspended; and once the reset has applied, the escalation is dropped: it
// came from a child of the incarnation that the reset replaced (as Akka drops a Failed from a
// child that is no longer there), so the new incarnation never decides about it.
func TestPendingSignalsWaitForADelayAndStaleEscalationsAreDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(WithLogger(slog.New(slog.DiscardHandler)))
		defer sys.Shutdown(context.Background())
		boom := func(context.Context, *Context, struct{}, int) { panic("boom") }
		gate := make(chan struct{})

		var builds atomic.Int32
		var c Actor[int]
		p, err := Spawn(sys, "p", func(ac *Context) struct{} {
			if builds.Add(1) == 2 {
				panic("the first rebuild fails")
			}
			var err error
			c, err = Spawn(ac, "c", func(*Context) struct{} { return struct{}{} }, boom,
				WithPolicy(Strategy{Decision: Escalate}))
			require.NoError(t, err)
			return struct{}{}
		}, func(context.Context, *Context, struct{}, int) { <-gate },
			WithPolicy(Strategy{Decision: Reset, Delay: time.Second}))
		require.NoError(t, err)
		q, err := Spawn(sys, "q", func(*Context) struct{} { return struct{}{} }, boom,
			WithPolicy(Strategy{Decision: ResetAll}))
		require.NoError(t, err)

		require.NoError(t, p.Tell(context.Background(), 1)) // p is busy until the gate opens
		synctest.Wait()
		require.NoError(t, c.Tell(context.Background(), 1)) // c escalates to p
		synctest.Wait()
		require.NoError(t, q.Tell(context.Background(), 1)) // q resets its siblings, p among them
		synctest.Wait()
		close(gate) // p handles the reset: its factory faults, reset again after 1s

		synctest.Wait()
		require.Equal(t, int32(2), builds.Load())
		time.Sleep(1500 * time.Millisecond) // 1s: rebuilt; the escalation is from the old c
		synctest.Wait()
		require.Equal(t, int32(3), builds.Load())
		time.Sleep(time.Hour)
		synctest.Wait()
		require.Equal(t, int32(3), builds.Load(), "the stale escalation was not decided")
		require.NoError(t, p.Ref().Err())
	})
}
