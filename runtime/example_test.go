package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/actorgen/actorgen/runtime"
)

// tally is the state of a counting actor: plain data, no locks, since the actor handles one
// message at a time.
type tally struct{ total int }

// add is a message that adds n to the total; the total is the reply when it is asked.
type add struct{ n int }

func handleAdd(_ context.Context, ac *runtime.Context, s *tally, m add) {
	if m.n < 0 {
		panic(fmt.Sprintf("negative amount %d", m.n))
	}
	s.total += m.n
	runtime.Reply(ac, s.total)
}

func newTally(*runtime.Context) *tally { return &tally{} }

// silent returns a system that logs nothing.
func silent() *runtime.System {
	return runtime.NewSystem(runtime.WithLogger(slog.New(slog.DiscardHandler)))
}

// Spawn an actor, tell it something, and ask it something.
func ExampleSpawn() {
	ctx := context.Background()
	sys := silent()
	defer sys.Shutdown(ctx)

	counter, err := runtime.Spawn(sys, "counter", newTally, handleAdd)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = counter.Tell(ctx, add{n: 2}) // fire and forget
	total, err := runtime.Ask[add, int](ctx, counter, add{n: 3})
	fmt.Println(total, err, counter.Ref().Path())
	// Output: 5 <nil> /counter
}

// A handler that panics fails the ask at once with an error that wraps ErrFault.
func ExampleAsk_fault() {
	ctx := context.Background()
	sys := silent()
	defer sys.Shutdown(ctx)

	counter, _ := runtime.Spawn(sys, "counter", newTally, handleAdd,
		runtime.WithPolicy(runtime.Strategy{Decision: runtime.Resume}))
	_, err := runtime.Ask[add, int](ctx, counter, add{n: -1})
	var fault *runtime.FaultError
	fmt.Println(errors.Is(err, runtime.ErrFault), errors.As(err, &fault) && fault.Value == "negative amount -1")
	total, _ := runtime.Ask[add, int](ctx, counter, add{n: 1})
	fmt.Println("resumed with total", total)
	// Output:
	// true true
	// resumed with total 1
}

// Reset with exponential backoff: after a fault the actor waits, builds a fresh state with its
// factory, and goes on with the messages that queued meanwhile.
func ExampleStrategy() {
	ctx := context.Background()
	sys := silent()
	defer sys.Shutdown(ctx)

	policy := runtime.Strategy{
		Decision:   runtime.Reset,
		BackoffMin: time.Millisecond, // then 2ms, 4ms, ... up to BackoffMax
		BackoffMax: 50 * time.Millisecond,
		MaxFaults:  10, // more than 10 faults in a minute escalate
		Period:     time.Minute,
	}
	counter, _ := runtime.Spawn(sys, "counter", newTally, handleAdd, runtime.WithPolicy(policy))
	before, _ := runtime.Ask[add, int](ctx, counter, add{n: 40})
	_, err := runtime.Ask[add, int](ctx, counter, add{n: -1})
	after, _ := runtime.Ask[add, int](ctx, counter, add{n: 2})
	fmt.Println(before, errors.Is(err, runtime.ErrFault), after)
	// Output: 40 true 2
}

// A stateful policy keeps its state per actor, across resets: here it resumes twice, then stops.
func ExampleStateful() {
	ctx := context.Background()
	sys := silent()
	defer sys.Shutdown(ctx)

	policy := runtime.Stateful(0, func(faults int, ac *runtime.Context, f runtime.Fault) (int, runtime.Directive) {
		faults++
		if faults > 2 {
			return faults, runtime.Directive{Decision: runtime.Stop}
		}
		return faults, runtime.Directive{Decision: runtime.Resume}
	})
	counter, _ := runtime.Spawn(sys, "counter", newTally, handleAdd, runtime.WithPolicy(policy))
	for range 3 {
		_, err := runtime.Ask[add, int](ctx, counter, add{n: -1})
		fmt.Println(errors.Is(err, runtime.ErrFault))
	}
	<-counter.Ref().Done()
	fmt.Println("stopped:", errors.Is(counter.Ref().Err(), runtime.ErrFault))
	// Output:
	// true
	// true
	// true
	// stopped: true
}

// A keeper starts a flaky child inside a tether and starts it again whenever it goes down. A
// fault in the child cuts the tether, which stops its children and stays up; nothing above it
// hears of the fault.
func ExampleSpawnKeeper() {
	ctx := context.Background()
	sys := silent()
	defer sys.Shutdown(ctx)

	tether, _ := runtime.SpawnTether(sys, "relay", 3, 5*time.Second)
	type attempt struct {
		err  error
		link runtime.Actor[add]
	}
	attempts := make(chan attempt)
	tries := 0
	start := func(ctx context.Context, t *runtime.Tether) (runtime.Ref, error) {
		tries++
		if tries == 1 {
			err := errors.New("service down")
			attempts <- attempt{err: err}
			return runtime.Ref{}, err // the keeper tries again after Sweep
		}
		link, err := runtime.Spawn(t, "link", newTally, handleAdd,
			runtime.WithPolicy(runtime.Strategy{Decision: runtime.Escalate}))
		attempts <- attempt{err: err, link: link}
		return link.Ref(), err
	}
	_, _ = runtime.SpawnKeeper(sys, "keeper", tether, start, runtime.KeeperSchedule{
		First:    time.Millisecond,      // before the first try and after the child goes down
		Sweep:    time.Millisecond,      // after a failed try, doubling
		MaxSweep: 20 * time.Millisecond, // up to this
	})
	fmt.Println("try 1:", (<-attempts).err)
	link := (<-attempts).link
	fmt.Println("try 2:", link.Ref().Path(), "up")

	_ = link.Tell(ctx, add{n: -1}) // the link faults and escalates: the tether is cut
	<-link.Ref().Done()
	fmt.Println("link failed:", errors.Is(link.Ref().Err(), runtime.ErrFault))

	link = (<-attempts).link
	fmt.Println("try 3:", link.Ref().Path(), "up")
	fmt.Println("tether still up:", tether.Ref().Err() == nil)
	// Output:
	// try 1: service down
	// try 2: /relay/link up
	// link failed: true
	// try 3: /relay/link up
	// tether still up: true
}

// An actor with WithIdleStop stops normally after a period without messages.
func ExampleWithIdleStop() {
	ctx := context.Background()
	sys := silent()
	defer sys.Shutdown(ctx)

	session, _ := runtime.Spawn(sys, "session", newTally, handleAdd, runtime.WithIdleStop(10*time.Millisecond))
	_, _ = runtime.Ask[add, int](ctx, session, add{n: 1})
	<-session.Ref().Done()
	fmt.Println(session.Ref().Err())
	_, err := runtime.Ask[add, int](ctx, session, add{n: 1})
	fmt.Println(errors.Is(err, runtime.ErrStopped))
	// Output:
	// actor stopped
	// true
}

// WithLinger sets how long an actor's goroutine waits, parked, for the next message once the
// mailbox is empty. A stream of messages a few milliseconds apart then wakes one goroutine again
// and again instead of starting a new one for each message.
func ExampleWithLinger() {
	ctx := context.Background()
	sys := runtime.NewSystem(runtime.WithLogger(slog.New(slog.DiscardHandler)),
		runtime.WithLinger(200*time.Millisecond))
	defer sys.Shutdown(ctx) // ends the parked goroutines too

	meter, _ := runtime.Spawn(sys, "meter", newTally, handleAdd)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for range 5 {
		<-tick.C
		_ = meter.Tell(ctx, add{n: 2}) // wakes the goroutine the previous tell left parked
	}
	total, _ := runtime.Ask[add, int](ctx, meter, add{n: 0})
	fmt.Println(total)
	// Output:
	// 10
}

// A bounded mailbox with OverflowFail refuses messages while it is full.
func ExampleWithMailbox() {
	ctx := context.Background()
	sys := silent()
	defer sys.Shutdown(ctx)

	started, busy := make(chan struct{}), make(chan struct{})
	worker, _ := runtime.Spawn(sys, "worker", func(*runtime.Context) struct{} { return struct{}{} },
		func(_ context.Context, _ *runtime.Context, _ struct{}, job string) {
			if job == "slow" {
				close(started)
				<-busy
			}
		}, runtime.WithMailbox(2, runtime.OverflowFail))
	fmt.Println(worker.Tell(ctx, "slow"))
	<-started // being handled: it no longer takes a place
	fmt.Println(worker.Tell(ctx, "next"))
	fmt.Println(worker.Tell(ctx, "and next"))
	fmt.Println(errors.Is(worker.Tell(ctx, "one too many"), runtime.ErrMailboxFull))
	close(busy)
	// Output:
	// <nil>
	// <nil>
	// <nil>
	// true
}

// A policy written as a function. Here a child escalates its faults, and its parent's policy
// decides for the parent: it sees which child failed and on what message, and resets itself,
// which rebuilds its children through its factory.
func ExamplePolicyFunc() {
	ctx := context.Background()
	sys := silent()
	defer sys.Shutdown(ctx)

	decided := make(chan string, 1)
	var worker runtime.Actor[add]
	parent := runtime.PolicyFunc(func(ac *runtime.Context, f runtime.Fault) runtime.Directive {
		decided <- fmt.Sprintf("%s decides for %s on %v (escalated: %v)", ac.Path(), f.Actor.Path(), f.Message, f.Escalated)
		return runtime.Directive{Decision: runtime.Reset}
	})
	_, _ = runtime.Spawn(sys, "team", func(ac *runtime.Context) struct{} {
		worker, _ = runtime.Spawn(ac, "worker", newTally, handleAdd,
			runtime.WithPolicy(runtime.Strategy{Decision: runtime.Escalate}))
		return struct{}{}
	}, func(context.Context, *runtime.Context, struct{}, struct{}) {}, runtime.WithPolicy(parent))

	first := worker
	_ = first.Tell(ctx, add{n: -5})
	fmt.Println(<-decided)
	<-first.Ref().Done()
	fmt.Println("first worker failed:", errors.Is(first.Ref().Err(), runtime.ErrFault))
	// Output:
	// /team decides for /team/worker on {-5} (escalated: true)
	// first worker failed: true
}
