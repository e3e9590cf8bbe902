package agotel

import (
	"context"
	"maps"
	"slices"

	"github.com/actorgen/actorgen/runtime/remote"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// WithPropagators sets the propagators Propagator injects and extracts with; the default is
// W3C Trace Context and Baggage.
func WithPropagators(p propagation.TextMapPropagator) Option {
	return func(c *config) { c.prop = p }
}

// Propagator returns the remote.Propagator that carries a caller's trace context to the
// serving node in the headers of its asks and tells (remote.Config.Propagator, or the NATS
// module's Config.Propagator). It injects only when the caller's span is sampled: an
// unsampled or absent trace sends no header at all, so a message costs what it did without
// tracing. On the serving node the handler's ctx has the caller's span as its remote parent,
// so the Tracer's span of an ask is the caller's child, and a tell's span is linked to it.
func Propagator(opts ...Option) remote.Propagator {
	c := newConfig(opts)
	if c.prop == nil {
		c.prop = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	}
	return propagator{p: c.prop}
}

type propagator struct{ p propagation.TextMapPropagator }

func (p propagator) Inject(ctx context.Context) remote.Header {
	if !trace.SpanContextFromContext(ctx).IsSampled() {
		return nil
	}
	h := remote.Header{}
	p.p.Inject(ctx, headerCarrier(h))
	if len(h) == 0 {
		return nil
	}
	return h
}

func (p propagator) Extract(ctx context.Context, h remote.Header) context.Context {
	return p.p.Extract(ctx, headerCarrier(h))
}

// headerCarrier is a remote.Header as a TextMapCarrier. Keys are kept as they are given:
// NATS headers are case-sensitive, and the W3C propagators use lowercase keys on both sides.
type headerCarrier remote.Header

func (c headerCarrier) Get(key string) string {
	if v := c[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (c headerCarrier) Set(key, value string) { c[key] = []string{value} }

func (c headerCarrier) Keys() []string { return slices.Sorted(maps.Keys(c)) }
