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

// A reply of another type than the ask's fails the ask with an error naming both, and is the
// ask's only answer; the handler gets the asker's own ctx.
func TestReplyOfAnotherTypeFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		ctxs := make(chan context.Context, 1)
		a, err := Spawn(sys, "a", newCounter, func(ctx context.Context, ac *Context, _ *counter, _ int) {
			ctxs <- ctx
			Reply(ac, "seven")
			Reply(ac, 7) // too late: the first reply counted
		})
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		_, err = Ask[int, int](ctx, a, 1)
		require.EqualError(t, err, "actor /a: reply of type string does not match the ask's type int")
		assert.Equal(t, ctx, <-ctxs)
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

// An ask with a ctx that can never be done, to an idle actor, runs its handler on the caller's
// goroutine; a fault there is still supervised on the actor's own goroutine, so the ask fails at
// once and the caller never runs the policy or the hooks. Here both block until the test lets
// them go, after the ask has returned.
func TestInlineAskFaultIsSupervisedOffTheCallersGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		release := make(chan struct{})
		j := &journal{}
		a, err := Spawn(sys, "a", func(*Context) *blockingHooks {
			j.add("start")
			return &blockingHooks{j: j, release: release}
		}, func(_ context.Context, ac *Context, s *blockingHooks, m int) {
			if m < 0 {
				panic("bad")
			}
			Reply(ac, m)
		}, WithPolicy(PolicyFunc(func(*Context, Fault) Directive {
			<-release
			return Directive{Decision: Reset}
		})))
		require.NoError(t, err)
		_, err = Ask[int, int](context.Background(), a, -1)
		require.ErrorIs(t, err, ErrFault, "the ask fails before the policy has decided")
		assert.Equal(t, []string{"start"}, j.get())
		close(release)
		v, err := Ask[int, int](context.Background(), a, 2)
		require.NoError(t, err)
		assert.Equal(t, 2, v)
		assert.Equal(t, []string{"start", "reset", "start"}, j.get())
		assert.Equal(t, []string{"started", "fault", "decision reset", "reset"}, rec.of("/a"))
	})
}

// blockingHooks is a state whose OnReset and OnStop wait for release.
type blockingHooks struct {
	j       *journal
	release <-chan struct{}
}

func (b *blockingHooks) OnReset(*Context) { <-b.release; b.j.add("reset") }
func (b *blockingHooks) OnStop(*Context)  { <-b.release; b.j.add("stop") }

// A stop that arrives while an inline ask's handler runs is carried out by the actor's own
// goroutine: the ask gets its reply at once, however long OnStop takes.
func TestInlineAskStopDuringHandlerDoesNotRunOnTheCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		release := make(chan struct{})
		inHandler, stopAsked := make(chan struct{}), make(chan struct{})
		j := &journal{}
		a, err := Spawn(sys, "a", func(*Context) *blockingHooks {
			return &blockingHooks{j: j, release: release}
		}, func(_ context.Context, ac *Context, s *blockingHooks, m int) {
			close(inHandler)
			<-stopAsked
			Reply(ac, m)
		})
		require.NoError(t, err)
		stopped := make(chan error, 1)
		go func() {
			<-inHandler
			go func() { stopped <- a.Ref().Stop(context.Background()) }()
			synctest.Wait()
			close(stopAsked)
		}()
		v, err := Ask[int, int](context.Background(), a, 7)
		require.NoError(t, err)
		assert.Equal(t, 7, v)
		assert.Empty(t, j.get(), "OnStop has not run: it waits for release")
		close(release)
		require.NoError(t, <-stopped)
		assert.Equal(t, []string{"stop"}, j.get())
	})
}

// The grandchild case: an actor asks its child inline (Background ctx) while the child's own
// child waits on an ask to that actor. The child's fault resets it, which stops the grandchild;
// had the supervision run on the asking actor's goroutine, the reset would wait for the
// grandchild, the grandchild for the asking actor, and that actor for the reset.
func TestInlineAskFaultWithGrandchildAskingTheCallerDoesNotDeadlock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		gate := make(chan struct{})
		var c, g Actor[string] // g: the grandchild, set by c's factory (again on c's reset)
		var top Actor[string]
		answers := make(chan error, 1)
		spawnG := func(ac *Context) {
			var err error
			g, err = Spawn(ac, "g", func(*Context) struct{} { return struct{}{} },
				func(_ context.Context, ac *Context, _ struct{}, m string) {
					_, err := Ask[string, string](context.Background(), top, "hello from g")
					Reply(ac, "g done")
					_ = err
				})
			require.NoError(t, err)
		}
		var err error
		top, err = Spawn(sys, "top", func(ac *Context) struct{} {
			var err error
			c, err = Spawn(ac, "c", func(ac *Context) struct{} { spawnG(ac); return struct{}{} },
				func(_ context.Context, ac *Context, _ struct{}, m string) { panic("c fails") },
				WithPolicy(Strategy{Decision: Reset}))
			require.NoError(t, err)
			return struct{}{}
		}, func(_ context.Context, ac *Context, _ struct{}, m string) {
			if m == "go" {
				<-gate
				_, err := Ask[string, string](context.Background(), c, "boom")
				answers <- err
			}
			Reply(ac, "ok")
		})
		require.NoError(t, err)
		firstG := g
		require.NoError(t, top.Tell(t.Context(), "go"))
		require.NoError(t, firstG.Tell(t.Context(), "ping")) // g asks top, which is busy on "go"
		synctest.Wait()
		close(gate)
		require.ErrorIs(t, <-answers, ErrFault)
		synctest.Wait()
		requireDone(t, firstG.Ref())
		requireRunning(t, c.Ref())
		requireRunning(t, top.Ref())
	})
}

// When an ask's ctx ends while the message is still queued, the handler never gets it and the
// error says so: it matches ErrStopped and the ctx's error, and a retry is safe. When the
// ctx ends while the handler runs, the error is the ctx's alone: the effect may have happened.
func TestAskThatGivesUpSaysWhetherItWasDelivered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil)

		gate := make(chan struct{})
		tell(t, a, step{id: 0, gate: gate})
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		_, err := Ask[step, int](ctx, a, step{id: 1})
		cancel()
		require.ErrorIs(t, err, ErrNotDelivered)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "/a")
		close(gate)
		synctest.Wait()
		assert.Equal(t, []string{"a start", "a got 0"}, j.get(), "message 1 was never handled")

		gate = make(chan struct{})
		ctx, cancel = context.WithTimeout(t.Context(), time.Second)
		_, err = Ask[step, int](ctx, a, step{id: 2, gate: gate})
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.NotErrorIs(t, err, ErrNotDelivered, "the handler had the message")
		close(gate)
		synctest.Wait()
		assert.Equal(t, []string{"a start", "a got 0", "a got 2"}, j.get())

		ctx, cancel = context.WithCancel(t.Context())
		gate = make(chan struct{})
		tell(t, a, step{id: 3, gate: gate})
		go func() { synctest.Wait(); cancel() }()
		_, err = Ask[step, int](ctx, a, step{id: 4})
		require.ErrorIs(t, err, ErrNotDelivered)
		require.ErrorIs(t, err, context.Canceled)
		close(gate)
	})
}

// However the ctx's end and the handler's start race, an ask that reports ErrStopped was
// never handled, and one that was handled never reports it.
func TestAskNotDeliveredNeverLies(t *testing.T) {
	sys := NewSystem(quiet())
	defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
	var mu sync.Mutex
	handled := map[int]bool{}
	a, err := Spawn(sys, "a", newCounter, func(_ context.Context, ac *Context, _ *counter, m int) {
		mu.Lock()
		handled[m] = true
		mu.Unlock()
		for i := 0; i < m%50; i++ {
			goruntime.Gosched()
		}
		Reply(ac, m)
	})
	require.NoError(t, err)
	var wg sync.WaitGroup
	notDelivered := make([]bool, 4000)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(notDelivered); i += 4 {
				ctx, cancel := context.WithCancel(context.Background())
				if i%3 == 0 {
					cancel()
				} else {
					go func() {
						for k := 0; k < i%7; k++ {
							goruntime.Gosched()
						}
						cancel()
					}()
				}
				_, err := Ask[int, int](ctx, a, i)
				cancel()
				notDelivered[i] = errors.Is(err, ErrNotDelivered)
			}
		}()
	}
	wg.Wait()
	require.NoError(t, a.Ref().Stop(context.Background()))
	mu.Lock()
	defer mu.Unlock()
	nd := 0
	for i, skipped := range notDelivered {
		if skipped {
			nd++
			assert.False(t, handled[i], "ask %d reported ErrStopped but was handled", i)
		}
	}
	t.Logf("%d of %d asks not delivered, %d handled", nd, len(notDelivered), len(handled))
}
