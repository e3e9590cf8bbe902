//go:build unix

package agotel

import (
	"context"
	"log/slog"
	"syscall"
	"testing"
	"time"

	"github.com/actorgen/actorgen/runtime"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// BenchmarkAskTracedInterleaved runs the three cases of BenchmarkAskTraced in turns of 512
// asks, timing each apart in wall and processor time (the process's, so the batch span
// processor's work counts), so that load from other processes falls on all three alike.
func BenchmarkAskTracedInterleaved(b *testing.B) {
	const turn = 512
	unsampled := trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}}))
	sampled := trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled}))
	type subject struct {
		name     string
		ctx      context.Context
		a        runtime.Actor[bookMsg]
		wall, cp time.Duration
	}
	var subjects []*subject
	for _, c := range []struct {
		name   string
		traced bool
		ctx    context.Context
	}{{"off", false, unsampled}, {"unsampled", true, unsampled}, {"sampled", true, sampled}} {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())),
			sdktrace.WithBatcher(tracetest.NewNoopExporter()))
		b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		opts := []runtime.SystemOption{runtime.WithLogger(slog.New(slog.DiscardHandler))}
		if c.traced {
			opts = append(opts, runtime.WithHook(NewTracer(WithTracerProvider(tp))))
		}
		sys := runtime.NewSystem(opts...)
		b.Cleanup(func() { _ = sys.Shutdown(context.Background()) })
		a, err := runtime.Spawn(sys, "alice", func(*runtime.Context) *book { return &book{} }, handleBook, bookInterface)
		if err != nil {
			b.Fatal(err)
		}
		subjects = append(subjects, &subject{name: c.name, ctx: c.ctx, a: a})
	}
	b.ResetTimer()
	for range b.N {
		for _, s := range subjects {
			start, startCPU := time.Now(), cpuTime()
			for range turn {
				if _, err := runtime.Ask[bookMsg, string](s.ctx, s.a, bookMsg{method: 0}); err != nil {
					b.Fatal(err)
				}
			}
			s.wall += time.Since(start)
			s.cp += cpuTime() - startCPU
		}
	}
	b.StopTimer()
	for _, s := range subjects {
		b.ReportMetric(float64(s.wall.Nanoseconds())/float64(b.N*turn), "ns/ask-"+s.name)
		b.ReportMetric(float64(s.cp.Nanoseconds())/float64(b.N*turn), "cpu-ns/ask-"+s.name)
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
