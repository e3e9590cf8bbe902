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

// The tests here give the runtime user code that ends its goroutine (runtime.Goexit, which
// t.FailNow and require call) or panics with nil, wherever the runtime calls user code. None of
// them may wedge an actor: asks are answered, and Ref.Stop and Shutdown return.

// bounded returns a ctx that a wedged actor would run out, so that a regression fails the test
// instead of hanging it.
func bounded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
	t.Cleanup(cancel)
	return ctx
}

// runtime.Goexit in a policy is a fault of the policy: the actor stops with the fault it was
// deciding about, as when a policy panics.
func TestGoexitInPolicyStopsTheActor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet())
		a, err := Spawn(sys, "a", newCounter, handleCount, WithPolicy(PolicyFunc(func(*Context, Fault) Directive {
			goruntime.Goexit()
			return Directive{Decision: Resume}
		})))
		require.NoError(t, err)
		ctx := bounded(t)
		_, err = Ask[int, int](ctx, a, -1)
		require.ErrorIs(t, err, ErrFault)
		synctest.Wait()
		requireDone(t, a.Ref())
		require.ErrorIs(t, a.Ref().Err(), ErrFault, "stopped with the fault the policy was deciding")
		require.NoError(t, sys.Shutdown(ctx))
	})
}

// The same for a policy deciding about a fault at Spawn, on the spawner's goroutine: Spawn
// returns the fault, the spawner's goroutine goes on.
func TestGoexitInPolicyAtSpawn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet())
		_, err := Spawn(sys, "a", func(*Context) *counter { panic("no") }, handleCount,
			WithPolicy(PolicyFunc(func(*Context, Fault) Directive {
				goruntime.Goexit()
				return Directive{Decision: Resume}
			})))
		require.ErrorIs(t, err, ErrFault)
		require.NoError(t, sys.Shutdown(bounded(t)))
	})
}

// runtime.Goexit or a panic in the system's event hook is a fault: the actor the event was about
// stops with it, and nothing wedges.
func TestGoexitOrPanicInEventHookStopsTheActor(t *testing.T) {
	for _, tc := range []struct {
		name string
		kind EventKind
		end  func()
	}{
		{"goexit on fault", EventFault, goruntime.Goexit},
		{"panic on fault", EventFault, func() { panic("hook bug") }},
		{"goexit on decision", EventDecision, goruntime.Goexit},
		{"goexit on started", EventStarted, goruntime.Goexit},
		{"panic on started", EventStarted, func() { panic("hook bug") }},
		{"goexit on stopped", EventStopped, goruntime.Goexit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sys := NewSystem(quiet(), WithEventHook(func(e Event) {
					if e.Kind == tc.kind && e.Path == "/a" {
						tc.end()
					}
				}))
				ctx := bounded(t)
				a, err := Spawn(sys, "a", newCounter, handleCount, WithPolicy(Strategy{Decision: Resume}))
				require.NoError(t, err)
				_, _ = Ask[int, int](ctx, a, -1)
				_, _ = Ask[int, int](ctx, a, 1)
				require.NoError(t, a.Ref().Stop(ctx))
				require.NoError(t, sys.Shutdown(ctx))
				if tc.kind != EventStopped {
					require.ErrorIs(t, a.Ref().Err(), ErrFault, "the hook's fault stopped the actor")
					assert.Contains(t, a.Ref().Err().Error(), "event hook")
				}
			})
		})
	}
}

// runtime.Goexit in a keeper's start func is a failed try: the keeper retries on its schedule
// and can be stopped.
func TestGoexitInKeeperStartIsAFailedTry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		tether, _, _ := tetherUnder(t, sys, 5, time.Minute)
		tries := 0
		k, err := SpawnKeeper(sys, "keeper", tether, func(context.Context, *Tether) (Ref, error) {
			tries++
			if tries <= 2 {
				goruntime.Goexit()
			}
			a, err := Spawn(tether, "c", newCounter, handleCount)
			return a.Ref(), err
		}, KeeperSchedule{Sweep: time.Second})
		require.NoError(t, err)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		assert.Equal(t, 3, tries)
		retries := rec.kind("/keeper", EventKeeperRetry)
		require.Len(t, retries, 2)
		assert.Contains(t, retries[0].Err.Error(), "runtime.Goexit")
		require.Len(t, tether.Children(), 1)
		require.NoError(t, k.Stop(bounded(t)))
	})
}

// Under GODEBUG=panicnil=1, panic(nil) recovers as nil, the value Goexit also gives. The
// runtime tells them apart by whether its recover ran, so panic(nil) is an ordinary fault and
// no second goroutine ever drains the actor (-race would see it).
func TestPanicNilUnderPanicnilGodebugIsAnOrdinaryFault(t *testing.T) {
	t.Setenv("GODEBUG", "panicnil=1")
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		var mu sync.Mutex
		handled := 0
		a, err := Spawn(sys, "a", newCounter, func(_ context.Context, ac *Context, s *counter, m int) {
			s.n++ // -race sees two goroutines in one state
			mu.Lock()
			handled++
			mu.Unlock()
			if m < 0 {
				panic(nil)
			}
			Reply(ac, s.n)
		}, WithPolicy(Strategy{Decision: Resume}))
		require.NoError(t, err)
		ctx := bounded(t)
		for i := range 20 {
			_, err := Ask[int, int](ctx, a, -1)
			require.ErrorIs(t, err, ErrFault)
			var pn *goruntime.PanicNilError
			require.ErrorAs(t, err, &pn, "the fault's value says it was panic(nil)")
			require.NoError(t, a.Tell(ctx, i))
		}
		v, err := Ask[int, int](ctx, a, 100)
		require.NoError(t, err)
		assert.Equal(t, 41, v)
		synctest.Wait()
		assert.Len(t, rec.kind("/a", EventFault), 20)

		// In the factory and in OnStart too.
		builds := 0
		_, err = Spawn(sys, "b", func(*Context) *counter {
			builds++
			if builds == 1 {
				panic(nil)
			}
			return &counter{}
		}, handleCount, WithPolicy(Strategy{Decision: Reset}))
		require.NoError(t, err)
		assert.Equal(t, 2, builds)
		var pn *goruntime.PanicNilError
		faults := rec.kind("/b", EventFault)
		require.Len(t, faults, 1)
		require.True(t, errors.As(faults[0].Err, &pn))
	})
}
