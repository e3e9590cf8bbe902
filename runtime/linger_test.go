package runtime

import (
	"bytes"
	"context"
	goruntime "runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goroutinesIn counts the goroutines whose stacks run fn, such as "parkedUntilWork" (a parked
// actor goroutine) or "(*sweeper).loop". The package's tests do not run in parallel, so what it
// counts belongs to the test that asks.
func goroutinesIn(fn string) int {
	buf := make([]byte, 1<<20)
	for {
		n := goruntime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for g := range bytes.SplitSeq(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte(fn)) {
			count++
		}
	}
	return count
}

const parkedFrame = "parkedUntilWork"

// isParked reports whether the actor's goroutine is parked.
func isParked[M any](a Actor[M]) bool {
	n := &a.m.node
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.parked
}

// parkedCounter spawns a counter in a system with the linger given, which the test's cleanup
// shuts down, and returns it once its first message is handled and its goroutine parked.
func parkedCounter(t *testing.T, linger time.Duration) Actor[int] {
	t.Helper()
	sys := NewSystem(quiet(), WithLinger(linger))
	t.Cleanup(func() { require.NoError(t, sys.Shutdown(context.Background())) })
	a, err := Spawn(sys, "a", newCounter, handleCount)
	require.NoError(t, err)
	require.NoError(t, a.Tell(t.Context(), 1))
	synctest.Wait()
	require.True(t, isParked(a))
	return a
}

// An actor whose mailbox empties keeps its goroutine parked for at least the linger period, and
// the goroutine ends before twice the period has passed.
func TestLingerParksThenEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const linger = 100 * time.Millisecond
		a := parkedCounter(t, linger)
		assert.Equal(t, 1, goroutinesIn(parkedFrame))
		assert.Equal(t, 1, goroutinesIn("(*sweeper).loop"))

		time.Sleep(linger - time.Nanosecond)
		synctest.Wait()
		assert.True(t, isParked(a), "parked for less than the period")

		time.Sleep(linger + time.Nanosecond)
		synctest.Wait()
		assert.False(t, isParked(a))
		assert.Zero(t, goroutinesIn(parkedFrame), "the goroutine ended within twice the period")
		assert.Zero(t, goroutinesIn("(*sweeper).loop"), "the sweeper ends with nothing to sweep")

		assert.Equal(t, 3, askInt(t, a, 2), "the actor still works: a new goroutine drains it")
	})
}

// A message to an actor whose goroutine is parked wakes that goroutine; no other one starts,
// and the linger counts afresh from the time the mailbox empties again.
func TestLingerWakesTheParkedGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const linger = 100 * time.Millisecond
		a := parkedCounter(t, linger)

		for i := range 5 {
			time.Sleep(linger * 3 / 2)
			assert.Equal(t, 2+i, askInt(t, a, 1))
			synctest.Wait()
			assert.True(t, isParked(a), "round %d", i)
			assert.Equal(t, 1, goroutinesIn(parkedFrame), "round %d", i)
		}
	})
}

// WithLinger(0), or a negative linger, ends an actor's goroutine as soon as its mailbox is
// empty.
func TestLingerZeroEndsTheGoroutineAtOnce(t *testing.T) {
	for _, linger := range []time.Duration{0, -time.Second} {
		t.Run(linger.String(), func(t *testing.T) { lingerZero(t, linger) })
	}
}

func lingerZero(t *testing.T, linger time.Duration) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet(), WithLinger(linger))
		defer sys.Shutdown(context.Background())
		a, err := Spawn(sys, "a", newCounter, handleCount)
		require.NoError(t, err)
		for range 3 {
			require.NoError(t, a.Tell(t.Context(), 1))
		}
		synctest.Wait()
		assert.False(t, isParked(a))
		assert.Zero(t, goroutinesIn(parkedFrame))
		assert.Zero(t, goroutinesIn("(*sweeper).loop"))
		assert.Equal(t, 4, askInt(t, a, 1))
	})
}

// Shutdown ends the parked goroutines and the sweeper: nothing of the system is left when it
// returns, long before the linger is over.
func TestShutdownEndsParkedGoroutines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet(), WithLinger(time.Hour))
		var actors []Actor[int]
		for range 10 {
			a, err := Spawn(sys, "", newCounter, handleCount)
			require.NoError(t, err)
			require.NoError(t, a.Tell(t.Context(), 1))
			actors = append(actors, a)
		}
		synctest.Wait()
		require.Equal(t, 10, goroutinesIn(parkedFrame))

		start := time.Now()
		require.NoError(t, sys.Shutdown(context.Background()))
		assert.Zero(t, time.Since(start))
		synctest.Wait() // the goroutines told to end are on their way out
		assert.Zero(t, goroutinesIn(parkedFrame))
		assert.Zero(t, goroutinesIn("(*sweeper).loop"))
		for _, a := range actors {
			assert.ErrorIs(t, a.Tell(t.Context(), 1), ErrStopped)
		}
	})
}

// Shutdown gives up with ctx's error when the sweeper does not end in time. It always ends once
// every actor has stopped; here an actor is still parked, as a Shutdown whose own ctx expired
// half-way would leave one.
func TestSweeperFlushHonoursCtx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := parkedCounter(t, time.Hour)
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		err := a.m.sys.sweep.flush(ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, time.Second, time.Since(start))
		assert.True(t, isParked(a), "a sweep left the young parked goroutine alone")
	})
}

// An ask that runs on the caller's goroutine while the actor's goroutine is parked, and whose
// handler stops the actor, ends the parked goroutine too.
func TestInlineAskStopEndsParkedGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet(), WithLinger(time.Hour))
		defer sys.Shutdown(context.Background())
		a, err := Spawn(sys, "a", newCounter, func(ctx context.Context, ac *Context, s *counter, m int) {
			if m == 0 {
				ac.Stop()
			}
			handleCount(ctx, ac, s, m)
		})
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), 1))
		synctest.Wait()
		require.True(t, isParked(a))

		got, err := Ask[int, int](context.Background(), a, 0) // never done: runs inline
		require.NoError(t, err)
		assert.Equal(t, 1, got)
		<-a.Ref().Done()
		synctest.Wait()
		assert.Zero(t, goroutinesIn(parkedFrame), "the parked goroutine ended with the actor")
	})
}

// Messages left after an inline ask go to the parked goroutine, in order.
func TestInlineAskHandsTheRestToTheParkedGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet(), WithLinger(time.Hour))
		defer sys.Shutdown(context.Background())
		gate := make(chan struct{})
		a, err := Spawn(sys, "a", newCounter, func(ctx context.Context, ac *Context, s *counter, m int) {
			if m == 10 {
				<-gate // tells arrive while the inline ask is handled
			}
			handleCount(ctx, ac, s, m)
		})
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), 1))
		synctest.Wait()
		require.True(t, isParked(a))

		done := make(chan int)
		go func() {
			got, err := Ask[int, int](context.Background(), a, 10)
			assert.NoError(t, err)
			done <- got
		}()
		synctest.Wait()
		for m := 2; m <= 4; m++ {
			require.NoError(t, a.Tell(t.Context(), m))
		}
		close(gate)
		assert.Equal(t, 11, <-done)
		assert.Equal(t, 20, askInt(t, a, 0)) // the reply orders what the handler did before it
		assert.Equal(t, []int{1, 10, 2, 3, 4, 0}, a.m.cell.(*actor[*counter, int]).state.seen)
		synctest.Wait()
		assert.Equal(t, 1, goroutinesIn(parkedFrame), "one goroutine: the parked one took the rest")
	})
}

// An actor whose goroutine is parked still stops when idle for its WithIdleStop period.
func TestIdleStopWithParkedGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet(), WithLinger(time.Hour))
		defer sys.Shutdown(context.Background())
		a, err := Spawn(sys, "a", newCounter, handleCount, WithIdleStop(time.Minute))
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), 1))
		synctest.Wait()
		require.True(t, isParked(a))

		time.Sleep(time.Minute)
		<-a.Ref().Done()
		assert.ErrorIs(t, a.Ref().Err(), ErrStopped)
		synctest.Wait()
		assert.Zero(t, goroutinesIn(parkedFrame))
	})
}

// A delayed directive parks the goroutine while it waits; the due directive wakes it.
func TestDelayedDirectiveWithParkedGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet(), WithLinger(time.Hour))
		defer sys.Shutdown(context.Background())
		a, err := Spawn(sys, "a", newCounter, handleCount,
			WithPolicy(Strategy{Decision: Reset, Delay: time.Second}))
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), 1))
		require.NoError(t, a.Tell(t.Context(), -1))
		require.NoError(t, a.Tell(t.Context(), 5))
		synctest.Wait()
		assert.True(t, isParked(a), "suspended: the goroutine waits for the directive")
		assert.Equal(t, 1, goroutinesIn(parkedFrame))

		time.Sleep(time.Second)
		assert.Equal(t, 7, askInt(t, a, 2), "reset, then 5 and 2 handled")
	})
}

// A goroutine that would park beside one already parked ends instead: here the one that takes
// over after a handler, run inline by an ask while the actor's goroutine is parked, calls
// runtime.Goexit. Two parked goroutines would leave one that no token ever reaches.
func TestGoexitInInlineAskWhileParked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet(), WithLinger(time.Second))
		a, err := Spawn(sys, "a", newCounter, func(ctx context.Context, ac *Context, s *counter, m int) {
			if m < 0 {
				goruntime.Goexit()
			}
			handleCount(ctx, ac, s, m)
		}, WithPolicy(Strategy{Decision: Resume}))
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), 1))
		synctest.Wait()
		require.True(t, isParked(a))

		exited := make(chan struct{})
		go func() {
			defer close(exited)
			_, _ = Ask[int, int](context.Background(), a, -1) // inline; the handler ends this goroutine
		}()
		<-exited
		synctest.Wait()
		assert.Equal(t, 1, goroutinesIn(parkedFrame), "the goroutine that took over ended instead of parking")
		assert.Equal(t, 3, askInt(t, a, 2))

		time.Sleep(2 * time.Second)
		synctest.Wait()
		assert.Zero(t, goroutinesIn(parkedFrame))
		require.NoError(t, sys.Shutdown(context.Background()))
	})
}

// Senders, sweeps that end parked goroutines, inline asks, bursts that grow the mailbox past
// what an idle actor keeps, and resets race with each other: every accepted message is handled
// exactly once, and no goroutine is left. The sweeper runs on the wall clock here, every few
// microseconds, so that it meets the senders at every step; what the test checks does not depend
// on timing. (Two goroutines draining one actor, which a lost token once allowed, is a data race
// that -race reports here.)
func TestLingerStress(t *testing.T) {
	sys := NewSystem(quiet(), WithLinger(3*time.Microsecond))
	const actors, senders, each = 8, 4, 2000
	var sent, handled [actors]atomic.Int64
	var as []Actor[int]
	for k := range actors {
		a, err := Spawn(sys, "", newCounter, func(_ context.Context, ac *Context, _ *counter, m int) {
			handled[k].Add(int64(m)) // outside the state, which resets drop
			Reply(ac, m)
		})
		require.NoError(t, err)
		as = append(as, a)
	}
	done := make(chan struct{})
	for w := range senders {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range each {
				k := (w + i) % actors
				a := as[k]
				switch {
				case i%97 == 0:
					_, err := Ask[int, int](context.Background(), a, 1) // inline when idle
					assert.NoError(t, err)
				case i%499 == 0:
					for range 1500 {
						assert.NoError(t, a.Tell(context.Background(), 1))
					}
					sent[k].Add(1499)
				case i%251 == 0:
					a.m.signal(ctlReset, func(r *rare) { r.resetFault = Fault{} }) // as a sibling's ResetAll
					continue
				default:
					assert.NoError(t, a.Tell(context.Background(), 1))
				}
				sent[k].Add(1)
				if i%13 == 0 {
					goruntime.Gosched()
				}
			}
		}()
	}
	for range senders {
		<-done
	}
	for k, a := range as {
		askInt(t, a, 0) // after every message sent before it
		assert.Equal(t, sent[k].Load(), handled[k].Load(), "actor %d", k)
	}
	// Every goroutine that parked is on the sweeper's list, whenever it parked, so all of them end.
	assert.Eventually(t, func() bool { return goroutinesIn(parkedFrame) == 0 }, 10*time.Second, time.Millisecond)
	require.NoError(t, sys.Shutdown(context.Background()))
	assert.Zero(t, goroutinesIn("(*sweeper).loop"))
	// The goroutines told to end are on their way out; wait for them, as goleak would.
	assert.Eventually(t, func() bool { return goroutinesIn(parkedFrame) == 0 }, 10*time.Second, time.Millisecond)
}

// A mailbox that grew in a burst keeps its buffers while the actor's goroutine lingers, so a
// busy actor does not grow them again every time it catches up, and gives them back when the
// goroutine ends.
func TestLingerKeepsBurstBuffersUntilTheGoroutineEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const linger = 100 * time.Millisecond
		sys := NewSystem(quiet(), WithLinger(linger))
		defer sys.Shutdown(context.Background())
		a, gate := spawnGated(t, sys)
		burst := func() {
			for range 5000 {
				require.NoError(t, a.Tell(t.Context(), 1))
			}
		}
		// Grow both buffers: the one being drained and the inbox behind it.
		require.NoError(t, a.Tell(t.Context(), 0))
		synctest.Wait() // handling 0, alone in its batch
		require.NoError(t, a.Tell(t.Context(), 0))
		burst()
		gate <- struct{}{}
		synctest.Wait() // handling the second 0, at the head of a batch of 5,001
		burst()
		close(gate)
		synctest.Wait()
		require.True(t, isParked(a))
		assert.Greater(t, bufferCaps(a), 10000, "kept while the goroutine lingers")

		time.Sleep(2 * linger)
		synctest.Wait()
		require.False(t, isParked(a))
		assert.Zero(t, bufferCaps(a), "a burst's buffers go when the goroutine ends")
	})
}

// An actor whose goroutine ends for having lingered with nothing to do keeps no buffer, however
// small; one whose goroutine ends at once keeps its small ones, so that its next message
// allocates nothing.
func TestIdleActorKeepsNoBuffers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const linger = 100 * time.Millisecond
		sys := NewSystem(quiet(), WithLinger(linger))
		defer sys.Shutdown(context.Background())
		a, err := Spawn(sys, "a", newCounter, func(ctx context.Context, ac *Context, s *counter, m int) {
			if m < 0 {
				Reply(ac, m)
			}
		})
		require.NoError(t, err)
		for range 3 {
			require.NoError(t, a.Tell(t.Context(), 1))
		}
		synctest.Wait()
		require.True(t, isParked(a))
		assert.NotZero(t, bufferCaps(a), "kept while the goroutine lingers")
		time.Sleep(2 * linger)
		synctest.Wait()
		require.False(t, isParked(a))
		assert.Zero(t, bufferCaps(a), "an idle actor keeps no buffer")

		// An ask whose ctx is never done, to an idle actor, is handled on the caller's
		// goroutine, which ends its turn at once: the buffer stays for the next ask.
		_, err = Ask[int, int](context.Background(), a, -1)
		require.NoError(t, err)
		require.False(t, isParked(a))
		assert.NotZero(t, bufferCaps(a), "kept after an inline ask")
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := Ask[int, int](context.Background(), a, -1); err != nil {
				t.Fatal(err)
			}
		})
		assert.LessOrEqual(t, allocs, 1.0, "an inline ask allocates its promise only")
	})
}

// In a system whose goroutines do not linger, an actor's goroutine ends whenever its mailbox
// empties, and keeps no buffer larger than one message.
func TestNoLingerKeepsNoBurstBuffers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet(), WithLinger(0))
		defer sys.Shutdown(context.Background())
		a, gate := spawnGated(t, sys)
		require.NoError(t, a.Tell(t.Context(), 0))
		synctest.Wait() // handling 0
		for range 3 {
			require.NoError(t, a.Tell(t.Context(), 1))
		}
		in, _ := inboxCaps(a)
		require.Greater(t, in, 1, "the inbox grew for the burst")
		close(gate)
		synctest.Wait()
		in, batch := inboxCaps(a)
		assert.LessOrEqual(t, in, 1, "an actor without a goroutine keeps one message's buffer at most")
		assert.LessOrEqual(t, batch, 1, "an actor without a goroutine keeps one message's buffer at most")
	})
}

// spawnGated spawns an actor of ints whose handler waits on the gate it returns for every 0.
func spawnGated(t *testing.T, sys *System, opts ...Option) (Actor[int], chan struct{}) {
	t.Helper()
	gate := make(chan struct{})
	a, err := Spawn(sys, "a", newCounter, func(ctx context.Context, ac *Context, s *counter, m int) {
		if m == 0 {
			<-gate
		}
	}, opts...)
	require.NoError(t, err)
	return a, gate
}

// inboxCaps returns the capacities of the inbox's two buffers: the one senders append to and the
// batch being drained.
func inboxCaps(a Actor[int]) (in, batch int) {
	st := a.m.cell.(*actor[*counter, int])
	a.m.mu.Lock()
	defer a.m.mu.Unlock()
	return cap(st.in), cap(st.batch)
}

// bufferCaps returns the capacities of the inbox's two buffers together.
func bufferCaps(a Actor[int]) int {
	in, batch := inboxCaps(a)
	return in + batch
}

// A parked goroutine keeps no handled message alive: what a message points to can be collected
// while the actor lingers.
func TestLingerKeepsNoMessageAlive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(WithLinger(time.Hour))
		defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
		a, err := Spawn(sys, "keeper", func(*Context) *int { return new(int) },
			func(_ context.Context, _ *Context, n *int, p *[64]byte) { *n += int(p[0]) })
		require.NoError(t, err)
		var collected atomic.Bool
		for range 3 { // a batch of several, then an empty mailbox
			p := &[64]byte{1}
			goruntime.AddCleanup(p, func(*atomic.Bool) { collected.Store(true) }, &collected)
			require.NoError(t, a.Tell(t.Context(), p))
		}
		synctest.Wait()
		require.True(t, isParked(a))
		for i := 0; i < 20 && !collected.Load(); i++ {
			goruntime.GC()
			synctest.Wait() // cleanups run on a goroutine of the bubble's
		}
		assert.True(t, collected.Load(), "a message handled before the goroutine parked is still reachable")
	})
}
