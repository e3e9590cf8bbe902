package agotel

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/actorgen/actorgen/runtime"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// book is a hand-written actor with a tagged-union message, as generated code writes one.
type bookMsg struct {
	method int // 0 Get (ask), 1 Forget (tell), 2 Crash (ask)
}

func (m bookMsg) methodIndex() int { return m.method }

var bookInterface = runtime.WithInterface(runtime.Interface[bookMsg]{
	Name: "Book",
	Methods: []runtime.Method{
		{Name: "Get", Kind: runtime.KindAsk},
		{Name: "Forget", Kind: runtime.KindTell},
		{Name: "Crash", Kind: runtime.KindAsk},
	},
	Index: bookMsg.methodIndex,
})

type book struct{}

func handleBook(ctx context.Context, ac *runtime.Context, _ *book, m bookMsg) {
	switch m.method {
	case 0:
		runtime.Reply(ac, trace.SpanContextFromContext(ctx).SpanID().String())
	case 2:
		panic("crash")
	}
}

type fixture struct {
	sys   *runtime.System
	book  runtime.Actor[bookMsg]
	spans *tracetest.SpanRecorder
	tp    *sdktrace.TracerProvider
}

func newFixture(t testing.TB, sampler sdktrace.Sampler, opts ...Option) *fixture {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler), sdktrace.WithSpanProcessor(rec))
	sys := runtime.NewSystem(runtime.WithLogger(slog.New(slog.DiscardHandler)),
		runtime.WithHook(NewTracer(append([]Option{WithTracerProvider(tp)}, opts...)...)),
		runtime.WithMetrics(runtime.MetricsOptions{SampleEvery: 1}))
	b, err := runtime.Spawn(sys, "alice", func(*runtime.Context) *book { return &book{} }, handleBook, bookInterface,
		runtime.WithPolicy(runtime.Strategy{Decision: runtime.Resume}))
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, sys.Shutdown(context.Background()))
		require.NoError(t, tp.Shutdown(context.Background()))
	})
	return &fixture{sys: sys, book: b, spans: rec, tp: tp}
}

// ended waits for n spans to have ended and returns them, in the order they ended. A handler's
// span ends after its handler returns, so after the reply it sent may have reached the caller.
func (f *fixture) ended(t *testing.T, n int) []sdktrace.ReadOnlySpan {
	t.Helper()
	require.Eventually(t, func() bool { return len(f.spans.Ended()) >= n }, 5*time.Second, time.Millisecond,
		"%d spans ended", n)
	spans := f.spans.Ended()
	require.Len(t, spans, n)
	return spans
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]string {
	out := map[attribute.Key]string{}
	for _, kv := range s.Attributes() {
		out[kv.Key] = kv.Value.String()
	}
	return out
}

// An ask is a Server span, child of the caller's span, named by interface and method; the
// handler's ctx carries it.
func TestAskSpan(t *testing.T) {
	f := newFixture(t, sdktrace.AlwaysSample())
	ctx, parent := f.tp.Tracer("test").Start(context.Background(), "caller")
	got, err := runtime.Ask[bookMsg, string](ctx, f.book, bookMsg{method: 0})
	require.NoError(t, err)
	parent.End()
	spans := f.ended(t, 2)
	s := spans[0]
	assert.Equal(t, "Book/Get", s.Name())
	assert.Equal(t, trace.SpanKindServer, s.SpanKind())
	assert.Equal(t, parent.SpanContext().SpanID(), s.Parent().SpanID())
	assert.Equal(t, parent.SpanContext().TraceID(), s.SpanContext().TraceID())
	assert.Equal(t, s.SpanContext().SpanID().String(), got, "the handler's ctx holds the span")
	assert.Equal(t, map[attribute.Key]string{"rpc.system": "actorgen", "rpc.service": "Book", "rpc.method": "Get", "actor.path": "/alice"}, attrs(s))
	assert.Equal(t, codes.Unset, s.Status().Code)
}

// A fault is status Error, with the error recorded.
func TestFaultSpan(t *testing.T) {
	f := newFixture(t, sdktrace.AlwaysSample())
	_, err := runtime.Ask[bookMsg, string](context.Background(), f.book, bookMsg{method: 2})
	require.ErrorIs(t, err, runtime.ErrFault)
	s := f.ended(t, 1)[0]
	assert.Equal(t, "Book/Crash", s.Name())
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Contains(t, s.Status().Description, "crash")
	require.Len(t, s.Events(), 1)
	assert.Equal(t, "exception", s.Events()[0].Name)
}

// A tell is a Consumer span in a trace of its own, linked to the sender's span; without a
// sampled sender it gets no span, unless WithRootTells.
func TestTellSpans(t *testing.T) {
	f := newFixture(t, sdktrace.AlwaysSample())
	ctx, sender := f.tp.Tracer("test").Start(context.Background(), "sender")
	require.NoError(t, f.book.Tell(ctx, bookMsg{method: 1}))
	require.NoError(t, f.book.Tell(context.Background(), bookMsg{method: 1}))
	_, err := runtime.Ask[bookMsg, string](context.Background(), f.book, bookMsg{method: 0}) // after the tells
	require.NoError(t, err)
	sender.End()
	var tells []sdktrace.ReadOnlySpan
	for _, s := range f.ended(t, 3) { // the first tell's, the ask's and the sender's
		if s.Name() == "Book/Forget" {
			tells = append(tells, s)
		}
	}
	require.Len(t, tells, 1, "no span for the tell without a sender's span")
	s := tells[0]
	assert.Equal(t, trace.SpanKindConsumer, s.SpanKind())
	assert.False(t, s.Parent().IsValid(), "linked, not parented")
	assert.NotEqual(t, sender.SpanContext().TraceID(), s.SpanContext().TraceID())
	require.Len(t, s.Links(), 1)
	assert.Equal(t, sender.SpanContext().SpanID(), s.Links()[0].SpanContext.SpanID())

	g := newFixture(t, sdktrace.AlwaysSample(), WithRootTells())
	require.NoError(t, g.book.Tell(context.Background(), bookMsg{method: 1}))
	_, err = runtime.Ask[bookMsg, string](context.Background(), g.book, bookMsg{method: 0})
	require.NoError(t, err)
	names := []string{}
	for _, s := range g.ended(t, 2) {
		names = append(names, s.Name())
	}
	assert.Equal(t, []string{"Book/Forget", "Book/Get"}, names)
}

// With a parent-based sampler and an unsampled parent nothing is started, and the handler
// sees the caller's span context.
func TestUnsampledParent(t *testing.T) {
	f := newFixture(t, sdktrace.ParentBased(sdktrace.AlwaysSample()))
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}})
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), sc)
	got, err := runtime.Ask[bookMsg, string](ctx, f.book, bookMsg{method: 0})
	require.NoError(t, err)
	assert.Equal(t, sc.SpanID().String(), got)
	assert.Empty(t, f.spans.Ended())
}

// The counters are read from the runtime at collection, labelled by type, method and outcome.
func TestMetrics(t *testing.T) {
	f := newFixture(t, sdktrace.NeverSample())
	reader := sdkmetric.NewManualReader(sdkmetric.WithProducer(Producer(f.sys)))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { require.NoError(t, mp.Shutdown(context.Background())) }()
	reg, err := RegisterMetrics(f.sys, WithMeterProvider(mp))
	require.NoError(t, err)
	defer func() { require.NoError(t, reg.Unregister()) }()
	for range 3 {
		_, err := runtime.Ask[bookMsg, string](context.Background(), f.book, bookMsg{method: 0})
		require.NoError(t, err)
	}
	_, err = runtime.Ask[bookMsg, string](context.Background(), f.book, bookMsg{method: 2})
	require.ErrorIs(t, err, runtime.ErrFault)
	require.Eventually(t, func() bool {
		for _, s := range f.sys.Stats() {
			if s.Interface == "Book" {
				return s.Faults == 1
			}
		}
		return false
	}, 5*time.Second, time.Millisecond)

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	byName := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			byName[m.Name] = m
		}
	}
	msgs := byName[MetricMessages].Data.(metricdata.Sum[int64])
	got := map[string]int64{}
	for _, dp := range msgs.DataPoints {
		typ, _ := dp.Attributes.Value(actorType)
		method, _ := dp.Attributes.Value(rpcMethod)
		out, _ := dp.Attributes.Value(outcome)
		assert.Equal(t, 3, dp.Attributes.Len(), "type, method and outcome only")
		got[typ.AsString()+" "+method.AsString()+" "+out.AsString()] = dp.Value
	}
	assert.Equal(t, map[string]int64{"Book Get ok": 3, "Book Crash fault": 1}, got)
	faults := byName[MetricFaults].Data.(metricdata.Sum[int64])
	require.Len(t, faults.DataPoints, 1)
	assert.Equal(t, int64(1), faults.DataPoints[0].Value)
	live := byName[MetricLive].Data.(metricdata.Sum[int64])
	require.Len(t, live.DataPoints, 1)
	assert.Equal(t, int64(1), live.DataPoints[0].Value)

	h := byName[MetricHandleDuration].Data.(metricdata.Histogram[float64])
	var count uint64
	for _, dp := range h.DataPoints {
		count += dp.Count
		assert.Len(t, dp.BucketCounts, len(dp.Bounds)+1)
	}
	assert.Equal(t, uint64(4), count, "SampleEvery 1: every message timed")
	assert.Contains(t, byName, MetricMailboxWait)
}

// WithMailboxDepth observes the depth per interface by a walk; WithActorDetail per allow-listed
// actor, labelled by its path.
func TestDepthAndDetail(t *testing.T) {
	f := newFixture(t, sdktrace.NeverSample())
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { require.NoError(t, mp.Shutdown(context.Background())) }()
	reg, err := RegisterMetrics(f.sys, WithMeterProvider(mp), WithMailboxDepth(), WithActorDetail("/alice", "/nobody"))
	require.NoError(t, err)
	defer func() { require.NoError(t, reg.Unregister()) }()
	_, err = runtime.Ask[bookMsg, string](context.Background(), f.book, bookMsg{method: 0})
	require.NoError(t, err)

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	byName := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			byName[m.Name] = m
		}
	}
	depth := byName[MetricMailboxDepth].Data.(metricdata.Gauge[int64])
	require.Len(t, depth.DataPoints, 1)
	typ, _ := depth.DataPoints[0].Attributes.Value(actorType)
	assert.Equal(t, "Book", typ.AsString())
	assert.Equal(t, int64(0), depth.DataPoints[0].Value)
	assert.Contains(t, byName, MetricMailboxMax)
	handled := byName[MetricActorHandled].Data.(metricdata.Sum[int64])
	require.Len(t, handled.DataPoints, 1, "the path that exists")
	path, _ := handled.DataPoints[0].Attributes.Value(actorPath)
	assert.Equal(t, "/alice", path.AsString())
	assert.Equal(t, int64(1), handled.DataPoints[0].Value)
}
