package agotel_test

import (
	"context"
	"log/slog"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/actorgen/actorgen/agotel"
	"github.com/actorgen/actorgen/runtime"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// msg is the message of the calculator the tests spawn: an actor without generated code that
// names its interface as generated code does.
type msg struct {
	method int // 0 Add (tell), 1 Get (ask), 2 Crash (ask), 3 Forward (ask to next)
	n      int
}

var calc = runtime.WithInterface(runtime.Interface[msg]{
	Name: "Calc",
	Methods: []runtime.Method{
		{Name: "Add", Kind: runtime.KindTell},
		{Name: "Get", Kind: runtime.KindAsk},
		{Name: "Crash", Kind: runtime.KindAsk},
		{Name: "Forward", Kind: runtime.KindAsk},
	},
	Index: func(m msg) int { return m.method },
})

type state struct {
	sum  int
	next runtime.Actor[msg]
}

func handle(ctx context.Context, ac *runtime.Context, s *state, m msg) {
	switch m.method {
	case 0:
		s.sum += m.n
	case 1:
		runtime.Reply(ac, s.sum)
	case 2:
		panic("crash")
	case 3:
		v, err := runtime.Ask[msg, int](ctx, s.next, msg{method: 1})
		if err == nil {
			runtime.Reply(ac, v)
		}
	}
}

type fixture struct {
	sys  *runtime.System
	rec  *tracetest.SpanRecorder
	tp   *sdktrace.TracerProvider
	a, b runtime.Actor[msg]
}

// inBubble runs body with a fixture, inside a testing/synctest bubble: the SDK's span recorder
// is synchronous, so synctest.Wait is enough to see every span end.
func inBubble(t *testing.T, cfg agotel.Config, body func(t *testing.T, f *fixture)) {
	synctest.Test(t, func(t *testing.T) { body(t, newFixture(t, cfg)) })
}

func newFixture(t *testing.T, cfg agotel.Config) *fixture {
	t.Helper()
	f := &fixture{rec: tracetest.NewSpanRecorder()}
	f.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(f.rec))
	cfg.TracerProvider = f.tp
	f.sys = runtime.NewSystem(runtime.WithLogger(slog.New(slog.DiscardHandler)), agotel.Tracing(cfg))
	t.Cleanup(func() {
		require.NoError(t, f.sys.Shutdown(context.Background()))
		require.NoError(t, f.tp.Shutdown(context.Background()))
	})
	var err error
	f.b, err = runtime.Spawn(f.sys, "b", func(*runtime.Context) *state { return &state{} }, handle, calc)
	require.NoError(t, err)
	f.a, err = runtime.Spawn(f.sys, "a", func(*runtime.Context) *state { return &state{next: f.b} }, handle, calc)
	require.NoError(t, err)
	return f
}

// ended returns the spans that ended, by name.
func (f *fixture) ended() map[string]sdktrace.ReadOnlySpan {
	out := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range f.rec.Ended() {
		out[s.Name()] = s
	}
	return out
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]string {
	out := map[attribute.Key]string{}
	for _, kv := range s.Attributes() {
		out[kv.Key] = kv.Value.String()
	}
	return out
}

func TestAskIsAServerSpanUnderTheCallersSpan(t *testing.T) {
	inBubble(t, agotel.Config{}, func(t *testing.T, f *fixture) {
		ctx, caller := f.tp.Tracer("test").Start(context.Background(), "caller")
		_, err := runtime.Ask[msg, int](ctx, f.a, msg{method: 1})
		require.NoError(t, err)
		caller.End()

		spans := f.ended()
		s, ok := spans["Calc/Get"]
		require.True(t, ok, "spans: %v", spans)
		assert.Equal(t, trace.SpanKindServer, s.SpanKind())
		assert.Equal(t, caller.SpanContext().SpanID(), s.Parent().SpanID(), "the caller's span is the parent")
		assert.Equal(t, caller.SpanContext().TraceID(), s.SpanContext().TraceID())
		assert.Equal(t, map[attribute.Key]string{
			"rpc.system": "actorgen", "rpc.service": "Calc", "rpc.method": "Get",
			"actorgen.actor.path": "/a", "actorgen.outcome": "ok",
		}, attrs(s))
		assert.Equal(t, codes.Unset, s.Status().Code)
	})
}

func TestAskFromAHandlerNestsUnderItsSpan(t *testing.T) {
	inBubble(t, agotel.Config{}, func(t *testing.T, f *fixture) {
		ctx, caller := f.tp.Tracer("test").Start(context.Background(), "caller")
		_, err := runtime.Ask[msg, int](ctx, f.a, msg{method: 3})
		require.NoError(t, err)
		caller.End()

		spans := f.ended()
		outer, inner := spans["Calc/Forward"], spans["Calc/Get"]
		require.NotNil(t, outer)
		require.NotNil(t, inner)
		assert.Equal(t, outer.SpanContext().SpanID(), inner.Parent().SpanID())
		assert.Equal(t, "/b", attrs(inner)["actorgen.actor.path"])
		assert.False(t, inner.EndTime().After(outer.EndTime()), "the inner span ends first")
	})
}

func TestFaultIsAnErrorStatus(t *testing.T) {
	inBubble(t, agotel.Config{}, func(t *testing.T, f *fixture) {
		ctx, caller := f.tp.Tracer("test").Start(context.Background(), "caller")
		_, err := runtime.Ask[msg, int](ctx, f.a, msg{method: 2})
		require.ErrorIs(t, err, runtime.ErrFault)
		caller.End()
		synctest.Wait() // the hook ends the span after the ask has its answer

		s := f.ended()["Calc/Crash"]
		require.NotNil(t, s)
		assert.Equal(t, codes.Error, s.Status().Code)
		assert.Contains(t, s.Status().Description, "crash")
		assert.Equal(t, "fault", attrs(s)["actorgen.outcome"])
		require.Len(t, s.Events(), 1)
		assert.Equal(t, "exception", s.Events()[0].Name)
	})
}

func TestTellIsALinkedConsumerSpan(t *testing.T) {
	inBubble(t, agotel.Config{}, func(t *testing.T, f *fixture) {
		ctx, sender := f.tp.Tracer("test").Start(context.Background(), "sender")
		require.NoError(t, f.a.Tell(ctx, msg{method: 0, n: 1}))
		_, err := runtime.Ask[msg, int](context.Background(), f.a, msg{method: 1}) // after the tell
		require.NoError(t, err)
		sender.End()

		s := f.ended()["Calc/Add"]
		require.NotNil(t, s)
		assert.Equal(t, trace.SpanKindConsumer, s.SpanKind())
		assert.NotEqual(t, sender.SpanContext().TraceID(), s.SpanContext().TraceID(), "a trace of its own")
		assert.False(t, s.Parent().IsValid(), "no parent")
		require.Len(t, s.Links(), 1)
		assert.Equal(t, sender.SpanContext().SpanID(), s.Links()[0].SpanContext.SpanID())
	})
}

func TestTellWithoutSpanIsNotTracedUnlessRootTells(t *testing.T) {
	for _, root := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			f := newFixture(t, agotel.Config{RootTells: root})
			require.NoError(t, f.a.Tell(context.Background(), msg{method: 0, n: 1}))
			ctx, caller := f.tp.Tracer("test").Start(context.Background(), "caller")
			_, err := runtime.Ask[msg, int](ctx, f.a, msg{method: 1})
			require.NoError(t, err)
			caller.End()
			_, traced := f.ended()["Calc/Add"]
			assert.Equal(t, root, traced, "RootTells %v", root)
		})
	}
}

func TestUnsampledParentGetsNoSpanAndKeepsItsOwn(t *testing.T) {
	inBubble(t, agotel.Config{}, func(t *testing.T, f *fixture) {
		// A span of the caller's that its sampler records but does not sample.
		tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(recordOnly{}), sdktrace.WithSpanProcessor(f.rec))
		defer func() { require.NoError(t, tp.Shutdown(context.Background())) }()
		ctx, caller := tp.Tracer("test").Start(context.Background(), "caller")
		require.True(t, caller.IsRecording())
		require.False(t, caller.SpanContext().IsSampled())
		_, err := runtime.Ask[msg, int](ctx, f.a, msg{method: 3})
		require.NoError(t, err)
		assert.True(t, caller.IsRecording(), "the hook did not end the caller's span")
		caller.End()
		assert.Len(t, f.rec.Ended(), 1, "only the caller's span")
	})
}

type recordOnly struct{}

func (recordOnly) ShouldSample(sdktrace.SamplingParameters) sdktrace.SamplingResult {
	return sdktrace.SamplingResult{Decision: sdktrace.RecordOnly}
}

func (recordOnly) Description() string { return "RecordOnly" }
