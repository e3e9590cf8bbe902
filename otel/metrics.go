package agotel

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/actorgen/actorgen/runtime"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// The metrics' names, stable.
const (
	MetricMessages       = "actorgen.messages"            // counter: actor.type, rpc.method, outcome
	MetricFaults         = "actorgen.faults"              // counter: actor.type
	MetricResets         = "actorgen.resets"              // counter: actor.type
	MetricStops          = "actorgen.stops"               // counter: actor.type
	MetricTetherCuts     = "actorgen.tether.cuts"         // counter: actor.type
	MetricKeeperRetries  = "actorgen.keeper.retries"      // counter: actor.type
	MetricAsksFailedFast = "actorgen.asks.failed_fast"    // counter: actor.type
	MetricLive           = "actorgen.actors.live"         // up-down counter: actor.type
	MetricHandleDuration = "actorgen.handle.duration"     // histogram, s: actor.type, rpc.method (Producer)
	MetricMailboxWait    = "actorgen.mailbox.wait"        // histogram, s: actor.type, rpc.method (Producer)
	MetricMailboxDepth   = "actorgen.mailbox.depth"       // gauge, summed over actors: actor.type (WithMailboxDepth)
	MetricMailboxMax     = "actorgen.mailbox.depth.max"   // gauge: actor.type (WithMailboxDepth)
	MetricActorMailbox   = "actorgen.actor.mailbox.depth" // gauge: actor.path (WithActorDetail)
	MetricActorHandled   = "actorgen.actor.handled"       // counter: actor.path (WithActorDetail)
)

// Label keys.
var (
	actorType = attribute.Key("actor.type")
	outcome   = attribute.Key("outcome")
)

// Registration is a set of instruments whose callback reads the runtime's counters.
type Registration struct{ reg metric.Registration }

// Unregister stops the collection.
func (r *Registration) Unregister() error {
	if err := r.reg.Unregister(); err != nil {
		return fmt.Errorf("agotel: unregister: %w", err)
	}
	return nil
}

// RegisterMetrics registers observable instruments whose callback reads sys.Stats() when the
// meter collects: no instrument is called on a message's path. actorgen.messages needs
// runtime.WithMetrics on the system; the other counters are kept always.
func RegisterMetrics(sys *runtime.System, opts ...Option) (*Registration, error) {
	if sys == nil {
		return nil, errors.New("agotel: RegisterMetrics: system is nil")
	}
	c := newConfig(opts)
	c.detail = slices.Compact(slices.Sorted(slices.Values(c.detail))) // a path given twice is one series
	m := c.mp.Meter(ScopeName)
	var errs []error
	counter := func(name, desc string) metric.Int64ObservableCounter {
		i, err := m.Int64ObservableCounter(name, metric.WithDescription(desc), metric.WithUnit("{"+unitOf(name)+"}"))
		errs = append(errs, err)
		return i
	}
	messages := counter(MetricMessages, "Messages handled, by interface, method and outcome.")
	faults := counter(MetricFaults, "Faults: panics in handlers, factories and lifecycle hooks.")
	resets := counter(MetricResets, "Actor states rebuilt after a fault.")
	stops := counter(MetricStops, "Actors stopped, for any reason.")
	cuts := counter(MetricTetherCuts, "Tethers cut.")
	retries := counter(MetricKeeperRetries, "Failed starts of keepers.")
	failed := counter(MetricAsksFailedFast, "Asks the runtime failed without a time-out: a fault, no reply, a stopped actor, a full mailbox.")
	live, err := m.Int64ObservableUpDownCounter(MetricLive, metric.WithDescription("Actors spawned and not yet stopped."), metric.WithUnit("{actor}"))
	errs = append(errs, err)
	gauge := func(name, desc string) metric.Int64ObservableGauge {
		i, err := m.Int64ObservableGauge(name, metric.WithDescription(desc), metric.WithUnit("{message}"))
		errs = append(errs, err)
		return i
	}
	instruments := []metric.Observable{messages, faults, resets, stops, cuts, retries, failed, live}
	var depth, depthMax, actorDepth metric.Int64ObservableGauge
	var actorHandled metric.Int64ObservableCounter
	if c.depth {
		depth = gauge(MetricMailboxDepth, "Messages queued, summed over the actors of an interface.")
		depthMax = gauge(MetricMailboxMax, "The deepest mailbox among the actors of an interface.")
		instruments = append(instruments, depth, depthMax)
	}
	if len(c.detail) > 0 {
		actorDepth = gauge(MetricActorMailbox, "Messages queued for an allow-listed actor.")
		actorHandled = counter(MetricActorHandled, "Messages an allow-listed actor has taken from its mailbox.")
		instruments = append(instruments, actorDepth, actorHandled)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("agotel: RegisterMetrics: %w", err)
	}
	reg, err := m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		for _, s := range byName(sys.Stats()) {
			if s.Spawned == 0 {
				continue
			}
			typ := metric.WithAttributes(actorType.String(s.Interface))
			o.ObserveInt64(faults, clamp(s.Faults), typ)
			o.ObserveInt64(resets, clamp(s.Resets), typ)
			o.ObserveInt64(stops, clamp(s.Stops), typ)
			o.ObserveInt64(cuts, clamp(s.TetherCuts), typ)
			o.ObserveInt64(retries, clamp(s.KeeperRetries), typ)
			o.ObserveInt64(failed, clamp(s.AsksFailedFast), typ)
			o.ObserveInt64(live, s.Live, typ)
			for _, ms := range s.Methods {
				for out, n := range ms.Handled {
					if n == 0 {
						continue
					}
					o.ObserveInt64(messages, clamp(n), metric.WithAttributes(actorType.String(s.Interface),
						rpcMethod.String(ms.Method), outcome.String(runtime.Outcome(out).String())))
				}
			}
		}
		if c.depth {
			observeDepth(sys, o, depth, depthMax)
		}
		for _, path := range c.detail {
			ref, ok := sys.Lookup(path)
			if !ok {
				continue
			}
			if info, ok := ref.Info(); ok {
				at := metric.WithAttributes(actorPath.String(path))
				o.ObserveInt64(actorDepth, int64(info.Mailbox), at)
				o.ObserveInt64(actorHandled, clamp(info.Handled), at)
			}
		}
		return nil
	}, instruments...)
	if err != nil {
		return nil, fmt.Errorf("agotel: RegisterMetrics: %w", err)
	}
	return &Registration{reg: reg}, nil
}

// observeDepth walks the tree once and observes the mailbox depth per interface: the sum and
// the deepest.
func observeDepth(sys *runtime.System, o metric.Observer, sum, deepest metric.Int64ObservableGauge) {
	type agg struct{ sum, max int64 }
	byType := map[string]*agg{}
	sys.Walk(func(i runtime.ActorInfo) bool {
		a := byType[i.Interface]
		if a == nil {
			a = &agg{}
			byType[i.Interface] = a
		}
		a.sum += int64(i.Mailbox)
		a.max = max(a.max, int64(i.Mailbox))
		return true
	})
	for typ, a := range byType {
		at := metric.WithAttributes(actorType.String(typ))
		o.ObserveInt64(sum, a.sum, at)
		o.ObserveInt64(deepest, a.max, at)
	}
}

func unitOf(name string) string {
	switch name {
	case MetricMessages:
		return "message"
	case MetricFaults:
		return "fault"
	case MetricResets:
		return "reset"
	case MetricStops:
		return "stop"
	case MetricTetherCuts:
		return "cut"
	case MetricKeeperRetries:
		return "retry"
	case MetricActorHandled:
		return "message"
	}
	return "ask"
}

// byName merges the figures of interfaces of the same name (Book in two packages: the runtime
// keeps them apart, by message type, and their label actor.type is the same), so that no two
// points of a metric have the same attributes, which a backend would take for one series
// reported twice: the counters are added, and the methods of the same name and kind merged.
// Stats are sorted by name, so a name's entries are next to each other.
func byName(stats []runtime.TypeStats) []runtime.TypeStats {
	out := stats[:0:0]
	for _, s := range stats {
		if n := len(out); n > 0 && out[n-1].Interface == s.Interface {
			out[n-1] = mergeTypes(out[n-1], s)
			continue
		}
		out = append(out, s)
	}
	return out
}

func mergeTypes(a, b runtime.TypeStats) runtime.TypeStats {
	a.Live += b.Live
	a.Spawned += b.Spawned
	a.Faults += b.Faults
	a.Resets += b.Resets
	a.Stops += b.Stops
	a.TetherCuts += b.TetherCuts
	a.KeeperRetries += b.KeeperRetries
	a.AsksFailedFast += b.AsksFailedFast
	methods := slices.Clone(a.Methods)
	for _, bm := range b.Methods {
		i := slices.IndexFunc(methods, func(m runtime.MethodStats) bool {
			return m.Method == bm.Method && m.Kind == bm.Kind
		})
		if i < 0 {
			methods = append(methods, bm)
			continue
		}
		m := &methods[i]
		for o := range m.Handled {
			m.Handled[o] += bm.Handled[o]
		}
		m.HandleTime = mergeHistograms(m.HandleTime, bm.HandleTime)
		m.MailboxTime = mergeHistograms(m.MailboxTime, bm.MailboxTime)
	}
	a.Methods = methods
	return a
}

func mergeHistograms(a, b runtime.Histogram) runtime.Histogram {
	if b.Count == 0 {
		return a
	}
	if a.Count == 0 {
		return b
	}
	buckets := slices.Clone(a.Buckets)
	for i, c := range b.Buckets {
		if i < len(buckets) {
			buckets[i] += c
		} else {
			buckets = append(buckets, c)
		}
	}
	return runtime.Histogram{Count: a.Count + b.Count, Sum: a.Sum + b.Sum, Buckets: buckets}
}

func clamp(n uint64) int64 { return int64(min(n, math.MaxInt64)) }

// Producer returns a metric producer of the runtime's histograms of handling time and mailbox
// time (sampled 1 message in MetricsOptions.SampleEvery), for sdkmetric.WithProducer: they are
// read from the runtime's buckets at collection, so that a message never pays for an SDK
// histogram's Record. Cumulative, in seconds, with the buckets' power-of-two bounds.
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
	for _, s := range byName(p.sys.Stats()) {
		for _, m := range s.Methods {
			attrs := attribute.NewSet(actorType.String(s.Interface), rpcMethod.String(m.Method))
			if m.HandleTime.Count > 0 {
				handle.DataPoints = append(handle.DataPoints, point(attrs, p.start, now, m.HandleTime))
			}
			if m.MailboxTime.Count > 0 {
				wait.DataPoints = append(wait.DataPoints, point(attrs, p.start, now, m.MailboxTime))
			}
		}
	}
	var ms []metricdata.Metrics
	if len(handle.DataPoints) > 0 {
		ms = append(ms, metricdata.Metrics{Name: MetricHandleDuration, Unit: "s",
			Description: "Handling time of the timed messages.", Data: handle})
	}
	if len(wait.DataPoints) > 0 {
		ms = append(ms, metricdata.Metrics{Name: MetricMailboxWait, Unit: "s",
			Description: "Time from the send to the start of the handling, of the timed messages.", Data: wait})
	}
	if len(ms) == 0 {
		return nil, nil
	}
	return []metricdata.ScopeMetrics{{Scope: instrumentation.Scope{Name: ScopeName}, Metrics: ms}}, nil
}

// point converts a runtime histogram: bucket i of the runtime counts [2^(i-1), 2^i) ns, so its
// upper bound 2^i ns is the OTel bound of bucket i (which counts values ≤ its bound).
func point(attrs attribute.Set, start, now time.Time, h runtime.Histogram) metricdata.HistogramDataPoint[float64] {
	n := len(h.Buckets)
	bounds := make([]float64, n-1)
	for i := range bounds {
		bounds[i] = runtime.BucketBound(i).Seconds()
	}
	counts := make([]uint64, n)
	var total uint64
	for i, c := range h.Buckets {
		counts[i] = c
		total += c
	}
	return metricdata.HistogramDataPoint[float64]{
		Attributes: attrs, StartTime: start, Time: now,
		Count: total, Bounds: bounds, BucketCounts: counts, Sum: h.Sum.Seconds(),
	}
}
