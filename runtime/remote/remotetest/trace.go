package remotetest

import (
	"context"
	"slices"
	"sync"

	"github.com/actorgen/actorgen/runtime"
	"github.com/actorgen/actorgen/runtime/remote"
)

// traceKey is the ctx key of the value Propagator carries, standing in for a trace's context.
type traceKey struct{}

// WithTrace returns ctx carrying trace, which Propagator sends across and Handlers records.
func WithTrace(ctx context.Context, trace string) context.Context {
	return context.WithValue(ctx, traceKey{}, trace)
}

// TraceOf returns the trace ctx carries, or "".
func TraceOf(ctx context.Context) string {
	v, _ := ctx.Value(traceKey{}).(string)
	return v
}

// Propagator is a remote.Propagator that carries the trace of WithTrace in the header
// "traceparent", and sends no header when the ctx has none, as a propagator of sampled traces
// only does.
type Propagator struct{}

func (Propagator) Inject(ctx context.Context) remote.Header {
	if v := TraceOf(ctx); v != "" {
		return remote.Header{"traceparent": {v}}
	}
	return nil
}

func (Propagator) Extract(ctx context.Context, h remote.Header) context.Context {
	if v := h["traceparent"]; len(v) == 1 {
		return WithTrace(ctx, v[0])
	}
	return ctx
}

// Handlers is a runtime.Hook that records, by method, the trace of the ctx each handler is
// given ("" for none).
type Handlers struct {
	mu   sync.Mutex
	seen map[string][]string
}

func (h *Handlers) Begin(ctx context.Context, m runtime.MessageInfo) context.Context {
	h.mu.Lock()
	if h.seen == nil {
		h.seen = map[string][]string{}
	}
	h.seen[m.Method] = append(h.seen[m.Method], TraceOf(ctx))
	h.mu.Unlock()
	return ctx
}

func (h *Handlers) End(context.Context, runtime.MessageInfo, runtime.Outcome, error) {}

// Of returns the traces the handlers of method saw, in order.
func (h *Handlers) Of(method string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.seen[method])
}
