package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hooked is a state with every lifecycle hook; gen is the how-manieth state it is.
type hooked struct {
	j       *journal
	gen     int
	panicOn string // the hook that panics, if any
}

func (h *hooked) OnStart(*Context) {
	h.j.add("start %d", h.gen)
	if h.panicOn == "start" {
		panic("OnStart failed")
	}
}

func (h *hooked) OnReset(*Context) {
	h.j.add("reset %d", h.gen)
	if h.panicOn == "reset" {
		panic("OnReset failed")
	}
}

func (h *hooked) OnStop(ac *Context) {
	h.j.add("stop %d %v", h.gen, ac.Mailbox())
	if h.panicOn == "stop" {
		panic("OnStop failed")
	}
}

func handleHooked(_ context.Context, ac *Context, h *hooked, m int) {
	if m < 0 {
		panic("bad message")
	}
	if m == 0 {
		ac.Stop()
	}
	h.j.add("got %d", m)
	Reply(ac, m)
}

// spawnHooked spawns a hooked actor whose hook named panicOn panics in generation panicGen.
func spawnHooked(p Parent, name string, j *journal, panicOn string, panicGen int, opts ...Option) (Actor[int], error) {
	gen := 0
	return Spawn(p, name, func(*Context) *hooked {
		gen++
		h := &hooked{j: j, gen: gen}
		if gen == panicGen {
			h.panicOn = panicOn
		}
		return h
	}, handleHooked, opts...)
}

// Item 20: OnStart after each fresh state, OnReset on the old state before a Reset (and no
// OnStop), OnStop once when the actor stops.
func TestHooksRunAroundResetAndStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a, err := spawnHooked(sys, "a", j, "", 0, WithPolicy(Strategy{Decision: Reset}))
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), -1))
		require.NoError(t, a.Tell(t.Context(), 1))
		synctest.Wait()
		require.NoError(t, a.Ref().Stop(t.Context()))
		require.NoError(t, a.Ref().Stop(t.Context()), "a second stop is harmless")
		assert.Equal(t, []string{"start 1", "reset 1", "start 2", "got 1", "stop 2 []"}, j.get())
	})
}

// Item 20: a panic in OnStart is a fault with a nil message; with Stop, Spawn fails with it.
func TestOnStartPanicIsAFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		var faults []Fault
		_, err := spawnHooked(sys, "a", j, "start", 1, WithPolicy(PolicyFunc(func(ac *Context, f Fault) Directive {
			faults = append(faults, f)
			return Directive{Decision: Stop}
		})))
		require.ErrorIs(t, err, ErrFault)
		require.Len(t, faults, 1)
		assert.Nil(t, faults[0].Message)
		assert.Equal(t, "OnStart failed", faults[0].Err.Value)
	})
}

// Item 20: a panic in OnStart after a Reset goes to the policy again.
func TestOnStartPanicAfterResetGoesToPolicy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a, err := spawnHooked(sys, "a", j, "start", 2, WithPolicy(Strategy{Decision: Reset}))
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), -1))
		assert.Equal(t, 5, askInt(t, a, 5))
		assert.Equal(t, []string{"start 1", "reset 1", "start 2", "reset 2", "start 3", "got 5"}, j.get())
	})
}

// A panic in OnReset or OnStop is reported as a fault event, and the reset or stop goes on.
func TestPanicInOnResetOrOnStopIsReportedAndIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		j := &journal{}
		a, err := spawnHooked(sys, "a", j, "reset", 1, WithPolicy(Strategy{Decision: Reset}))
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), -1))
		assert.Equal(t, 1, askInt(t, a, 1))
		b, err := spawnHooked(sys, "b", j, "stop", 1)
		require.NoError(t, err)
		require.NoError(t, b.Ref().Stop(t.Context()))
		require.ErrorIs(t, b.Ref().Err(), ErrStopped)
		assert.Equal(t, []string{"fault", "decision reset", "fault", "reset"}, rec.of("/a")[1:5])
		faults := rec.kind("/b", EventFault)
		require.Len(t, faults, 1)
		require.ErrorIs(t, faults[0].Err, ErrFault)
	})
}

// Done and Err work like those of a context: Err is nil while running, then the reason.
func TestDoneAndErr(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a, err := spawnHooked(sys, "a", j, "", 0)
		require.NoError(t, err)
		requireRunning(t, a.Ref())
		require.NoError(t, a.Ref().Stop(t.Context()))
		requireDone(t, a.Ref())
		require.ErrorIs(t, a.Ref().Err(), ErrStopped)
		require.ErrorIs(t, a.Tell(t.Context(), 1), ErrStopped)
		_, err = Ask[int, int](t.Context(), a, 1)
		require.ErrorIs(t, err, ErrStopped)

		var zero Ref
		assert.True(t, zero.IsZero())
		requireDone(t, zero)
		require.ErrorIs(t, zero.Err(), ErrStopped)
		require.NoError(t, zero.Stop(t.Context()))
		var none Actor[int]
		require.ErrorIs(t, none.Tell(t.Context(), 1), ErrStopped)
		assert.True(t, none.Ref().IsZero())
	})
}

// Context.Stop stops the actor after the current message; asks queued behind it fail.
func TestContextStopStopsAfterCurrentMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a, err := spawnHooked(sys, "a", j, "", 0)
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), 0))
		synctest.Wait()
		_, err = Ask[int, int](t.Context(), a, 1)
		require.ErrorIs(t, err, ErrStopped, "a message after the stopping one is not handled")
		<-a.Ref().Done()
		require.ErrorIs(t, a.Ref().Err(), ErrStopped)
		assert.Equal(t, []string{"start 1", "got 0", "stop 1 []"}, j.get())
	})
}

// Ref.Stop honours its ctx: it returns the ctx error when the actor does not stop in time, and
// the stop still happens later.
func TestRefStopHonoursCtx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil)
		gate := make(chan struct{})
		tell(t, a, step{id: 1, gate: gate})
		synctest.Wait()
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		require.ErrorIs(t, a.Ref().Stop(ctx), context.DeadlineExceeded)
		close(gate)
		<-a.Ref().Done()
		assert.Equal(t, []string{"a start", "a got 1", "a stop []"}, j.get())
	})
}

// The context gives the actor its place in the tree.
func TestContextAccessors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		type seen struct {
			self, parent Ref
			name, path   string
			sys          *System
			children     []Ref
			child        Ref
			found        bool
		}
		var top, kid seen
		var b, a Ref
		p := mustProbe(t, sys, "p", j, func(ac *Context) {
			b = mustProbe(t, ac, "b", j, nil).Ref()
			a = mustProbe(t, ac, "a", j, func(ac *Context) {
				kid = seen{self: ac.Self(), parent: ac.Parent(), name: ac.Name(), path: ac.Path(), sys: ac.System()}
			}).Ref()
			top = seen{self: ac.Self(), parent: ac.Parent(), name: ac.Name(), path: ac.Path(), sys: ac.System(),
				children: ac.Children()}
			top.child, top.found = ac.Child("b")
			require.NotNil(t, ac.Logger())
		})
		assert.Equal(t, p.Ref(), top.self)
		assert.True(t, top.parent.IsZero(), "a top-level actor has no parent")
		assert.Equal(t, "p", top.name)
		assert.Equal(t, "/p", top.path)
		assert.Same(t, sys, top.sys)
		assert.Equal(t, []Ref{a, b}, top.children, "children are sorted by name")
		assert.True(t, top.found)
		assert.Equal(t, b, top.child)
		assert.Equal(t, p.Ref(), kid.parent)
		assert.Equal(t, "/p/a", kid.path)
		assert.Equal(t, "/p/a", a.String())
		assert.Equal(t, "a", a.Name())
		assert.Equal(t, []Ref{p.Ref()}, sys.Children())
		got, ok := sys.Child("p")
		assert.True(t, ok)
		assert.Equal(t, p.Ref(), got)
	})
}

// An empty name gets a generated one, unique among the siblings.
func TestEmptyNameGetsGeneratedName(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		x := mustProbe(t, sys, "", j, nil)
		y := mustProbe(t, sys, "", j, nil)
		assert.NotEmpty(t, x.Ref().Name())
		assert.NotEqual(t, x.Ref().Name(), y.Ref().Name())
		assert.Equal(t, "/"+x.Ref().Name(), x.Ref().Path())
	})
}

// Shutdown stops children before their parents.
func TestShutdownStopsChildrenBeforeParents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet())
		j := &journal{}
		mustProbe(t, sys, "p", j, func(ac *Context) {
			mustProbe(t, ac, "a", j, func(ac *Context) { mustProbe(t, ac, "a1", j, nil) })
			mustProbe(t, ac, "b", j, nil)
		})
		mustProbe(t, sys, "q", j, nil)
		require.NoError(t, sys.Shutdown(t.Context()))
		lines := j.get()
		at := func(s string) int {
			i := slices.Index(lines, s)
			require.GreaterOrEqual(t, i, 0, "%q in %v", s, lines)
			return i
		}
		assert.Less(t, at("a1 stop []"), at("a stop []"))
		assert.Less(t, at("a stop []"), at("p stop []"))
		assert.Less(t, at("b stop []"), at("p stop []"))
		at("q stop []")
		assert.Empty(t, sys.Children())
	})
}

// Shutdown lets a running handler finish, fails the queued asks at once, and returns once
// everything has stopped.
func TestShutdownFinishesInFlightAndFailsQueuedAsks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet())
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil)
		gate := make(chan struct{})
		first := make(chan error, 1)
		go func() {
			_, err := Ask[step, int](t.Context(), a, step{id: 1, gate: gate})
			first <- err
		}()
		synctest.Wait()
		queued := make(chan error, 1)
		go func() {
			_, err := Ask[step, int](t.Context(), a, step{id: 2})
			queued <- err
		}()
		synctest.Wait()
		shut := make(chan error, 1)
		go func() { shut <- sys.Shutdown(context.Background()) }()
		synctest.Wait()
		select {
		case <-shut:
			require.Fail(t, "Shutdown returned while a handler runs")
		default:
		}
		close(gate)
		require.NoError(t, <-shut)
		require.NoError(t, <-first, "the in-flight ask is answered")
		require.ErrorIs(t, <-queued, ErrStopped)
		assert.Equal(t, []string{"a start", "a got 1", "a stop [2]"}, j.get())
		require.NoError(t, sys.Shutdown(t.Context()), "a second call is harmless")
	})
}

// Shutdown honours its ctx.
func TestShutdownHonoursCtx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet())
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil)
		gate := make(chan struct{})
		tell(t, a, step{id: 1, gate: gate})
		synctest.Wait()
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		require.ErrorIs(t, sys.Shutdown(ctx), context.DeadlineExceeded)
		close(gate)
		require.NoError(t, sys.Shutdown(t.Context()))
	})
}

// After Shutdown nothing can be spawned at the top level, nor sent.
func TestSpawnAfterShutdownFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet())
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil)
		require.NoError(t, sys.Shutdown(t.Context()))
		_, err := spawnProbe(sys, "b", j, nil)
		require.ErrorIs(t, err, ErrStopped)
		_, err = SpawnTether(sys, "t", 1, time.Second)
		require.ErrorIs(t, err, ErrStopped)
		require.ErrorIs(t, a.Tell(t.Context(), step{id: 1}), ErrStopped)
	})
}

// A stopping actor takes no new children.
func TestSpawnUnderStoppedParentFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		var ac *Context
		a, err := Spawn(sys, "a", func(c *Context) struct{} { ac = c; return struct{}{} },
			func(context.Context, *Context, struct{}, int) {})
		require.NoError(t, err)
		require.NoError(t, a.Ref().Stop(t.Context()))
		_, err = spawnProbe(ac, "late", &journal{}, nil)
		require.ErrorIs(t, err, ErrStopped)
	})
}

// Events: the hook sees what happens to an actor, in order.
func TestEventsReportFaultDecisionResetStopped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		policy := Stateful(0, func(n int, _ *Context, _ Fault) (int, Directive) {
			if n == 0 {
				return 1, Directive{Decision: Reset, Delay: time.Second}
			}
			return 2, Directive{Decision: Stop}
		})
		a, err := Spawn(sys, "a", newCounter, handleCount, WithPolicy(policy))
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), -1))
		assert.Equal(t, 1, askInt(t, a, 1))
		require.NoError(t, a.Tell(t.Context(), -1))
		<-a.Ref().Done()
		assert.Equal(t, []string{"started", "fault", "decision reset", "reset", "fault", "decision stop", "stopped"},
			rec.of("/a"))
		d := rec.kind("/a", EventDecision)
		require.Len(t, d, 2)
		assert.Equal(t, time.Second, d[0].Delay)
		assert.Equal(t, "/a: decision reset after 1s: actor /a: actor fault: bad message -1", d[0].String())
		stopped := rec.kind("/a", EventStopped)
		require.Len(t, stopped, 1)
		require.ErrorIs(t, stopped[0].Err, ErrFault)
	})
}

// The names of decisions, overflows and event kinds are those of the directives and logs.
func TestNames(t *testing.T) {
	assert.Equal(t, []string{"stop", "stop-all", "reset", "reset-all", "resume", "escalate", "Decision(6)"},
		[]string{Stop.String(), StopAll.String(), Reset.String(), ResetAll.String(), Resume.String(),
			Escalate.String(), Decision(6).String()})
	assert.Equal(t, []string{"block", "drop", "fail", "Overflow(3)"},
		[]string{OverflowBlock.String(), OverflowDrop.String(), OverflowFail.String(), Overflow(3).String()})
	assert.Equal(t, "tether cut", EventTetherCut.String())
	assert.Equal(t, "keeper retry", EventKeeperRetry.String())
	assert.Equal(t, "EventKind(0)", EventKind(0).String())
}

// lockedBuffer is a log sink that actors' goroutines can share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// With a logger that is enabled, faults, decisions and resets are logged with the actor's path,
// ResetAll siblings included.
func TestLoggerGetsFaultsAndDecisions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := &lockedBuffer{}
		sys := NewSystem(WithLogger(slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelInfo}))))
		j := &journal{}
		var a Actor[step]
		mustProbe(t, sys, "p", j, func(ac *Context) {
			a = mustProbe(t, ac, "a", j, nil, WithPolicy(Strategy{Decision: ResetAll, Delay: time.Second}))
			mustProbe(t, ac, "b", j, nil)
		})
		tell(t, a, step{id: 1, boom: true})
		time.Sleep(time.Second)
		synctest.Wait()
		require.NoError(t, sys.Shutdown(t.Context()))
		log := out.String()
		assert.Contains(t, log, `level=ERROR msg="actor fault" actor=/p/a err="actor /p/a: actor fault: boom 1" stack="goroutine`)
		assert.Contains(t, log, `level=INFO msg="actor decision" actor=/p/a decision=reset-all delay=1s`)
		assert.Contains(t, log, `level=INFO msg="actor reset" actor=/p/b`)
		assert.NotContains(t, log, "msg=\"actor started\"", "debug events are below the level")
	})
}

// A factory that stops its own actor: the actor stops once Spawn has returned.
func TestFactoryThatStopsItsActor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		a, err := Spawn(sys, "a", func(ac *Context) *counter { ac.Stop(); return &counter{} }, handleCount)
		require.NoError(t, err)
		<-a.Ref().Done()
		require.ErrorIs(t, a.Ref().Err(), ErrStopped)
	})
}

// Many senders racing a stop: every send either is accepted or fails with ErrStopped, every
// ask is answered or fails with ErrStopped, and nothing hangs.
func TestSendersRacingStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		a, err := Spawn(sys, "a", newCounter, handleCount)
		require.NoError(t, err)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for i := range 200 {
					if i%2 == 0 {
						err := a.Tell(context.Background(), 1)
						if err != nil {
							assert.ErrorIs(t, err, ErrStopped)
						}
						continue
					}
					if _, err := Ask[int, int](context.Background(), a, 1); err != nil {
						assert.ErrorIs(t, err, ErrStopped)
					}
				}
			})
		}
		require.NoError(t, a.Ref().Stop(context.Background()))
		wg.Wait()
	})
}

// A stop asked for while an actor takes its first fault decision is race-free: the decision
// applies, then the actor stops.
func TestStopRacingFirstFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		gate := make(chan struct{})
		deciding := make(chan struct{})
		a, err := Spawn(sys, "a", newCounter, handleCount, WithPolicy(PolicyFunc(func(*Context, Fault) Directive {
			close(deciding)
			<-gate
			return Directive{Decision: Resume}
		})))
		require.NoError(t, err)
		require.NoError(t, a.Tell(context.Background(), -1))
		<-deciding
		stopped := make(chan error, 1)
		go func() { stopped <- a.Ref().Stop(context.Background()) }()
		synctest.Wait()
		close(gate)
		require.NoError(t, <-stopped)
		require.ErrorIs(t, a.Ref().Err(), ErrStopped)
	})
}

// Stops from other goroutines racing actors' first faults: under -race this catches unguarded
// writes to the state that both sides touch; every actor ends stopped.
func TestStopConcurrentWithFirstFaultIsRaceFree(t *testing.T) {
	sys := NewSystem(quiet())
	refs := make([]Ref, 0, 2000)
	var wg sync.WaitGroup
	for range cap(refs) {
		a, err := Spawn(sys, "", newCounter, handleCount, WithPolicy(Strategy{Decision: Resume}))
		require.NoError(t, err)
		require.NoError(t, a.Tell(context.Background(), -1))
		wg.Go(func() { assert.NoError(t, a.Ref().Stop(context.Background())) })
		refs = append(refs, a.Ref())
	}
	wg.Wait()
	for _, r := range refs {
		require.ErrorIs(t, r.Err(), ErrStopped)
	}
	require.NoError(t, sys.Shutdown(context.Background()))
}

// Once Done is closed the actor is gone: its name is free under its parent. The event hook,
// which runs on the stopping actor's goroutine, holds the actor at its EventStopped to look
// inside the moment between its stop and its removal.
func TestNameFreeOnceDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hold := make(chan struct{})
		held := make(chan struct{})
		var once sync.Once
		sys := NewSystem(quiet(), WithEventHook(func(e Event) {
			if e.Kind == EventStopped && e.Path == "/a" {
				once.Do(func() {
					close(held)
					<-hold
				})
			}
		}))
		defer func() { require.NoError(t, sys.Shutdown(t.Context())) }()
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil)
		tell(t, a, step{id: 1, boom: true}) // stops it; Done was never asked for before
		<-held
		synctest.Wait()
		select {
		case <-a.Ref().Done():
			_, err := spawnProbe(sys, "a", j, nil)
			assert.NoError(t, err, "Done is closed, so the name must be free")
		default:
		}
		close(hold)
		<-a.Ref().Done()
		_, err := spawnProbe(sys, "a", j, nil)
		require.NoError(t, err)
	})
}

// goexitOnStop is a state whose OnStop calls runtime.Goexit.
type goexitOnStop struct{}

func (goexitOnStop) OnStop(*Context) { goruntime.Goexit() }

// runtime.Goexit in OnStop does not leave the actor half-stopped: it stops, and Shutdown returns.
func TestGoexitInOnStopStillStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet())
		a, err := Spawn(sys, "a", func(*Context) goexitOnStop { return goexitOnStop{} },
			func(context.Context, *Context, goexitOnStop, int) {})
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		require.NoError(t, a.Ref().Stop(ctx))
		require.Error(t, a.Ref().Err())
		require.NoError(t, sys.Shutdown(ctx))
	})
}

// A generated name never collides with a name given by hand, which may not begin with '$'.
func TestGeneratedNamesNeverCollide(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		_, err := spawnProbe(sys, "$1", j, nil)
		require.ErrorIs(t, err, ErrInvalidOption)
		mustProbe(t, sys, "a1", j, nil)
		a, err := spawnProbe(sys, "", j, nil)
		require.NoError(t, err, "an empty name always gets a free one")
		assert.Equal(t, "$1", a.Ref().Name())
		b, err := spawnProbe(sys, "", j, nil)
		require.NoError(t, err)
		assert.Equal(t, "$2", b.Ref().Name())
	})
}

// A Shutdown whose ctx ends while a handler blocks stops admitting messages to the whole tree
// at once, says which actors were still running, and the rest of the stop goes on by itself
// once the handler returns.
func TestShutdownThatTimesOutClosesTheTreeAndNamesWhatRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := NewSystem(quiet())
		j := &journal{}
		var c Actor[step]
		a := mustProbe(t, sys, "a", j, func(ac *Context) {
			c = mustProbe(t, ac, "c", j, nil)
		})
		mustProbe(t, sys, "b", j, nil)
		gate := make(chan struct{})
		tell(t, a, step{id: 1, gate: gate})
		synctest.Wait()
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		err := sys.Shutdown(ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "still running: /a")
		assert.NotContains(t, err.Error(), "/b", "b had stopped")
		require.ErrorIs(t, c.Tell(t.Context(), step{id: 2}), ErrStopped, "the subtree admits nothing")
		require.ErrorIs(t, a.Tell(t.Context(), step{id: 3}), ErrStopped)
		close(gate)
		synctest.Wait()
		requireDone(t, a.Ref())
		requireDone(t, c.Ref())
		assert.NotContains(t, j.get(), "c got 2")
		require.NoError(t, sys.Shutdown(t.Context()))
	})
}

// Children spawned in OnReset do not survive the reset: they are stopped with the children the
// old state had, before the factory builds the new state.
func TestChildrenSpawnedInOnResetAreStopped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		var late Ref
		a, err := Spawn(sys, "a", func(*Context) *resetSpawner { return &resetSpawner{late: &late} },
			func(_ context.Context, ac *Context, _ *resetSpawner, m int) {
				if m < 0 {
					panic("bad")
				}
				Reply(ac, len(ac.Children()))
			}, WithPolicy(Strategy{Decision: Reset}))
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), -1))
		synctest.Wait()
		require.False(t, late.IsZero())
		requireDone(t, late)
		v, err := Ask[int, int](t.Context(), a, 0)
		require.NoError(t, err)
		assert.Zero(t, v)
	})
}

// resetSpawner is a state whose OnReset spawns a child.
type resetSpawner struct{ late *Ref }

func (r *resetSpawner) OnReset(ac *Context) {
	c, err := Spawn(ac, "late", newCounter, handleCount)
	if err == nil {
		*r.late = c.Ref()
	}
}

// A fault is logged once, at Error, with the panic's stack, so that a handler bug leaves
// something to debug with.
func TestFaultIsLoggedOnceWithItsStack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := &lockedBuffer{}
		sys := NewSystem(WithLogger(slog.New(slog.NewJSONHandler(out, nil))))
		a, err := Spawn(sys, "a", newCounter, handleCount, WithPolicy(Strategy{Decision: Resume}))
		require.NoError(t, err)
		_, err = Ask[int, int](t.Context(), a, -1)
		require.ErrorIs(t, err, ErrFault)
		require.NoError(t, sys.Shutdown(t.Context()))
		var faults []map[string]any
		for line := range strings.Lines(out.String()) {
			var rec map[string]any
			require.NoError(t, json.Unmarshal([]byte(line), &rec))
			if rec["msg"] == "actor fault" {
				faults = append(faults, rec)
			}
		}
		require.Len(t, faults, 1)
		assert.Equal(t, "ERROR", faults[0]["level"])
		stack, _ := faults[0]["stack"].(string)
		assert.Contains(t, stack, "handleCount", "the stack names the handler that panicked")
	})
}

// Context.Children and System.Children list the children sorted by name, and follow spawns and
// stops; asking twice without a change costs no sort.
func TestChildrenAreSortedAndCurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		names := func() []string {
			var out []string
			for _, r := range sys.Children() {
				out = append(out, r.Name())
			}
			return out
		}
		for _, n := range []string{"c", "a", "b"} {
			mustProbe(t, sys, n, &journal{}, nil)
		}
		assert.Equal(t, []string{"a", "b", "c"}, names())
		assert.Equal(t, []string{"a", "b", "c"}, names())
		b, _ := sys.Child("b")
		require.NoError(t, b.Stop(t.Context()))
		assert.Equal(t, []string{"a", "c"}, names())
		mustProbe(t, sys, "aa", &journal{}, nil)
		assert.Equal(t, []string{"a", "aa", "c"}, names())
		kids := sys.Children()
		kids[0] = Ref{} // the caller's copy
		assert.Equal(t, []string{"a", "aa", "c"}, names())
	})
}
