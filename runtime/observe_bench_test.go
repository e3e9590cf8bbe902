package runtime

import (
	"context"
	"log/slog"
	"testing"
)

// The observability benchmarks run the Tell and Ask workloads of bench_test.go with nothing
// observed ("off", the baseline of the same run), with metrics (counting every message and
// timing 1 in DefaultSampleEvery), and with a hook that does nothing. Their ratios to "off" are
// the costs docs/performance.md quotes; "off" against BenchmarkTell and BenchmarkAsk of the
// commit before is the cost of the hook's absence.

func observedSystems() []struct {
	name string
	opts []SystemOption
} {
	return []struct {
		name string
		opts []SystemOption
	}{
		{"off", nil},
		{"metrics", []SystemOption{WithMetrics(MetricsOptions{})}},
		{"metrics64", []SystemOption{WithMetrics(MetricsOptions{SampleEvery: 64})}},
		{"hook", []SystemOption{WithHook(nopHook{})}},
	}
}

var sumInterface = WithInterface(Interface[int]{
	Name:    "Sum",
	Methods: []Method{{Name: "Add", Kind: KindTell}},
	Index:   func(int) int { return 0 },
})

func BenchmarkObserveTell(b *testing.B) {
	for _, c := range observedSystems() {
		b.Run(c.name, func(b *testing.B) {
			sys := NewSystem(append([]SystemOption{WithLogger(slog.New(slog.DiscardHandler))}, c.opts...)...)
			b.Cleanup(func() { _ = sys.Shutdown(context.Background()) })
			s := &sink{want: b.N, done: make(chan struct{})}
			a, err := Spawn(sys, "sink", func(*Context) *sink { return s }, sinkHandler, sumInterface)
			if err != nil {
				b.Fatal(err)
			}
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
}

func BenchmarkObserveAsk(b *testing.B) {
	for _, c := range observedSystems() {
		b.Run(c.name, func(b *testing.B) {
			sys := NewSystem(append([]SystemOption{WithLogger(slog.New(slog.DiscardHandler))}, c.opts...)...)
			b.Cleanup(func() { _ = sys.Shutdown(context.Background()) })
			type acc struct{ sum int }
			a, err := Spawn(sys, "acc", func(*Context) *acc { return &acc{} },
				func(_ context.Context, ac *Context, s *acc, m int) {
					s.sum += m
					Reply(ac, s.sum)
				}, sumInterface)
			if err != nil {
				b.Fatal(err)
			}
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
}

const walkCount = 100_000

// BenchmarkWalk walks 100,000 idle top-level actors per op and reports ms per walk and
// allocations per actor.
func BenchmarkWalk(b *testing.B) {
	sys := benchSystem()
	defer sys.Shutdown(context.Background())
	for range walkCount {
		if _, err := Spawn(sys, "", func(*Context) *calc { return &calc{} },
			func(context.Context, *Context, *calc, int) {}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		n := 0
		var queued int
		sys.Walk(func(i ActorInfo) bool {
			n++
			queued += i.Mailbox
			return true
		})
		if n != walkCount || queued != 0 {
			b.Fatalf("walked %d actors with %d messages, want %d and 0", n, queued, walkCount)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/walk")
}
