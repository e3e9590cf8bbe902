package agotel

import (
	"context"
	"errors"
	"fmt"

	"github.com/actorgen/actorgen/runtime"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Metric names. Counters are cumulative since the system started; durations are in seconds.
const (
	MetricActorsLive     = "actorgen.actors.live"      // actors spawned and not stopped, by type
	MetricActorsSpawned  = "actorgen.actors.spawned"   // actors spawned, by type
	MetricFaults         = "actorgen.faults"           // faults, by type
	MetricResets         = "actorgen.resets"           // states rebuilt after a fault, by type
	MetricStops          = "actorgen.stops"            // actors stopped, for any reason, by type
	MetricTetherCuts     = "actorgen.tether.cuts"      // tethers cut, by type
	MetricKeeperRetries  = "actorgen.keeper.retries"   // failed starts of keepers, by type
	MetricAsksFailedFast = "actorgen.asks.failed_fast" // asks failed without a time-out, by type
	MetricMessages       = "actorgen.messages"         // messages handled, by type, method, outcome
	MetricHandleTime     = "actorgen.message.handle_time"
	MetricMailboxTime    = "actorgen.message.mailbox_time"
	MetricActorMailbox   = "actorgen.actor.mailbox"  // queued messages of an allowed path
	MetricActorHandled   = "actorgen.actor.messages" // messages an allowed path handled
	MetricActorFaults    = "actorgen.actor.faults"   // faults of an allowed path
)

// Each duration is reported as three instruments, since OpenTelemetry has no asynchronous
// histogram: NAME.sum (seconds) and NAME.count, cumulative counters whose rates give the mean,
// and NAME.p99, a gauge of the 99th percentile's upper bound since start (the runtime keeps
// power-of-two buckets, so it is within a factor of two).

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
	f64c := func(name, desc string) metric.Float64Observable {
		o, err := m.Float64ObservableCounter(name, metric.WithDescription(desc), metric.WithUnit("s"))
		errs = append(errs, err)
		return o
	}
	f64g := func(name, desc string) metric.Float64Observable {
		o, err := m.Float64ObservableGauge(name, metric.WithDescription(desc), metric.WithUnit("s"))
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
	ins.handleSum = f64c(MetricHandleTime+".sum", "Handling time of the timed messages.")
	ins.handleCount = i64(MetricHandleTime+".count", "Messages timed for handling time.", true)
	ins.handleP99 = f64g(MetricHandleTime+".p99", "Upper bound of the 99th percentile of handling time.")
	ins.waitSum = f64c(MetricMailboxTime+".sum", "Time in the mailbox of the timed messages.")
	ins.waitCount = i64(MetricMailboxTime+".count", "Messages timed for time in the mailbox.", true)
	ins.waitP99 = f64g(MetricMailboxTime+".p99", "Upper bound of the 99th percentile of time in the mailbox.")
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
	handleCount, waitCount                                                    metric.Int64Observable
	handleSum, handleP99, waitSum, waitP99                                    metric.Float64Observable
	actorMailbox, actorHandled, actorFaults                                   metric.Int64Observable
}

func (ins *instruments) list() []metric.Observable {
	out := []metric.Observable{
		ins.live, ins.spawned, ins.faults, ins.resets, ins.stops, ins.cuts, ins.retries, ins.failedFast,
		ins.messages, ins.handleCount, ins.waitCount, ins.handleSum, ins.handleP99, ins.waitSum, ins.waitP99,
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
			if ms.Total() == 0 && ms.HandleTime.Count == 0 {
				continue
			}
			method := []attribute.KeyValue{KeyActorType.String(ts.Interface), KeyRPCMethod.String(ms.Method)}
			for out, n := range ms.Handled {
				if n == 0 {
					continue
				}
				o.ObserveInt64(ins.messages, clamp(n), metric.WithAttributes(append(method, KeyOutcome.String(runtime.Outcome(out).String()))...))
			}
			attrs := metric.WithAttributes(method...)
			if h := ms.HandleTime; h.Count > 0 {
				o.ObserveFloat64(ins.handleSum, h.Sum.Seconds(), attrs)
				o.ObserveInt64(ins.handleCount, clamp(h.Count), attrs)
				o.ObserveFloat64(ins.handleP99, h.Quantile(0.99).Seconds(), attrs)
			}
			if h := ms.MailboxTime; h.Count > 0 {
				o.ObserveFloat64(ins.waitSum, h.Sum.Seconds(), attrs)
				o.ObserveInt64(ins.waitCount, clamp(h.Count), attrs)
				o.ObserveFloat64(ins.waitP99, h.Quantile(0.99).Seconds(), attrs)
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
