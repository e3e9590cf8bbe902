package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// calcMsg is a hand-written tagged union, as generated code writes one: kind says which method
// the message calls.
type calcMsg struct {
	kind calcMethod
	n    int
}

type calcMethod uint8

const (
	calcAdd calcMethod = iota
	calcGet
	calcCrash
	calcMute
)

func (m calcMsg) methodIndex() int { return int(m.kind) }

// calcInterface is built once, as generated code builds its interface's description.
var calcInterface = WithInterface(Interface[calcMsg]{
	Name: "Calc",
	Methods: []Method{
		{Name: "Add", Kind: KindTell},
		{Name: "Get", Kind: KindAsk},
		{Name: "Crash", Kind: KindTell},
		{Name: "Mute", Kind: KindAsk},
	},
	Index: calcMsg.methodIndex,
})

type calc struct{ sum int }

type hookKey struct{}

func handleCalc(ctx context.Context, ac *Context, s *calc, m calcMsg) {
	switch m.kind {
	case calcAdd:
		s.sum += m.n
	case calcGet:
		v, _ := ctx.Value(hookKey{}).(string)
		Reply(ac, fmt.Sprintf("%d %s", s.sum, v))
	case calcCrash:
		panic("crash")
	case calcMute: // returns without replying
	}
}

func spawnCalc(t *testing.T, p Parent, name string, opts ...Option) Actor[calcMsg] {
	t.Helper()
	a, err := Spawn(p, name, func(*Context) *calc { return &calc{} }, handleCalc, append([]Option{calcInterface}, opts...)...)
	require.NoError(t, err)
	return a
}

// lines is a record of lines that goroutines add to and a test reads.
type lines struct {
	mu    sync.Mutex
	lines []string
}

func (l *lines) add(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *lines) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

// hookLog records what a Hook is told, and puts a value in the handler's ctx.
type hookLog struct{ lines }

func (h *hookLog) Begin(ctx context.Context, m MessageInfo) context.Context {
	h.add("begin %s %s.%s %s", m.Actor.Path(), m.Interface, m.Method, m.Kind)
	return context.WithValue(ctx, hookKey{}, "traced")
}

func (h *hookLog) End(ctx context.Context, m MessageInfo, o Outcome, err error) {
	v, _ := ctx.Value(hookKey{}).(string)
	h.add("end %s %s.%s %s %s %s err=%v", m.Actor.Path(), m.Interface, m.Method, m.Kind, o, v, err != nil)
}

func quietSystem(t *testing.T, opts ...SystemOption) *System {
	t.Helper()
	sys := NewSystem(append([]SystemOption{WithLogger(slog.New(slog.DiscardHandler))}, opts...)...)
	t.Cleanup(func() { require.NoError(t, sys.Shutdown(context.Background())) })
	return sys
}

// The hook sees every message handled, with its interface, method and kind, and the outcome;
// the ctx Begin returns is the handler's, and End's.
func TestHookNamesMessagesAndOutcomes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hookLog{}
		sys := quietSystem(t, WithHook(h))
		a := spawnCalc(t, sys, "c", WithPolicy(Strategy{Decision: Resume}))
		ctx := t.Context()
		require.NoError(t, a.Tell(ctx, calcMsg{kind: calcAdd, n: 2}))
		got, err := Ask[calcMsg, string](ctx, a, calcMsg{kind: calcGet})
		require.NoError(t, err)
		assert.Equal(t, "2 traced", got, "the handler got Begin's ctx")
		_, err = Ask[calcMsg, string](ctx, a, calcMsg{kind: calcMute})
		require.ErrorIs(t, err, ErrNoReply)
		require.NoError(t, a.Tell(ctx, calcMsg{kind: calcCrash}))
		synctest.Wait()
		_, err = Ask[calcMsg, string](context.Background(), a, calcMsg{kind: calcMethod(9)})
		require.ErrorIs(t, err, ErrNoReply, "a message outside the methods names none")
		assert.Equal(t, []string{
			"begin /c Calc.Add tell",
			"end /c Calc.Add tell ok traced err=false",
			"begin /c Calc.Get ask",
			"end /c Calc.Get ask ok traced err=false",
			"begin /c Calc.Mute ask",
			"end /c Calc.Mute ask no_reply traced err=false",
			"begin /c Calc.Crash tell",
			"end /c Calc.Crash tell fault traced err=true",
			"begin /c Calc. ask",
			"end /c Calc. ask no_reply traced err=false",
		}, h.get())
	})
}

// An actor spawned without WithInterface reports no names; one with a name only, that name.
func TestHookUntypedActors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hookLog{}
		sys := quietSystem(t, WithHook(h))
		a, err := Spawn(sys, "plain", newCounter, handleCount)
		require.NoError(t, err)
		b, err := Spawn(sys, "named", newCounter, handleCount, WithInterface(Interface[int]{Name: "Counter"}))
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), 1))
		synctest.Wait()
		require.NoError(t, b.Tell(t.Context(), 1))
		synctest.Wait()
		assert.Equal(t, []string{
			"begin /plain . tell", "end /plain . tell ok traced err=false",
			"begin /named Counter. tell", "end /named Counter. tell ok traced err=false",
		}, h.get())
	})
}

// A description of another message type fails Spawn, and so does a method without a kind.
func TestWithInterfaceChecks(t *testing.T) {
	sys := quietSystem(t)
	_, err := Spawn(sys, "x", newCounter, handleCount, calcInterface)
	require.ErrorIs(t, err, ErrInvalidOption)
	assert.Contains(t, err.Error(), "WithInterface(Calc) is for messages of type runtime.calcMsg, not int")
	_, err = Spawn(sys, "y", newCounter, handleCount, WithInterface(Interface[int]{Name: "N", Methods: []Method{{Name: "M"}}}))
	require.ErrorIs(t, err, ErrInvalidOption)
	assert.Contains(t, err.Error(), "method N.M has no kind")
}

// Spawning with a package-level WithInterface and no other option allocates what spawning
// without options does.
func TestWithInterfaceSpawnAllocations(t *testing.T) {
	sys := quietSystem(t)
	factory := func(*Context) *calc { return &calc{} }
	plain := testing.AllocsPerRun(1000, func() {
		if _, err := Spawn(sys, "", factory, handleCalc); err != nil {
			t.Fatal(err)
		}
	})
	typed := testing.AllocsPerRun(1000, func() {
		if _, err := Spawn(sys, "", factory, handleCalc, calcInterface); err != nil {
			t.Fatal(err)
		}
	})
	assert.Equal(t, plain, typed)
	assert.LessOrEqual(t, typed, 3.0)
}

// A hook that panics in Begin is a fault of the actor, as a handler's panic is.
func TestHookPanicIsAFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := quietSystem(t, WithHook(panicHook{}))
		a := spawnCalc(t, sys, "c")
		_, err := Ask[calcMsg, string](t.Context(), a, calcMsg{kind: calcGet})
		require.ErrorIs(t, err, ErrFault)
		<-a.Ref().Done()
	})
}

type panicHook struct{}

func (panicHook) Begin(context.Context, MessageInfo) context.Context { panic("begin") }
func (panicHook) End(context.Context, MessageInfo, Outcome, error)   { panic("end") }

// With metrics, each method's messages are counted by outcome and, with SampleEvery 1, all
// timed; the counters of rare events are kept with or without metrics.
func TestMetricsCount(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := quietSystem(t, WithMetrics(MetricsOptions{SampleEvery: 1}))
		a := spawnCalc(t, sys, "c", WithPolicy(Strategy{Decision: Reset}))
		ctx := t.Context()
		for range 5 {
			require.NoError(t, a.Tell(ctx, calcMsg{kind: calcAdd, n: 1}))
		}
		time.Sleep(time.Millisecond)
		_, err := Ask[calcMsg, string](ctx, a, calcMsg{kind: calcGet})
		require.NoError(t, err)
		_, err = Ask[calcMsg, string](ctx, a, calcMsg{kind: calcMute})
		require.ErrorIs(t, err, ErrNoReply)
		require.NoError(t, a.Tell(ctx, calcMsg{kind: calcCrash}))
		synctest.Wait()
		require.NoError(t, a.Ref().Stop(ctx))
		_, err = Ask[calcMsg, string](ctx, a, calcMsg{kind: calcGet})
		require.ErrorIs(t, err, ErrStopped)

		stats := sys.Stats()
		require.Len(t, stats, 2)
		assert.Equal(t, "", stats[0].Interface)
		c := stats[1]
		assert.Equal(t, "Calc", c.Interface)
		assert.Equal(t, int64(0), c.Live)
		assert.Equal(t, uint64(1), c.Spawned)
		assert.Equal(t, uint64(1), c.Faults)
		assert.Equal(t, uint64(1), c.Resets)
		assert.Equal(t, uint64(1), c.Stops)
		assert.Equal(t, uint64(2), c.AsksFailedFast, "the one without reply, the one to a stopped actor")
		require.Len(t, c.Methods, 5)
		add := c.Methods[0]
		assert.Equal(t, "Add", add.Method)
		assert.Equal(t, KindTell, add.Kind)
		assert.Equal(t, [numOutcomes]uint64{5, 0, 0}, add.Handled)
		assert.Equal(t, uint64(5), add.HandleTime.Count)
		assert.Equal(t, uint64(5), add.MailboxTime.Count)
		assert.Equal(t, [numOutcomes]uint64{1, 0, 0}, c.Methods[1].Handled)
		assert.Equal(t, [numOutcomes]uint64{0, 1, 0}, c.Methods[2].Handled)
		assert.Equal(t, [numOutcomes]uint64{0, 0, 1}, c.Methods[3].Handled)
		assert.Equal(t, "", c.Methods[4].Method)
	})
}

// Without WithMetrics only the counters of rare events are kept.
func TestStatsWithoutMetrics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := quietSystem(t)
		a := spawnCalc(t, sys, "c")
		require.NoError(t, a.Tell(t.Context(), calcMsg{kind: calcCrash}))
		<-a.Ref().Done()
		stats := sys.Stats()
		require.Len(t, stats, 2)
		assert.Equal(t, uint64(1), stats[1].Faults)
		assert.Equal(t, uint64(1), stats[1].Stops)
		assert.Nil(t, stats[1].Methods)
	})
}

// Each timed message's mailbox time is its own, across the batches the drain loop swaps: two
// messages queued at 0 s and 1 s behind a handler busy until 2 s wait 2 s and 1 s, and one
// told to the idle actor afterwards waits nothing.
func TestMailboxTimeIsEachMessagesOwn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := quietSystem(t, WithMetrics(MetricsOptions{SampleEvery: 1}))
		gate := make(chan struct{})
		a, err := Spawn(sys, "c", func(*Context) *calc { return &calc{} },
			func(ctx context.Context, ac *Context, s *calc, m calcMsg) {
				if m.kind == calcMute {
					<-gate
				}
				handleCalc(ctx, ac, s, m)
			}, calcInterface)
		require.NoError(t, err)
		ctx := t.Context()
		require.NoError(t, a.Tell(ctx, calcMsg{kind: calcMute}))
		synctest.Wait() // the handler holds the actor
		require.NoError(t, a.Tell(ctx, calcMsg{kind: calcAdd, n: 1}))
		time.Sleep(time.Second)
		require.NoError(t, a.Tell(ctx, calcMsg{kind: calcAdd, n: 1}))
		time.Sleep(time.Second)
		close(gate)
		synctest.Wait()
		add := sys.Stats()[1].Methods[calcAdd]
		assert.Equal(t, uint64(2), add.MailboxTime.Count)
		assert.Equal(t, 3*time.Second, add.MailboxTime.Sum)

		time.Sleep(time.Second)
		require.NoError(t, a.Tell(ctx, calcMsg{kind: calcAdd, n: 1}))
		synctest.Wait()
		add = sys.Stats()[1].Methods[calcAdd]
		assert.Equal(t, uint64(3), add.MailboxTime.Count)
		assert.Equal(t, 3*time.Second, add.MailboxTime.Sum)
		assert.Equal(t, time.Duration(0), sys.Stats()[1].Methods[calcMute].MailboxTime.Sum)
	})
}

// Timing 1 message in N times about 1 in N.
func TestMetricsSampling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := quietSystem(t, WithMetrics(MetricsOptions{SampleEvery: 5})) // rounded up to 8
		a := spawnCalc(t, sys, "c")
		for range 800 {
			require.NoError(t, a.Tell(t.Context(), calcMsg{kind: calcAdd, n: 1}))
		}
		synctest.Wait()
		m := sys.Stats()[1].Methods[0]
		assert.Equal(t, uint64(800), m.Handled[OutcomeOK])
		assert.Equal(t, uint64(100), m.MailboxTime.Count)
		assert.Equal(t, uint64(100), m.HandleTime.Count)
	})
}

// Tells allocate nothing with metrics on or with a hook that allocates nothing.
func TestObservedTellsDoNotAllocate(t *testing.T) {
	for name, opt := range map[string]SystemOption{
		"metrics": WithMetrics(MetricsOptions{SampleEvery: 1}),
		"hook":    WithHook(nopHook{}),
		"none":    nil,
	} {
		t.Run(name, func(t *testing.T) {
			sys := quietSystem(t, opt, WithLinger(time.Hour))
			a := spawnCalc(t, sys, "c")
			ctx := context.Background()
			for range 2000 { // grow the buffers
				_ = a.Tell(ctx, calcMsg{kind: calcAdd, n: 1})
			}
			allocs := testing.AllocsPerRun(10000, func() { _ = a.Tell(ctx, calcMsg{kind: calcAdd, n: 1}) })
			assert.Less(t, allocs, 0.01)
		})
	}
}

type nopHook struct{}

func (nopHook) Begin(ctx context.Context, _ MessageInfo) context.Context { return ctx }
func (nopHook) End(context.Context, MessageInfo, Outcome, error)         {}

// Histogram quantiles are bucket bounds.
func TestHistogram(t *testing.T) {
	var h histogram
	for _, d := range []int64{0, 1, 3, 100, 1000, 1 << 50} {
		h.record(d)
	}
	s := h.snapshot()
	assert.Equal(t, uint64(6), s.Count)
	assert.Equal(t, uint64(1), s.Buckets[0])
	assert.Equal(t, uint64(1), s.Buckets[1])
	assert.Equal(t, uint64(1), s.Buckets[2])
	assert.Equal(t, uint64(1), s.Buckets[histBuckets-1])
	assert.Equal(t, 128*time.Nanosecond, s.Quantile(0.6))
	assert.Equal(t, time.Duration(0), Histogram{}.Quantile(0.5))
}

// Walk sees every actor, with its state, mailbox, counts, last fault and policy.
func TestWalk(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := quietSystem(t, WithLinger(0))
		release := make(chan struct{})
		parent, err := Spawn(sys, "parent", func(ac *Context) *calc {
			_, err := Spawn(ac, "kid", newCounter, handleCount)
			require.NoError(t, err)
			return &calc{}
		}, func(_ context.Context, _ *Context, _ *calc, m int) {
			if m == 1 {
				<-release
			}
			if m == 2 {
				panic("two")
			}
		}, WithPolicy(Strategy{Decision: Resume}))
		require.NoError(t, err)
		ctx := t.Context()
		require.NoError(t, parent.Tell(ctx, 2))
		synctest.Wait()
		require.NoError(t, parent.Tell(ctx, 1))
		for range 3 {
			require.NoError(t, parent.Tell(ctx, 0))
		}
		synctest.Wait()
		spawnCalc(t, sys, "calc")

		byPath := map[string]ActorInfo{}
		sys.Walk(func(i ActorInfo) bool {
			byPath[i.Path] = i
			return true
		})
		require.Len(t, byPath, 3)
		p := byPath["/parent"]
		assert.Equal(t, StateRunning, p.State)
		assert.Equal(t, 4, p.Mailbox, "three queued and the one its handler holds, of the same batch")
		assert.Equal(t, uint64(1), p.Faults)
		assert.Contains(t, p.LastFault.Err, "two")
		assert.Equal(t, 1, p.Children)
		assert.Equal(t, "resume", PolicyString(p.Policy))
		assert.Equal(t, StateIdle, byPath["/parent/kid"].State)
		assert.Equal(t, "Calc", byPath["/calc"].Interface)
		assert.Equal(t, "stop", PolicyString(byPath["/calc"].Policy))

		n := 0
		sys.Walk(func(ActorInfo) bool { n++; return false })
		assert.Equal(t, 1, n, "Walk stops when fn returns false")

		kid, ok := sys.Lookup("/parent/kid")
		require.True(t, ok)
		info, ok := kid.Info()
		require.True(t, ok)
		assert.Equal(t, "/parent/kid", info.Path)
		_, ok = sys.Lookup("/parent/nobody")
		assert.False(t, ok)
		_, ok = sys.Lookup("")
		assert.False(t, ok)
		assert.Equal(t, []string{"kid"}, names(parent.Ref().Children()))

		close(release)
		synctest.Wait()
		info, _ = parent.Ref().Info()
		assert.Equal(t, 0, info.Mailbox)
		assert.Equal(t, uint64(5), info.Handled)
	})
}

func names(refs []Ref) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.Name())
	}
	return out
}

// PolicyString spells strategies as the directive does.
func TestPolicyString(t *testing.T) {
	assert.Equal(t, "reset backoff=100ms..10s jitter=0.2 max=10/1m0s",
		PolicyString(Strategy{Decision: Reset, BackoffMin: 100 * time.Millisecond, BackoffMax: 10 * time.Second, Jitter: 0.2, MaxFaults: 10, Period: time.Minute}))
	assert.Equal(t, "stop max=3/1s", PolicyString(Limit(Strategy{}, 3, time.Second)))
	assert.Equal(t, "runtime.funcPolicy", PolicyString(PolicyFunc(func(*Context, Fault) Directive { return Directive{} })))
}

// Subscribers get the events they asked for; a full subscriber loses events, counted, and
// never holds up the actor.
func TestSubscribe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := quietSystem(t)
		faults := sys.Subscribe(10, EventFault)
		slow := sys.Subscribe(1)
		a := spawnCalc(t, sys, "c", WithPolicy(Strategy{Decision: Resume}))
		for range 3 {
			require.NoError(t, a.Tell(t.Context(), calcMsg{kind: calcCrash}))
		}
		synctest.Wait()
		for range 3 {
			e := <-faults.Events()
			assert.Equal(t, EventFault, e.Kind)
			assert.Equal(t, "/c", e.Path)
			assert.False(t, e.Time.IsZero())
		}
		assert.Len(t, slow.Events(), 1)
		assert.Equal(t, uint64(6), slow.Dropped(), "started, then 3 faults and 3 decisions, one kept")
		faults.Close()
		slow.Close()
		slow.Close()
		require.NoError(t, a.Tell(t.Context(), calcMsg{kind: calcCrash}))
		synctest.Wait()
		assert.Empty(t, faults.Events())
		assert.Equal(t, uint64(0), faults.Dropped())
	})
}

// Tethers and keepers name themselves, and their cuts and retries are counted.
func TestTetherAndKeeperStats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := quietSystem(t)
		tt, err := SpawnTether(sys, "t", 0, time.Second)
		require.NoError(t, err)
		tries := 0
		_, err = SpawnKeeper(sys, "k", tt, func(ctx context.Context, t *Tether) (Ref, error) {
			tries++
			if tries == 1 {
				return Ref{}, errors.New("not yet")
			}
			a, err := Spawn(t, "c", func(*Context) *calc { return &calc{} }, handleCalc, calcInterface)
			if err == nil {
				_ = a.Tell(ctx, calcMsg{kind: calcCrash})
			}
			return a.Ref(), err
		}, KeeperSchedule{First: time.Millisecond, Sweep: time.Second})
		require.NoError(t, err)
		time.Sleep(1500 * time.Millisecond)
		synctest.Wait()
		byName := map[string]TypeStats{}
		for _, s := range sys.Stats() {
			byName[s.Interface] = s
		}
		assert.Equal(t, uint64(1), byName[KeeperInterface].KeeperRetries)
		assert.Equal(t, uint64(1), byName[TetherInterface].TetherCuts)
		assert.Equal(t, uint64(1), byName["Calc"].Faults)
		info, _ := tt.Ref().Info()
		assert.True(t, info.Tether)
		assert.Equal(t, TetherInterface, info.Interface)
	})
}

// Ref.Reset rebuilds the state and keeps the mailbox; it does nothing to a stopped actor.
func TestRefReset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		a := spawnCalc(t, sys, "c")
		require.NoError(t, a.Tell(t.Context(), calcMsg{kind: calcAdd, n: 5}))
		synctest.Wait()
		a.Ref().Reset()
		synctest.Wait()
		got, err := Ask[calcMsg, string](t.Context(), a, calcMsg{kind: calcGet})
		require.NoError(t, err)
		assert.Equal(t, "0 ", got)
		assert.Equal(t, []string{"started", "reset"}, rec.of("/c"))
		info, _ := a.Ref().Info()
		assert.Equal(t, uint64(1), info.Resets)
		require.NoError(t, a.Ref().Stop(t.Context()))
		a.Ref().Reset()
		Ref{}.Reset()
	})
}

// spawnCalcGenerated spawns as generated code does: the interface option first, then the
// caller's.
func spawnCalcGenerated(p Parent, name string, factory func(*Context) *calc, opts ...Option) (Actor[calcMsg], error) {
	opts = append([]Option{calcInterface}, opts...)
	return Spawn(p, name, factory, handleCalc, opts...)
}

// A spawn the way generated code makes it allocates what a spawn without options does.
func TestGeneratedStyleSpawnAllocations(t *testing.T) {
	sys := quietSystem(t)
	factory := func(*Context) *calc { return &calc{} }
	plain := testing.AllocsPerRun(1000, func() {
		if _, err := Spawn(sys, "", factory, handleCalc); err != nil {
			t.Fatal(err)
		}
	})
	generated := testing.AllocsPerRun(1000, func() {
		if _, err := spawnCalcGenerated(sys, "", factory); err != nil {
			t.Fatal(err)
		}
	})
	assert.Equal(t, plain, generated)
}

// Messages that are counted and not timed (all but 1 in SampleEvery) are counted by method and
// outcome as timed ones are, across runs of one method, asks without a reply and faults.
func TestMetricsCountUntimed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := quietSystem(t, WithMetrics(MetricsOptions{SampleEvery: 1 << 20}))
		a := spawnCalc(t, sys, "c", WithPolicy(Strategy{Decision: Resume}))
		ctx := t.Context()
		add := func(n int) {
			for range n {
				require.NoError(t, a.Tell(ctx, calcMsg{kind: calcAdd, n: 1}))
			}
		}
		add(3)
		_, err := Ask[calcMsg, string](ctx, a, calcMsg{kind: calcGet})
		require.NoError(t, err)
		add(2)
		_, err = Ask[calcMsg, string](ctx, a, calcMsg{kind: calcMute})
		require.ErrorIs(t, err, ErrNoReply)
		add(1)
		require.NoError(t, a.Tell(ctx, calcMsg{kind: calcCrash}))
		add(2)
		got, err := Ask[calcMsg, string](ctx, a, calcMsg{kind: calcGet})
		require.NoError(t, err)
		assert.Equal(t, "8 ", got)
		synctest.Wait()

		c := sys.Stats()[1]
		assert.Equal(t, [numOutcomes]uint64{8, 0, 0}, c.Methods[0].Handled, "Add")
		assert.Equal(t, [numOutcomes]uint64{2, 0, 0}, c.Methods[1].Handled, "Get")
		assert.Equal(t, [numOutcomes]uint64{0, 1, 0}, c.Methods[2].Handled, "Crash")
		assert.Equal(t, [numOutcomes]uint64{0, 0, 1}, c.Methods[3].Handled, "Mute")
		assert.Equal(t, uint64(1), c.Methods[0].HandleTime.Count, "only the first message is timed")
		info, ok := a.Ref().Info()
		require.True(t, ok)
		assert.Equal(t, uint64(12), info.Handled)
	})
}

// An actor's mean handling time, for the live view, is that of its timed messages.
func TestHandleMean(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := quietSystem(t, WithMetrics(MetricsOptions{SampleEvery: 1}))
		a, err := Spawn(sys, "slow", func(*Context) *struct{} { return &struct{}{} },
			func(_ context.Context, _ *Context, _ *struct{}, d time.Duration) { time.Sleep(d) })
		require.NoError(t, err)
		for _, d := range []time.Duration{time.Millisecond, 3 * time.Millisecond} {
			require.NoError(t, a.Tell(t.Context(), d))
		}
		time.Sleep(time.Second) // the handlers' sleeps end
		synctest.Wait()
		info, ok := a.Ref().Info()
		require.True(t, ok)
		assert.Equal(t, 2*time.Millisecond, info.HandleMean)
		assert.Equal(t, uint64(2), info.Handled)
	})
}
