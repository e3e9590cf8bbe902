package agotel

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/actorgen/actorgen/runtime"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// Metric names. Counters are cumulative since the system started; durations are in seconds.
const (
	MetricActorsLive     = "actorgen.actors.live"          // actors spawned and not stopped, by type
	MetricActorsSpawned  = "actorgen.actors.spawned"       // actors spawned, by type
	MetricFaults         = "actorgen.faults"               // faults, by type
	MetricResets         = "actorgen.resets"               // states rebuilt after a fault, by type
	MetricStops          = "actorgen.stops"                // actors stopped, for any reason, by type
	MetricTetherCuts     = "actorgen.tether.cuts"          // tethers cut, by type
	MetricKeeperRetries  = "actorgen.keeper.retries"       // failed starts of keepers, by type
	MetricAsksFailedFast = "actorgen.asks.failed_fast"     // asks failed without a time-out, by type
	MetricMessages       = "actorgen.messages"             // messages handled, by type, method, outcome
	MetricHandleTime     = "actorgen.message.handle_time"  // histogram (Producer), s, by type and method
	MetricMailboxTime    = "actorgen.message.mailbox_time" // histogram (Producer), s, by type and method
	MetricActorMailbox   = "actorgen.actor.mailbox"        // queued messages of an allowed path
	MetricActorHandled   = "actorgen.actor.messages"       // messages an allowed path handled
	MetricActorFaults    = "actorgen.actor.faults"         // faults of an allowed path
)

// Registration is what RegisterMetrics registered; Unregister removes it.
type Registration struct {
	reg metric.Registration
}

// Unregister stops reporting the system's metrics.
func (r *Registration) Unregister() error {
	if err := r.reg.Unregister(); err != nil {
		return fmt.Errorf("agotel: unregister: %w", err)
	}
	return nil
}

// RegisterMetrics reports sys's figures through the meter of c.MeterProvider. Per-method
// counts and durations need the system to have been made with runtime.WithMetrics; the others
// are kept always.
func RegisterMetrics(sys *runtime.System, c Config) (*Registration, error) {
	if sys == nil {
		return nil, errors.New("agotel: RegisterMetrics: the system is nil")
	}
	m := c.meter()
	var (
		ins  instruments
		errs []error
	)
	i64 := func(name, desc string, counter bool) metric.Int64Observable {
		var o metric.Int64Observable
		var err error
		if counter {
			o, err = m.Int64ObservableCounter(name, metric.WithDescription(desc))
		} else {
			o, err = m.Int64ObservableUpDownCounter(name, metric.WithDescription(desc))
		}
		errs = append(errs, err)
		return o
	}
	ins.live = i64(MetricActorsLive, "Actors spawned and not yet stopped.", false)
	ins.spawned = i64(MetricActorsSpawned, "Actors spawned.", true)
	ins.faults = i64(MetricFaults, "Faults: panics in handlers, factories and lifecycle hooks.", true)
	ins.resets = i64(MetricResets, "States rebuilt after a fault.", true)
	ins.stops = i64(MetricStops, "Actors stopped, for any reason.", true)
	ins.cuts = i64(MetricTetherCuts, "Tethers cut loose from their children.", true)
	ins.retries = i64(MetricKeeperRetries, "Failed starts of keepers, to be tried again.", true)
	ins.failedFast = i64(MetricAsksFailedFast, "Asks failed at once: a fault, no reply, a stopped actor, a full mailbox.", true)
	ins.messages = i64(MetricMessages, "Messages handled, by method and outcome.", true)
	if len(c.Paths) > 0 {
		ins.actorMailbox = i64(MetricActorMailbox, "Messages queued for the actor.", false)
		ins.actorHandled = i64(MetricActorHandled, "Messages the actor has handled.", true)
		ins.actorFaults = i64(MetricActorFaults, "Faults of the actor.", true)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("agotel: RegisterMetrics: %w", err)
	}
	paths := append([]string(nil), c.Paths...)
	reg, err := m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		ins.observe(o, sys, paths)
		return nil
	}, ins.list()...)
	if err != nil {
		return nil, fmt.Errorf("agotel: RegisterMetrics: %w", err)
	}
	return &Registration{reg: reg}, nil
}

type instruments struct {
	live, spawned, faults, resets, stops, cuts, retries, failedFast, messages metric.Int64Observable
	actorMailbox, actorHandled, actorFaults                                   metric.Int64Observable
}

func (ins *instruments) list() []metric.Observable {
	out := []metric.Observable{
		ins.live, ins.spawned, ins.faults, ins.resets, ins.stops, ins.cuts, ins.retries, ins.failedFast,
		ins.messages,
	}
	if ins.actorMailbox != nil {
		out = append(out, ins.actorMailbox, ins.actorHandled, ins.actorFaults)
	}
	return out
}

func clamp(u uint64) int64 { return int64(min(u, 1<<63-1)) }

// observe reports one collection: sys.Stats read once, and the allowed paths' own figures.
func (ins *instruments) observe(o metric.Observer, sys *runtime.System, paths []string) {
	for _, ts := range sys.Stats() {
		typ := metric.WithAttributes(KeyActorType.String(ts.Interface))
		o.ObserveInt64(ins.live, ts.Live, typ)
		o.ObserveInt64(ins.spawned, clamp(ts.Spawned), typ)
		o.ObserveInt64(ins.faults, clamp(ts.Faults), typ)
		o.ObserveInt64(ins.resets, clamp(ts.Resets), typ)
		o.ObserveInt64(ins.stops, clamp(ts.Stops), typ)
		o.ObserveInt64(ins.cuts, clamp(ts.TetherCuts), typ)
		o.ObserveInt64(ins.retries, clamp(ts.KeeperRetries), typ)
		o.ObserveInt64(ins.failedFast, clamp(ts.AsksFailedFast), typ)
		for _, ms := range ts.Methods {
			for out, n := range ms.Handled {
				if n == 0 {
					continue
				}
				o.ObserveInt64(ins.messages, clamp(n), metric.WithAttributes(KeyActorType.String(ts.Interface),
					KeyRPCMethod.String(ms.Method), KeyOutcome.String(runtime.Outcome(out).String())))
			}
		}
	}
	for _, p := range paths {
		ref, ok := sys.Lookup(p)
		if !ok {
			continue
		}
		info, ok := ref.Info()
		if !ok {
			continue
		}
		attrs := metric.WithAttributes(KeyActorPath.String(p), KeyActorType.String(info.Interface))
		o.ObserveInt64(ins.actorMailbox, int64(info.Mailbox), attrs)
		o.ObserveInt64(ins.actorHandled, clamp(info.Handled), attrs)
		o.ObserveInt64(ins.actorFaults, clamp(info.Faults), attrs)
	}
}

// Producer returns the producer of the histograms of handling time and of time in the mailbox
// (MetricHandleTime, MetricMailboxTime: seconds, by type and method, cumulative), for
// sdkmetric.WithProducer on the reader. They come from the runtime's own buckets, sampled 1
// message in MetricsOptions.SampleEvery and read at collection time: OpenTelemetry's API has no
// asynchronous histogram, and recording every sampled duration into a synchronous one would put
// an SDK call back on the path of a message. The runtime's buckets are powers of two of
// nanoseconds, which become the histogram's explicit bounds.
func Producer(sys *runtime.System) sdkmetric.Producer {
	return &producer{sys: sys, start: time.Now()}
}

type producer struct {
	sys   *runtime.System
	start time.Time
}

func (p *producer) Produce(context.Context) ([]metricdata.ScopeMetrics, error) {
	now := time.Now()
	handle := metricdata.Histogram[float64]{Temporality: metricdata.CumulativeTemporality}
	wait := metricdata.Histogram[float64]{Temporality: metricdata.CumulativeTemporality}
	for _, s := range p.sys.Stats() {
		for _, m := range s.Methods {
			attrs := attribute.NewSet(KeyActorType.String(s.Interface), KeyRPCMethod.String(m.Method))
			if m.HandleTime.Count > 0 {
				handle.DataPoints = append(handle.DataPoints, histogramPoint(attrs, p.start, now, m.HandleTime))
			}
			if m.MailboxTime.Count > 0 {
				wait.DataPoints = append(wait.DataPoints, histogramPoint(attrs, p.start, now, m.MailboxTime))
			}
		}
	}
	var ms []metricdata.Metrics
	if len(handle.DataPoints) > 0 {
		ms = append(ms, metricdata.Metrics{Name: MetricHandleTime, Unit: "s",
			Description: "Handling time of the timed messages.", Data: handle})
	}
	if len(wait.DataPoints) > 0 {
		ms = append(ms, metricdata.Metrics{Name: MetricMailboxTime, Unit: "s",
			Description: "Time from the send to the start of the handling, of the timed messages.", Data: wait})
	}
	if len(ms) == 0 {
		return nil, nil
	}
	return []metricdata.ScopeMetrics{{Scope: instrumentation.Scope{Name: ScopeName}, Metrics: ms}}, nil
}

// histogramPoint converts a runtime histogram: its bucket i counts [2^(i-1), 2^i) ns, so 2^i ns
// is the upper bound of OpenTelemetry's bucket i (which counts the values up to its bound).
func histogramPoint(attrs attribute.Set, start, now time.Time, h runtime.Histogram) metricdata.HistogramDataPoint[float64] {
	bounds := make([]float64, len(h.Buckets)-1)
	for i := range bounds {
		bounds[i] = runtime.BucketBound(i).Seconds()
	}
	var total uint64
	for _, c := range h.Buckets {
		total += c
	}
	return metricdata.HistogramDataPoint[float64]{
		Attributes: attrs, StartTime: start, Time: now,
		Count: total, Bounds: bounds, BucketCounts: slices.Clone(h.Buckets), Sum: h.Sum.Seconds(),
	}
}
