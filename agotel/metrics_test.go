package agotel_test

import (
	"context"
	"log/slog"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/actorgen/actorgen/agotel"
	"github.com/actorgen/actorgen/runtime"
)

// points returns the collected int64 data points of each metric, as "label=value,...": value.
func points(t *testing.T, rm metricdata.ResourceMetrics) map[string]map[string]int64 {
	t.Helper()
	out := map[string]map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			var dps []metricdata.DataPoint[int64]
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				dps = d.DataPoints
			case metricdata.Gauge[int64]:
				dps = d.DataPoints
			default:
				continue
			}
			out[m.Name] = map[string]int64{}
			for _, dp := range dps {
				out[m.Name][labels(dp.Attributes)] = dp.Value
			}
		}
	}
	return out
}

func labels(s attribute.Set) string {
	var b []byte
	for i, kv := range s.ToSlice() {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, string(kv.Key)+"="+kv.Value.String()...)
	}
	return string(b)
}

func TestMetricsReadTheRuntimesCounters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := runtime.NewSystem(runtime.WithLogger(slog.New(slog.DiscardHandler)),
			runtime.WithMetrics(runtime.MetricsOptions{SampleEvery: 1}))
		defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
		reader := sdkmetric.NewManualReader(sdkmetric.WithProducer(agotel.Producer(sys)))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
		defer func() { require.NoError(t, mp.Shutdown(context.Background())) }()
		reg, err := agotel.RegisterMetrics(sys, agotel.Config{MeterProvider: mp, Paths: []string{"/a", "/missing"}})
		require.NoError(t, err)
		defer func() { require.NoError(t, reg.Unregister()) }()

		a, err := runtime.Spawn(sys, "a", func(*runtime.Context) *state { return &state{} }, handle, calc,
			runtime.WithPolicy(runtime.Strategy{Decision: runtime.Resume}))
		require.NoError(t, err)
		ctx := context.Background()
		for range 3 {
			require.NoError(t, a.Tell(ctx, msg{method: 0, n: 1}))
		}
		_, err = runtime.Ask[msg, int](ctx, a, msg{method: 2})
		require.ErrorIs(t, err, runtime.ErrFault)
		got, err := runtime.Ask[msg, int](ctx, a, msg{method: 1})
		require.NoError(t, err)
		require.Equal(t, 3, got)
		synctest.Wait()

		var rm metricdata.ResourceMetrics
		require.NoError(t, reader.Collect(ctx, &rm))
		p := points(t, rm)
		assert.Equal(t, int64(3), p[agotel.MetricMessages]["actorgen.outcome=ok,actorgen.type=Calc,rpc.method=Add"])
		assert.Equal(t, int64(1), p[agotel.MetricMessages]["actorgen.outcome=ok,actorgen.type=Calc,rpc.method=Get"])
		assert.Equal(t, int64(1), p[agotel.MetricMessages]["actorgen.outcome=fault,actorgen.type=Calc,rpc.method=Crash"])
		assert.Equal(t, int64(1), p[agotel.MetricFaults]["actorgen.type=Calc"])
		assert.Equal(t, int64(1), p[agotel.MetricActorsLive]["actorgen.type=Calc"])
		assert.Equal(t, map[string]uint64{
			"actorgen.type=Calc,rpc.method=Add": 3, "actorgen.type=Calc,rpc.method=Get": 1, "actorgen.type=Calc,rpc.method=Crash": 1,
		}, histogramCounts(rm, agotel.MetricHandleTime), "every message timed, with SampleEvery 1")
		assert.Len(t, histogramCounts(rm, agotel.MetricMailboxTime), 3)
		assert.Equal(t, map[string]int64{"actorgen.actor.path=/a,actorgen.type=Calc": 5}, p[agotel.MetricActorHandled],
			"only the allowed paths that exist, by path")
		assert.Equal(t, int64(1), p[agotel.MetricActorFaults]["actorgen.actor.path=/a,actorgen.type=Calc"])
		for name, series := range p {
			for l := range series {
				if name != agotel.MetricActorHandled && name != agotel.MetricActorFaults && name != agotel.MetricActorMailbox {
					assert.NotContains(t, l, "path", "%s is labelled by type, method and outcome only", name)
				}
			}
		}

		require.NoError(t, a.Ref().Stop(ctx))
		rm = metricdata.ResourceMetrics{}
		require.NoError(t, reader.Collect(ctx, &rm))
		p = points(t, rm)
		assert.Equal(t, int64(0), p[agotel.MetricActorsLive]["actorgen.type=Calc"])
		assert.Equal(t, int64(1), p[agotel.MetricStops]["actorgen.type=Calc"])
	})
}

func TestRegisterMetricsRejectsANilSystem(t *testing.T) {
	_, err := agotel.RegisterMetrics(nil, agotel.Config{})
	require.ErrorContains(t, err, "system is nil")
}

// histogramCounts returns the count of each data point of the histogram name, by labels; the
// counts of its buckets must add up to it.
func histogramCounts(rm metricdata.ResourceMetrics, name string) map[string]uint64 {
	out := map[string]uint64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			h, ok := m.Data.(metricdata.Histogram[float64])
			if m.Name != name || !ok {
				continue
			}
			for _, dp := range h.DataPoints {
				var n uint64
				for _, c := range dp.BucketCounts {
					n += c
				}
				if n != dp.Count || len(dp.BucketCounts) != len(dp.Bounds)+1 {
					return nil
				}
				out[labels(dp.Attributes)] = dp.Count
			}
		}
	}
	return out
}
