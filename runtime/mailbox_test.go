package runtime

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The default mailbox is unbounded: a busy actor accepts any number of messages.
func TestUnboundedMailboxByDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil)
		gate := make(chan struct{})
		tell(t, a, step{id: 0, gate: gate})
		for id := 1; id <= 10000; id++ {
			tell(t, a, step{id: id})
		}
		close(gate)
		v, err := Ask[step, int](t.Context(), a, step{id: 10001})
		require.NoError(t, err)
		assert.Equal(t, 10001, v)
		assert.Len(t, j.get(), 10003)
	})
}

// busyBounded spawns a probe with a mailbox of size 1 busy on message 0 with one more queued,
// so that the mailbox is full (the message being handled is not counted); it returns the probe
// and the gate that frees it.
func busyBounded(t *testing.T, sys *System, j *journal, overflow Overflow) (Actor[step], chan struct{}) {
	t.Helper()
	a := mustProbe(t, sys, "a", j, nil, WithMailbox(1, overflow))
	gate := make(chan struct{})
	tell(t, a, step{id: 0, gate: gate})
	synctest.Wait() // message 0 is being handled
	tell(t, a, step{id: 1})
	return a, gate
}

// A bounded mailbox with OverflowBlock makes the sender wait for room.
func TestBoundedMailboxBlockWaitsForRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a, gate := busyBounded(t, sys, j, OverflowBlock)
		sent := make(chan error, 1)
		go func() { sent <- a.Tell(context.Background(), step{id: 2}) }()
		synctest.Wait()
		select {
		case <-sent:
			require.Fail(t, "the send did not wait for room")
		default:
		}
		close(gate)
		require.NoError(t, <-sent)
		synctest.Wait()
		assert.Equal(t, []string{"a start", "a got 0", "a got 1", "a got 2"}, j.get())
	})
}

// A blocked send gives up when its ctx is done, and the message is not delivered.
func TestBoundedMailboxBlockHonoursCtx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a, gate := busyBounded(t, sys, j, OverflowBlock)
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		err := a.Tell(ctx, step{id: 2})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.ErrorIs(t, err, ErrNotDelivered, "the message never got into the mailbox")
		assert.Equal(t, time.Second, time.Since(start))
		_, err = Ask[step, int](ctx, a, step{id: 3})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.ErrorIs(t, err, ErrNotDelivered)
		close(gate)
		synctest.Wait()
		assert.Equal(t, []string{"a start", "a got 0", "a got 1"}, j.get())
	})
}

// A sender blocked on a full mailbox is released with ErrStopped when the actor stops.
func TestBoundedMailboxBlockedSenderSeesStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a, gate := busyBounded(t, sys, j, OverflowBlock)
		sent := make(chan error, 1)
		go func() { sent <- a.Tell(context.Background(), step{id: 2}) }()
		synctest.Wait()
		go func() { _ = a.Ref().Stop(context.Background()) }()
		synctest.Wait()
		close(gate)
		require.ErrorIs(t, <-sent, ErrStopped)
		<-a.Ref().Done()
	})
}

// A bounded mailbox with OverflowDrop drops the message silently.
func TestBoundedMailboxDropDropsSilently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a, gate := busyBounded(t, sys, j, OverflowDrop)
		require.NoError(t, a.Tell(t.Context(), step{id: 2}))
		close(gate)
		synctest.Wait()
		assert.Equal(t, []string{"a start", "a got 0", "a got 1"}, j.get())
		require.NoError(t, a.Tell(t.Context(), step{id: 3}), "room again once handled")
		synctest.Wait()
		assert.Equal(t, []string{"a start", "a got 0", "a got 1", "a got 3"}, j.get())
	})
}

// A bounded mailbox with OverflowFail fails the send with ErrMailboxFull, asks included.
func TestBoundedMailboxFailReturnsErrMailboxFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a, gate := busyBounded(t, sys, j, OverflowFail)
		require.ErrorIs(t, a.Tell(t.Context(), step{id: 2}), ErrMailboxFull)
		_, err := Ask[step, int](t.Context(), a, step{id: 3})
		require.ErrorIs(t, err, ErrMailboxFull)
		close(gate)
		synctest.Wait()
		require.NoError(t, a.Tell(t.Context(), step{id: 4}))
		synctest.Wait()
		assert.Equal(t, []string{"a start", "a got 0", "a got 1", "a got 4"}, j.get())
	})
}

// An ask that was skipped because its ctx was done still frees its place in a bounded mailbox.
func TestBoundedMailboxSkippedAskFreesRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil, WithMailbox(1, OverflowFail))
		gate := make(chan struct{})
		tell(t, a, step{id: 0, gate: gate})
		synctest.Wait()
		ctx, cancel := context.WithCancel(t.Context())
		asked := make(chan error, 1)
		go func() {
			_, err := Ask[step, int](ctx, a, step{id: 1})
			asked <- err
		}()
		synctest.Wait()
		cancel()
		require.ErrorIs(t, <-asked, context.Canceled)
		close(gate)
		synctest.Wait()
		tell(t, a, step{id: 2})
		synctest.Wait()
		tell(t, a, step{id: 3})
		synctest.Wait()
		assert.Equal(t, []string{"a start", "a got 0", "a got 2", "a got 3"}, j.get())
	})
}

// One sender's messages arrive in the order sent.
func TestOneSenderOrderKept(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		var st *counter
		a, err := Spawn(sys, "a", func(*Context) *counter { st = &counter{}; return st }, handleCount)
		require.NoError(t, err)
		want := make([]int, 0, 5000)
		for i := 1; i <= 5000; i++ {
			require.NoError(t, a.Tell(t.Context(), i))
			want = append(want, i)
		}
		askInt(t, a, 0)
		assert.Equal(t, append(want, 0), st.seen)
	})
}

// Two concurrent senders: each one's messages keep their order.
func TestTwoSendersEachOrderKept(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		var st *counter
		a, err := Spawn(sys, "a", func(*Context) *counter { st = &counter{}; return st }, handleCount,
			WithMailbox(16, OverflowBlock))
		require.NoError(t, err)
		const n = 3000
		done := make(chan struct{}, 2)
		for s := range 2 {
			go func() {
				for i := 1; i <= n; i++ {
					assert.NoError(t, a.Tell(context.Background(), s*100000+i))
				}
				done <- struct{}{}
			}()
		}
		<-done
		<-done
		askInt(t, a, 0)
		var got [2][]int
		for _, v := range st.seen[:len(st.seen)-1] {
			got[v/100000] = append(got[v/100000], v%100000)
		}
		for s := range 2 {
			require.Len(t, got[s], n)
			for i, v := range got[s] {
				require.Equal(t, i+1, v, "sender %d", s)
			}
		}
	})
}

// WithIdleStop stops the actor normally after the period without messages, not before.
func TestIdleStopAfterPeriodNotBefore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		start := time.Now()
		a := mustProbe(t, sys, "a", j, nil, WithIdleStop(time.Minute))
		time.Sleep(time.Minute - 1)
		synctest.Wait()
		requireRunning(t, a.Ref())
		<-a.Ref().Done()
		assert.Equal(t, time.Minute, time.Since(start))
		require.ErrorIs(t, a.Ref().Err(), ErrStopped)
		assert.Equal(t, []string{"a start", "a stop []"}, j.get())
	})
}

// A message restarts the idle clock, counted from when the mailbox ran dry.
func TestIdleStopClockResetByMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil, WithIdleStop(time.Minute))
		time.Sleep(40 * time.Second)
		// The message takes 30s to handle: the clock starts again when it is done.
		tick := make(chan struct{})
		go func() { time.Sleep(30 * time.Second); close(tick) }()
		tell(t, a, step{id: 1, gate: tick})
		handledAt := time.Now().Add(30 * time.Second)
		time.Sleep(30*time.Second + time.Minute - 1)
		synctest.Wait()
		requireRunning(t, a.Ref())
		<-a.Ref().Done()
		assert.Equal(t, time.Minute, time.Since(handledAt))
		assert.Equal(t, []string{"a start", "a got 1", "a stop []"}, j.get())
	})
}

// An idle actor stops only when idle: a long stream of messages keeps it alive.
func TestIdleStopNotWhileBusy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil, WithIdleStop(time.Second))
		for id := range 10 {
			time.Sleep(999 * time.Millisecond)
			tell(t, a, step{id: id})
		}
		synctest.Wait()
		requireRunning(t, a.Ref())
		time.Sleep(time.Second)
		synctest.Wait()
		requireDone(t, a.Ref())
	})
}

// An actor waiting on a delayed decision is not idle-stopped; the idle clock starts again once
// it has handled what queued.
func TestIdleStopWaitsForDelayedDecision(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil, WithIdleStop(time.Second),
			WithPolicy(Strategy{Decision: Resume, Delay: time.Minute}))
		tell(t, a, step{id: 1, boom: true})
		tell(t, a, step{id: 2})
		start := time.Now()
		<-a.Ref().Done()
		assert.Equal(t, time.Minute+time.Second, time.Since(start))
		assert.Equal(t, []string{"a start", "a boom 1", "a got 2", "a stop []"}, j.get())
	})
}

// A bounded mailbox counts the messages queued, not the one being handled (as Akka's bounded
// mailboxes do): with size 1, a tell that is being handled leaves room for an ask.
func TestBoundedMailboxSizeCountsQueuedMessagesOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a := mustProbe(t, sys, "a", j, nil, WithMailbox(1, OverflowFail))
		gate := make(chan struct{})
		tell(t, a, step{id: 0, gate: gate})
		synctest.Wait() // message 0 is being handled, the mailbox is empty
		asked := make(chan error, 1)
		go func() {
			_, err := Ask[step, int](t.Context(), a, step{id: 1})
			asked <- err
		}()
		synctest.Wait()
		require.ErrorIs(t, a.Tell(t.Context(), step{id: 2}), ErrMailboxFull, "one queued: full")
		close(gate)
		require.NoError(t, <-asked)
		synctest.Wait()
		assert.Equal(t, []string{"a start", "a got 0", "a got 1"}, j.get())
	})
}

// An ask that OverflowDrop drops fails at once with an error matching ErrMailboxFull: it would
// otherwise wait for a reply that never comes. A dropped tell still returns nil.
func TestBoundedMailboxDropFailsADroppedAskAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		j := &journal{}
		a, gate := busyBounded(t, sys, j, OverflowDrop)
		_, err := Ask[step, int](context.Background(), a, step{id: 2})
		require.ErrorIs(t, err, ErrMailboxFull)
		assert.Contains(t, err.Error(), "dropped")
		require.NoError(t, a.Tell(t.Context(), step{id: 3}))
		close(gate)
		synctest.Wait()
		assert.Equal(t, []string{"a start", "a got 0", "a got 1"}, j.get())
	})
}

// An inbox of one message at a time keeps buffers of one; one that outgrows a message grows to
// inboxBurst bytes at once, and keeps every message in order.
func TestInboxGrowsToABurstPastOneMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		gate := make(chan struct{})
		var got []int
		a, err := Spawn(sys, "a", newCounter, func(ctx context.Context, ac *Context, s *counter, m int) {
			if m == 0 {
				<-gate
			}
			got = append(got, m)
		})
		require.NoError(t, err)
		for i := 1; i <= 3; i++ {
			require.NoError(t, a.Tell(t.Context(), i))
			synctest.Wait()
		}
		in, batch := inboxCaps(a)
		assert.Equal(t, 1, in, "one message at a time")
		assert.Equal(t, 1, batch, "one message at a time")

		require.NoError(t, a.Tell(t.Context(), 0))
		synctest.Wait() // handling 0, alone in its batch
		burst := inboxBurstLen[int]()
		for i := 4; i < 4+2*burst; i++ {
			require.NoError(t, a.Tell(t.Context(), i))
			if i == 5 {
				in, _ := inboxCaps(a)
				assert.GreaterOrEqual(t, in, burst, "a second message grows the inbox to a burst")
			}
		}
		close(gate)
		synctest.Wait()
		want := []int{1, 2, 3, 0}
		for i := 4; i < 4+2*burst; i++ {
			want = append(want, i)
		}
		assert.Equal(t, want, got)
	})
}

// A bounded inbox grows as append grows it, not to a burst.
func TestBoundedInboxDoesNotGrowToABurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys, _ := newSystem(t)
		a, gate := spawnGated(t, sys, WithMailbox(2, OverflowFail))
		require.NoError(t, a.Tell(t.Context(), 0))
		synctest.Wait() // handling 0
		require.NoError(t, a.Tell(t.Context(), 1))
		require.NoError(t, a.Tell(t.Context(), 2))
		in, _ := inboxCaps(a)
		assert.Equal(t, 2, in)
		close(gate)
		synctest.Wait()
	})
}
