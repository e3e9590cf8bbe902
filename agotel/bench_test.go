package agotel_test

import (
	"context"
	"log/slog"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/actorgen/actorgen/agotel"
	"github.com/actorgen/actorgen/runtime"
)

// BenchmarkAsk measures an ask without tracing (the baseline, in the same run), with tracing
// and a parent span that is not sampled (the common case under a ratio sampler), and with a
// sampled span recorded by the SDK (no exporter). Compare the ns/op of the sub-benchmarks.
func BenchmarkAsk(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	unsampled := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1},
	}))
	sampled, span := tp.Tracer("bench").Start(context.Background(), "caller")
	b.Cleanup(func() { span.End() })
	for _, c := range []struct {
		name string
		opts []runtime.SystemOption
		ctx  context.Context
	}{
		{"off", nil, unsampled},
		{"unsampled", []runtime.SystemOption{agotel.Tracing(agotel.Config{TracerProvider: tp})}, unsampled},
		{"sampled", []runtime.SystemOption{agotel.Tracing(agotel.Config{TracerProvider: tp})}, sampled},
	} {
		b.Run(c.name, func(b *testing.B) {
			sys := runtime.NewSystem(append(c.opts, runtime.WithLogger(slog.New(slog.DiscardHandler)))...)
			b.Cleanup(func() { _ = sys.Shutdown(context.Background()) })
			a, err := runtime.Spawn(sys, "a", func(*runtime.Context) *state { return &state{} }, handle, calc)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := runtime.Ask[msg, int](c.ctx, a, msg{method: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
