// Package workload defines the benchmark's workloads once, and the small interface that every
// implementation under test (this runtime, its peers, the baselines) provides to run them.
//
// Every actor owns a Sink that counts and sums the values it is sent, so an implementation
// cannot win by dropping work: each workload checks the counts and sums exactly and fails
// with an error naming the workload and implementation when they are off.
package workload

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// ErrAccounting reports that the actors did not receive exactly the messages that were sent.
var ErrAccounting = errors.New("accounting mismatch")

// Impl is one implementation under test.
type Impl struct {
	// Name is the short name used in the table and by -only (lower case, no spaces).
	Name string
	// Label is the row label in the table.
	Label string
	// New starts a fresh system (engine, actor system) for one run of one workload.
	New func(ctx context.Context) (System, error)
}

// System is an implementation's actor system for one run.
type System interface {
	// Spawn starts an actor whose handler calls sink.Add for every message, tells and asks alike,
	// and answers an ask with the value sink.Add returns.
	Spawn(ctx context.Context, sink *Sink) (Actor, error)
	// Close stops every actor still running and releases the system. It returns once the
	// implementation reports everything stopped.
	Close(ctx context.Context) error
}

// Actor is a reference to one actor of a System.
type Actor interface {
	// Tell sends v without waiting for it to be handled.
	Tell(ctx context.Context, v int64) error
	// Ask sends v and waits for the actor's answer (the sink's running sum after adding v).
	Ask(ctx context.Context, v int64) (int64, error)
	// Stop stops the actor and waits until it has stopped.
	Stop(ctx context.Context) error
}

// Sink is the state an actor accounts its messages in. Only the actor touches it while it runs;
// the workload reads it after the sink has signalled that it saw every expected message.
type Sink struct {
	count, sum int64
	expect     int64
	done       func()
}

// NewSink returns a sink that calls done once, when it has counted expect messages.
func NewSink(expect int64, done func()) *Sink {
	return &Sink{expect: expect, done: done}
}

// Add counts v, adds it to the sum and returns the new sum.
func (s *Sink) Add(v int64) int64 {
	s.count++
	s.sum += v
	if s.count == s.expect && s.done != nil {
		s.done()
	}
	return s.sum
}

// Count returns the number of values added so far.
func (s *Sink) Count() int64 { return s.count }

// Sum returns the sum of the values added so far.
func (s *Sink) Sum() int64 { return s.sum }

// Kind names a workload.
type Kind string

// The workloads.
const (
	Tell1  Kind = "tell"   // one sender tells one actor N values
	Tell2  Kind = "tell2"  // two senders tell one actor N values between them
	Ask    Kind = "ask"    // one caller asks one actor N times in a row
	AskCtx Kind = "askctx" // the same with a cancellable context
	Fanout Kind = "fanout" // one sender tells each of A actors M values, round-robin
	Spawn  Kind = "spawn"  // spawn N idle actors, measure them, wake each once, stop them
)

// Kinds lists every workload in table order.
func Kinds() []Kind { return []Kind{Tell1, Tell2, Ask, AskCtx, Fanout, Spawn} }

// Sizes are the workload sizes.
type Sizes struct {
	Tell         int // messages in total for tell and tell2
	Ask          int // round trips
	FanoutActors int
	FanoutMsgs   int // messages per actor
	Spawn        int // actors
}

// DefaultSizes are the sizes of the issue: 10,000 actors × 100 messages for fanout, 100,000 spawns.
func DefaultSizes() Sizes {
	return Sizes{Tell: 1_000_000, Ask: 100_000, FanoutActors: 10_000, FanoutMsgs: 100, Spawn: 100_000}
}

// Validate reports a size that cannot run.
func (s Sizes) Validate() error {
	switch {
	case s.Tell < 2:
		return fmt.Errorf("sizes: tell=%d: need at least 2 (two senders)", s.Tell)
	case s.Ask < 1:
		return fmt.Errorf("sizes: ask=%d: need at least 1", s.Ask)
	case s.FanoutActors < 1 || s.FanoutMsgs < 1:
		return fmt.Errorf("sizes: fanout=%dx%d: need at least 1x1", s.FanoutActors, s.FanoutMsgs)
	case s.Spawn < 1:
		return fmt.Errorf("sizes: spawn=%d: need at least 1", s.Spawn)
	}
	return nil
}

// Result is one measured run of one workload on one implementation.
type Result struct {
	Ops     int64         // messages (or spawns) measured
	Elapsed time.Duration // wall time of the measured part
	Allocs  uint64        // heap allocations during the measured part (whole process)

	// Spawn only.
	BytesPerActor float64 // heap and stack growth per idle actor, after a GC
	Leftover      int     // goroutines above the baseline after every actor stopped and the system closed
}

// NsPerOp returns the elapsed time per operation in nanoseconds.
func (r Result) NsPerOp() float64 { return float64(r.Elapsed.Nanoseconds()) / float64(r.Ops) }

// AllocsPerOp returns the allocations per operation.
func (r Result) AllocsPerOp() float64 { return float64(r.Allocs) / float64(r.Ops) }

// Run runs workload k on impl once.
func Run(ctx context.Context, impl Impl, k Kind, sz Sizes) (Result, error) {
	if err := sz.Validate(); err != nil {
		return Result{}, err
	}
	var (
		res Result
		err error
	)
	switch k {
	case Tell1:
		res, err = runTell(ctx, impl, 1, sz.Tell)
	case Tell2:
		res, err = runTell(ctx, impl, 2, sz.Tell)
	case Ask:
		res, err = runAsk(ctx, impl, sz.Ask, false)
	case AskCtx:
		res, err = runAsk(ctx, impl, sz.Ask, true)
	case Fanout:
		res, err = runFanout(ctx, impl, sz.FanoutActors, sz.FanoutMsgs)
	case Spawn:
		res, err = runSpawn(ctx, impl, sz.Spawn)
	default:
		return Result{}, fmt.Errorf("workload %q: unknown (want one of %v)", k, Kinds())
	}
	if err != nil {
		return Result{}, fmt.Errorf("workload %s on %s: %w", k, impl.Name, err)
	}
	return res, nil
}

// triangle returns 1+2+...+n.
func triangle(n int64) int64 { return n * (n + 1) / 2 }

// measure brackets the measured part of a run: it returns the elapsed time and allocations.
type measure struct {
	start   time.Time
	mallocs uint64
	live    int64 // heap and stack bytes after the GC that starts the measure
}

func startMeasure() measure {
	ms := afterGC()
	return measure{start: time.Now(), mallocs: ms.Mallocs, live: liveBytes(&ms)}
}

func (m measure) stop() (time.Duration, uint64) {
	d := time.Since(m.start)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return d, ms.Mallocs - m.mallocs
}

// closeAll stops actors and closes sys, joining the errors with err.
func closeAll(ctx context.Context, sys System, err error, actors ...Actor) error {
	for _, a := range actors {
		if serr := a.Stop(ctx); serr != nil {
			err = errors.Join(err, fmt.Errorf("stop: %w", serr))
		}
	}
	if cerr := sys.Close(ctx); cerr != nil {
		err = errors.Join(err, fmt.Errorf("close: %w", cerr))
	}
	return err
}

// latch is closed when its count of sinks have all seen their messages.
type latch struct {
	left atomic.Int64
	ch   chan struct{}
}

func newLatch(n int) *latch {
	l := &latch{ch: make(chan struct{})}
	l.left.Store(int64(n))
	return l
}

// done is a sink's done callback.
func (l *latch) done() {
	if l.left.Add(-1) == 0 {
		close(l.ch)
	}
}

// wait waits until every sink is done, or ctx.
func (l *latch) wait(ctx context.Context) error {
	select {
	case <-l.ch:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for the actors to see every message (%d short): %w", l.left.Load(), ctx.Err())
	}
}

func check(what string, gotCount, wantCount, gotSum, wantSum int64) error {
	if gotCount != wantCount || gotSum != wantSum {
		return fmt.Errorf("%w: %s: got %d messages summing to %d, want %d summing to %d",
			ErrAccounting, what, gotCount, gotSum, wantCount, wantSum)
	}
	return nil
}

func runTell(ctx context.Context, impl Impl, senders, total int) (res Result, err error) {
	sys, err := impl.New(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("new system: %w", err)
	}
	done := newLatch(1)
	sink := NewSink(int64(total-total%senders), done.done)
	a, err := sys.Spawn(ctx, sink)
	if err != nil {
		return Result{}, closeAll(ctx, sys, fmt.Errorf("spawn: %w", err))
	}
	per := int64(total / senders)
	errs := make([]error, senders)
	var start, sent sync.WaitGroup
	start.Add(1)
	sent.Add(senders)
	for s := range senders {
		go func() {
			defer sent.Done()
			start.Wait()
			for v := int64(1); v <= per; v++ {
				if err := a.Tell(ctx, v); err != nil {
					errs[s] = fmt.Errorf("sender %d: tell %d: %w", s, v, err)
					return
				}
			}
		}()
	}
	m := startMeasure()
	start.Done()
	sent.Wait()
	if err := errors.Join(errs...); err != nil {
		return Result{}, closeAll(ctx, sys, err, a)
	}
	if err := done.wait(ctx); err != nil {
		return Result{}, closeAll(ctx, sys, err, a)
	}
	res.Elapsed, res.Allocs = m.stop()
	res.Ops = per * int64(senders)
	err = check("the actor", sink.Count(), res.Ops, sink.Sum(), int64(senders)*triangle(per))
	return res, closeAll(ctx, sys, err, a)
}

// runAsk asks n times in a row, with ctx or, when cancellable, with a child of ctx that has a
// cancel function (as a request-scoped context has).
func runAsk(ctx context.Context, impl Impl, n int, cancellable bool) (res Result, err error) {
	sys, err := impl.New(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("new system: %w", err)
	}
	sink := NewSink(int64(n), nil)
	a, err := sys.Spawn(ctx, sink)
	if err != nil {
		return Result{}, closeAll(ctx, sys, fmt.Errorf("spawn: %w", err))
	}
	actx := ctx
	if cancellable {
		var cancel context.CancelFunc
		actx, cancel = context.WithCancel(ctx)
		defer cancel()
	}
	m := startMeasure()
	for v := int64(1); v <= int64(n); v++ {
		got, err := a.Ask(actx, v)
		if err != nil {
			return Result{}, closeAll(ctx, sys, fmt.Errorf("ask %d: %w", v, err), a)
		}
		if want := triangle(v); got != want {
			return Result{}, closeAll(ctx, sys, fmt.Errorf("%w: ask %d answered %d, want %d", ErrAccounting, v, got, want), a)
		}
	}
	res.Elapsed, res.Allocs = m.stop()
	res.Ops = int64(n)
	err = check("the actor", sink.Count(), res.Ops, sink.Sum(), triangle(int64(n)))
	return res, closeAll(ctx, sys, err, a)
}

func runFanout(ctx context.Context, impl Impl, actors, msgs int) (res Result, err error) {
	sys, err := impl.New(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("new system: %w", err)
	}
	done := newLatch(actors)
	sinks := make([]*Sink, actors)
	refs := make([]Actor, 0, actors)
	for i := range sinks {
		sinks[i] = NewSink(int64(msgs), done.done)
		a, err := sys.Spawn(ctx, sinks[i])
		if err != nil {
			return Result{}, closeAll(ctx, sys, fmt.Errorf("spawn actor %d: %w", i, err), refs...)
		}
		refs = append(refs, a)
	}
	m := startMeasure()
	for v := int64(1); v <= int64(msgs); v++ {
		for i, a := range refs {
			if err := a.Tell(ctx, v); err != nil {
				return Result{}, closeAll(ctx, sys, fmt.Errorf("tell actor %d value %d: %w", i, v, err), refs...)
			}
		}
	}
	if err := done.wait(ctx); err != nil {
		return Result{}, closeAll(ctx, sys, err, refs...)
	}
	res.Elapsed, res.Allocs = m.stop()
	res.Ops = int64(actors) * int64(msgs)
	for i, s := range sinks {
		if err = check(fmt.Sprintf("actor %d", i), s.Count(), int64(msgs), s.Sum(), triangle(int64(msgs))); err != nil {
			break
		}
	}
	return res, closeAll(ctx, sys, err, refs...)
}

// afterGC runs a GC and returns the memory statistics that follow it.
func afterGC() runtime.MemStats {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms
}

// liveBytes returns the heap and stack bytes in use.
func liveBytes(ms *runtime.MemStats) int64 { return int64(ms.HeapAlloc) + int64(ms.StackInuse) }

func runSpawn(ctx context.Context, impl Impl, n int) (res Result, err error) {
	baseGoroutines := runtime.NumGoroutine()
	sys, err := impl.New(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("new system: %w", err)
	}
	done := newLatch(n)
	sinks := make([]*Sink, n)
	for i := range sinks {
		sinks[i] = NewSink(1, done.done)
	}
	refs := make([]Actor, 0, n)
	m := startMeasure()
	for i := range n {
		a, err := sys.Spawn(ctx, sinks[i])
		if err != nil {
			return Result{}, closeAll(ctx, sys, fmt.Errorf("spawn actor %d: %w", i, err), refs...)
		}
		refs = append(refs, a)
	}
	res.Elapsed, res.Allocs = m.stop()
	res.Ops = int64(n)
	// The refs slice was sized before the measure started, so growth is the actors' own footprint.
	after := afterGC()
	res.BytesPerActor = float64(liveBytes(&after)-m.live) / float64(n)

	// Wake every actor once, so the count proves each one is alive and handles messages.
	for i, a := range refs {
		if err := a.Tell(ctx, int64(i+1)); err != nil {
			return Result{}, closeAll(ctx, sys, fmt.Errorf("tell actor %d: %w", i, err), refs...)
		}
	}
	if err := done.wait(ctx); err != nil {
		return Result{}, closeAll(ctx, sys, err, refs...)
	}
	var count, sum int64
	for _, s := range sinks {
		count += s.Count()
		sum += s.Sum()
	}
	err = check("the actors", count, int64(n), sum, triangle(int64(n)))
	if err = closeAll(ctx, sys, err, refs...); err != nil {
		return Result{}, err
	}
	res.Leftover = settleGoroutines(ctx, baseGoroutines)
	return res, nil
}

// settleGoroutines gives goroutines that are on their way out time to exit and returns how many
// are still running above base. Goroutines of stopped actors may need a moment to return after
// they signalled the stop; this waits at most 10 s (or ctx), polling, never asserting.
func settleGoroutines(ctx context.Context, base int) int {
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := runtime.NumGoroutine() - base
		if left <= 0 {
			return 0
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return left
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}
