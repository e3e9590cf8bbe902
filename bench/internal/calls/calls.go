// Package calls times calls of a function, one at a time or from many goroutines at once, for
// the commands that measure remote asks (bench/remote, bench/remotepeers).
package calls

import (
	"slices"
	"sync"
	"time"
)

// Latencies makes n calls of call, one at a time, and returns their durations sorted.
func Latencies(n int, call func() error) ([]time.Duration, error) {
	ds := make([]time.Duration, n)
	for i := range ds {
		start := time.Now()
		if err := call(); err != nil {
			return nil, err
		}
		ds[i] = time.Since(start)
	}
	slices.Sort(ds)
	return ds, nil
}

// Throughput makes n calls of call (rounded down to a multiple of callers) from callers
// goroutines and returns calls per second; the first error ends it.
func Throughput(n, callers int, call func() error) (float64, error) {
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	start := time.Now()
	for range callers {
		wg.Go(func() {
			for range n / callers {
				if err := call(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	d := time.Since(start)
	select {
	case err := <-errs:
		return 0, err
	default:
	}
	return float64(n/callers*callers) / d.Seconds(), nil
}
