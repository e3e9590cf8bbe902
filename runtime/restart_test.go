package runtime

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// alwaysFails returns a factory that panics on every build after the first ok ones, up to 100
// builds (so that a runtime that loops ends the loop and the test fails instead of hanging), and
// the count of builds.
func alwaysFails(ok int) (func(*Context) *counter, *int) {
	builds := 0
	return func(*Context) *counter {
		builds++
		if builds > ok && builds <= 100 {
			panic("cannot start")
		}
		return &counter{}
	}, &builds
}

// A factory that always panics under an immediate Reset without intensity does not make Spawn
// loop: after maxFailedBuilds failed builds in a row, each retried at once, the actor stops with
// the fault, and Spawn returns it.
func TestSpawnWithFactoryThatAlwaysPanicsGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		factory, builds := alwaysFails(0)
		a, err := Spawn(sys, "a", factory, handleCount, WithPolicy(Strategy{Decision: Reset}))
		require.ErrorIs(t, err, ErrFault)
		assert.Contains(t, err.Error(), "failed builds in a row")
		assert.Equal(t, maxFailedBuilds, *builds)
		requireDone(t, a.Ref())
		require.ErrorIs(t, a.Ref().Err(), ErrFault)
	})
}

// The same bound holds for a reset loop on the actor's own goroutine, after a message's fault.
func TestResetLoopOnTheActorsGoroutineGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		factory, builds := alwaysFails(1)
		a, err := Spawn(sys, "a", factory, handleCount, WithPolicy(Strategy{Decision: ResetAll}))
		require.NoError(t, err)
		_, err = Ask[int, int](t.Context(), a, -1)
		require.ErrorIs(t, err, ErrFault)
		synctest.Wait()
		requireDone(t, a.Ref())
		require.ErrorIs(t, a.Ref().Err(), ErrFault)
		assert.Equal(t, 1+maxFailedBuilds, *builds, "the first build, then the failed ones")
		assert.Len(t, rec.kind("/a", EventStopped), 1)
	})
}

// A delayed Reset is not bounded that way: its delay bounds the rate, so a service that takes a
// while to come back is retried as long as the policy says.
func TestDelayedResetRetriesAFailingFactoryAtItsPace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		builds := 0
		a, err := Spawn(sys, "a", func(*Context) *counter {
			builds++
			if builds <= 10 {
				panic("not yet")
			}
			return &counter{}
		}, handleCount, WithPolicy(Strategy{Decision: Reset, Delay: time.Second}))
		require.NoError(t, err)
		start := time.Now()
		assert.Equal(t, 4, askInt(t, a, 4))
		assert.Equal(t, 10*time.Second, time.Since(start))
		assert.Equal(t, 11, builds)
	})
}

// A restart that succeeds clears the count: a factory that fails now and then under an
// immediate Reset keeps being restarted.
func TestFailedRestartCountClearsOnSuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		builds := 0
		a, err := Spawn(sys, "a", func(*Context) *counter {
			builds++
			if builds%3 != 1 { // builds 2, 3 fail; 4 works; 5, 6 fail; 7 works...
				panic("flaky")
			}
			return &counter{}
		}, handleCount, WithPolicy(Strategy{Decision: Reset}))
		require.NoError(t, err)
		for range 5 {
			_, err := Ask[int, int](t.Context(), a, -1)
			require.ErrorIs(t, err, ErrFault)
			synctest.Wait()
			requireRunning(t, a.Ref())
		}
		assert.Equal(t, 16, builds)
	})
}

// Resume of a fault in the factory or in OnStart has no state to keep: it builds a fresh one,
// so no handler ever runs on a state that was not built.
func TestResumeAfterAFailedStartBuildsAFreshState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		builds := 0
		a, err := Spawn(sys, "a", func(*Context) *counter {
			builds++
			if builds == 1 {
				panic("first build fails")
			}
			return &counter{}
		}, handleCount, WithPolicy(Strategy{Decision: Resume}))
		require.NoError(t, err)
		assert.Equal(t, 2, builds)
		assert.Equal(t, 5, askInt(t, a, 5), "the handler runs on a built state")

		starts := 0
		b, err := Spawn(sys, "b", func(*Context) *startFails {
			return &startFails{starts: &starts}
		}, func(_ context.Context, ac *Context, s *startFails, m int) {
			Reply(ac, *s.starts+m)
		}, WithPolicy(Strategy{Decision: Resume}))
		require.NoError(t, err)
		v, err := Ask[int, int](t.Context(), b, 10)
		require.NoError(t, err)
		assert.Equal(t, 12, v, "OnStart ran twice: the failed one and the fresh build's")
	})
}

// startFails is a state whose first OnStart panics.
type startFails struct{ starts *int }

func (s *startFails) OnStart(*Context) {
	*s.starts++
	if *s.starts == 1 {
		panic("first start fails")
	}
}

// A Resume after a failed start counts as a restart too: an OnStart that always fails stops the
// actor instead of looping.
func TestResumeOfAStartThatAlwaysFailsGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		factory, builds := alwaysFails(0)
		_, err := Spawn(sys, "a", factory, handleCount, WithPolicy(Strategy{Decision: Resume}))
		require.ErrorIs(t, err, ErrFault)
		assert.Equal(t, maxFailedBuilds, *builds)
	})
}
