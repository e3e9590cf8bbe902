package remote_test

import (
	"context"
	"testing"
)

// The benchmarks measure the remote path itself on a MemNet (no network): what a node adds to
// an ask and a tell. bench/remote and the NATS module's benchmarks measure it on nats-server.

func BenchmarkMemAsk(b *testing.B) {
	w := newWorld(b)
	ctx := context.Background()
	body := make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.remote.Size(ctx, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemAskCancellable(b *testing.B) {
	w := newWorld(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	body := make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.remote.Size(ctx, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemTell(b *testing.B) {
	w := newWorld(b)
	ctx := context.Background()
	body := make([]byte, 64)
	before, err := w.remote.Count(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		w.remote.Bump(ctx, body)
		n++
	}
	for {
		c, err := w.remote.Count(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if c-before >= n {
			break
		}
	}
}
