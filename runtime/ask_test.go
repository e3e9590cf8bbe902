package runtime

import (
	"context"
	"errors"
	goruntime "runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An ask waits for the handler's reply.
func TestAskReturnsReply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		a, err := Spawn(sys, "a", newCounter, handleCount)
		require.NoError(t, err)
		assert.Equal(t, 3, askInt(t, a, 3))
		assert.Equal(t, 7, askInt(t, a, 4))
	})
}

// A handler panic fails that ask at once with a *FaultError that wraps the panic value.
func TestAskHandlerPanicFailsWithFaultError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		cause := errors.New("no such contact")
		a, err := Spawn(sys, "a", newCounter, func(_ context.Context, ac *Context, s *counter, m int) {
			switch m {
			case 1:
				panic(cause)
			case 2:
				panic("plain value")
			}
			Reply(ac, m)
		}, WithPolicy(Strategy{Decision: Resume}))
		require.NoError(t, err)

		start := time.Now()
		_, err = Ask[int, int](t.Context(), a, 1)
		assert.Zero(t, time.Since(start))
		require.ErrorIs(t, err, ErrFault)
		require.ErrorIs(t, err, cause)
		var fe *FaultError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, cause, fe.Value)
		assert.Equal(t, 1, fe.Message)
		assert.Equal(t, "/a", fe.Path)
		assert.Equal(t, cause, errors.Unwrap(fe))

		_, err = Ask[int, int](t.Context(), a, 2)
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, "plain value", fe.Value)
		assert.NoError(t, errors.Unwrap(fe), "a panic value that is not an error unwraps to nil")

		assert.Equal(t, 5, askInt(t, a, 5), "only the faulting ask failed")
	})
}

// Asks queued behind a normal stop fail at once with ErrStopped.
func TestAskQueuedBehindStopFailsWithErrStopped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil)
		gate := make(chan struct{})
		tell(t, a, step{id: 0, gate: gate})
		asked := make(chan error, 1)
		go func() {
			_, err := Ask[step, int](t.Context(), a, step{id: 1})
			asked <- err
		}()
		synctest.Wait()
		stopped := make(chan error, 1)
		go func() { stopped <- a.Ref().Stop(t.Context()) }()
		synctest.Wait()
		start := time.Now()
		close(gate)
		require.ErrorIs(t, <-asked, ErrStopped)
		require.NoError(t, <-stopped)
		assert.Zero(t, time.Since(start))
		assert.Equal(t, []string{"a start", "a got 0", "a stop [1]"}, j.get())
	})
}

// An ask honours its ctx's deadline while the handler is busy.
func TestAskHonoursDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil)
		gate := make(chan struct{})
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		_, err := Ask[step, int](ctx, a, step{id: 1, gate: gate})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, time.Second, time.Since(start))
		close(gate) // the late reply goes nowhere
		assert.Equal(t, 2, func() int {
			v, err := Ask[step, int](t.Context(), a, step{id: 2})
			require.NoError(t, err)
			return v
		}())
	})
}

// An ask honours its ctx's cancellation.
func TestAskHonoursCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil)
		gate := make(chan struct{})
		ctx, cancel := context.WithCancel(t.Context())
		asked := make(chan error, 1)
		go func() {
			_, err := Ask[step, int](ctx, a, step{id: 1, gate: gate})
			asked <- err
		}()
		synctest.Wait()
		cancel()
		require.ErrorIs(t, <-asked, context.Canceled)
		close(gate)
	})
}

// An ask whose ctx is done before it is dequeued is skipped: the handler never sees it.
func TestAskWithDoneCtxIsSkipped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil)
		gate := make(chan struct{})
		tell(t, a, step{id: 0, gate: gate})
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err := Ask[step, int](ctx, a, step{id: 1})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		tell(t, a, step{id: 2})
		close(gate)
		synctest.Wait()
		assert.Equal(t, []string{"a start", "a got 0", "a got 2"}, j.get())
	})
}

// An ask with a ctx that is already done fails without sending.
func TestAskWithCtxAlreadyDoneFailsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := Ask[step, int](ctx, a, step{id: 1})
		require.ErrorIs(t, err, context.Canceled)
		synctest.Wait()
		assert.Equal(t, []string{"a start"}, j.get())
	})
}

// A handler that returns without replying fails the ask with ErrNoReply.
func TestAskWithoutReplyFailsWithErrNoReply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		a, err := Spawn(sys, "a", newCounter, func(context.Context, *Context, *counter, int) {})
		require.NoError(t, err)
		_, err = Ask[int, int](t.Context(), a, 1)
		require.ErrorIs(t, err, ErrNoReply)
		requireRunning(t, a.Ref())
	})
}

// Only the first reply counts; a reply while handling a tell does nothing.
func TestReplyOnlyFirstCounts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		handled := 0
		a, err := Spawn(sys, "a", newCounter, func(_ context.Context, ac *Context, _ *counter, m int) {
			handled++
			Reply(ac, m)
			Reply(ac, m+1)
		})
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), 9))
		assert.Equal(t, 1, askInt(t, a, 1))
		assert.Equal(t, 2, handled)
	})
}

// A reply of the wrong type fails the ask with an error that names both types.
func TestReplyOfWrongTypeFailsAsk(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		a, err := Spawn(sys, "a", newCounter, handleCount)
		require.NoError(t, err)
		_, err = Ask[int, string](t.Context(), a, 1)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "int")
		assert.Contains(t, err.Error(), "string")
	})
}

type ctxKey struct{}

// A tell's handler gets the sender's values without its cancellation; an ask's handler gets
// the caller's ctx.
func TestHandlerContexts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		type seen struct {
			value       any
			err         error
			hasDeadline bool
		}
		got := make(chan seen, 2)
		a, err := Spawn(sys, "a", newCounter, func(ctx context.Context, ac *Context, _ *counter, m int) {
			_, dl := ctx.Deadline()
			got <- seen{value: ctx.Value(ctxKey{}), err: ctx.Err(), hasDeadline: dl}
			Reply(ac, m)
		})
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.WithValue(t.Context(), ctxKey{}, "trace-1"), time.Hour)
		require.NoError(t, a.Tell(ctx, 1))
		cancel()
		assert.Equal(t, seen{value: "trace-1"}, <-got, "a tell keeps values, not cancellation")

		ctx, cancel = context.WithTimeout(context.WithValue(t.Context(), ctxKey{}, "trace-2"), time.Hour)
		defer cancel()
		_, err = Ask[int, int](ctx, a, 2)
		require.NoError(t, err)
		assert.Equal(t, seen{value: "trace-2", hasDeadline: true}, <-got)
	})
}

// WithDefaultTimeout adds a timeout only to a ctx without a deadline.
func TestWithDefaultTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := WithDefaultTimeout(t.Context(), time.Second)
		defer cancel()
		dl, ok := ctx.Deadline()
		require.True(t, ok)
		assert.Equal(t, time.Second, time.Until(dl))

		parent, cancelParent := context.WithTimeout(t.Context(), time.Minute)
		defer cancelParent()
		ctx2, cancel2 := WithDefaultTimeout(parent, time.Second)
		defer cancel2()
		assert.Equal(t, parent, ctx2, "an existing deadline wins")

		ctx3, cancel3 := WithDefaultTimeout(t.Context(), 0)
		defer cancel3()
		_, ok = ctx3.Deadline()
		assert.False(t, ok, "a zero timeout adds nothing")
	})
}

// An ask with a default timeout on a stuck actor ends after that timeout.
func TestAskWithDefaultTimeoutEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil)
		gate := make(chan struct{})
		ctx, cancel := WithDefaultTimeout(t.Context(), 250*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := Ask[step, int](ctx, a, step{id: 1, gate: gate})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 250*time.Millisecond, time.Since(start))
		close(gate)
	})
}

// Asking a stopped actor or a zero handle fails with ErrStopped.
func TestAskStoppedActorFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		a, err := Spawn(sys, "a", newCounter, handleCount)
		require.NoError(t, err)
		require.NoError(t, a.Ref().Stop(t.Context()))
		_, err = Ask[int, int](t.Context(), a, 1)
		require.ErrorIs(t, err, ErrStopped)
		_, err = Ask[int, int](t.Context(), Actor[int]{}, 1)
		require.ErrorIs(t, err, ErrStopped)
	})
}

// Asks whose ctx can never be done (context.Background) may be handled on the caller's
// goroutine; they behave like any other ask.
func TestAskWithBackgroundCtxBehavesLikeAnyAsk(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		ctx := context.Background()
		a, err := Spawn(sys, "a", newCounter, func(_ context.Context, ac *Context, s *counter, m int) {
			switch m {
			case -1:
				panic("bad")
			case -2: // no reply
			case -3:
				ac.Stop()
				Reply(ac, s.n)
			default:
				s.n += m
				Reply(ac, s.n)
			}
		}, WithPolicy(Strategy{Decision: Resume}))
		require.NoError(t, err)

		v, err := Ask[int, int](ctx, a, 2)
		require.NoError(t, err)
		assert.Equal(t, 2, v)
		_, err = Ask[int, int](ctx, a, -1)
		require.ErrorIs(t, err, ErrFault)
		_, err = Ask[int, int](ctx, a, -2)
		require.ErrorIs(t, err, ErrNoReply)
		_, err = Ask[int, string](ctx, a, 1)
		require.Error(t, err)
		v, err = Ask[int, int](ctx, a, -3)
		require.NoError(t, err)
		assert.Equal(t, 3, v)
		<-a.Ref().Done()
		_, err = Ask[int, int](ctx, a, 1)
		require.ErrorIs(t, err, ErrStopped)
	})
}

// A sender's tells and background asks are handled in the order sent.
func TestTellsAndBackgroundAsksKeepOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		var st *counter
		a, err := Spawn(sys, "a", func(*Context) *counter { st = &counter{}; return st }, handleCount)
		require.NoError(t, err)
		var want []int
		for i := 1; i <= 300; i++ {
			if i%3 == 0 {
				_, err := Ask[int, int](context.Background(), a, i)
				require.NoError(t, err)
			} else {
				require.NoError(t, a.Tell(context.Background(), i))
			}
			want = append(want, i)
		}
		askInt(t, a, 0)
		assert.Equal(t, append(want, 0), st.seen)
	})
}

// However asks and tells arrive, the handler runs one message at a time: under -race, the
// unguarded state below would report concurrent handlers.
func TestHandlerRunsOneMessageAtATime(t *testing.T) {
	sys := NewSystem(quiet())
	defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
	type state struct{ inside, max, handled int }
	a, err := Spawn(sys, "a", func(*Context) *state { return &state{} },
		func(_ context.Context, ac *Context, s *state, m int) {
			s.inside++
			s.max = max(s.max, s.inside)
			s.handled++
			s.inside--
			Reply(ac, s.max)
		})
	require.NoError(t, err)
	const senders, each = 8, 300
	var wg sync.WaitGroup
	for g := range senders {
		wg.Go(func() {
			for i := range each {
				switch (g + i) % 3 {
				case 0:
					assert.NoError(t, a.Tell(context.Background(), i))
				case 1:
					_, err := Ask[int, int](context.Background(), a, i)
					assert.NoError(t, err)
				default:
					ctx, cancel := context.WithCancel(context.Background())
					_, err := Ask[int, int](ctx, a, i)
					cancel()
					assert.NoError(t, err)
				}
			}
		})
	}
	wg.Wait()
	got, err := Ask[int, int](context.Background(), a, 0)
	require.NoError(t, err)
	assert.Equal(t, 1, got, "never more than one handler at a time")
}

// A background ask to a busy actor waits its turn behind the queued messages.
func TestBackgroundAskToBusyActorWaitsItsTurn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil)
		gate := make(chan struct{})
		tell(t, a, step{id: 1, gate: gate})
		tell(t, a, step{id: 2})
		asked := make(chan int, 1)
		go func() {
			v, err := Ask[step, int](context.Background(), a, step{id: 3})
			assert.NoError(t, err)
			asked <- v
		}()
		synctest.Wait()
		close(gate)
		assert.Equal(t, 3, <-asked)
		assert.Equal(t, []string{"a start", "a got 1", "a got 2", "a got 3"}, j.get())
	})
}

// A background ask that faults under a delayed decision fails at once; the messages sent after
// it wait for the delay.
func TestBackgroundAskFaultWithDelayedDecision(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil, WithPolicy(Strategy{Decision: Reset, Delay: time.Second}))
		start := time.Now()
		_, err := Ask[step, int](context.Background(), a, step{id: 1, boom: true})
		require.ErrorIs(t, err, ErrFault)
		assert.Zero(t, time.Since(start))
		v, err := Ask[step, int](context.Background(), a, step{id: 2})
		require.NoError(t, err)
		assert.Equal(t, 2, v)
		assert.Equal(t, time.Second, time.Since(start))
		assert.Equal(t, []string{"a start", "a boom 1", "a reset", "a start", "a got 2"}, j.get())
	})
}

// A handler that replies and then panics: the ask keeps its reply, and the fault goes to the
// policy as usual.
func TestReplyThenPanicKeepsReply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		a, err := Spawn(sys, "a", newCounter, func(_ context.Context, ac *Context, _ *counter, m int) {
			Reply(ac, m)
			panic("after the reply")
		}, WithPolicy(Strategy{Decision: Resume}))
		require.NoError(t, err)
		v, err := Ask[int, int](t.Context(), a, 4)
		require.NoError(t, err)
		assert.Equal(t, 4, v)
		synctest.Wait()
		assert.Len(t, rec.kind("/a", EventFault), 1)
	})
}

// panic(nil) is a fault like any other.
func TestPanicNilIsAFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		a, err := Spawn(sys, "a", newCounter, func(context.Context, *Context, *counter, int) {
			panic(nil)
		}, WithPolicy(Strategy{Decision: Resume}))
		require.NoError(t, err)
		_, err = Ask[int, int](t.Context(), a, 1)
		require.ErrorIs(t, err, ErrFault)
		var pn *goruntime.PanicNilError
		require.ErrorAs(t, err, &pn)
		requireRunning(t, a.Ref())
	})
}
