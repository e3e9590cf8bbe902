// Package workloadtest checks an implementation against every workload at small sizes: the
// counts and sums must be exact, and no goroutine may be left behind by the spawn workload.
package workloadtest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorgen/actorgen/bench/workload"
)

// Small are sizes that run in well under a second per workload, also under -race.
func Small() workload.Sizes {
	return workload.Sizes{Tell: 2_000, Ask: 300, FanoutActors: 50, FanoutMsgs: 20, Spawn: 500}
}

// Run runs every workload on impl once at Small sizes and checks each result.
func Run(t *testing.T, impl workload.Impl) {
	t.Helper()
	sz := Small()
	for _, k := range workload.Kinds() {
		t.Run(string(k), func(t *testing.T) {
			res, err := workload.Run(context.Background(), impl, k, sz)
			require.NoError(t, err)
			want := map[workload.Kind]int64{
				workload.Tell1:  int64(sz.Tell),
				workload.Tell2:  int64(sz.Tell),
				workload.Ask:    int64(sz.Ask),
				workload.AskCtx: int64(sz.Ask),
				workload.Fanout: int64(sz.FanoutActors * sz.FanoutMsgs),
				workload.Spawn:  int64(sz.Spawn),
			}[k]
			assert.Equal(t, want, res.Ops, "operations measured")
			assert.Positive(t, res.Elapsed, "elapsed time")
			if k == workload.Spawn {
				assert.Zero(t, res.Leftover, "goroutines left after every actor stopped")
			}
		})
	}
}
