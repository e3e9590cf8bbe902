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

// An actor that has a sibling's ResetAll and a child's escalation pending at once handles them one
// after the other: when the reset's factory faults and its policy delays, the escalation waits for
// that delay and then gets its own decision, instead of being decided while the actor is suspended
// and replacing the pending directive.
func TestPendingSignalsWaitForADelayOneAtATime(t *testing.T) {
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
		time.Sleep(1500 * time.Millisecond) // 1s: rebuilt; then the escalation: reset after 1s
		synctest.Wait()
		require.Equal(t, int32(3), builds.Load())
		time.Sleep(time.Second) // 2s: the escalation's reset
		synctest.Wait()
		require.Equal(t, int32(4), builds.Load(), "the escalation was decided during the delay and lost")
		require.NoError(t, p.Ref().Err())
	})
}
