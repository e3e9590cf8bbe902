package runtime

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tetherUnder spawns a top-level actor "p" whose factory spawns a tether "t" (max faults in
// period) and returns the tether and the faults p's policy was asked about.
func tetherUnder(t *testing.T, sys *System, max int, period time.Duration) (*Tether, Ref, *[]Fault) {
	t.Helper()
	var tether *Tether
	var seen []Fault
	p, err := Spawn(sys, "p", func(ac *Context) struct{} {
		var err error
		tether, err = SpawnTether(ac, "t", max, period)
		require.NoError(t, err)
		return struct{}{}
	}, func(context.Context, *Context, struct{}, int) {}, WithPolicy(PolicyFunc(func(_ *Context, f Fault) Directive {
		seen = append(seen, f)
		return Directive{Decision: Resume}
	})))
	require.NoError(t, err)
	return tether, p.Ref(), &seen
}

// requireCut requires that r was stopped by a tether cut.
func requireCut(t *testing.T, r Ref) {
	t.Helper()
	requireDone(t, r)
	require.ErrorIs(t, r.Err(), ErrTetherCut, r.Path())
	require.ErrorIs(t, r.Err(), ErrFault, r.Path())
}

// Item 22: children faulting more than max times within the period cut the tether: all its
// children stop with ErrTetherCut and the fault, the tether stays up, empty, and its parent
// never hears of it.
func TestTetherCutStopsAllChildrenAndStaysUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		tether, p, seen := tetherUnder(t, sys, 3, 5*time.Second)
		j := &journal{}
		a := mustProbe(t, tether, "a", j, nil, WithPolicy(Strategy{Decision: Reset}))
		b := mustProbe(t, tether, "b", j, nil)
		start := time.Now()
		for i := range 4 {
			time.Sleep(time.Duration(i)*time.Second - time.Since(start))
			tell(t, a, step{id: i, boom: true})
			synctest.Wait()
			if i < 3 {
				requireRunning(t, a.Ref())
			}
		}
		requireCut(t, b.Ref())
		requireCut(t, a.Ref())
		requireRunning(t, tether.Ref())
		assert.Empty(t, tether.Children())
		requireRunning(t, p)
		assert.Empty(t, *seen, "the fault goes no higher")
		cuts := rec.kind("/p/t", EventTetherCut)
		require.Len(t, cuts, 1)
		assert.Equal(t, "/p/t/a", cuts[0].Child)
		require.ErrorIs(t, cuts[0].Err, ErrFault)
	})
}

// Item 22: faults within the tether's intensity do not cut it, and the window slides.
func TestTetherFaultsWithinIntensityDoNotCut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		tether, _, _ := tetherUnder(t, sys, 3, 5*time.Second)
		j := &journal{}
		a := mustProbe(t, tether, "a", j, nil, WithPolicy(Strategy{Decision: Reset}))
		b := mustProbe(t, tether, "b", j, nil)
		start := time.Now()
		for _, at := range []time.Duration{0, time.Second, 2 * time.Second, 6 * time.Second, 7 * time.Second} {
			time.Sleep(at - time.Since(start))
			tell(t, a, step{boom: true})
			synctest.Wait()
		}
		requireRunning(t, a.Ref())
		requireRunning(t, b.Ref())
		assert.Empty(t, rec.kind("/p/t", EventTetherCut))
	})
}

// The tether counts the faults of all its children together.
func TestTetherCountsAllChildrenTogether(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		tether, _, _ := tetherUnder(t, sys, 3, 5*time.Second)
		j := &journal{}
		a := mustProbe(t, tether, "a", j, nil, WithPolicy(Strategy{Decision: Resume}))
		b := mustProbe(t, tether, "b", j, nil, WithPolicy(Strategy{Decision: Resume}))
		for _, x := range []Actor[step]{a, b, a} {
			tell(t, x, step{boom: true})
			synctest.Wait()
		}
		requireRunning(t, a.Ref())
		tell(t, b, step{boom: true})
		synctest.Wait()
		requireCut(t, a.Ref())
		requireCut(t, b.Ref())
	})
}

// A child that escalates cuts the tether at once.
func TestTetherCutOnChildEscalation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		tether, p, seen := tetherUnder(t, sys, 100, time.Minute)
		j := &journal{}
		a := mustProbe(t, tether, "a", j, nil, WithPolicy(Strategy{Decision: Escalate}))
		b := mustProbe(t, tether, "b", j, nil)
		tell(t, a, step{boom: true})
		synctest.Wait()
		requireCut(t, a.Ref())
		requireCut(t, b.Ref())
		requireRunning(t, tether.Ref())
		requireRunning(t, p)
		assert.Empty(t, *seen)
	})
}

// A tether's grandchildren are stopped with the cut too.
func TestTetherCutStopsGrandchildren(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		tether, _, _ := tetherUnder(t, sys, 0, time.Minute)
		j := &journal{}
		var gc Ref
		a := mustProbe(t, tether, "a", j, nil)
		mustProbe(t, tether, "b", j, func(ac *Context) { gc = mustProbe(t, ac, "gc", j, nil).Ref() })
		tell(t, a, step{boom: true})
		synctest.Wait()
		requireDone(t, gc)
		assert.Empty(t, tether.Children())
	})
}

// Item 24: a child's name can be used again after a cut and after a normal stop.
func TestTetherChildNameReusableAfterCutAndStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		tether, _, _ := tetherUnder(t, sys, 0, time.Minute)
		j := &journal{}
		a := mustProbe(t, tether, "sock", j, nil)
		tell(t, a, step{boom: true})
		synctest.Wait()
		requireDone(t, a.Ref())

		a = mustProbe(t, tether, "sock", j, nil)
		require.NoError(t, a.Ref().Stop(t.Context()))
		require.ErrorIs(t, a.Ref().Err(), ErrStopped)

		a = mustProbe(t, tether, "sock", j, nil)
		_, err := spawnProbe(tether, "sock", j, nil)
		require.ErrorIs(t, err, ErrNameTaken, "a running child's name is taken")
		got, ok := tether.Child("sock")
		require.True(t, ok)
		assert.Equal(t, a.Ref(), got)
	})
}

// socket is a keeper's flaky child: the test decides whether the service is up. Timers carry
// no happens-before edge from the test to the keeper, so the fields are guarded by mu.
type socket struct {
	mu    sync.Mutex
	up    bool
	tries []time.Duration // when start was called, from the test's start
	kids  []Actor[step]
	begin time.Time
	j     *journal
}

func (s *socket) start(_ context.Context, t *Tether) (Ref, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tries = append(s.tries, time.Since(s.begin))
	if !s.up {
		return Ref{}, errors.New("service down")
	}
	a, err := spawnProbe(t, "sock", s.j, nil)
	if err != nil {
		return Ref{}, err
	}
	s.kids = append(s.kids, a)
	return a.Ref(), nil
}

func (s *socket) setUp(up bool) {
	s.mu.Lock()
	s.up = up
	s.mu.Unlock()
}

// triesNow returns when start was called so far.
func (s *socket) triesNow() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.tries)
}

// kidsNow returns the children started so far.
func (s *socket) kidsNow() []Actor[step] {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.kids)
}

// Item 23: the keeper tries first after First, then after Sweep doubling up to MaxSweep,
// until the child starts; failed starts cost the tether no intensity.
func TestKeeperRetriesWithBackoffThenStartsChild(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		tether, _, _ := tetherUnder(t, sys, 0, time.Hour)
		s := &socket{begin: time.Now(), j: &journal{}}
		_, err := SpawnKeeper(sys, "keeper", tether, s.start, KeeperSchedule{
			First: time.Second, Sweep: 2 * time.Second, MaxSweep: 10 * time.Second,
		})
		require.NoError(t, err)
		time.Sleep(30 * time.Second)
		synctest.Wait()
		sec := time.Second
		assert.Equal(t, []time.Duration{1 * sec, 3 * sec, 7 * sec, 15 * sec, 25 * sec}, s.triesNow())
		var delays []time.Duration
		for _, e := range rec.kind("/keeper", EventKeeperRetry) {
			delays = append(delays, e.Delay)
			assert.EqualError(t, e.Err, "service down")
		}
		assert.Equal(t, []time.Duration{2 * sec, 4 * sec, 8 * sec, 10 * sec, 10 * sec}, delays)

		s.setUp(true)
		time.Sleep(5 * time.Second)
		synctest.Wait()
		require.Len(t, s.kidsNow(), 1)
		assert.Equal(t, 35*sec, s.triesNow()[5])
		requireRunning(t, s.kidsNow()[0].Ref())
		assert.Equal(t, []Ref{s.kidsNow()[0].Ref()}, tether.Children())
		assert.Empty(t, rec.kind("/p/t", EventTetherCut), "failed starts cost no intensity")
		starts := rec.kind("/keeper", EventKeeperStart)
		require.Len(t, starts, 1)
		assert.Equal(t, "/p/t/sock", starts[0].Child)

		time.Sleep(time.Hour)
		synctest.Wait()
		assert.Len(t, s.triesNow(), 6, "no try while the child is up")
	})
}

// Item 23 and 24: the keeper starts the child again after it goes down for any reason: after
// First when it was up for MaxSweep or more, after the backoff when it went down early.
func TestKeeperRestartsChildAfterItGoesDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		tether, _, _ := tetherUnder(t, sys, 0, time.Hour)
		s := &socket{up: true, begin: time.Now(), j: &journal{}}
		_, err := SpawnKeeper(sys, "keeper", tether, s.start, KeeperSchedule{
			First: time.Second, Sweep: 5 * time.Second, MaxSweep: 20 * time.Second,
		})
		require.NoError(t, err)
		time.Sleep(time.Minute)
		synctest.Wait()
		require.Len(t, s.kidsNow(), 1)

		// A normal stop after a long time up: back after First.
		down := time.Now()
		require.NoError(t, s.kidsNow()[0].Ref().Stop(t.Context()))
		time.Sleep(time.Second)
		synctest.Wait()
		require.Len(t, s.kidsNow(), 2)
		assert.Equal(t, time.Second, s.triesNow()[1]-(down.Sub(s.begin)))

		// A fault that cuts the tether, after a short time up: back after Sweep.
		down = time.Now()
		tell(t, s.kidsNow()[1], step{boom: true})
		synctest.Wait()
		requireCut(t, s.kidsNow()[1].Ref())
		time.Sleep(5 * time.Second)
		synctest.Wait()
		require.Len(t, s.kidsNow(), 3)
		assert.Equal(t, 5*time.Second, s.triesNow()[2]-(down.Sub(s.begin)))
		requireRunning(t, s.kidsNow()[2].Ref())
		assert.Len(t, rec.kind("/p/t", EventTetherCut), 1)
		assert.Len(t, rec.kind("/keeper", EventKeeperStart), 3)
	})
}

// Stopping the keeper cancels the ctx given to a start in progress.
func TestStoppingKeeperCancelsStartCtx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		tether, _, _ := tetherUnder(t, sys, 0, time.Hour)
		started := make(chan struct{})
		var startErr error
		k, err := SpawnKeeper(sys, "keeper", tether, func(ctx context.Context, _ *Tether) (Ref, error) {
			close(started)
			<-ctx.Done()
			startErr = ctx.Err()
			return Ref{}, ctx.Err()
		}, KeeperSchedule{Sweep: time.Second})
		require.NoError(t, err)
		<-started
		require.NoError(t, k.Stop(t.Context()))
		require.ErrorIs(t, startErr, context.Canceled)
		require.ErrorIs(t, k.Err(), ErrStopped)
	})
}

// Stopping the keeper leaves a running child alone, and no try follows.
func TestStoppingKeeperLeavesChildAlone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		tether, _, _ := tetherUnder(t, sys, 0, time.Hour)
		s := &socket{up: true, begin: time.Now(), j: &journal{}}
		k, err := SpawnKeeper(sys, "keeper", tether, s.start, KeeperSchedule{Sweep: time.Second})
		require.NoError(t, err)
		synctest.Wait()
		require.Len(t, s.kidsNow(), 1)
		require.NoError(t, k.Stop(t.Context()))
		requireRunning(t, s.kidsNow()[0].Ref())
		require.NoError(t, s.kidsNow()[0].Ref().Stop(t.Context()))
		time.Sleep(time.Hour)
		synctest.Wait()
		assert.Len(t, s.triesNow(), 1)
	})
}

// A start that panics, or returns no actor, is a failed try.
func TestKeeperStartPanicOrZeroRefIsRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		tether, _, _ := tetherUnder(t, sys, 0, time.Hour)
		tries := 0
		_, err := SpawnKeeper(sys, "keeper", tether, func(context.Context, *Tether) (Ref, error) {
			tries++
			if tries == 1 {
				panic("start bug")
			}
			return Ref{}, nil
		}, KeeperSchedule{Sweep: time.Second})
		require.NoError(t, err)
		time.Sleep(time.Second)
		synctest.Wait()
		retries := rec.kind("/keeper", EventKeeperRetry)
		require.Len(t, retries, 2)
		assert.ErrorContains(t, retries[0].Err, "start bug")
		assert.ErrorContains(t, retries[1].Err, "no actor")
	})
}

// Jitter in the keeper's schedule keeps each wait in [d, d·(1+j)).
func TestKeeperJitterBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		tether, _, _ := tetherUnder(t, sys, 0, time.Hour)
		_, err := SpawnKeeper(sys, "keeper", tether, func(context.Context, *Tether) (Ref, error) {
			return Ref{}, errors.New("down")
		}, KeeperSchedule{Sweep: time.Second, MaxSweep: 4 * time.Second, Jitter: 0.25})
		require.NoError(t, err)
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		retries := rec.kind("/keeper", EventKeeperRetry)
		require.Greater(t, len(retries), 10)
		for k, e := range retries {
			base := min(4*time.Second, time.Second<<min(k, 10))
			assert.GreaterOrEqual(t, e.Delay, base, fmt.Sprint(k))
			assert.Less(t, e.Delay, base+base/4, fmt.Sprint(k))
		}
	})
}

// Events: a keeper's retries and start, and the cut, are reported in order.
func TestTetherAndKeeperEventsInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		tether, _, _ := tetherUnder(t, sys, 0, time.Hour)
		s := &socket{begin: time.Now(), j: &journal{}}
		_, err := SpawnKeeper(sys, "keeper", tether, s.start, KeeperSchedule{Sweep: time.Second})
		require.NoError(t, err)
		synctest.Wait()
		s.setUp(true)
		time.Sleep(time.Second)
		synctest.Wait()
		require.Len(t, s.kidsNow(), 1)
		tell(t, s.kidsNow()[0], step{boom: true})
		synctest.Wait()
		assert.Equal(t, []string{"started", "keeper retry", "keeper start"}, rec.of("/keeper"))
		assert.Equal(t, []string{"started", "fault", "decision escalate", "stopped"}, rec.of("/p/t/sock"))
		assert.Equal(t, []string{"started", "escalate", "decision reset", "tether cut"}, rec.of("/p/t"))
	})
}

// A start that returns a child that has already stopped counts as a child that went down at
// once: the keeper tries again.
func TestKeeperRetriesWhenChildIsAlreadyDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		tether, _, _ := tetherUnder(t, sys, 0, time.Hour)
		j := &journal{}
		tries := make(chan time.Duration, 10)
		begin := time.Now()
		_, err := SpawnKeeper(sys, "keeper", tether, func(ctx context.Context, t *Tether) (Ref, error) {
			tries <- time.Since(begin)
			a, err := spawnProbe(t, "sock", j, nil)
			if err != nil {
				return Ref{}, err
			}
			if err := a.Ref().Stop(ctx); err != nil {
				return Ref{}, err
			}
			return a.Ref(), nil
		}, KeeperSchedule{First: time.Second, Sweep: 2 * time.Second, MaxSweep: 8 * time.Second})
		require.NoError(t, err)
		time.Sleep(20 * time.Second)
		synctest.Wait()
		var got []time.Duration
		for len(tries) > 0 {
			got = append(got, <-tries)
		}
		sec := time.Second
		assert.Equal(t, []time.Duration{1 * sec, 3 * sec, 7 * sec, 15 * sec}, got)
		assert.Len(t, rec.kind("/keeper", EventKeeperStart), 4)
	})
}

// A keeper reset by a sibling's ResetAll keeps watching the child it started: it does not try
// to start a second one, and it starts the child again after First when it goes down.
func TestKeeperSurvivesResetBySibling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		tether, err := SpawnTether(sys, "t", 10, time.Hour)
		require.NoError(t, err)
		s := &socket{up: true, begin: time.Now(), j: &journal{}}
		j := &journal{}
		var w Actor[step]
		mustProbe(t, sys, "p", j, func(ac *Context) {
			_, err := SpawnKeeper(ac, "keeper", tether, s.start,
				KeeperSchedule{First: time.Second, Sweep: time.Second, MaxSweep: time.Minute})
			require.NoError(t, err)
			w = mustProbe(t, ac, "w", j, nil, WithPolicy(Strategy{Decision: ResetAll}))
		})
		time.Sleep(time.Second)
		synctest.Wait()
		require.Len(t, s.kidsNow(), 1)

		tell(t, w, step{boom: true}) // resets the keeper too
		synctest.Wait()
		time.Sleep(time.Minute)
		synctest.Wait()
		assert.Empty(t, rec.kind("/p/keeper", EventKeeperRetry), "the child is up: nothing to retry")
		assert.Len(t, s.triesNow(), 1)
		kid := s.kidsNow()[0]
		requireRunning(t, kid.Ref())

		down := time.Now()
		require.NoError(t, kid.Ref().Stop(t.Context()))
		time.Sleep(time.Second)
		synctest.Wait()
		require.Len(t, s.kidsNow(), 2, "restarted after First")
		assert.Equal(t, time.Second, s.triesNow()[1]-down.Sub(s.begin))
	})
}

// A tether reset by a sibling's ResetAll is cut: its children stop with ErrTetherCut and the
// sibling's fault, and it stays up, empty.
func TestTetherResetBySiblingIsACut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		j := &journal{}
		var tether *Tether
		var w Actor[step]
		mustProbe(t, sys, "p", j, func(ac *Context) {
			var err error
			tether, err = SpawnTether(ac, "t", 10, time.Hour)
			require.NoError(t, err)
			w = mustProbe(t, ac, "w", j, nil, WithPolicy(Strategy{Decision: ResetAll}))
		})
		sock := mustProbe(t, tether, "sock", j, nil)
		tell(t, w, step{boom: true})
		synctest.Wait()
		requireCut(t, sock.Ref())
		var fe *FaultError
		require.ErrorAs(t, sock.Ref().Err(), &fe)
		assert.Equal(t, "/p/w", fe.Path)
		requireRunning(t, tether.Ref())
		assert.Empty(t, tether.Children())
		cuts := rec.kind("/p/t", EventTetherCut)
		require.Len(t, cuts, 1)
		assert.Equal(t, "/p/w", cuts[0].Child)
	})
}

// A keeper stops when its tether stops: it has nothing to start its child in any more.
func TestKeeperStopsWithItsTether(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		tether, _, _ := tetherUnder(t, sys, 1, time.Minute)
		k, err := SpawnKeeper(sys, "keeper", tether, func(context.Context, *Tether) (Ref, error) {
			return Ref{}, errors.New("service down")
		}, KeeperSchedule{Sweep: time.Second})
		require.NoError(t, err)
		time.Sleep(3 * time.Second)
		synctest.Wait()
		require.NoError(t, tether.Ref().Stop(t.Context()))
		synctest.Wait()
		requireDone(t, k)
		require.ErrorIs(t, k.Err(), ErrStopped)
		retries := len(rec.kind("/keeper", EventKeeperRetry))
		time.Sleep(time.Hour)
		synctest.Wait()
		assert.Len(t, rec.kind("/keeper", EventKeeperRetry), retries, "no try after the tether stopped")

		_, err = SpawnKeeper(sys, "late", tether, func(context.Context, *Tether) (Ref, error) {
			return Ref{}, nil
		}, KeeperSchedule{Sweep: time.Second})
		require.ErrorIs(t, err, ErrStopped, "a stopped tether takes no keeper")
	})
}

// A start that fails with RetryAfter makes the keeper wait that long before the next try, longer
// than its schedule would; the error keeps what it wraps.
func TestKeeperWaitsForRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		tether, _, _ := tetherUnder(t, sys, 5, time.Minute)
		refused := errors.New("name taken")
		var tries []time.Duration
		begin := time.Now()
		_, err := SpawnKeeper(sys, "keeper", tether, func(context.Context, *Tether) (Ref, error) {
			tries = append(tries, time.Since(begin))
			if len(tries) == 1 {
				return Ref{}, RetryAfter(time.Hour, refused)
			}
			return Ref{}, refused
		}, KeeperSchedule{Sweep: time.Second, MaxSweep: 4 * time.Second})
		require.NoError(t, err)
		time.Sleep(time.Hour + 2*time.Second)
		synctest.Wait()
		assert.Equal(t, []time.Duration{0, time.Hour, time.Hour + 2*time.Second}, tries)
		retries := rec.kind("/keeper", EventKeeperRetry)
		require.NotEmpty(t, retries)
		assert.Equal(t, time.Hour, retries[0].Delay)
		require.ErrorIs(t, retries[0].Err, refused)
		assert.Contains(t, retries[0].Err.Error(), "retry after 1h0m0s")
	})
}
