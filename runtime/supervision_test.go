package runtime

import (
	"context"
	"errors"
	"math"
	goruntime "runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Item 1: Resume keeps the state and drops the failing message.
func TestResumeKeepsStateAndDropsMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		var st *counter
		a, err := Spawn(sys, "c", func(ac *Context) *counter { st = newCounter(ac); return st }, handleCount,
			WithPolicy(Strategy{Decision: Resume}))
		require.NoError(t, err)
		assert.Equal(t, 2, askInt(t, a, 2))
		_, err = Ask[int, int](t.Context(), a, -3)
		require.ErrorIs(t, err, ErrFault)
		assert.Equal(t, 6, askInt(t, a, 4), "message 4 sees state 2")
		assert.Equal(t, []int{2, 4}, st.seen, "the failing message is not redelivered")
		requireRunning(t, a.Ref())
	})
}

// Item 2: Reset reruns the factory, stops the children and keeps the queued messages.
func TestResetRerunsFactoryStopsChildrenKeepsMailbox(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		var kids []Ref
		a := mustProbe(t, sys, "a", j, func(ac *Context) {
			kids = append(kids, mustProbe(t, ac, "kid", j, nil).Ref())
		}, WithPolicy(Strategy{Decision: Reset}))
		gate := make(chan struct{})
		tell(t, a, step{id: 1, gate: gate, boom: true})
		tell(t, a, step{id: 2})
		tell(t, a, step{id: 3})
		synctest.Wait()
		close(gate)
		synctest.Wait()

		assert.Equal(t, []string{
			"a start", "kid start",
			"a boom 1", "kid stop []", "a reset", "a start", "kid start",
			"a got 2", "a got 3",
		}, j.get())
		require.Len(t, kids, 2)
		requireDone(t, kids[0])
		require.ErrorIs(t, kids[0].Err(), ErrStopped)
		requireRunning(t, kids[1])
		requireRunning(t, a.Ref())
	})
}

// Item 3: Stop stops the subtree; OnStop sees what was left; queued asks fail at once.
func TestStopStopsSubtreeAndFailsQueuedAsks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		var kid Ref
		a := mustProbe(t, sys, "a", j, func(ac *Context) {
			kid = mustProbe(t, ac, "kid", j, nil).Ref()
		}, WithPolicy(Strategy{Decision: Stop}))
		gate := make(chan struct{})
		tell(t, a, step{id: 1, gate: gate, boom: true})
		errs := make(chan error, 2)
		for id := 2; id <= 3; id++ {
			go func() {
				_, err := Ask[step, int](t.Context(), a, step{id: id})
				errs <- err
			}()
			synctest.Wait() // the ask is queued: keep their order
		}
		start := time.Now()
		close(gate)
		for range 2 {
			require.ErrorIs(t, <-errs, ErrStopped)
		}
		assert.Zero(t, time.Since(start), "asks fail at once, not by timing out")
		synctest.Wait() // the asks fail before the stop completes
		requireDone(t, a.Ref())
		requireDone(t, kid)
		require.ErrorIs(t, a.Ref().Err(), ErrFault)
		require.ErrorIs(t, kid.Err(), ErrStopped)
		assert.Equal(t, []string{"a start", "kid start", "a boom 1", "kid stop []", "a stop [2 3]"}, j.get())
		_, ok := sys.Child("a")
		assert.False(t, ok, "a stopped actor leaves its parent")
	})
}

// Item 4: StopAll stops the faulted actor, its siblings and their subtrees; the parent goes on.
func TestStopAllStopsSiblingsAndSubtreesParentSurvives(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		var a, b, c Actor[step]
		var b1 Ref
		p := mustProbe(t, sys, "p", j, func(ac *Context) {
			a = mustProbe(t, ac, "a", j, nil, WithPolicy(Strategy{Decision: StopAll}))
			b = mustProbe(t, ac, "b", j, func(ac *Context) { b1 = mustProbe(t, ac, "b1", j, nil).Ref() })
			c = mustProbe(t, ac, "c", j, nil)
		})
		tell(t, a, step{id: 1, boom: true})
		synctest.Wait()

		for _, r := range []Ref{a.Ref(), b.Ref(), c.Ref()} {
			requireDone(t, r)
			require.ErrorIs(t, r.Err(), ErrFault, r.Path())
			var fe *FaultError
			require.ErrorAs(t, r.Err(), &fe)
			assert.Equal(t, "/p/a", fe.Path, "siblings stop with the fault of the actor that decided")
		}
		requireDone(t, b1)
		require.ErrorIs(t, b1.Err(), ErrStopped)
		requireRunning(t, p.Ref())
		v, err := Ask[step, int](t.Context(), p, step{id: 7})
		require.NoError(t, err)
		assert.Equal(t, 7, v)
	})
}

// Item 5: ResetAll resets a busy sibling only after its message, and keeps its mailbox.
func TestResetAllResetsBusySiblingAfterItsMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		var a, b Actor[step]
		mustProbe(t, sys, "p", j, func(ac *Context) {
			a = mustProbe(t, ac, "a", j, nil, WithPolicy(Strategy{Decision: ResetAll}))
			b = mustProbe(t, ac, "b", j, nil)
		})
		gate := make(chan struct{})
		tell(t, b, step{id: 1, gate: gate})
		tell(t, b, step{id: 2})
		tell(t, b, step{id: 3})
		synctest.Wait() // b is blocked in its handler on message 1
		tell(t, a, step{id: 9, boom: true})
		synctest.Wait()
		assert.Equal(t, []string{"p start", "a start", "b start", "a boom 9", "a reset", "a start"}, j.get(),
			"b is not reset while it handles a message")

		close(gate)
		synctest.Wait()
		assert.Equal(t, []string{
			"p start", "a start", "b start", "a boom 9", "a reset", "a start",
			"b got 1", "b reset", "b start", "b got 2", "b got 3",
		}, j.get())
		requireRunning(t, a.Ref())
		requireRunning(t, b.Ref())
	})
}

// A sibling reset by ResetAll reports an EventReset whose Err is the fault that caused it, and
// the event can be logged.
func TestResetAllSiblingResetEventCarriesTheFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		j := &journal{}
		var a Actor[step]
		mustProbe(t, sys, "p", j, func(ac *Context) {
			a = mustProbe(t, ac, "a", j, nil, WithPolicy(Strategy{Decision: ResetAll}))
			mustProbe(t, ac, "b", j, nil)
		})
		tell(t, a, step{id: 1, boom: true})
		synctest.Wait()
		resets := rec.kind("/p/b", EventReset)
		require.Len(t, resets, 1)
		require.Error(t, resets[0].Err)
		assert.NotPanics(t, func() { _ = resets[0].String() })
		require.ErrorIs(t, resets[0].Err, ErrFault)
	})
}

// Item 6: while a delayed decision waits, messages queue, the policy sees them in
// ctx.Mailbox(), and they run in order after the delay.
func TestDelayedDecisionQueuesMessagesThenRunsThemInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		var sawMailbox []any
		var decidedAt time.Time
		policy := PolicyFunc(func(ac *Context, f Fault) Directive {
			sawMailbox = ac.Mailbox()
			decidedAt = time.Now()
			return Directive{Decision: Resume, Delay: 200 * time.Millisecond}
		})
		a := mustProbe(t, sys, "a", j, nil, WithPolicy(policy))
		gate := make(chan struct{})
		tell(t, a, step{id: 1, gate: gate, boom: true})
		tell(t, a, step{id: 2})
		tell(t, a, step{id: 3})
		synctest.Wait()
		close(gate)
		synctest.Wait()
		assert.Equal(t, []any{step{id: 2}, step{id: 3}}, sawMailbox)
		tell(t, a, step{id: 4})
		time.Sleep(199 * time.Millisecond)
		synctest.Wait()
		assert.Equal(t, []string{"a start", "a boom 1"}, j.get(), "nothing runs during the delay")

		v, err := Ask[step, int](t.Context(), a, step{id: 5})
		require.NoError(t, err)
		assert.Equal(t, 5, v)
		assert.Equal(t, 200*time.Millisecond, time.Since(decidedAt))
		assert.Equal(t, []string{"a start", "a boom 1", "a got 2", "a got 3", "a got 4", "a got 5"}, j.get())
	})
}

// Item 7: an escalating child stops with its fault, and the parent's policy decides for the
// parent with the child's fault.
func TestEscalateStopsChildAndParentPolicyDecides(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		var faults []Fault
		var decider Ref
		var c Actor[step]
		p := mustProbe(t, sys, "p", j, func(ac *Context) {
			c = mustProbe(t, ac, "c", j, nil, WithPolicy(Strategy{Decision: Escalate}))
		}, WithPolicy(PolicyFunc(func(ac *Context, f Fault) Directive {
			faults = append(faults, f)
			decider = ac.Self()
			return Directive{Decision: Reset}
		})))
		first := c
		gate := make(chan struct{})
		tell(t, first, step{id: 1, boom: true, gate: gate})
		tell(t, first, step{id: 2}) // queued behind the fault: dropped with the child
		close(gate)                 // the fault comes only once step 2 is queued
		synctest.Wait()

		requireDone(t, first.Ref())
		var fe *FaultError
		require.ErrorAs(t, first.Ref().Err(), &fe)
		assert.Equal(t, "/p/c", fe.Path)
		assert.Equal(t, step{id: 1, boom: true, gate: gate}, fe.Message)

		require.Len(t, faults, 1)
		assert.True(t, faults[0].Escalated)
		assert.Equal(t, first.Ref(), faults[0].Actor, "Fault.Actor is the child")
		assert.Same(t, fe, faults[0].Err)
		assert.Equal(t, step{id: 1, boom: true, gate: gate}, faults[0].Message)
		assert.Equal(t, p.Ref(), decider, "the parent's policy decides")

		// The parent's Reset applied to the parent: its factory reran and made a new child.
		assert.Equal(t, []string{"p start", "c start", "c boom 1", "c stop [2]", "p reset", "p start", "c start"}, j.get())
		requireRunning(t, p.Ref())
		requireRunning(t, c.Ref())
		assert.True(t, first.Ref() != c.Ref(), "compared with !=: reflect.DeepEqual would read running actors' fields")
	})
}

// Item 7: the parent's decision about an escalated fault applies to the parent itself.
func TestEscalateParentStopStopsParent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		var c Actor[step]
		p := mustProbe(t, sys, "p", j, func(ac *Context) {
			c = mustProbe(t, ac, "c", j, nil, WithPolicy(Strategy{Decision: Escalate}))
		})
		tell(t, c, step{id: 1, boom: true})
		synctest.Wait()
		requireDone(t, c.Ref())
		requireDone(t, p.Ref())
		var fe *FaultError
		require.ErrorAs(t, p.Ref().Err(), &fe)
		assert.Equal(t, "/p/c", fe.Path, "the parent stops with the child's fault")
	})
}

// Item 7: escalation goes up one level per Escalate decision.
func TestEscalateThroughTwoLevels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		var seen []Fault
		var p, c Actor[step]
		g := mustProbe(t, sys, "g", j, func(ac *Context) {
			p = mustProbe(t, ac, "p", j, func(ac *Context) {
				c = mustProbe(t, ac, "c", j, nil, WithPolicy(Strategy{Decision: Escalate}))
			}, WithPolicy(Strategy{Decision: Escalate}))
		}, WithPolicy(PolicyFunc(func(ac *Context, f Fault) Directive {
			seen = append(seen, f)
			return Directive{Decision: Resume}
		})))
		tell(t, c, step{id: 1, boom: true})
		synctest.Wait()
		requireDone(t, c.Ref())
		requireDone(t, p.Ref())
		requireRunning(t, g.Ref())
		require.Len(t, seen, 1)
		assert.Equal(t, p.Ref(), seen[0].Actor, "the grandparent hears from its own child")
		assert.True(t, seen[0].Escalated)
		assert.Equal(t, "/g/p/c", seen[0].Err.Path)
	})
}

// Item 8: a top-level actor that escalates stops, and nothing else does.
func TestTopLevelEscalateStopsOnlyThatActor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil, WithPolicy(Strategy{Decision: Escalate}))
		b := mustProbe(t, sys, "b", j, nil)
		tell(t, a, step{id: 1, boom: true})
		synctest.Wait()
		requireDone(t, a.Ref())
		require.ErrorIs(t, a.Ref().Err(), ErrFault)
		requireRunning(t, b.Ref())
		v, err := Ask[step, int](t.Context(), b, step{id: 2})
		require.NoError(t, err)
		assert.Equal(t, 2, v)
		_, err = spawnProbe(sys, "a", j, nil)
		require.NoError(t, err, "the system keeps running and the name is free")
	})
}

// Item 9: with no policy an actor stops at its first fault.
func TestDefaultPolicyStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil)
		_, err := Ask[step, int](t.Context(), a, step{id: 1, boom: true})
		require.ErrorIs(t, err, ErrFault)
		synctest.Wait()
		requireDone(t, a.Ref())
		require.ErrorIs(t, a.Ref().Err(), ErrFault)
		assert.Equal(t, []string{"started", "fault", "decision stop", "stopped"}, rec.of("/a"))
	})
}

// Item 9: a panic in the factory is a fault with a nil message; with Stop, Spawn returns it.
func TestFactoryPanicIsFaultWithNilMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		var faults []Fault
		a, err := Spawn(sys, "a", func(*Context) *counter { panic("no state") }, handleCount,
			WithPolicy(PolicyFunc(func(ac *Context, f Fault) Directive {
				faults = append(faults, f)
				return Directive{Decision: Stop}
			})))
		require.ErrorIs(t, err, ErrFault)
		var fe *FaultError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, "no state", fe.Value)
		require.Len(t, faults, 1)
		assert.Nil(t, faults[0].Message)
		assert.False(t, faults[0].Escalated)
		requireDone(t, a.Ref())
		_, ok := sys.Child("a")
		assert.False(t, ok)
	})
}

// Item 9: a factory that panics once under Reset builds its state on the second try.
func TestFactoryPanicThenResetStartsTheActor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		builds := 0
		a, err := Spawn(sys, "a", func(*Context) *counter {
			builds++
			if builds == 1 {
				panic("first build fails")
			}
			return &counter{}
		}, handleCount, WithPolicy(Strategy{Decision: Reset}))
		require.NoError(t, err)
		assert.Equal(t, 2, builds)
		assert.Equal(t, 5, askInt(t, a, 5))
	})
}

// Item 9: a factory panic under a delayed Reset: Spawn returns, the actor queues messages and
// builds its state after the delay.
func TestFactoryPanicWithDelayedResetQueuesMessages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		builds := 0
		a, err := Spawn(sys, "a", func(*Context) *counter {
			builds++
			if builds == 1 {
				panic("first build fails")
			}
			return &counter{}
		}, handleCount, WithPolicy(Strategy{Decision: Reset, Delay: time.Second}))
		require.NoError(t, err)
		start := time.Now()
		assert.Equal(t, 3, askInt(t, a, 3))
		assert.Equal(t, time.Second, time.Since(start))
		assert.Equal(t, 2, builds)
	})
}

// nactDelay is the reason-nact lesson's backoff: 2^(state-1)·factor.
func nactDelay(state int, factor time.Duration) time.Duration {
	return time.Duration(math.Pow(2, float64(state-1)) * float64(factor))
}

// Item 10: a stateful policy with the reason-nact formula waits 0.5f, f, 2f, 4f, and its state
// survives resets.
func TestStatefulPolicyReasonNactDelays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		const f = 100 * time.Millisecond
		policy := Stateful(0, func(state int, ac *Context, _ Fault) (int, Directive) {
			return state + 1, Directive{Decision: Reset, Delay: nactDelay(state, f)}
		})
		var built []time.Time
		a, err := Spawn(sys, "a", func(*Context) *counter {
			built = append(built, time.Now())
			return &counter{}
		}, handleCount, WithPolicy(policy))
		require.NoError(t, err)
		var delays []time.Duration
		for range 4 {
			start := time.Now()
			require.NoError(t, a.Tell(t.Context(), -1))
			askInt(t, a, 0) // waits for the reset
			delays = append(delays, time.Since(start))
		}
		assert.Equal(t, []time.Duration{f / 2, f, 2 * f, 4 * f}, delays)
		assert.Len(t, built, 5)
	})
}

// Item 10: two actors with the same stateful Policy value have separate states.
func TestStatefulPolicyStateIsPerActor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		var states []int
		policy := Stateful(0, func(state int, ac *Context, _ Fault) (int, Directive) {
			states = append(states, state)
			return state + 1, Directive{Decision: Resume}
		})
		a, err := Spawn(sys, "a", newCounter, handleCount, WithPolicy(policy))
		require.NoError(t, err)
		b, err := Spawn(sys, "b", newCounter, handleCount, WithPolicy(policy))
		require.NoError(t, err)
		for _, x := range []Actor[int]{a, b, a} {
			require.NoError(t, x.Tell(t.Context(), -1))
			synctest.Wait()
		}
		assert.Equal(t, []int{0, 0, 1}, states)
	})
}

// faultAt makes the actor fault at each of the given offsets from now, in order, and stops
// early if the actor stopped.
func faultAt(t *testing.T, a Actor[int], offsets ...time.Duration) {
	t.Helper()
	start := time.Now()
	for _, off := range offsets {
		time.Sleep(off - time.Since(start))
		if err := a.Tell(t.Context(), -1); err != nil {
			return // stopped
		}
		synctest.Wait()
	}
}

// childOf spawns a parent under sys whose policy records the escalations it gets and
// resumes, and a child under it with policy p; it returns the child and the recorded faults.
func childOf(t *testing.T, sys *System, p Policy) (Actor[int], *[]Fault) {
	t.Helper()
	var child Actor[int]
	var got []Fault
	_, err := Spawn(sys, "parent", func(ac *Context) *counter {
		var err error
		child, err = Spawn(ac, "child", newCounter, handleCount, WithPolicy(p))
		require.NoError(t, err)
		return &counter{}
	}, handleCount, WithPolicy(PolicyFunc(func(ac *Context, f Fault) Directive {
		got = append(got, f)
		return Directive{Decision: Resume}
	})))
	require.NoError(t, err)
	return child, &got
}

// Item 11: intensity 3 in 5s slides: faults at 0, 1, 2 and 6s are fine.
func TestIntensityWindowSlides(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		child, got := childOf(t, sys, Strategy{Decision: Reset, MaxFaults: 3, Period: 5 * time.Second})
		faultAt(t, child, 0, time.Second, 2*time.Second, 6*time.Second)
		requireRunning(t, child.Ref())
		assert.Empty(t, *got)
	})
}

// Item 11: a fourth fault within 5s under intensity 3 escalates: the child stops and the
// parent decides.
func TestIntensityExceededEscalates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		child, got := childOf(t, sys, Strategy{Decision: Reset, MaxFaults: 3, Period: 5 * time.Second})
		faultAt(t, child, 0, time.Second, 2*time.Second, 3*time.Second)
		requireDone(t, child.Ref())
		require.ErrorIs(t, child.Ref().Err(), ErrFault)
		require.Len(t, *got, 1)
		assert.True(t, (*got)[0].Escalated)
		assert.Equal(t, child.Ref(), (*got)[0].Actor)
	})
}

// Item 11: with intensity 0 the first fault escalates.
func TestIntensityZeroEscalatesFirstFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		child, got := childOf(t, sys, Strategy{Decision: Resume, MaxFaults: 0, Period: time.Second})
		faultAt(t, child, 0)
		requireDone(t, child.Ref())
		require.Len(t, *got, 1)
	})
}

// Item 21: Limit around any policy: after max faults in the window the next one escalates.
func TestLimitEscalatesAfterMaxFaultsInWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		resumes := 0
		inner := PolicyFunc(func(*Context, Fault) Directive { resumes++; return Directive{Decision: Resume} })
		child, got := childOf(t, sys, Limit(inner, 2, 10*time.Second))
		faultAt(t, child, 0, time.Second, 2*time.Second)
		requireDone(t, child.Ref())
		assert.Equal(t, 2, resumes)
		require.Len(t, *got, 1)
	})
}

// Item 21: once the window has passed, the count starts again.
func TestLimitWindowStartsAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		child, got := childOf(t, sys, Limit(PolicyFunc(func(*Context, Fault) Directive {
			return Directive{Decision: Resume}
		}), 2, 10*time.Second))
		faultAt(t, child, 0, time.Second, 11*time.Second, 12*time.Second)
		requireRunning(t, child.Ref())
		assert.Empty(t, *got)
	})
}

// decisionDelays returns the delays of the decisions reported about path.
func decisionDelays(rec *recorder, path string) []time.Duration {
	var out []time.Duration
	for _, e := range rec.kind(path, EventDecision) {
		out = append(out, e.Delay)
	}
	return out
}

// resetDelays faults a n times, each time right after the previous reset, and returns how long
// each reset took to come.
func resetDelays(t *testing.T, a Actor[int], n int) []time.Duration {
	t.Helper()
	var out []time.Duration
	for range n {
		start := time.Now()
		require.NoError(t, a.Tell(t.Context(), -1))
		askInt(t, a, 0)
		out = append(out, time.Since(start))
	}
	return out
}

// Item 17: backoff doubles from min to max: 100, 200, 400, 800, 1000, 1000 ms.
func TestBackoffDelaysDoubleUpToMax(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		a, err := Spawn(sys, "a", newCounter, handleCount, WithPolicy(Strategy{
			Decision: Reset, BackoffMin: 100 * time.Millisecond, BackoffMax: time.Second,
		}))
		require.NoError(t, err)
		ms := time.Millisecond
		want := []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1000 * ms, 1000 * ms}
		assert.Equal(t, want, resetDelays(t, a, 6))
		assert.Equal(t, want, decisionDelays(rec, "/a"))
	})
}

// Item 17: jitter r puts each delay in [d, d·(1+r)), applied after the cap.
func TestBackoffJitterAfterCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		a, err := Spawn(sys, "a", newCounter, handleCount, WithPolicy(Strategy{
			Decision: Reset, BackoffMin: 100 * time.Millisecond, BackoffMax: 400 * time.Millisecond,
			Jitter: 0.5, ResetAfter: time.Hour,
		}))
		require.NoError(t, err)
		took := resetDelays(t, a, 40)
		got := decisionDelays(rec, "/a")
		require.Len(t, got, 40)
		above := 0
		for k, d := range got {
			base := min(400*time.Millisecond, 100*time.Millisecond<<min(k, 10))
			assert.GreaterOrEqual(t, d, base, "fault %d", k)
			assert.Less(t, d, base+base/2, "fault %d", k)
			assert.Equal(t, d, took[k], "the reset comes after the reported delay")
			if k >= 2 && d > 400*time.Millisecond {
				above++
			}
		}
		assert.Positive(t, above, "jitter goes above the cap")
	})
}

// Item 18: ResetAfter of quiet time, counted from when the delayed decision applied, brings
// the delay back to min; less keeps the count. The default is (min+max)/2.
func TestBackoffCountClearsAfterResetAfter(t *testing.T) {
	for _, tc := range []struct {
		name       string
		resetAfter time.Duration
		quiet      time.Duration
		want       time.Duration
	}{
		{"default not reached", 0, 550*time.Millisecond - 1, 400 * time.Millisecond},
		{"default reached", 0, 550 * time.Millisecond, 100 * time.Millisecond},
		{"explicit not reached", 3 * time.Second, 3*time.Second - 1, 400 * time.Millisecond},
		{"explicit reached", 3 * time.Second, 3 * time.Second, 100 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sys, rec := newSystem(t)
				a, err := Spawn(sys, "a", newCounter, handleCount, WithPolicy(Strategy{
					Decision: Reset, BackoffMin: 100 * time.Millisecond, BackoffMax: time.Second,
					ResetAfter: tc.resetAfter,
				}))
				require.NoError(t, err)
				resetDelays(t, a, 2) // 100ms, 200ms; the reset applied now
				time.Sleep(tc.quiet)
				assert.Equal(t, []time.Duration{tc.want}, resetDelays(t, a, 1))
				assert.Len(t, decisionDelays(rec, "/a"), 3)
			})
		})
	}
}

// Item 19: messages sent during a backoff are kept and handled in order after it.
func TestMessagesDuringBackoffRunInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil, WithPolicy(Strategy{
			Decision: Reset, BackoffMin: time.Second, BackoffMax: time.Minute,
		}))
		tell(t, a, step{id: 0, boom: true})
		synctest.Wait()
		for id := 1; id <= 50; id++ {
			tell(t, a, step{id: id})
		}
		time.Sleep(time.Second - 1)
		synctest.Wait()
		assert.Equal(t, []string{"a start", "a boom 0"}, j.get())
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		want := []string{"a start", "a boom 0", "a reset", "a start"}
		for id := 1; id <= 50; id++ {
			want = append(want, "a got "+itoa(id))
		}
		assert.Equal(t, want, j.get())
	})
}

// Item 19: a bounded mailbox stays bounded during a backoff: overflow applies.
func TestBoundedMailboxOverflowDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil, WithMailbox(2, OverflowFail),
			WithPolicy(Strategy{Decision: Resume, Delay: time.Second}))
		tell(t, a, step{id: 0, boom: true})
		synctest.Wait()
		tell(t, a, step{id: 1})
		tell(t, a, step{id: 2})
		require.ErrorIs(t, a.Tell(t.Context(), step{id: 3}), ErrMailboxFull)
		time.Sleep(time.Second)
		synctest.Wait()
		assert.Equal(t, []string{"a start", "a boom 0", "a got 1", "a got 2"}, j.get())
	})
}

// A policy that panics stops the actor instead of taking the program down.
func TestPanickingPolicyStopsActor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		a, err := Spawn(sys, "a", newCounter, handleCount, WithPolicy(PolicyFunc(func(*Context, Fault) Directive {
			panic("policy bug")
		})))
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), -1))
		synctest.Wait()
		requireDone(t, a.Ref())
		require.ErrorIs(t, a.Ref().Err(), ErrFault)
	})
}

// A policy that answers an unknown decision stops the actor.
func TestUnknownDecisionStopsActor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		a, err := Spawn(sys, "a", newCounter, handleCount, WithPolicy(PolicyFunc(func(*Context, Fault) Directive {
			return Directive{Decision: Decision(42)}
		})))
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), -1))
		synctest.Wait()
		requireDone(t, a.Ref())
	})
}

// A Reset whose factory panics goes back to the policy with the new fault.
func TestResetWhoseFactoryPanicsGoesBackToPolicy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		builds := 0
		var msgs []any
		a, err := Spawn(sys, "a", func(*Context) *counter {
			builds++
			if builds == 2 {
				panic("second build fails")
			}
			return &counter{}
		}, handleCount, WithPolicy(PolicyFunc(func(ac *Context, f Fault) Directive {
			msgs = append(msgs, f.Message)
			return Directive{Decision: Reset}
		})))
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), -7))
		assert.Equal(t, 1, askInt(t, a, 1))
		assert.Equal(t, 3, builds)
		assert.Equal(t, []any{-7, nil}, msgs)
	})
}

// The errors of supervision wrap what they should.
func TestFaultErrorWrapsPanicValue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		cause := errors.New("disk on fire")
		a, err := Spawn(sys, "a", newCounter, func(context.Context, *Context, *counter, int) { panic(cause) })
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), 1))
		<-a.Ref().Done()
		err = a.Ref().Err()
		require.ErrorIs(t, err, ErrFault)
		require.ErrorIs(t, err, cause)
		var fe *FaultError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, "/a", fe.Path)
		assert.Equal(t, 1, fe.Message)
		assert.NotEmpty(t, fe.Stack)
		assert.Contains(t, err.Error(), "disk on fire")
	})
}

// A stop asked for during a delayed decision happens at once; asks queued meanwhile fail.
func TestStopDuringDelayedDecision(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil, WithPolicy(Strategy{Decision: Reset, Delay: time.Hour}))
		tell(t, a, step{id: 1, boom: true})
		synctest.Wait()
		asked := make(chan error, 1)
		go func() {
			_, err := Ask[step, int](t.Context(), a, step{id: 2})
			asked <- err
		}()
		synctest.Wait()
		start := time.Now()
		require.NoError(t, a.Ref().Stop(t.Context()))
		assert.Zero(t, time.Since(start))
		require.ErrorIs(t, <-asked, ErrStopped)
		require.ErrorIs(t, a.Ref().Err(), ErrStopped)
		assert.Equal(t, []string{"a start", "a boom 1", "a stop [2]"}, j.get())
	})
}

// StopAll decided by a top-level actor stops every top-level actor, as in nact; the system
// keeps running.
func TestTopLevelStopAllStopsAllTopLevelActors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil, WithPolicy(Strategy{Decision: StopAll}))
		b := mustProbe(t, sys, "b", j, nil)
		tell(t, a, step{boom: true})
		synctest.Wait()
		requireDone(t, a.Ref())
		requireDone(t, b.Ref())
		assert.Empty(t, sys.Children())
		_, err := spawnProbe(sys, "c", j, nil)
		require.NoError(t, err)
	})
}

// An escalation reaches a parent that is waiting on a delayed decision of its own only after
// that decision applied.
func TestEscalationWaitsForParentsDelayedDecision(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		decided := &journal{} // timers give no happens-before edge: guard what the policy writes
		var c Actor[step]
		p := mustProbe(t, sys, "p", j, func(ac *Context) {
			c = mustProbe(t, ac, "c", j, nil, WithPolicy(Strategy{Decision: Escalate}))
		}, WithPolicy(PolicyFunc(func(ac *Context, f Fault) Directive {
			if f.Escalated {
				decided.add("escalated %s", time.Now().Format("15:04:05"))
				return Directive{Decision: Resume}
			}
			decided.add("own %s", time.Now().Format("15:04:05"))
			return Directive{Decision: Resume, Delay: time.Minute}
		})))
		tell(t, p, step{boom: true})
		synctest.Wait()
		tell(t, c, step{boom: true})
		synctest.Wait()
		requireDone(t, c.Ref())
		assert.Equal(t, []string{"own 00:00:00"}, decided.get())
		time.Sleep(time.Minute)
		synctest.Wait()
		assert.Equal(t, []string{"own 00:00:00", "escalated 00:01:00"}, decided.get())
		requireRunning(t, p.Ref())
	})
}

// A long batch of queued messages survives a delayed decision taken in its middle: every
// message after the faulting one is handled, in order, once the delay has passed.
func TestLargeBatchSurvivesDelayedDecision(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil, WithPolicy(Strategy{Decision: Resume, Delay: time.Second}))
		gate := make(chan struct{})
		tell(t, a, step{id: 0, gate: gate})
		synctest.Wait()
		tell(t, a, step{id: 1, boom: true})
		const n = 3000
		for id := 2; id <= n; id++ {
			tell(t, a, step{id: id})
		}
		close(gate)
		time.Sleep(time.Second)
		synctest.Wait()
		want := []string{"a start", "a got 0", "a boom 1"}
		for id := 2; id <= n; id++ {
			want = append(want, "a got "+itoa(id))
		}
		assert.Equal(t, want, j.get())
	})
}

// A factory panic that escalates: Spawn fails with the fault, and the parent's policy gets it
// with a nil message.
func TestFactoryPanicEscalatesToParent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		got := &journal{}
		var spawnErr error
		p := mustProbe(t, sys, "p", j, func(ac *Context) {
			_, spawnErr = Spawn(ac, "c", func(*Context) *counter { panic("cannot build") }, handleCount,
				WithPolicy(Strategy{Decision: Escalate}))
		}, WithPolicy(PolicyFunc(func(ac *Context, f Fault) Directive {
			got.add("escalated=%v actor=%s message=%v value=%v", f.Escalated, f.Actor.Path(), f.Message, f.Err.Value)
			return Directive{Decision: Resume}
		})))
		require.ErrorIs(t, spawnErr, ErrFault)
		synctest.Wait()
		assert.Equal(t, []string{"escalated=true actor=/p/c message=<nil> value=cannot build"}, got.get())
		requireRunning(t, p.Ref())
		_, ok := sys.Child("p")
		assert.True(t, ok)
	})
}

// ResetAll reaching a sibling that waits on a delayed decision of its own resets it once that
// decision has applied.
func TestResetAllReachesSuspendedSiblingAfterItsDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		var a, b Actor[step]
		mustProbe(t, sys, "p", j, func(ac *Context) {
			a = mustProbe(t, ac, "a", j, nil, WithPolicy(Strategy{Decision: ResetAll}))
			b = mustProbe(t, ac, "b", j, nil, WithPolicy(Strategy{Decision: Resume, Delay: time.Minute}))
		})
		tell(t, b, step{id: 1, boom: true})
		tell(t, b, step{id: 2})
		synctest.Wait()
		tell(t, a, step{id: 3, boom: true})
		synctest.Wait()
		assert.Equal(t, []string{"p start", "a start", "b start", "b boom 1", "a boom 3", "a reset", "a start"}, j.get())
		time.Sleep(time.Minute)
		synctest.Wait()
		assert.Equal(t, []string{"p start", "a start", "b start", "b boom 1", "a boom 3", "a reset", "a start",
			"b reset", "b start", "b got 2"}, j.get())
	})
}

// Two siblings deciding ResetAll at the same time: nothing deadlocks, every actor is reset at
// least once and answers afterwards.
func TestConcurrentResetAllFromTwoSiblings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		j := &journal{}
		kids := map[string]Actor[step]{}
		mustProbe(t, sys, "p", j, func(ac *Context) {
			for _, n := range []string{"a", "b", "c"} {
				kids[n] = mustProbe(t, ac, n, j, nil, WithPolicy(Strategy{Decision: ResetAll}))
			}
		})
		tell(t, kids["a"], step{id: 1, boom: true})
		tell(t, kids["b"], step{id: 2, boom: true})
		synctest.Wait()
		for n, k := range kids {
			v, err := Ask[step, int](t.Context(), k, step{id: 9})
			require.NoError(t, err, n)
			assert.Equal(t, 9, v)
			assert.NotEmpty(t, rec.kind("/p/"+n, EventReset), n)
		}
	})
}

// A policy's negative delay counts as none: the decision applies at once.
func TestNegativeDelayAppliesAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		a, err := Spawn(sys, "a", newCounter, handleCount, WithPolicy(PolicyFunc(func(*Context, Fault) Directive {
			return Directive{Decision: Reset, Delay: -time.Hour}
		})))
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), 5))
		require.NoError(t, a.Tell(t.Context(), -1))
		start := time.Now()
		assert.Equal(t, 1, askInt(t, a, 1), "reset: the state starts again")
		assert.Zero(t, time.Since(start))
		d := rec.kind("/a", EventDecision)
		require.Len(t, d, 1)
		assert.Zero(t, d[0].Delay)
	})
}

// A handler that calls runtime.Goexit (as t.FailNow and require do in a test) is a fault: the
// ask fails with ErrFault, the policy decides, and the actor can still be stopped.
func TestGoexitInHandlerIsAFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet()) // no Shutdown in a cleanup: a wedged actor would block it forever
		a, err := Spawn(sys, "a", newCounter, func(_ context.Context, ac *Context, s *counter, m int) {
			if m < 0 {
				goruntime.Goexit()
			}
			Reply(ac, m)
		}, WithPolicy(Strategy{Decision: Resume}))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		_, err = Ask[int, int](ctx, a, -1)
		require.ErrorIs(t, err, ErrFault)
		v, err := Ask[int, int](ctx, a, 2)
		require.NoError(t, err, "resumed")
		assert.Equal(t, 2, v)
		require.NoError(t, sys.Shutdown(ctx))
	})
}

// runtime.Goexit in a factory that a Reset reruns is a fault too: the policy decides again.
func TestGoexitInFactoryDuringResetIsAFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet())
		builds := 0
		a, err := Spawn(sys, "a", func(*Context) *counter {
			builds++
			if builds == 2 {
				goruntime.Goexit()
			}
			return &counter{}
		}, handleCount, WithPolicy(Strategy{Decision: Reset}))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		require.NoError(t, a.Tell(ctx, -1))
		v, err := Ask[int, int](ctx, a, 3)
		require.NoError(t, err)
		assert.Equal(t, 3, v)
		assert.Equal(t, 3, builds)
		require.NoError(t, sys.Shutdown(ctx))
	})
}

// A background ask handled on the caller's goroutine whose handler calls runtime.Goexit ends
// that goroutine (as Goexit must), and the actor goes on.
func TestGoexitInInlineAskLeavesActorWorking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet())
		a, err := Spawn(sys, "a", newCounter, func(_ context.Context, ac *Context, s *counter, m int) {
			if m < 0 {
				goruntime.Goexit()
			}
			Reply(ac, m)
		}, WithPolicy(Strategy{Decision: Resume}))
		require.NoError(t, err)
		exited := make(chan struct{})
		go func() {
			defer close(exited)
			_, _ = Ask[int, int](context.Background(), a, -1)
		}()
		<-exited
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		v, err := Ask[int, int](ctx, a, 2)
		require.NoError(t, err)
		assert.Equal(t, 2, v)
		require.NoError(t, sys.Shutdown(ctx))
	})
}
