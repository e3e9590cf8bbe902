package agotel

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the tracer and meter agotel uses.
const ScopeName = "github.com/actorgen/actorgen/agotel"

// Config configures Tracing and RegisterMetrics. The zero Config uses the global providers.
type Config struct {
	// TracerProvider makes the tracer; nil means otel.GetTracerProvider().
	TracerProvider trace.TracerProvider
	// MeterProvider makes the meter; nil means otel.GetMeterProvider().
	MeterProvider metric.MeterProvider
	// RootTells gives a tell whose ctx carries no span a span of its own, the root of a new
	// trace. Without it such a tell is not traced.
	RootTells bool
	// Paths are the actor paths ("/books/alice") whose own figures (mailbox length, messages
	// handled, faults) RegisterMetrics reports, labelled with actorgen.actor.path. Other actors
	// are only counted in their interface's totals, so that the number of series does not grow
	// with the number of actors.
	Paths []string
}

func (c Config) tracer() trace.Tracer {
	tp := c.TracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return tp.Tracer(ScopeName)
}

func (c Config) meter() metric.Meter {
	mp := c.MeterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	return mp.Meter(ScopeName)
}
