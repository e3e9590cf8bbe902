package runtime

import (
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// typeRecord is what a system knows about one interface: its description and its counters. The
// counters are atomics that the runtime adds to as things happen and System.Stats reads when
// asked, so that an exporter calls nothing on the path of a message.
type typeRecord struct {
	name    string
	methods []Method
	index   any     // func(M) int, or nil
	shared  *config // the configuration of its actors spawned with no other option
	key     ifaceKey

	live          atomic.Int64
	faults        atomic.Uint64
	resets        atomic.Uint64
	stops         atomic.Uint64
	tetherCuts    atomic.Uint64
	keeperRetries atomic.Uint64
	asksFailed    atomic.Uint64

	perMethod []methodRecord // one per method, and a last one for messages that name none
}

// methodRecord is a method's counters and histograms, kept only with WithMetrics.
type methodRecord struct {
	outcomes [numOutcomes]atomic.Uint64
	handle   histogram
	wait     histogram
}

func newTypeRecord(key ifaceKey, methods []Method, index any) *typeRecord {
	return &typeRecord{
		name: key.name, key: key, methods: methods, index: index,
		perMethod: make([]methodRecord, len(methods)+1),
	}
}

// method returns the record of method i, or that of the messages that name no method.
func (t *typeRecord) method(i int) *methodRecord {
	if uint(i) < uint(len(t.methods)) {
		return &t.perMethod[i]
	}
	return &t.perMethod[len(t.methods)]
}

func (t *typeRecord) methodName(i int) string {
	if uint(i) < uint(len(t.methods)) {
		return t.methods[i].Name
	}
	return ""
}

// histBuckets is the number of buckets of a histogram: bucket i counts the durations d with
// 2^(i-1) <= d < 2^i nanoseconds (bucket 0: d <= 0), the last one everything longer.
const histBuckets = 40

// histogram counts durations in power-of-two buckets of nanoseconds: a record is two atomic
// adds, its bucket's and the sum's; the count is the buckets' sum.
type histogram struct {
	sum     atomic.Int64
	buckets [histBuckets]atomic.Uint64
}

func (h *histogram) record(ns int64) {
	i := 0
	if ns > 0 {
		i = min(bits.Len64(uint64(ns)), histBuckets-1)
	}
	h.buckets[i].Add(1)
	h.sum.Add(ns)
}

func (h *histogram) snapshot() Histogram {
	var out Histogram
	for i := range h.buckets {
		if n := h.buckets[i].Load(); n != 0 {
			if out.Buckets == nil {
				out.Buckets = make([]uint64, histBuckets)
			}
			out.Buckets[i] = n
			out.Count += n
		}
	}
	if out.Count != 0 {
		out.Sum = time.Duration(h.sum.Load())
	}
	return out
}

// Histogram is a snapshot of durations counted in power-of-two buckets: Buckets[i] counts the
// durations d with 2^(i-1) <= d < 2^i nanoseconds (Buckets[0] those of 0), the last bucket
// everything longer; Count is their sum. Buckets is nil when Count is 0. The buckets are read one
// by one while messages go on, and Sum after them, so Sum may include a message or two more.
type Histogram struct {
	Count   uint64
	Sum     time.Duration
	Buckets []uint64
}

// BucketBound returns the upper bound of bucket i, exclusive: 2^i ns.
func BucketBound(i int) time.Duration {
	if i >= 63 {
		return time.Duration(1<<63 - 1)
	}
	return time.Duration(1) << i
}

// Quantile returns an upper bound of the q-quantile (0 < q <= 1): the bound of the bucket that
// holds it, so within a factor of two. It returns 0 for an empty histogram.
func (h Histogram) Quantile(q float64) time.Duration {
	if h.Count == 0 {
		return 0
	}
	var total uint64
	for _, c := range h.Buckets {
		total += c
	}
	want := uint64(math.Ceil(q * float64(total)))
	var seen uint64
	for i, c := range h.Buckets {
		seen += c
		if seen >= want && seen > 0 {
			return BucketBound(i)
		}
	}
	return BucketBound(len(h.Buckets) - 1)
}

// Mean returns Sum / Count, or 0.
func (h Histogram) Mean() time.Duration {
	if h.Count == 0 {
		return 0
	}
	return h.Sum / time.Duration(h.Count)
}

// TypeStats is what a system has counted for one interface (WithInterface), or for the actors
// spawned without one (Interface ""). The counters of rare events are kept always; Methods is
// filled only with WithMetrics.
type TypeStats struct {
	Interface string
	// Live is the number of actors spawned and not yet stopped; Spawned counts them all (Live +
	// Stops, read one after the other).
	Live    int64
	Spawned uint64
	// Faults counts faults (panics in handlers, factories and lifecycle hooks); Resets the states
	// rebuilt after one; Stops the actors that stopped, for any reason.
	Faults, Resets, Stops uint64
	// TetherCuts counts the cuts of tethers of this type (runtime.Tether), KeeperRetries the
	// failed tries of keepers (runtime.Keeper).
	TetherCuts, KeeperRetries uint64
	// AsksFailedFast counts the asks the runtime failed without waiting for their time-out: a
	// fault, no reply, the actor stopped, a full mailbox.
	AsksFailedFast uint64
	Methods        []MethodStats
}

// MethodStats is what WithMetrics counted for one method. The last MethodStats of a type, whose
// Method is "", counts the messages that named no method (an actor without an Index).
type MethodStats struct {
	Method string
	Kind   Kind
	// Handled counts the messages handled, by outcome: Handled[OutcomeOK], Handled[OutcomeFault],
	// Handled[OutcomeNoReply].
	Handled [numOutcomes]uint64
	// HandleTime is the handling time of the timed messages (1 in SampleEvery), MailboxTime
	// their time from the send to the start of their handling.
	HandleTime, MailboxTime Histogram
}

// Total returns the messages handled, whatever their outcome.
func (m MethodStats) Total() uint64 {
	var n uint64
	for _, c := range m.Handled {
		n += c
	}
	return n
}

// Stats returns what the system has counted, one TypeStats per interface, sorted by name (the
// actors without an interface first, as ""). It reads atomics, and allocates the result only.
func (s *System) Stats() []TypeStats {
	s.obsMu.Lock()
	recs := make([]*typeRecord, 0, len(s.types)+1)
	recs = append(recs, &s.untyped)
	for _, t := range s.types {
		recs = append(recs, t)
	}
	s.obsMu.Unlock()
	slices.SortFunc(recs[1:], func(a, b *typeRecord) int { return strings.Compare(a.name, b.name) })
	out := make([]TypeStats, len(recs))
	for i, t := range recs {
		out[i] = t.stats(s.metrics)
	}
	return out
}

func (t *typeRecord) stats(metrics bool) TypeStats {
	ts := TypeStats{
		Interface: t.name, Live: t.live.Load(),
		Faults: t.faults.Load(), Resets: t.resets.Load(), Stops: t.stops.Load(),
		TetherCuts: t.tetherCuts.Load(), KeeperRetries: t.keeperRetries.Load(),
		AsksFailedFast: t.asksFailed.Load(),
	}
	ts.Spawned = uint64(max(ts.Live, 0)) + ts.Stops // a spawn costs one atomic add, not two
	if !metrics {
		return ts
	}
	ts.Methods = make([]MethodStats, len(t.perMethod))
	for i := range t.perMethod {
		m := &t.perMethod[i]
		ms := &ts.Methods[i]
		if i < len(t.methods) {
			ms.Method, ms.Kind = t.methods[i].Name, t.methods[i].Kind
		}
		for o := range m.outcomes {
			ms.Handled[o] = m.outcomes[o].Load()
		}
		ms.HandleTime, ms.MailboxTime = m.handle.snapshot(), m.wait.snapshot()
	}
	return ts
}

// count adds the event e about n to the counters of n's interface and to n's own.
func (s *System) count(n *node, k EventKind, err error) {
	if n.cfg == nil { // the root
		return
	}
	t := n.cfg.typ
	switch k {
	case EventFault:
		t.faults.Add(1)
		n.mu.Lock()
		r := n.extra()
		r.faults++
		r.lastFault = LastFault{Time: time.Now(), Err: errString(err)}
		n.mu.Unlock()
	case EventReset, EventTetherCut:
		if k == EventReset {
			t.resets.Add(1)
		} else {
			t.tetherCuts.Add(1)
		}
		n.mu.Lock()
		n.extra().resets++
		n.mu.Unlock()
	case EventStopped:
		t.stops.Add(1)
	case EventKeeperRetry:
		t.keeperRetries.Add(1)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// record returns the record of the interface d describes in s, making it the first time.
func (s *System) record(d *ifaceDesc) *typeRecord {
	s.obsMu.Lock()
	defer s.obsMu.Unlock()
	if t, ok := s.types[d.key]; ok {
		return t
	}
	if s.types == nil {
		s.types = make(map[ifaceKey]*typeRecord)
	}
	t := newTypeRecord(d.key, d.methods, d.index)
	c := s.defaults
	c.typ = t
	t.shared = &c
	s.types[d.key] = t
	return t
}
