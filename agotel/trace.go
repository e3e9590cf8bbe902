package agotel

import (
	"context"

	"github.com/actorgen/actorgen/runtime"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Attribute keys of the spans and metrics.
const (
	KeyRPCSystem  = attribute.Key("rpc.system")
	KeyRPCService = attribute.Key("rpc.service")
	KeyRPCMethod  = attribute.Key("rpc.method")
	KeyActorPath  = attribute.Key("actorgen.actor.path")
	KeyActorType  = attribute.Key("actorgen.type")
	KeyOutcome    = attribute.Key("actorgen.outcome")
)

// rpcSystem is the value of rpc.system.
var rpcSystem = KeyRPCSystem.String("actorgen")

// Tracing returns the system option that traces the messages of a system's actors: pass it to
// runtime.NewSystem.
func Tracing(c Config) runtime.SystemOption {
	return runtime.WithHook(NewHook(c))
}

// NewHook returns the runtime.Hook that Tracing installs, for a system that combines it with a
// hook of its own.
func NewHook(c Config) runtime.Hook {
	return &hook{tracer: c.tracer(), rootTells: c.RootTells}
}

type hook struct {
	tracer    trace.Tracer
	rootTells bool
}

// spanKey marks the ctx of a span that Begin started, so that End ends only spans of its own.
type spanKey struct{}

func spanName(m runtime.MessageInfo) string {
	if m.Interface == "" {
		return "actorgen.message"
	}
	if m.Method == "" {
		return m.Interface
	}
	return m.Interface + "/" + m.Method
}

func (h *hook) Begin(ctx context.Context, m runtime.MessageInfo) context.Context {
	parent := trace.SpanContextFromContext(ctx)
	if parent.IsValid() && !parent.IsSampled() {
		return ctx // its children would not be sampled either: skip them cheaply
	}
	opts := make([]trace.SpanStartOption, 0, 4)
	if m.Kind == runtime.KindTell {
		if !parent.IsValid() && !h.rootTells {
			return ctx
		}
		opts = append(opts, trace.WithSpanKind(trace.SpanKindConsumer), trace.WithNewRoot())
		if parent.IsValid() {
			opts = append(opts, trace.WithLinks(trace.Link{SpanContext: parent}))
		}
	} else {
		opts = append(opts, trace.WithSpanKind(trace.SpanKindServer))
	}
	attrs := []attribute.KeyValue{rpcSystem, KeyActorPath.String(m.Actor.Path())}
	if m.Interface != "" {
		attrs = append(attrs, KeyRPCService.String(m.Interface))
	}
	if m.Method != "" {
		attrs = append(attrs, KeyRPCMethod.String(m.Method))
	}
	opts = append(opts, trace.WithAttributes(attrs...))
	ctx, span := h.tracer.Start(ctx, spanName(m), opts...)
	return context.WithValue(ctx, spanKey{}, span)
}

func (h *hook) End(ctx context.Context, _ runtime.MessageInfo, o runtime.Outcome, err error) {
	span := trace.SpanFromContext(ctx)
	if !span.SpanContext().IsSampled() {
		// Begin started no span, or one that is not sampled (the sampler dropped a root): in
		// the first case the span in ctx is a caller's, which is not End's to end.
		return
	}
	if mine, _ := ctx.Value(spanKey{}).(trace.Span); mine != span {
		return // the caller's span: Begin started none for this message
	}
	switch o {
	case runtime.OutcomeFault:
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	case runtime.OutcomeNoReply:
		span.SetStatus(codes.Error, runtime.ErrNoReply.Error())
	}
	span.SetAttributes(KeyOutcome.String(o.String()))
	span.End()
}
