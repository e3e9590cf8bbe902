package workload_test

import (
	"context"
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

func TestResult(t *testing.T) {
	r := workload.Result{Ops: 4, Elapsed: 100, Allocs: 2}
	assert.Equal(t, 25.0, r.NsPerOp())
	assert.Equal(t, 0.5, r.AllocsPerOp())
}
