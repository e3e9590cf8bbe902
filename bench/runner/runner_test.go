package runner_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actorgen/actorgen/bench/impl/chanbase"
	"github.com/actorgen/actorgen/bench/impl/mutex"
	"github.com/actorgen/actorgen/bench/runner"
	"github.com/actorgen/actorgen/bench/workload"
	"github.com/actorgen/actorgen/bench/workload/workloadtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestMedian(t *testing.T) {
	assert.Zero(t, runner.Median(nil))
	assert.Equal(t, 3.0, runner.Median([]float64{5, 3, 1}))
	assert.Equal(t, 2.5, runner.Median([]float64{4, 1, 3, 2}))
	in := []float64{3, 1, 2}
	runner.Median(in)
	assert.Equal(t, []float64{3, 1, 2}, in, "Median must not reorder its input")
}

func TestParseSizes(t *testing.T) {
	def := workload.DefaultSizes()
	got, err := runner.ParseSizes("", def)
	require.NoError(t, err)
	assert.Equal(t, def, got)

	got, err = runner.ParseSizes("tell=1_000, ask=20,fanout=30x4,spawn=5", def)
	require.NoError(t, err)
	assert.Equal(t, workload.Sizes{Tell: 1000, Ask: 20, FanoutActors: 30, FanoutMsgs: 4, Spawn: 5}, got)

	got, err = runner.ParseSizes("ask=7", def)
	require.NoError(t, err)
	want := def
	want.Ask = 7
	assert.Equal(t, want, got, "entries left out keep the defaults")

	for in, msg := range map[string]string{
		"tell":          `entry "tell": want key=value`,
		"tell=abc":      `entry "tell=abc": "abc" is not a positive whole number`,
		"ask=0":         `entry "ask=0": "0" is not a positive whole number`,
		"fanout=10":     `entry "fanout=10": want ACTORSxMESSAGES`,
		"fanout=10xq":   `entry "fanout=10xq": "q" is not a positive whole number`,
		"bogus=1":       `entry "bogus=1": unknown key "bogus"`,
		"tell=1":        `tell=1: need at least 2`,
		"spawn=-3,ask=": `entry "spawn=-3": "-3" is not a positive whole number`,
	} {
		_, err := runner.ParseSizes(in, def)
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), msg, in)
		assert.Contains(t, err.Error(), "-n ", "the error names the flag")
	}
}

func impls() []workload.Impl { return []workload.Impl{chanbase.Impl(), mutex.Impl()} }

func TestSelect(t *testing.T) {
	is, ks, err := runner.Select("", impls())
	require.NoError(t, err)
	assert.Len(t, is, 2)
	assert.Equal(t, workload.Kinds(), ks)

	is, ks, err = runner.Select("mutex, ask,spawn", impls())
	require.NoError(t, err)
	require.Len(t, is, 2, "the baseline always runs")
	assert.Equal(t, "chan", is[0].Name)
	assert.Equal(t, "mutex", is[1].Name)
	assert.Equal(t, []workload.Kind{workload.Ask, workload.Spawn}, ks)

	is, ks, err = runner.Select("fanout", impls())
	require.NoError(t, err)
	assert.Len(t, is, 2, "no implementation named: all of them")
	assert.Equal(t, []workload.Kind{workload.Fanout}, ks)

	_, _, err = runner.Select("chan,akka", impls())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"akka" is neither an implementation (chan, mutex) nor a workload (tell, tell2, ask, askctx, fanout, spawn)`)
}

func TestRunErrors(t *testing.T) {
	ctx := context.Background()
	cfg := runner.Config{Rounds: 0, Sizes: workloadtest.Small(), Impls: impls(), Kinds: workload.Kinds()}
	_, err := runner.Run(ctx, cfg)
	assert.ErrorContains(t, err, "rounds=0")

	cfg.Rounds = 1
	cfg.Impls = []workload.Impl{mutex.Impl()}
	_, err = runner.Run(ctx, cfg)
	assert.ErrorContains(t, err, `the baseline "chan" is not among the implementations`)

	cfg.Impls = impls()
	cfg.Kinds = nil
	_, err = runner.Run(ctx, cfg)
	assert.ErrorContains(t, err, "no workload selected")

	cfg.Kinds = workload.Kinds()
	cfg.Sizes.Ask = 0
	_, err = runner.Run(ctx, cfg)
	assert.ErrorContains(t, err, "ask=0")
}

// dropper loses every tenth tell: the runner must refuse its figures.
type dropper struct{ workload.System }

type dropActor struct {
	workload.Actor
	n int
}

func (d dropper) Spawn(ctx context.Context, s *workload.Sink) (workload.Actor, error) {
	a, err := d.System.Spawn(ctx, s)
	return &dropActor{Actor: a}, err
}

func (d *dropActor) Tell(ctx context.Context, v int64) error {
	d.n++
	if d.n%10 == 0 {
		return nil
	}
	return d.Actor.Tell(ctx, v)
}

func TestRunRefusesLostMessages(t *testing.T) {
	// A dropped tell means the sink never reaches its count, so the run waits until ctx's
	// deadline: in a synctest bubble that comes as soon as everything is blocked.
	synctest.Test(t, func(t *testing.T) {
		lossy := workload.Impl{Name: "lossy", Label: "lossy", New: func(ctx context.Context) (workload.System, error) {
			sys, err := mutex.Impl().New(ctx)
			return dropper{sys}, err
		}}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cfg := runner.Config{Rounds: 1, Sizes: workloadtest.Small(), Impls: []workload.Impl{chanbase.Impl(), lossy},
			Kinds: []workload.Kind{workload.Ask, workload.Fanout}}
		_, err := runner.Run(ctx, cfg)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "workload fanout on lossy")
		assert.Contains(t, err.Error(), "(50 short)", "each of the 50 actors lost 2 of its 20 tells")
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	})
}

func TestRunAndMarkdown(t *testing.T) {
	var progress bytes.Buffer
	cfg := runner.Config{Rounds: 3, Sizes: workloadtest.Small(), Impls: impls(), Kinds: workload.Kinds(), Progress: &progress}
	rep, err := runner.Run(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 3*len(workload.Kinds())*2, strings.Count(progress.String(), "\n"), "one progress line per run")
	for _, k := range workload.Kinds() {
		for _, i := range impls() {
			st := rep.Stats[k][i.Name]
			assert.Equal(t, 3, st.Rounds, "%s %s", k, i.Name)
			assert.Positive(t, st.NsPerOp, "%s %s", k, i.Name)
		}
	}
	assert.Less(t, rep.Stats[workload.Tell1]["mutex"].AllocsPerOp, 0.01, "a locked call allocates nothing")

	var out bytes.Buffer
	require.NoError(t, rep.Markdown(&out, runner.Header{CPU: "Test CPU", NumCPU: 2, MaxProcs: 2, GoVersion: "go1.26", GOOS: "linux", GOARCH: "amd64"}))
	md := out.String()
	assert.Contains(t, md, "Medians of 3 interleaved rounds. Machine: Test CPU, 2 CPUs (GOMAXPROCS 2), linux/amd64, go1.26.")
	assert.Contains(t, md, "| implementation | tell 1→1 | tell 2→1 | ask round trip | ask, cancellable ctx | fanout 50×20 |")
	assert.Contains(t, md, "| goroutine + chan(64) (baseline) |")
	assert.Contains(t, md, "(×1.00)", "the baseline's ratio to itself")
	assert.Contains(t, md, "| implementation | time per spawn | × chan | bytes per idle actor | allocs per spawn | goroutines left after stop |")
	assert.Equal(t, 8, strings.Count(md, "\n| "), "each table: a header row, a rule and two rows")
}
