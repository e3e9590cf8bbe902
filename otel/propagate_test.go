package agotel

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/actorgen/actorgen/runtime"
	"github.com/actorgen/actorgen/runtime/remote"
	rtest "github.com/actorgen/actorgen/runtime/remote/remotetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// spanNamed returns the one ended span whose name ends in suffix.
func spanNamed(t *testing.T, rec *tracetest.SpanRecorder, suffix string) sdktrace.ReadOnlySpan {
	t.Helper()
	var found []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if strings.HasSuffix(s.Name(), suffix) {
			found = append(found, s)
		}
	}
	require.Len(t, found, 1, "spans named *%s", suffix)
	return found[0]
}

// TestTraceCrossesNodes: a sampled caller's span is the parent of the ask's span on the node
// that serves it, and the link of a tell's; an unsampled or absent trace sends no header.
func TestTraceCrossesNodes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		quiet := slog.New(slog.DiscardHandler)
		rec := tracetest.NewSpanRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithSpanProcessor(rec))
		defer func() { _ = tp.Shutdown(context.Background()) }()

		net := remote.NewMemNet()
		srvConn, cliConn := net.Conn("srv"), net.Conn("cli")
		defer srvConn.Close()
		defer cliConn.Close()
		srv, err := remote.NewNode(remote.Config{Name: "srv", Transport: srvConn, Logger: quiet, Propagator: Propagator()})
		require.NoError(t, err)
		defer srv.Close()
		cli, err := remote.NewNode(remote.Config{Name: "cli", Transport: cliConn, Logger: quiet, Propagator: Propagator()})
		require.NoError(t, err)
		defer cli.Close()

		sys := runtime.NewSystem(runtime.WithLogger(quiet), runtime.WithHook(NewTracer(WithTracerProvider(tp))))
		defer func() { _ = sys.Shutdown(context.Background()) }()
		c, err := rtest.SpawnCounter(sys, "c", rtest.New)
		require.NoError(t, err)
		require.NoError(t, rtest.ServeCounter(srv, c))
		far, err := rtest.DialCounter(cli, "srv", "/c")
		require.NoError(t, err)

		ctx, cancel := context.WithCancel(context.Background()) // an HTTP request's ctx
		defer cancel()
		ctx, caller := tp.Tracer("test").Start(ctx, "GET /contacts")
		_, err = far.Add(ctx, 1)
		require.NoError(t, err)
		far.Note(ctx, "n")
		_, err = far.Notes(ctx) // after the tell
		require.NoError(t, err)
		caller.End()

		want := caller.SpanContext()
		add := spanNamed(t, rec, "Add")
		assert.Equal(t, trace.SpanKindServer, add.SpanKind())
		assert.Equal(t, want.TraceID(), add.SpanContext().TraceID(), "the ask's span is in the caller's trace")
		assert.Equal(t, want.SpanID(), add.Parent().SpanID(), "the ask's span is the caller's child")
		assert.True(t, add.Parent().IsRemote(), "its parent came from another node")
		assert.Equal(t, "/c", attrs(add)[actorPath])

		note := spanNamed(t, rec, "Note")
		assert.Equal(t, trace.SpanKindConsumer, note.SpanKind())
		require.Len(t, note.Links(), 1)
		assert.Equal(t, want.SpanID(), note.Links()[0].SpanContext.SpanID(), "the tell's span is linked to the sender's")
		assert.NotEqual(t, want.TraceID(), note.SpanContext().TraceID(), "a tell's span is in a trace of its own")
	})
}

func TestPropagatorInjectsOnlySampledTraces(t *testing.T) {
	p := Propagator()
	assert.Nil(t, p.Inject(context.Background()), "no trace: no header")

	never := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
	ctx, span := never.Tracer("test").Start(context.Background(), "unsampled")
	defer span.End()
	require.True(t, span.SpanContext().IsValid())
	assert.Nil(t, p.Inject(ctx), "an unsampled trace: no header")

	always := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	m, err := baggage.NewMember("tenant", "acme")
	require.NoError(t, err)
	bag, err := baggage.New(m)
	require.NoError(t, err)
	ctx, span = always.Tracer("test").Start(baggage.ContextWithBaggage(context.Background(), bag), "sampled")
	defer span.End()
	h := p.Inject(ctx)
	require.Len(t, h["traceparent"], 1)
	assert.Contains(t, h["traceparent"][0], span.SpanContext().TraceID().String())
	assert.Equal(t, []string{"tenant=acme"}, h["baggage"])

	got := p.Extract(context.Background(), h)
	sc := trace.SpanContextFromContext(got)
	assert.Equal(t, span.SpanContext().TraceID(), sc.TraceID())
	assert.Equal(t, span.SpanContext().SpanID(), sc.SpanID())
	assert.True(t, sc.IsRemote())
	assert.Equal(t, "acme", baggage.FromContext(got).Member("tenant").Value())

	assert.False(t, trace.SpanContextFromContext(p.Extract(context.Background(), remote.Header{"traceparent": {"garbage"}})).IsValid(),
		"a bad header gives no parent")
}
