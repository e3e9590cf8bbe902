//go:build unix

package runtime

import (
	"context"
	"log/slog"
	"syscall"
	"testing"
	"time"
)

// chunkSink counts the messages of one chunk and signals when it has them all.
type chunkSink struct {
	n, sum, want int
	done         chan struct{}
}

func chunkHandler(_ context.Context, _ *Context, s *chunkSink, m int) {
	s.n++
	s.sum += m
	if s.n == s.want {
		s.n = 0
		s.done <- struct{}{}
	}
}

// BenchmarkObserveInterleaved runs the tell and ask workloads on the three systems of
// observedSystems in turns of 4,096 messages, timing each system's turns apart, so that load
// from other processes on the machine falls on all three alike: the differences of its ns/tell
// and ns/ask figures are the costs of metrics and of a hook, in wall time and in processor time
// (cpu-ns: both goroutines' work, sender's and actor's). A tell's turn ends when the actor has
// handled all its messages. Unix only, for getrusage.
func BenchmarkObserveInterleaved(b *testing.B) {
	const chunk = 4096
	type subject struct {
		name      string
		tell, ask Actor[int]
		sink      *chunkSink
		tellT     time.Duration
		askT      time.Duration
		tellCPU   time.Duration
		askCPU    time.Duration
	}
	var subjects []*subject
	for _, c := range observedSystems() {
		sys := NewSystem(append([]SystemOption{WithLogger(slog.New(slog.DiscardHandler))}, c.opts...)...)
		b.Cleanup(func() { _ = sys.Shutdown(context.Background()) })
		s := &subject{name: c.name, sink: &chunkSink{want: chunk, done: make(chan struct{}, 1)}}
		var err error
		if s.tell, err = Spawn(sys, "sink", func(*Context) *chunkSink { return s.sink }, chunkHandler, sumInterface); err != nil {
			b.Fatal(err)
		}
		type acc struct{ sum int }
		if s.ask, err = Spawn(sys, "acc", func(*Context) *acc { return &acc{} },
			func(_ context.Context, ac *Context, st *acc, m int) {
				st.sum += m
				Reply(ac, st.sum)
			}, sumInterface); err != nil {
			b.Fatal(err)
		}
		subjects = append(subjects, s)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, s := range subjects {
			start, startCPU := time.Now(), cpuTime()
			for i := range chunk {
				_ = s.tell.Tell(ctx, i)
			}
			<-s.sink.done
			mid, midCPU := time.Now(), cpuTime()
			for i := range chunk / 8 {
				if _, err := Ask[int, int](ctx, s.ask, i); err != nil {
					b.Fatal(err)
				}
			}
			s.tellT += mid.Sub(start)
			s.askT += time.Since(mid)
			s.tellCPU += midCPU - startCPU
			s.askCPU += cpuTime() - midCPU
		}
	}
	b.StopTimer()
	for _, s := range subjects {
		b.ReportMetric(float64(s.tellT.Nanoseconds())/float64(b.N*chunk), "ns/tell-"+s.name)
		b.ReportMetric(float64(s.askT.Nanoseconds())/float64(b.N*chunk/8), "ns/ask-"+s.name)
		b.ReportMetric(float64(s.tellCPU.Nanoseconds())/float64(b.N*chunk), "cpu-ns/tell-"+s.name)
		b.ReportMetric(float64(s.askCPU.Nanoseconds())/float64(b.N*chunk/8), "cpu-ns/ask-"+s.name)
	}
}

// cpuTime returns the processor time the process has used, its threads' together: a cost
// that other processes on a loaded machine change less than the wall clock's.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
