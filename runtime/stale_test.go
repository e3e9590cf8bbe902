package runtime

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A child that faults while its parent's Reset is stopping it is not decided by the parent's
// next incarnation: as in OTP and Akka, the failure of a child being terminated is ignored. The
// child stops with the reason the reset gave it, and the parent's policy is asked once.
func TestChildFaultDuringParentsResetIsIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		j := &journal{}
		var c Actor[step]
		var faults []Fault
		p := mustProbe(t, sys, "p", j, func(ac *Context) {
			c = mustProbe(t, ac, "c", j, nil, WithPolicy(Strategy{Decision: Escalate}))
		}, WithPolicy(PolicyFunc(func(_ *Context, f Fault) Directive {
			faults = append(faults, f)
			return Directive{Decision: Reset}
		})))
		first := c
		gate := make(chan struct{})
		tell(t, first, step{id: 1, boom: true, gate: gate}) // the child waits, then panics
		synctest.Wait()
		tell(t, p, step{id: 2, boom: true}) // the parent faults and resets: it stops the child
		synctest.Wait()                     // the reset waits for the busy child
		close(gate)
		synctest.Wait()

		require.Len(t, faults, 1, "the parent's policy decided its own fault only")
		assert.False(t, faults[0].Escalated)
		requireDone(t, first.Ref())
		require.ErrorIs(t, first.Ref().Err(), ErrStopped, "stopped by the reset, not by its fault")
		assert.Len(t, rec.kind("/p", EventReset), 1)
		assert.Empty(t, rec.kind("/p", EventEscalate))
		assert.Len(t, rec.kind("/p/c", EventFault), 1, "the ignored fault is still reported")
		requireRunning(t, p.Ref())
		requireRunning(t, c.Ref())
	})
}

// The same when the parent's own stop (here a sibling's StopAll... of the parent's parent, or
// any stop) is under way: a child that faults while being stopped does not escalate into the
// stopping parent, and its intensity is not charged.
func TestChildFaultWhileBeingStoppedDoesNotEscalate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		j := &journal{}
		var c Actor[step]
		decided := 0
		p := mustProbe(t, sys, "p", j, func(ac *Context) {
			c = mustProbe(t, ac, "c", j, nil, WithPolicy(PolicyFunc(func(*Context, Fault) Directive {
				decided++
				return Directive{Decision: Escalate}
			})))
		})
		gate := make(chan struct{})
		tell(t, c, step{id: 1, boom: true, gate: gate})
		synctest.Wait()
		stopped := make(chan error, 1)
		go func() { stopped <- p.Ref().Stop(context.Background()) }()
		synctest.Wait()
		close(gate)
		require.NoError(t, <-stopped)
		assert.Zero(t, decided, "a stopping actor's fault is not decided")
		require.ErrorIs(t, c.Ref().Err(), ErrStopped)
		require.ErrorIs(t, p.Ref().Err(), ErrStopped)
		assert.Empty(t, rec.kind("/p", EventEscalate))
	})
}

// An escalation that a child sent before its parent's reset began, but that the parent sees
// only after it, belongs to the old incarnation: the new one ignores it.
func TestEscalationFromAnOldIncarnationIsIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		j := &journal{}
		var c1, c2 Actor[step]
		var faults []Fault
		gate := make(chan struct{})
		p := mustProbe(t, sys, "p", j, func(ac *Context) {
			c1 = mustProbe(t, ac, "c1", j, nil, WithPolicy(Strategy{Decision: Escalate}))
			c2 = mustProbe(t, ac, "c2", j, nil, WithPolicy(Strategy{Decision: Escalate}))
		}, WithPolicy(PolicyFunc(func(_ *Context, f Fault) Directive {
			faults = append(faults, f)
			return Directive{Decision: Reset}
		})))
		// p is busy, so both escalations queue; the first resets p, which makes the second stale.
		tell(t, p, step{id: 0, gate: gate})
		tell(t, c1, step{id: 1, boom: true})
		tell(t, c2, step{id: 2, boom: true})
		synctest.Wait()
		close(gate)
		synctest.Wait()
		require.Len(t, faults, 1, "one escalation decided; the other came from the old incarnation")
		assert.Len(t, rec.kind("/p", EventReset), 1)
		requireRunning(t, p.Ref())
	})
}

// A tether is cut once, however many of its children fault while the cut stops them, and those
// faults do not count against the fresh window that the cut starts.
func TestTetherIsCutOnceByFaultsDuringTheCut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		tether, _, _ := tetherUnder(t, sys, 1, time.Minute)
		j := &journal{}
		resume := WithPolicy(Strategy{Decision: Resume})
		c1 := mustProbe(t, tether, "c1", j, nil, resume)
		var busy []Actor[step]
		gate := make(chan struct{})
		for _, name := range []string{"c2", "c3", "c4"} {
			c := mustProbe(t, tether, name, j, nil, WithPolicy(Strategy{Decision: Escalate}))
			tell(t, c, step{id: 9, boom: true, gate: gate})
			busy = append(busy, c)
		}
		synctest.Wait()
		tell(t, c1, step{id: 1, boom: true})
		tell(t, c1, step{id: 2, boom: true}) // the second fault exceeds 1 per minute: cut
		synctest.Wait()                      // the cut waits for the busy children
		close(gate)                          // which fault while it stops them
		synctest.Wait()

		assert.Len(t, rec.kind("/p/t", EventTetherCut), 1)
		for _, c := range append(busy, c1) {
			requireCut(t, c.Ref())
		}
		// The window is fresh: one fault of a new child is within max 1.
		n := mustProbe(t, tether, "n", j, nil, resume)
		tell(t, n, step{id: 3, boom: true})
		synctest.Wait()
		requireRunning(t, n.Ref())
		assert.Len(t, rec.kind("/p/t", EventTetherCut), 1)
	})
}

// A ResetAll storm: siblings that all fault at once, each deciding ResetAll. A sibling whose
// state a round of resets already has to replace joins that round instead of starting another,
// so each sibling is reset once: the factory runs twice per sibling (2,000 here), not once per
// pair of siblings.
func TestResetAllStormResetsEachSiblingOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, rec := newSystem(t)
		const n = 2000
		var builds atomic.Int64
		gate := make(chan struct{})
		kids := make([]Actor[step], 0, n)
		p := mustProbe(t, sys, "p", &journal{}, func(ac *Context) {
			for i := range n {
				k, err := Spawn(ac, "k"+itoa(i), func(*Context) *probe {
					builds.Add(1)
					return &probe{j: &journal{}, name: "k"}
				}, handleStep, WithPolicy(Strategy{Decision: ResetAll}))
				require.NoError(t, err)
				kids = append(kids, k)
			}
		})
		for _, k := range kids {
			tell(t, k, step{id: 1, boom: true, gate: gate})
		}
		synctest.Wait()
		close(gate)
		synctest.Wait()
		t.Logf("a ResetAll storm of %d siblings ran the factory %d times", n, builds.Load())
		assert.Equal(t, int64(2*n), builds.Load(), "one build at spawn and one reset per sibling")
		for _, k := range kids {
			requireRunning(t, k.Ref())
		}
		requireRunning(t, p.Ref())
		assert.Len(t, rec.kind("/p/k0", EventFault), 1)
	})
}
