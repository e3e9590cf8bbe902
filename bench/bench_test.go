package main

import (
	"context"
	"testing"
	"time"

	"github.com/actorgen/actorgen/bench/impl/chanbase"
	"github.com/actorgen/actorgen/bench/workload"
)

// BenchmarkWorkloads is the go test -bench form of the table: each iteration runs the workload
// on the implementation and on the goroutine + channel baseline, back to back, and the benchmark
// reports the implementation's ns/msg, its ratio to the baseline (x-chan) and allocs/msg. The
// sizes are a tenth of the defaults so that one iteration stays short; `go run .` gives the full
// table. The ns/op that go test prints covers both runs and the setup: read ns/msg and x-chan.
func BenchmarkWorkloads(b *testing.B) {
	sz := workload.Sizes{Tell: 100_000, Ask: 10_000, FanoutActors: 1_000, FanoutMsgs: 100, Spawn: 10_000}
	base := chanbase.Impl()
	ctx := context.Background()
	for _, k := range workload.Kinds() {
		for _, impl := range impls() {
			b.Run(string(k)+"/"+impl.Name, func(b *testing.B) {
				var own, baseline time.Duration
				var ops int64
				var allocs uint64
				for b.Loop() {
					r, err := workload.Run(ctx, impl, k, sz)
					if err != nil {
						b.Fatal(err)
					}
					rb, err := workload.Run(ctx, base, k, sz)
					if err != nil {
						b.Fatal(err)
					}
					own += r.Elapsed
					baseline += rb.Elapsed
					ops += r.Ops
					allocs += r.Allocs
				}
				b.ReportMetric(float64(own.Nanoseconds())/float64(ops), "ns/msg")
				b.ReportMetric(float64(own)/float64(baseline), "x-chan")
				b.ReportMetric(float64(allocs)/float64(ops), "allocs/msg")
			})
		}
	}
}
