package runtime

import (
	"context"
	"log/slog"
	goruntime "runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The benchmarks run each workload twice: "chan" is the hand-written baseline (one goroutine
// ranging over a buffered channel of capacity 64; an ask sends a request that carries a reply
// channel) and "actor" is this runtime. Compare them with benchstat, or read the ratio of the
// two ns/op figures from one run. Every workload counts and sums what it receives, so that
// neither side can win by dropping work.

const chanCap = 64

func benchSystem() *System { return NewSystem(WithLogger(slog.New(slog.DiscardHandler))) }

// sink counts and sums the messages an actor or goroutine receives.
type sink struct {
	n, sum int
	want   int
	done   chan struct{}
}

func (s *sink) add(m int) {
	s.n++
	s.sum += m
	if s.n == s.want {
		close(s.done)
	}
}

func (s *sink) check(b *testing.B, n int) {
	b.Helper()
	<-s.done
	if s.n != n || s.sum != n*(n-1)/2 {
		b.Fatalf("got %d messages summing to %d, want %d summing to %d", s.n, s.sum, n, n*(n-1)/2)
	}
}

func sinkHandler(_ context.Context, _ *Context, s *sink, m int) { s.add(m) }

// chanSink starts the baseline for b.N messages: a goroutine ranging over a buffered channel
// into a sink. The benchmark closes the channel.
func chanSink(b *testing.B) (*sink, chan<- int) {
	s := &sink{want: b.N, done: make(chan struct{})}
	ch := make(chan int, chanCap)
	go func() {
		for m := range ch {
			s.add(m)
		}
	}()
	return s, ch
}

// actorSink spawns an actor that adds b.N messages into a sink, in a system that the
// benchmark's cleanup shuts down.
func actorSink(b *testing.B) (*sink, Actor[int]) {
	sys := benchSystem()
	b.Cleanup(func() { _ = sys.Shutdown(context.Background()) })
	s := &sink{want: b.N, done: make(chan struct{})}
	a, err := Spawn(sys, "sink", func(*Context) *sink { return s }, sinkHandler)
	if err != nil {
		b.Fatal(err)
	}
	return s, a
}

func BenchmarkTell(b *testing.B) {
	b.Run("chan", func(b *testing.B) {
		s, ch := chanSink(b)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			ch <- i
		}
		s.check(b, b.N)
		close(ch)
	})
	b.Run("actor", func(b *testing.B) {
		s, a := actorSink(b)
		ctx := context.Background()
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if err := a.Tell(ctx, i); err != nil {
				b.Fatal(err)
			}
		}
		s.check(b, b.N)
	})
}

// BenchmarkTellParallel sends from two goroutines; the messages are numbered 0..b.N-1 between
// them.
func BenchmarkTellParallel(b *testing.B) {
	const senders = 2
	send := func(b *testing.B, tell func(int)) {
		var wg sync.WaitGroup
		for w := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < b.N; i += senders {
					tell(i)
				}
			}()
		}
		wg.Wait()
	}
	b.Run("chan", func(b *testing.B) {
		s, ch := chanSink(b)
		b.ReportAllocs()
		b.ResetTimer()
		send(b, func(i int) { ch <- i })
		s.check(b, b.N)
		close(ch)
	})
	b.Run("actor", func(b *testing.B) {
		s, a := actorSink(b)
		ctx := context.Background()
		b.ReportAllocs()
		b.ResetTimer()
		send(b, func(i int) { _ = a.Tell(ctx, i) })
		s.check(b, b.N)
	})
}

type request struct {
	m     int
	reply chan int
}

// chanAdder starts the baseline of the ask benchmarks: a goroutine that answers each request
// with the running sum. Closing the channel ends it.
func chanAdder() chan<- request {
	ch := make(chan request, chanCap)
	go func() {
		sum := 0
		for r := range ch {
			sum += r.m
			r.reply <- sum
		}
	}()
	return ch
}

// actorAdder spawns the actor of the ask benchmarks: it answers each ask with the running sum.
func actorAdder(b *testing.B) Actor[int] {
	sys := benchSystem()
	b.Cleanup(func() { _ = sys.Shutdown(context.Background()) })
	type acc struct{ sum int }
	a, err := Spawn(sys, "acc", func(*Context) *acc { return &acc{} },
		func(_ context.Context, ac *Context, s *acc, m int) {
			s.sum += m
			Reply(ac, s.sum)
		})
	if err != nil {
		b.Fatal(err)
	}
	return a
}

func BenchmarkAsk(b *testing.B) {
	b.Run("chan", func(b *testing.B) {
		ch := chanAdder()
		b.ReportAllocs()
		b.ResetTimer()
		want := 0
		for i := range b.N {
			r := request{m: i, reply: make(chan int, 1)}
			ch <- r
			want += i
			if got := <-r.reply; got != want {
				b.Fatalf("reply %d, want %d", got, want)
			}
		}
		close(ch)
	})
	b.Run("actor", func(b *testing.B) {
		a := actorAdder(b)
		ctx := context.Background()
		b.ReportAllocs()
		b.ResetTimer()
		want := 0
		for i := range b.N {
			want += i
			got, err := Ask[int, int](ctx, a, i)
			if err != nil || got != want {
				b.Fatalf("reply %d, %v, want %d", got, err, want)
			}
		}
	})
}

// BenchmarkAskCancellable is BenchmarkAsk with a ctx that can be cancelled (an HTTP request's,
// say): the actor's goroutine handles the ask, so that the caller can give up when ctx ends. The
// baseline waits for its reply channel or ctx, as such a caller must.
func BenchmarkAskCancellable(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.Run("chan", func(b *testing.B) {
		ch := chanAdder()
		b.ReportAllocs()
		b.ResetTimer()
		want := 0
		for i := range b.N {
			r := request{m: i, reply: make(chan int, 1)}
			ch <- r
			want += i
			select {
			case got := <-r.reply:
				if got != want {
					b.Fatalf("reply %d, want %d", got, want)
				}
			case <-ctx.Done():
				b.Fatal(ctx.Err())
			}
		}
		close(ch)
	})
	b.Run("actor", func(b *testing.B) {
		a := actorAdder(b)
		b.ReportAllocs()
		b.ResetTimer()
		want := 0
		for i := range b.N {
			want += i
			got, err := Ask[int, int](ctx, a, i)
			if err != nil || got != want {
				b.Fatalf("reply %d, %v, want %d", got, err, want)
			}
		}
	})
}

const (
	fanActors   = 10_000
	fanMessages = 100
)

// BenchmarkFanout sends 100 messages to each of 10,000 actors per op, round robin, and reports
// ns per message.
func BenchmarkFanout(b *testing.B) {
	total := fanActors * fanMessages
	b.Run("chan", func(b *testing.B) {
		var got atomic.Int64
		var wg sync.WaitGroup
		chans := make([]chan int, fanActors)
		var all sync.WaitGroup
		for i := range chans {
			chans[i] = make(chan int, chanCap)
			all.Add(1)
			go func() {
				defer all.Done()
				n := 0
				for m := range chans[i] {
					n += m
					if m == fanMessages {
						got.Add(int64(n))
						n = 0
						wg.Done()
					}
				}
			}()
		}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			wg.Add(fanActors)
			for m := 1; m <= fanMessages; m++ {
				for _, ch := range chans {
					ch <- m
				}
			}
			wg.Wait()
		}
		b.StopTimer()
		checkFanout(b, got.Load())
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/msg")
		for _, ch := range chans {
			close(ch)
		}
		all.Wait()
	})
	b.Run("actor", func(b *testing.B) {
		sys := benchSystem()
		defer sys.Shutdown(context.Background())
		var got atomic.Int64
		var wg sync.WaitGroup
		type fan struct{ n int }
		actors := make([]Actor[int], fanActors)
		for i := range actors {
			a, err := Spawn(sys, "", func(*Context) *fan { return &fan{} },
				func(_ context.Context, _ *Context, s *fan, m int) {
					s.n += m
					if m == fanMessages {
						got.Add(int64(s.n))
						s.n = 0
						wg.Done()
					}
				})
			if err != nil {
				b.Fatal(err)
			}
			actors[i] = a
		}
		ctx := context.Background()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			wg.Add(fanActors)
			for m := 1; m <= fanMessages; m++ {
				for _, a := range actors {
					_ = a.Tell(ctx, m)
				}
			}
			wg.Wait()
		}
		b.StopTimer()
		checkFanout(b, got.Load())
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/msg")
	})
}

func checkFanout(b *testing.B, got int64) {
	b.Helper()
	if want := int64(b.N) * fanActors * fanMessages * (fanMessages + 1) / 2; got != want {
		b.Fatalf("sum %d, want %d", got, want)
	}
}

const spawnCount = 100_000

// memInUse returns the heap and stack in use after a full collection.
func memInUse() uint64 {
	goruntime.GC()
	goruntime.GC()
	var ms goruntime.MemStats
	goruntime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse
}

// waitGoroutines waits until at most n goroutines run, and reports whether they got there.
func waitGoroutines(n int) bool {
	for range 1000 {
		if goruntime.NumGoroutine() <= n {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return false
}

// BenchmarkSpawn starts 100,000 idle actors per op and reports the time per spawn and B/actor,
// the growth of heap and stack in use per idle actor; after the actors stop, the goroutines must
// be back to where they were.
func BenchmarkSpawn(b *testing.B) {
	b.Run("chan", func(b *testing.B) {
		base := goruntime.NumGoroutine()
		var perActor float64
		for range b.N {
			b.StopTimer()
			before := memInUse()
			chans := make([]chan int, spawnCount)
			var wg sync.WaitGroup
			wg.Add(spawnCount)
			b.StartTimer()
			for i := range chans {
				ch := make(chan int, chanCap)
				chans[i] = ch
				go func() {
					defer wg.Done()
					for range ch {
					}
				}()
			}
			b.StopTimer()
			perActor = float64(memInUse()-before) / spawnCount
			for _, ch := range chans {
				close(ch)
			}
			wg.Wait()
		}
		if !waitGoroutines(base) {
			b.Fatalf("%d goroutines after stop, want %d", goruntime.NumGoroutine(), base)
		}
		b.ReportMetric(perActor, "B/actor")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*spawnCount), "ns/spawn")
	})
	b.Run("actor", func(b *testing.B) {
		base := goruntime.NumGoroutine()
		var perActor float64
		type idle struct{ n int }
		factory := func(*Context) *idle { return &idle{} }
		handle := func(_ context.Context, _ *Context, s *idle, m int) { s.n += m }
		for range b.N {
			b.StopTimer()
			sys := benchSystem()
			before := memInUse()
			actors := make([]Actor[int], spawnCount)
			b.StartTimer()
			for i := range actors {
				a, err := Spawn(sys, "", factory, handle)
				if err != nil {
					b.Fatal(err)
				}
				actors[i] = a
			}
			b.StopTimer()
			perActor = float64(memInUse()-before) / spawnCount
			if n := goruntime.NumGoroutine(); n > base {
				b.Fatalf("%d goroutines with %d idle actors, want %d", n, spawnCount, base)
			}
			if err := sys.Shutdown(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		if !waitGoroutines(base) {
			b.Fatalf("%d goroutines after stop, want %d", goruntime.NumGoroutine(), base)
		}
		b.ReportMetric(perActor, "B/actor")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*spawnCount), "ns/spawn")
	})
}
