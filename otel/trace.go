package agotel

import (
	"context"

	"github.com/actorgen/actorgen/runtime"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/actorgen/actorgen/otel"

// Option configures NewTracer, RegisterMetrics and Propagator.
type Option func(*config)

type config struct {
	tp        trace.TracerProvider
	mp        metric.MeterProvider
	rootTells bool
	depth     bool
	detail    []string
	prop      propagation.TextMapPropagator
}

func newConfig(opts []Option) config {
	c := config{}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	return c
}

// WithTracerProvider sets the tracer provider; the default is the global one.
func WithTracerProvider(tp trace.TracerProvider) Option { return func(c *config) { c.tp = tp } }

// WithMeterProvider sets the meter provider; the default is the global one.
func WithMeterProvider(mp metric.MeterProvider) Option { return func(c *config) { c.mp = mp } }

// WithRootTells starts a span for every tell, a root span when the sender's ctx has none. By
// default a tell gets a span only when the sender's span is sampled: timers and self-messages
// would otherwise fill a tracing backend with traces of one span.
func WithRootTells() Option { return func(c *config) { c.rootTells = true } }

// WithMailboxDepth makes RegisterMetrics observe actorgen.mailbox.depth and
// actorgen.mailbox.depth.max per interface, by walking the actor tree at each collection: about
// 0.4 µs an actor here (40 ms for 100,000), so it is off by default.
func WithMailboxDepth() Option { return func(c *config) { c.depth = true } }

// WithActorDetail makes RegisterMetrics observe actorgen.actor.mailbox.depth and
// actorgen.actor.handled for the actors at these paths, labelled actor.path: an allow-list,
// since a label per actor would make a series per actor.
func WithActorDetail(paths ...string) Option {
	return func(c *config) { c.detail = append(c.detail, paths...) }
}

// Tracer is a runtime.Hook that traces the messages actors handle.
type Tracer struct {
	tracer    trace.Tracer
	rootTells bool
}

var _ runtime.Hook = (*Tracer)(nil)

// NewTracer returns the tracing hook; give it to the system with runtime.WithHook.
func NewTracer(opts ...Option) *Tracer {
	c := newConfig(opts)
	return &Tracer{tracer: c.tp.Tracer(ScopeName), rootTells: c.rootTells}
}

// Semantic-convention keys.
var (
	rpcSystem   = attribute.Key("rpc.system")
	rpcService  = attribute.Key("rpc.service")
	rpcMethod   = attribute.Key("rpc.method")
	actorPath   = attribute.Key("actor.path")
	systemValue = rpcSystem.String("actorgen")
)

// Begin starts the message's span: see the package documentation.
func (t *Tracer) Begin(ctx context.Context, m runtime.MessageInfo) context.Context {
	parent := trace.SpanFromContext(ctx)
	psc := parent.SpanContext()
	if psc.IsValid() && !psc.IsSampled() && !parent.IsRecording() {
		return ctx // an unsampled trace: End finds the caller's span, which records nothing
	}
	name := spanName(m)
	attrs := trace.WithAttributes(systemValue, rpcService.String(m.Interface), rpcMethod.String(m.Method),
		actorPath.String(m.Actor.Path()))
	if m.Kind == runtime.KindTell {
		if !psc.IsSampled() && !t.rootTells {
			return ctx
		}
		opts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindConsumer), trace.WithNewRoot(), attrs}
		if psc.IsValid() {
			opts = append(opts, trace.WithLinks(trace.Link{SpanContext: psc}))
		}
		ctx, _ = t.tracer.Start(ctx, name, opts...)
		return started{ctx}
	}
	ctx, _ = t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer), attrs)
	return started{ctx}
}

// started is the ctx of a span Begin started, so that End ends only those.
type started struct{ context.Context }

type startedKey struct{}

func (c started) Value(key any) any {
	if key == (startedKey{}) {
		return true
	}
	return c.Context.Value(key)
}

// End ends the span Begin started, with status Error for a fault or an ask left without reply.
// It leaves alone a span it did not start (the caller's, when Begin started none).
func (t *Tracer) End(ctx context.Context, _ runtime.MessageInfo, o runtime.Outcome, err error) {
	if ctx.Value(startedKey{}) == nil {
		return
	}
	span := trace.SpanFromContext(ctx)
	switch o {
	case runtime.OutcomeFault:
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	case runtime.OutcomeNoReply:
		span.SetStatus(codes.Error, runtime.ErrNoReply.Error())
	}
	span.End()
}

func spanName(m runtime.MessageInfo) string {
	switch {
	case m.Interface == "" && m.Method == "":
		return "actor"
	case m.Method == "":
		return m.Interface
	}
	return m.Interface + "/" + m.Method
}
