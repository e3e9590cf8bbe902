package runtime

import (
	"context"
	"errors"
	"log/slog"
	goruntime "runtime"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests here put runtime.Goexit (what t.FailNow and require call) and panics where an
// observed message is handled, with a Hook installed: in the handler, in Begin, in End. Each
// message's observation must end (End called once per Begin, with the outcome), the counters
// must say what happened, a hook that fails on a fault must be logged, and nothing may be left
// running: synctest.Test fails on goroutines left blocked in the bubble, and TestMain's goleak
// on any left at all.

// gxMsg is the message of the actors here: an ask (Do) or a tell (Poke), which calls
// runtime.Goexit when exit is set and panics when crash is.
type gxMsg struct {
	tell, exit, crash bool
}

func (m gxMsg) methodIndex() int {
	if m.tell {
		return 1
	}
	return 0
}

var gxInterface = WithInterface(Interface[gxMsg]{
	Name:    "Gx",
	Methods: []Method{{Name: "Do", Kind: KindAsk}, {Name: "Poke", Kind: KindTell}},
	Index:   gxMsg.methodIndex,
})

type gxState struct{}

func handleGx(_ context.Context, ac *Context, _ *gxState, m gxMsg) {
	switch {
	case m.exit:
		goruntime.Goexit()
	case m.crash:
		panic("gx crash")
	}
	Reply(ac, "done")
}

// gxHook records what it is told. begin and end, when set, run in Begin and in End (to panic or
// call runtime.Goexit there), with the outcome for end.
type gxHook struct {
	begin func()
	end   func(Outcome)
	lines
}

func (h *gxHook) Begin(ctx context.Context, m MessageInfo) context.Context {
	h.add("begin %s.%s %s", m.Interface, m.Method, m.Kind)
	if h.begin != nil {
		h.begin()
	}
	return ctx
}

func (h *gxHook) End(_ context.Context, m MessageInfo, o Outcome, err error) {
	var fe *FaultError
	switch {
	case err == nil:
		h.add("end %s.%s %s %s", m.Interface, m.Method, m.Kind, o)
	case errors.As(err, &fe):
		h.add("end %s.%s %s %s: %v", m.Interface, m.Method, m.Kind, o, fe.Value)
	default:
		h.add("end %s.%s %s %s: not a *FaultError: %v", m.Interface, m.Method, m.Kind, o, err)
	}
	if h.end != nil {
		h.end(o)
	}
}

// gxSystem is a system with h and metrics (every message timed), logging to the returned log,
// and an actor /a of interface Gx that resumes after a fault.
func gxSystem(t *testing.T, h Hook) (*System, Actor[gxMsg], *lockedBuffer) {
	t.Helper()
	log := &lockedBuffer{}
	sys := NewSystem(WithLogger(slog.New(slog.NewTextHandler(log, nil))), WithHook(h),
		WithMetrics(MetricsOptions{SampleEvery: 1}))
	a, err := Spawn(sys, "a", func(*Context) *gxState { return &gxState{} }, handleGx, gxInterface,
		WithPolicy(Strategy{Decision: Resume}))
	require.NoError(t, err)
	return sys, a, log
}

// gxStats returns the figures of interface Gx.
func gxStats(t *testing.T, sys *System) TypeStats {
	t.Helper()
	for _, s := range sys.Stats() {
		if s.Interface == "Gx" {
			return s
		}
	}
	t.Fatal("no stats for Gx")
	return TypeStats{}
}

// runtime.Goexit in an observed handler, of an ask and of a tell: End is called with
// OutcomeFault and the *FaultError, the ask fails with ErrFault, the fault is counted, and the
// actor goes on.
func TestGoexitInObservedHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &gxHook{}
		sys, a, log := gxSystem(t, h)
		ctx := bounded(t) // a ctx that can end: asks are queued for the actor's goroutine, not handled inline
		_, err := Ask[gxMsg, string](ctx, a, gxMsg{exit: true})
		require.ErrorIs(t, err, ErrFault)
		assert.Contains(t, err.Error(), "runtime.Goexit called")
		require.NoError(t, a.Tell(ctx, gxMsg{tell: true, exit: true}))
		synctest.Wait()
		v, err := Ask[gxMsg, string](ctx, a, gxMsg{})
		require.NoError(t, err, "resumed")
		assert.Equal(t, "done", v)
		synctest.Wait() // the reply comes from the handler, End after it
		assert.Equal(t, []string{
			"begin Gx.Do ask", "end Gx.Do ask fault: runtime.Goexit called",
			"begin Gx.Poke tell", "end Gx.Poke tell fault: runtime.Goexit called",
			"begin Gx.Do ask", "end Gx.Do ask ok",
		}, h.get())

		s := gxStats(t, sys)
		assert.Equal(t, uint64(2), s.Faults)
		assert.Equal(t, uint64(1), s.AsksFailedFast, "the ask that faulted")
		require.Len(t, s.Methods, 3)
		assert.Equal(t, [numOutcomes]uint64{OutcomeOK: 1, OutcomeFault: 1}, s.Methods[0].Handled, "Do")
		assert.Equal(t, [numOutcomes]uint64{OutcomeFault: 1}, s.Methods[1].Handled, "Poke")
		assert.Equal(t, uint64(3), s.Methods[0].HandleTime.Count+s.Methods[1].HandleTime.Count, "each timed once")
		require.NoError(t, sys.Shutdown(ctx))
		assert.NotContains(t, log.String(), "hook failed")
	})
}

// An inline ask (a ctx that can never be done, an idle actor) whose handler calls
// runtime.Goexit ends the caller's goroutine, as Goexit must; the hook is still told the
// outcome, on that goroutine, and the actor goes on.
func TestGoexitInObservedInlineAsk(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &gxHook{}
		sys, a, _ := gxSystem(t, h)
		synctest.Wait() // the actor idle: the ask is handled inline
		exited := make(chan struct{})
		returned := false
		go func() {
			defer close(exited)
			_, _ = Ask[gxMsg, string](context.Background(), a, gxMsg{exit: true})
			returned = true
		}()
		<-exited
		assert.False(t, returned, "Goexit ended the asker's goroutine")
		synctest.Wait()
		ctx := bounded(t)
		_, err := Ask[gxMsg, string](ctx, a, gxMsg{})
		require.NoError(t, err)
		synctest.Wait() // the reply comes from the handler, End after it
		assert.Equal(t, []string{
			"begin Gx.Do ask", "end Gx.Do ask fault: runtime.Goexit called",
			"begin Gx.Do ask", "end Gx.Do ask ok",
		}, h.get())
		assert.Equal(t, uint64(1), gxStats(t, sys).Faults)
		require.NoError(t, sys.Shutdown(ctx))
	})
}

// A hook whose End panics or calls runtime.Goexit when told of a fault (by a handler's panic or
// Goexit) is logged, "hook failed on a fault", and the fault goes on as it was: the ask fails
// with it, the policy resumes the actor.
func TestHookFailingOnAFaultIsLogged(t *testing.T) {
	for _, tc := range []struct {
		name    string
		msg     gxMsg
		end     func()
		logged  string
		faultOf string
	}{
		{"End panics on a panic", gxMsg{crash: true}, func() { panic("end bug") }, "panic=\"end bug\"", "gx crash"},
		{"End panics on a Goexit", gxMsg{exit: true}, func() { panic("end bug") }, "panic=\"end bug\"", "runtime.Goexit called"},
		{"End calls Goexit on a panic", gxMsg{crash: true}, goruntime.Goexit, "panic=\"runtime.Goexit called\"", "gx crash"},
		{"End calls Goexit on a Goexit", gxMsg{exit: true}, goruntime.Goexit, "panic=\"runtime.Goexit called\"", "runtime.Goexit called"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := &gxHook{end: func(o Outcome) {
					if o == OutcomeFault {
						tc.end()
					}
				}}
				sys, a, log := gxSystem(t, h)
				ctx := bounded(t)
				_, err := Ask[gxMsg, string](ctx, a, tc.msg)
				require.ErrorIs(t, err, ErrFault)
				assert.Contains(t, err.Error(), tc.faultOf)
				_, err = Ask[gxMsg, string](ctx, a, gxMsg{})
				require.NoError(t, err, "resumed")
				synctest.Wait() // the reply comes from the handler, End after it
				assert.Equal(t, []string{
					"begin Gx.Do ask", "end Gx.Do ask fault: " + tc.faultOf,
					"begin Gx.Do ask", "end Gx.Do ask ok",
				}, h.get())
				out := log.String()
				assert.Contains(t, out, `msg="actorgen: hook failed on a fault"`)
				assert.Contains(t, out, "actor=/a")
				assert.Contains(t, out, tc.logged)
				assert.Equal(t, uint64(1), gxStats(t, sys).Faults)
				require.NoError(t, sys.Shutdown(ctx))
			})
		})
	}
}

// runtime.Goexit in End after a handler that returned is a fault of the actor, as a panic there
// is: the ask already has its reply, End is not called again, and the actor goes on. The
// message counts as handled OK (its handler did), the fault as a fault of the interface.
func TestGoexitInEndAfterOK(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &gxHook{}
		h.end = func(o Outcome) {
			if o == OutcomeOK && len(h.get()) == 2 { // the first message only
				goruntime.Goexit()
			}
		}
		sys, a, log := gxSystem(t, h)
		ctx := bounded(t)
		v, err := Ask[gxMsg, string](ctx, a, gxMsg{})
		require.NoError(t, err, "the handler replied before End")
		assert.Equal(t, "done", v)
		synctest.Wait()
		_, err = Ask[gxMsg, string](ctx, a, gxMsg{})
		require.NoError(t, err, "resumed")
		synctest.Wait() // the reply comes from the handler, End after it
		assert.Equal(t, []string{
			"begin Gx.Do ask", "end Gx.Do ask ok",
			"begin Gx.Do ask", "end Gx.Do ask ok",
		}, h.get())
		s := gxStats(t, sys)
		assert.Equal(t, uint64(1), s.Faults)
		assert.Equal(t, [numOutcomes]uint64{OutcomeOK: 2}, s.Methods[0].Handled)
		assert.Zero(t, s.AsksFailedFast)
		require.NoError(t, sys.Shutdown(ctx))
		assert.NotContains(t, log.String(), "hook failed")
	})
}

// runtime.Goexit in Begin is a fault of the actor, as a panic there is: the handler does not
// run, the ask fails with ErrFault, and End is told the fault (with the ctx Begin was given).
func TestGoexitInBegin(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &gxHook{}
		h.begin = func() {
			if len(h.get()) == 1 { // the first message only
				goruntime.Goexit()
			}
		}
		sys, a, _ := gxSystem(t, h)
		ctx := bounded(t)
		_, err := Ask[gxMsg, string](ctx, a, gxMsg{})
		require.ErrorIs(t, err, ErrFault)
		assert.Contains(t, err.Error(), "runtime.Goexit called")
		_, err = Ask[gxMsg, string](ctx, a, gxMsg{})
		require.NoError(t, err, "resumed")
		synctest.Wait() // the reply comes from the handler, End after it
		assert.Equal(t, []string{
			"begin Gx.Do ask", "end Gx.Do ask fault: runtime.Goexit called",
			"begin Gx.Do ask", "end Gx.Do ask ok",
		}, h.get())
		s := gxStats(t, sys)
		assert.Equal(t, uint64(1), s.Faults)
		assert.Equal(t, [numOutcomes]uint64{OutcomeOK: 1, OutcomeFault: 1}, s.Methods[0].Handled)
		require.NoError(t, sys.Shutdown(ctx))
	})
}
