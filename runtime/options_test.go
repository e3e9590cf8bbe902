package runtime

import (
	"context"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func noop(context.Context, *Context, *counter, int) {}

// Bad arguments to Spawn are errors that say what is wrong, never panics.
func TestSpawnRejectsBadArguments(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		var nilSys *System
		var nilTether *Tether
		var nilCtx *Context
		for _, tc := range []struct {
			name   string
			spawn  func() error
			target error
			says   string
		}{
			{"nil parent", func() error { _, err := Spawn[*counter, int](nil, "a", newCounter, noop); return err }, ErrInvalidOption, "parent"},
			{"nil system", func() error { _, err := Spawn(nilSys, "a", newCounter, noop); return err }, ErrInvalidOption, "parent"},
			{"nil tether", func() error { _, err := Spawn(nilTether, "a", newCounter, noop); return err }, ErrInvalidOption, "parent"},
			{"nil context", func() error { _, err := Spawn(nilCtx, "a", newCounter, noop); return err }, ErrInvalidOption, "parent"},
			{"nil factory", func() error { _, err := Spawn[*counter, int](sys, "a", nil, noop); return err }, ErrInvalidOption, "factory"},
			{"nil handler", func() error { _, err := Spawn[*counter, int](sys, "a", newCounter, nil); return err }, ErrInvalidOption, "handler"},
			{"slash in name", func() error { _, err := Spawn(sys, "a/b", newCounter, noop); return err }, ErrInvalidOption, "'/'"},
			{"name begins with $", func() error { _, err := Spawn(sys, "$1", newCounter, noop); return err }, ErrInvalidOption, "'$'"},
		} {
			var err error
			require.NotPanics(t, func() { err = tc.spawn() }, tc.name)
			require.ErrorIs(t, err, tc.target, tc.name)
			assert.Contains(t, err.Error(), tc.says, tc.name)
		}
		assert.Empty(t, sys.Children(), "nothing was spawned")
	})
}

// A duplicate name among siblings is ErrNameTaken; the same name under another parent is fine.
func TestSpawnRejectsDuplicateName(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		var dup error
		mustProbe(t, sys, "a", j, func(ac *Context) {
			mustProbe(t, ac, "a", j, nil)
			_, dup = spawnProbe(ac, "a", j, nil)
		})
		require.ErrorIs(t, dup, ErrNameTaken)
		_, err := spawnProbe(sys, "a", j, nil)
		require.ErrorIs(t, err, ErrNameTaken)
		assert.Contains(t, err.Error(), `"a"`)
	})
}

// Invalid options fail Spawn with ErrInvalidOption and a message naming the option and field.
func TestSpawnRejectsInvalidOptions(t *testing.T) {
	resume := PolicyFunc(func(*Context, Fault) Directive { return Directive{Decision: Resume} })
	for _, tc := range []struct {
		name string
		opt  Option
		says string
	}{
		{"zero mailbox", WithMailbox(0, OverflowBlock), "WithMailbox: size 0"},
		{"negative mailbox", WithMailbox(-1, OverflowFail), "WithMailbox: size -1"},
		{"unknown overflow", WithMailbox(1, Overflow(9)), "WithMailbox: unknown overflow"},
		{"zero idle", WithIdleStop(0), "WithIdleStop"},
		{"negative idle", WithIdleStop(-time.Second), "WithIdleStop"},
		{"nil policy", WithPolicy(nil), "WithPolicy: policy is nil"},
		{"nil *Strategy", WithPolicy((*Strategy)(nil)), "policy is nil"},
		{"nil PolicyFunc", WithPolicy(PolicyFunc(nil)), "WithPolicy"},
		{"nil Stateful decide", WithPolicy(Stateful[int](0, nil)), "WithPolicy"},
		{"unknown decision", WithPolicy(Strategy{Decision: Decision(9)}), "Strategy.Decision"},
		{"negative delay", WithPolicy(Strategy{Delay: -1}), "Strategy.Delay"},
		{"delay with backoff", WithPolicy(Strategy{Delay: time.Second, BackoffMin: time.Second, BackoffMax: time.Minute}), "Strategy.Delay"},
		{"backoff min zero", WithPolicy(Strategy{BackoffMax: time.Second}), "Strategy.BackoffMin"},
		{"backoff min negative", WithPolicy(Strategy{BackoffMin: -time.Second, BackoffMax: time.Second}), "Strategy.BackoffMin"},
		{"backoff min > max", WithPolicy(Strategy{BackoffMin: time.Minute, BackoffMax: time.Second}), "Strategy.BackoffMax"},
		{"jitter negative", WithPolicy(Strategy{Jitter: -0.1}), "Strategy.Jitter"},
		{"jitter above 1", WithPolicy(Strategy{Jitter: 1.5}), "Strategy.Jitter"},
		{"jitter NaN", WithPolicy(Strategy{Jitter: math.NaN()}), "Strategy.Jitter"},
		{"jitter +Inf", WithPolicy(Strategy{Jitter: math.Inf(1)}), "Strategy.Jitter"},
		{"reset-after negative", WithPolicy(Strategy{BackoffMin: 1, BackoffMax: 2, ResetAfter: -1}), "Strategy.ResetAfter"},
		{"reset-after without backoff", WithPolicy(Strategy{ResetAfter: time.Second}), "Strategy.ResetAfter"},
		{"max faults negative", WithPolicy(Strategy{MaxFaults: -1, Period: time.Second}), "Strategy.MaxFaults"},
		{"period negative", WithPolicy(Strategy{Period: -time.Second}), "Strategy.Period"},
		{"max faults without period", WithPolicy(Strategy{MaxFaults: 3}), "Strategy.Period"},
		{"limit of nil", WithPolicy(Limit(nil, 1, time.Second)), "Limit: policy is nil"},
		{"limit max negative", WithPolicy(Limit(resume, -1, time.Second)), "Limit: max faults -1"},
		{"limit period zero", WithPolicy(Limit(resume, 1, 0)), "Limit: period"},
		{"limit of bad strategy", WithPolicy(Limit(Strategy{Jitter: 2}, 1, time.Second)), "Strategy.Jitter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sys, _ := newSystem(t)
				var err error
				require.NotPanics(t, func() {
					_, err = Spawn(sys, "a", newCounter, handleCount, WithMailbox(4, OverflowFail), tc.opt)
				})
				require.ErrorIs(t, err, ErrInvalidOption)
				assert.Contains(t, err.Error(), tc.says)
				assert.Contains(t, err.Error(), `"a"`, "the error names the actor")
				assert.Empty(t, sys.Children())
			})
		})
	}
}

// Options apply in order: a later one overrides an earlier one, and the zero Option is ignored.
func TestLaterOptionsOverrideEarlierOnes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		a, err := Spawn(sys, "a", newCounter, handleCount,
			WithPolicy(Strategy{Decision: Stop}), Option{}, WithPolicy(Strategy{Decision: Resume}),
			WithMailbox(1, OverflowBlock), WithMailbox(100, OverflowFail))
		require.NoError(t, err)
		require.NoError(t, a.Tell(t.Context(), -1))
		assert.Equal(t, 1, askInt(t, a, 1), "Resume won")
	})
}

// A valid Strategy validates, and every documented default is accepted.
func TestStrategyValidateAcceptsValidStrategies(t *testing.T) {
	for _, s := range []Strategy{
		{},
		{Decision: Reset, Delay: time.Second},
		{Decision: Reset, BackoffMin: time.Millisecond, BackoffMax: time.Millisecond},
		{Decision: ResetAll, BackoffMin: time.Second, BackoffMax: time.Minute, Jitter: 1, ResetAfter: time.Hour},
		{Decision: Resume, MaxFaults: 0, Period: time.Second},
		{Decision: Escalate, Jitter: 0},
	} {
		assert.NoError(t, s.Validate(), "%+v", s)
	}
}

// Bad tether and keeper arguments are errors naming the field, never panics.
func TestTetherAndKeeperRejectBadArguments(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		_, err := SpawnTether(sys, "t", -1, time.Second)
		require.ErrorIs(t, err, ErrInvalidOption)
		assert.Contains(t, err.Error(), "max faults -1")
		_, err = SpawnTether(sys, "t", 1, 0)
		require.ErrorIs(t, err, ErrInvalidOption)
		assert.Contains(t, err.Error(), "period")
		_, err = SpawnTether(nil, "t", 1, time.Second)
		require.ErrorIs(t, err, ErrInvalidOption)
		_, err = SpawnTether(sys, "a/b", 1, time.Second)
		require.ErrorIs(t, err, ErrInvalidOption)

		tether, err := SpawnTether(sys, "t", 1, time.Second)
		require.NoError(t, err)
		start := func(context.Context, *Tether) (Ref, error) { return Ref{}, nil }
		good := KeeperSchedule{First: time.Second, Sweep: time.Second, MaxSweep: time.Minute, Jitter: 0.5}
		for _, tc := range []struct {
			name   string
			tether *Tether
			start  StartFunc
			edit   func(*KeeperSchedule)
			says   string
		}{
			{"nil tether", nil, start, nil, "tether is nil"},
			{"nil start", tether, nil, nil, "start is nil"},
			{"negative first", tether, start, func(s *KeeperSchedule) { s.First = -1 }, "KeeperSchedule.First"},
			{"zero sweep", tether, start, func(s *KeeperSchedule) { s.Sweep = 0 }, "KeeperSchedule.Sweep"},
			{"negative sweep", tether, start, func(s *KeeperSchedule) { s.Sweep = -time.Second }, "KeeperSchedule.Sweep"},
			{"max sweep below sweep", tether, start, func(s *KeeperSchedule) { s.MaxSweep = time.Millisecond }, "KeeperSchedule.MaxSweep"},
			{"jitter above 1", tether, start, func(s *KeeperSchedule) { s.Jitter = 2 }, "KeeperSchedule.Jitter"},
			{"jitter NaN", tether, start, func(s *KeeperSchedule) { s.Jitter = math.NaN() }, "KeeperSchedule.Jitter"},
		} {
			s := good
			if tc.edit != nil {
				tc.edit(&s)
			}
			var err error
			require.NotPanics(t, func() { _, err = SpawnKeeper(sys, "k", tc.tether, tc.start, s) }, tc.name)
			require.ErrorIs(t, err, ErrInvalidOption, tc.name)
			assert.Contains(t, err.Error(), tc.says, tc.name)
		}
		_, ok := sys.Child("k")
		assert.False(t, ok)
	})
}
