package runtime

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSelfGivesTheTypedHandle(t *testing.T) {
	sys := NewSystem(WithLogger(slog.New(slog.DiscardHandler)))
	defer sys.Shutdown(context.Background())
	type st struct{ self Actor[int] }
	a, err := Spawn(sys, "a", func(ac *Context) *st {
		self, ok := Self[int](ac)
		require.True(t, ok)
		_, wrong := Self[string](ac)
		require.False(t, wrong)
		return &st{self: self}
	}, func(_ context.Context, ac *Context, s *st, m int) { Reply(ac, s.self.Ref() == ac.Self()) })
	require.NoError(t, err)
	same, err := Ask[int, bool](context.Background(), a, 1)
	require.NoError(t, err)
	require.True(t, same)
	_, ok := Self[int](nil)
	require.False(t, ok)
}

// After a cut, the tether counts faults afresh, as a restarted OTP supervisor does.
func TestTetherCutStartsTheCountAfresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var cuts int
		sys := NewSystem(WithLogger(slog.New(slog.DiscardHandler)), WithEventHook(func(e Event) {
			if e.Kind == EventTetherCut {
				cuts++
			}
		}))
		defer sys.Shutdown(context.Background())
		tt, err := SpawnTether(sys, "t", 1, 10*time.Second)
		require.NoError(t, err)
		spawn := func() Actor[int] {
			a, err := Spawn(tt, "c", func(*Context) struct{} { return struct{}{} },
				func(context.Context, *Context, struct{}, int) { panic("down") }, WithPolicy(Strategy{Decision: Reset}))
			require.NoError(t, err)
			return a
		}
		c := spawn()
		require.NoError(t, c.Tell(context.Background(), 1)) // fault 1: within intensity, reset
		require.NoError(t, c.Tell(context.Background(), 2)) // fault 2: more than 1, cut
		<-c.Ref().Done()
		require.True(t, errors.Is(c.Ref().Err(), ErrTetherCut))
		synctest.Wait()
		require.Equal(t, 1, cuts)

		c = spawn()
		require.NoError(t, c.Tell(context.Background(), 1)) // first fault after the cut: reset, no cut
		synctest.Wait()
		require.NoError(t, c.Ref().Err())
		require.Equal(t, 1, cuts)
	})
}
