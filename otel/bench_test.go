package agotel

import (
	"context"
	"log/slog"
	"testing"

	"github.com/actorgen/actorgen/runtime"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// BenchmarkAskTraced times an ask (answered on the caller's goroutine, the fastest kind) with
// no hook ("off", the same run's baseline), with the tracer and an unsampled parent under a
// parent-based sampler ("unsampled": nothing is started), and with a sampled parent, the span
// recorded and batched to an exporter that drops it ("sampled").
func BenchmarkAskTraced(b *testing.B) {
	unsampled := trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}}))
	sampled := trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled}))
	for _, c := range []struct {
		name   string
		traced bool
		ctx    context.Context
	}{
		{"off", false, unsampled},
		{"unsampled", true, unsampled},
		{"sampled", true, sampled},
	} {
		b.Run(c.name, func(b *testing.B) {
			tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())),
				sdktrace.WithBatcher(tracetest.NewNoopExporter()))
			defer func() { _ = tp.Shutdown(context.Background()) }()
			opts := []runtime.SystemOption{runtime.WithLogger(slog.New(slog.DiscardHandler))}
			if c.traced {
				opts = append(opts, runtime.WithHook(NewTracer(WithTracerProvider(tp))))
			}
			sys := runtime.NewSystem(opts...)
			defer func() { _ = sys.Shutdown(context.Background()) }()
			a, err := runtime.Spawn(sys, "alice", func(*runtime.Context) *book { return &book{} }, handleBook, bookInterface)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := runtime.Ask[bookMsg, string](c.ctx, a, bookMsg{method: 0}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
