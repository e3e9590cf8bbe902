package workload_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actorgen/actorgen/bench/impl/mutex"
	"github.com/actorgen/actorgen/bench/workload"
	"github.com/actorgen/actorgen/bench/workload/workloadtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSink(t *testing.T) {
	calls := 0
	s := workload.NewSink(3, func() { calls++ })
	assert.Equal(t, int64(5), s.Add(5))
	assert.Equal(t, int64(12), s.Add(7))
	assert.Zero(t, calls)
	assert.Equal(t, int64(13), s.Add(1))
	assert.Equal(t, 1, calls, "done is called when the count is reached")
	s.Add(1)
	assert.Equal(t, 1, calls, "and only then")
	assert.Equal(t, int64(4), s.Count())
	assert.Equal(t, int64(14), s.Sum())
}

func TestValidate(t *testing.T) {
	require.NoError(t, workload.DefaultSizes().Validate())
	require.NoError(t, workloadtest.Small().Validate())
	bad := workloadtest.Small()
	bad.FanoutMsgs = 0
	assert.ErrorContains(t, bad.Validate(), "fanout=50x0")
	_, err := workload.Run(context.Background(), mutex.Impl(), workload.Ask, bad)
	assert.ErrorContains(t, err, "fanout=50x0")
}

func TestUnknownKind(t *testing.T) {
	_, err := workload.Run(context.Background(), mutex.Impl(), "pingpong", workloadtest.Small())
	assert.ErrorContains(t, err, `workload "pingpong": unknown`)
}

// liar adds one to every value it is told and to every sum it answers.
type liar struct{ workload.System }

type liarActor struct{ workload.Actor }

func (l liar) Spawn(ctx context.Context, s *workload.Sink) (workload.Actor, error) {
	a, err := l.System.Spawn(ctx, s)
	return liarActor{a}, err
}

func (a liarActor) Tell(ctx context.Context, v int64) error { return a.Actor.Tell(ctx, v+1) }

func (a liarActor) Ask(ctx context.Context, v int64) (int64, error) {
	sum, err := a.Actor.Ask(ctx, v)
	return sum + 1, err
}

func TestAccountingCatchesWrongSums(t *testing.T) {
	impl := workload.Impl{Name: "liar", Label: "liar", New: func(ctx context.Context) (workload.System, error) {
		sys, err := mutex.Impl().New(ctx)
		return liar{sys}, err
	}}
	for k, msg := range map[workload.Kind]string{
		workload.Tell1:  "workload tell on liar: accounting mismatch: the actor: got 2000 messages summing to 2003000, want 2000 summing to 2001000",
		workload.Tell2:  "workload tell2 on liar: accounting mismatch: the actor: got 2000 messages summing to 1003000, want 2000 summing to 1001000",
		workload.Ask:    "workload ask on liar: accounting mismatch: ask 1 answered 2, want 1",
		workload.AskCtx: "workload askctx on liar: accounting mismatch: ask 1 answered 2, want 1",
		workload.Fanout: "workload fanout on liar: accounting mismatch: actor 0: got 20 messages summing to 230, want 20 summing to 210",
		workload.Spawn:  "workload spawn on liar: accounting mismatch: the actors: got 500 messages summing to 125750, want 500 summing to 125250",
	} {
		_, err := workload.Run(context.Background(), impl, k, workloadtest.Small())
		require.ErrorIs(t, err, workload.ErrAccounting, k)
		assert.EqualError(t, err, msg)
	}
}

var errBoom = errors.New("boom")

// faults says where a faulty system fails; spawnAt is the number of the first actor whose Spawn
// fails (-1: none).
type faults struct {
	newSys, tell, ask, stop, close bool
	spawnAt                        int
}

// faulty is the mutex system failing where its faults say. It counts its actors, and the stops
// and closes the workload makes, which all happen on the workload's goroutine.
type faulty struct {
	workload.System
	f                        faults
	spawned, stopped, closed int
}

type faultyActor struct {
	workload.Actor
	sys *faulty
}

func (s *faulty) Spawn(ctx context.Context, sink *workload.Sink) (workload.Actor, error) {
	if s.spawned == s.f.spawnAt {
		return nil, errBoom
	}
	s.spawned++
	a, err := s.System.Spawn(ctx, sink)
	return faultyActor{a, s}, err
}

func (s *faulty) Close(ctx context.Context) error {
	s.closed++
	if s.f.close {
		return errBoom
	}
	return s.System.Close(ctx)
}

func (a faultyActor) Tell(ctx context.Context, v int64) error {
	if a.sys.f.tell {
		return errBoom
	}
	return a.Actor.Tell(ctx, v)
}

func (a faultyActor) Ask(ctx context.Context, v int64) (int64, error) {
	if a.sys.f.ask {
		return 0, errBoom
	}
	return a.Actor.Ask(ctx, v)
}

func (a faultyActor) Stop(ctx context.Context) error {
	a.sys.stopped++
	if a.sys.f.stop {
		return errBoom
	}
	return a.Actor.Stop(ctx)
}

// TestAdapterErrors checks that an implementation's failures come back wrapped, naming the
// workload and the step, and that every actor spawned so far is stopped and the system closed.
func TestAdapterErrors(t *testing.T) {
	sz := workloadtest.Small()
	sz.Spawn = 3 // so that every failed Stop of the spawn workload can be listed
	for _, c := range []struct {
		f                     faults
		k                     workload.Kind
		msg                   string
		spawned, stopped, cls int
	}{
		{faults{newSys: true, spawnAt: -1}, workload.Tell1, "workload tell on faulty: new system: boom", 0, 0, 0},
		{faults{newSys: true, spawnAt: -1}, workload.Ask, "workload ask on faulty: new system: boom", 0, 0, 0},
		{faults{newSys: true, spawnAt: -1}, workload.Fanout, "workload fanout on faulty: new system: boom", 0, 0, 0},
		{faults{newSys: true, spawnAt: -1}, workload.Spawn, "workload spawn on faulty: new system: boom", 0, 0, 0},
		{faults{spawnAt: 0}, workload.Tell2, "workload tell2 on faulty: spawn: boom", 0, 0, 1},
		{faults{spawnAt: 0}, workload.AskCtx, "workload askctx on faulty: spawn: boom", 0, 0, 1},
		{faults{spawnAt: 2}, workload.Fanout, "workload fanout on faulty: spawn actor 2: boom", 2, 2, 1},
		{faults{spawnAt: 2}, workload.Spawn, "workload spawn on faulty: spawn actor 2: boom", 2, 2, 1},
		{faults{tell: true, spawnAt: -1}, workload.Tell1, "workload tell on faulty: sender 0: tell 1: boom", 1, 1, 1},
		{faults{tell: true, spawnAt: -1}, workload.Tell2, "workload tell2 on faulty: sender 0: tell 1: boom\nsender 1: tell 1: boom", 1, 1, 1},
		{faults{tell: true, spawnAt: -1}, workload.Fanout, "workload fanout on faulty: tell actor 0 value 1: boom", sz.FanoutActors, sz.FanoutActors, 1},
		{faults{tell: true, spawnAt: -1}, workload.Spawn, "workload spawn on faulty: tell actor 0: boom", sz.Spawn, sz.Spawn, 1},
		{faults{ask: true, spawnAt: -1}, workload.Ask, "workload ask on faulty: ask 1: boom", 1, 1, 1},
		{faults{stop: true, close: true, spawnAt: -1}, workload.Tell1, "workload tell on faulty: stop: boom\nclose: boom", 1, 1, 1},
		{faults{stop: true, spawnAt: -1}, workload.Spawn, "workload spawn on faulty: stop: boom\nstop: boom\nstop: boom", 3, 3, 1},
	} {
		var sys *faulty
		impl := workload.Impl{Name: "faulty", Label: "faulty", New: func(ctx context.Context) (workload.System, error) {
			if c.f.newSys {
				return nil, errBoom
			}
			inner, err := mutex.Impl().New(ctx)
			sys = &faulty{System: inner, f: c.f}
			return sys, err
		}}
		_, err := workload.Run(context.Background(), impl, c.k, sz)
		require.ErrorIs(t, err, errBoom, c.msg)
		assert.EqualError(t, err, c.msg)
		if sys == nil {
			continue
		}
		assert.Equal(t, c.spawned, sys.spawned, "%s: actors spawned", c.msg)
		assert.Equal(t, c.stopped, sys.stopped, "%s: actors stopped", c.msg)
		assert.Equal(t, c.cls, sys.closed, "%s: system closed", c.msg)
	}
}

func TestResult(t *testing.T) {
	r := workload.Result{Ops: 4, Elapsed: 100, Allocs: 2}
	assert.Equal(t, 25.0, r.NsPerOp())
	assert.Equal(t, 0.5, r.AllocsPerOp())
}
