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
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// otherBookMsg is the message of another interface named Book, as a second package declaring
// its own Book would have: the runtime keeps the two apart (by message type), and their
// figures share the label actor.type="Book".
type otherBookMsg struct{ crash bool }

func (m otherBookMsg) methodIndex() int {
	if m.crash {
		return 1
	}
	return 0
}

var otherBookInterface = runtime.WithInterface(runtime.Interface[otherBookMsg]{
	Name:    "Book",
	Methods: []runtime.Method{{Name: "Get", Kind: runtime.KindAsk}, {Name: "Burn", Kind: runtime.KindTell}},
	Index:   otherBookMsg.methodIndex,
})

func handleOtherBook(_ context.Context, ac *runtime.Context, _ *book, m otherBookMsg) {
	if m.crash {
		panic("burnt")
	}
	runtime.Reply(ac, "other")
}

// pointKey is a data point's metric and attributes: no two points of a collection may share it.
type pointKey struct {
	metric string
	attrs  attribute.Distinct
}

// Two interfaces of the same name (in different packages) give one series per label set, whose
// values add the two: never two points with the same attributes, which a backend would take for
// one series reported twice. (The SDK happens to add the counters' duplicate observations; the
// Producer's histograms had a point each.) A path allow-listed twice is one series too.
func TestSameInterfaceNameMergesSeries(t *testing.T) {
	sys := runtime.NewSystem(runtime.WithLogger(slog.New(slog.DiscardHandler)),
		runtime.WithMetrics(runtime.MetricsOptions{SampleEvery: 1}))
	defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
	a, err := runtime.Spawn(sys, "a", func(*runtime.Context) *book { return &book{} }, handleBook, bookInterface,
		runtime.WithPolicy(runtime.Strategy{Decision: runtime.Resume}))
	require.NoError(t, err)
	b, err := runtime.Spawn(sys, "b", func(*runtime.Context) *book { return &book{} }, handleOtherBook, otherBookInterface,
		runtime.WithPolicy(runtime.Strategy{Decision: runtime.Resume}))
	require.NoError(t, err)
	ctx := context.Background()
	for range 2 {
		_, err = runtime.Ask[bookMsg, string](ctx, a, bookMsg{method: 0})
		require.NoError(t, err)
	}
	_, err = runtime.Ask[bookMsg, string](ctx, a, bookMsg{method: 2})
	require.ErrorIs(t, err, runtime.ErrFault)
	for range 3 {
		_, err = runtime.Ask[otherBookMsg, string](ctx, b, otherBookMsg{})
		require.NoError(t, err)
	}
	_, err = runtime.Ask[otherBookMsg, string](ctx, b, otherBookMsg{crash: true})
	require.ErrorIs(t, err, runtime.ErrFault)
	var books int
	require.Eventually(t, func() bool { // a fault is counted after the ask is failed
		var faults uint64
		books = 0
		for _, s := range sys.Stats() {
			if s.Interface == "Book" {
				books++
				faults += s.Faults
			}
		}
		return faults == 2
	}, 5*time.Second, time.Millisecond)
	require.Equal(t, 2, books, "the runtime keeps two interfaces named Book")

	reader := sdkmetric.NewManualReader(sdkmetric.WithProducer(Producer(sys)))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { require.NoError(t, mp.Shutdown(ctx)) }()
	reg, err := RegisterMetrics(sys, WithMeterProvider(mp), WithMailboxDepth(), WithActorDetail("/a", "/b", "/a"))
	require.NoError(t, err)
	defer func() { require.NoError(t, reg.Unregister()) }()
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(ctx, &rm))

	seen := map[pointKey]int{}
	values := map[string]int64{}
	var handleCount uint64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					seen[pointKey{m.Name, dp.Attributes.Equivalent()}]++
					values[m.Name+" "+dp.Attributes.Encoded(attribute.DefaultEncoder())] = dp.Value
				}
			case metricdata.Gauge[int64]:
				for _, dp := range d.DataPoints {
					seen[pointKey{m.Name, dp.Attributes.Equivalent()}]++
				}
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					seen[pointKey{m.Name, dp.Attributes.Equivalent()}]++
					if m.Name == MetricHandleDuration {
						handleCount += dp.Count
					}
				}
			}
		}
	}
	for k, n := range seen {
		assert.Equal(t, 1, n, "%s %v: one point per attribute set", k.metric, k.attrs)
	}
	assert.Equal(t, int64(2), values[MetricLive+" actor.type=Book"], "both Books' actors")
	assert.Equal(t, int64(2), values[MetricFaults+" actor.type=Book"], "both Books' faults")
	assert.Equal(t, int64(5), values[MetricMessages+" actor.type=Book,outcome=ok,rpc.method=Get"], "Get of both")
	assert.Equal(t, int64(1), values[MetricMessages+" actor.type=Book,outcome=fault,rpc.method=Crash"])
	assert.Equal(t, int64(1), values[MetricMessages+" actor.type=Book,outcome=fault,rpc.method=Burn"])
	assert.Equal(t, int64(3), values[MetricActorHandled+" actor.path=/a"], "/a, allow-listed twice, is one series")
	assert.Equal(t, uint64(7), handleCount, "every message timed once, in one histogram per method")
}
