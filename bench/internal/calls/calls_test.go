package calls

import (
	"errors"
	"slices"
	"sync/atomic"
	"testing"
)

func TestLatenciesAreSortedAndStopAtAnError(t *testing.T) {
	ds, err := Latencies(50, func() error { return nil })
	if err != nil || len(ds) != 50 || !slices.IsSorted(ds) {
		t.Fatalf("Latencies: %d durations, sorted %v, %v", len(ds), slices.IsSorted(ds), err)
	}
	boom := errors.New("boom")
	if _, err := Latencies(5, func() error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Latencies with a failing call: %v", err)
	}
}

func TestThroughputMakesWholeRoundsOfCalls(t *testing.T) {
	var n atomic.Int64
	tp, err := Throughput(100, 8, func() error { n.Add(1); return nil })
	if err != nil || tp <= 0 || n.Load() != 96 {
		t.Fatalf("Throughput: %v calls/s, %d calls, %v", tp, n.Load(), err)
	}
	boom := errors.New("boom")
	if _, err := Throughput(16, 4, func() error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Throughput with a failing call: %v", err)
	}
}
