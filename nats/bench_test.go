package agnats_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	rtest "github.com/actorgen/actorgen/runtime/remote/remotetest"
)

// The benchmarks run remote asks and tells over an in-process nats-server on 127.0.0.1, and
// raw nats.go's request-reply and publish on the same server, for profiles of the remote path
// (bench/remote is the measurement of record).

func BenchmarkAsk(b *testing.B) {
	ns := startServer(b, -1, 0)
	p := newPair(b, ns.ClientURL(), ns.ClientURL())
	ctx := context.Background()
	body := make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.remote.Size(ctx, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAskTraced is an ask whose ctx has nothing to carry (no header on the wire) and one
// that carries a W3C traceparent in a NATS header, as a sampled trace's does.
func BenchmarkAskTraced(b *testing.B) {
	ns := startServer(b, -1, 0)
	far := tracedPair(b, ns.ClientURL())
	body := make([]byte, 64)
	for _, bc := range []struct {
		name string
		ctx  context.Context
	}{
		{"none", context.Background()},
		{"header", rtest.WithTrace(context.Background(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := far.Size(bc.ctx, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAskParallel(b *testing.B) {
	ns := startServer(b, -1, 0)
	p := newPair(b, ns.ClientURL(), ns.ClientURL())
	ctx := context.Background()
	b.SetParallelism(32)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		body := make([]byte, 64)
		for pb.Next() {
			if _, err := p.remote.Size(ctx, body); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkTell(b *testing.B) {
	ns := startServer(b, -1, 0)
	p := newPair(b, ns.ClientURL(), ns.ClientURL())
	ctx := context.Background()
	body := make([]byte, 64)
	before, err := p.remote.Count(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		p.remote.Bump(ctx, body)
		n++
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		c, err := p.remote.Count(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if c-before >= n {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d tells arrived", c-before, n)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// rawPair is two raw nats.go connections: a responder of "raw.ask" and a counter of "raw.tell".
func rawPair(b *testing.B) (cli *nats.Conn, told *atomic.Int64) {
	ns := startServer(b, -1, 0)
	srv, err := nats.Connect(ns.ClientURL())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	cli, err = nats.Connect(ns.ClientURL())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(cli.Close)
	reply := make([]byte, 8)
	if _, err := srv.Subscribe("raw.ask", func(m *nats.Msg) { _ = m.Respond(reply) }); err != nil {
		b.Fatal(err)
	}
	told = new(atomic.Int64)
	sub, err := srv.Subscribe("raw.tell", func(*nats.Msg) { told.Add(1) })
	if err != nil {
		b.Fatal(err)
	}
	_ = sub.SetPendingLimits(-1, -1)
	_ = srv.Flush()
	return cli, told
}

func BenchmarkRawRequest(b *testing.B) {
	cli, _ := rawPair(b)
	body := make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cli.Request("raw.ask", body, 5*time.Second); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawRequestParallel(b *testing.B) {
	cli, _ := rawPair(b)
	b.SetParallelism(32)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		body := make([]byte, 64)
		for pb.Next() {
			if _, err := cli.Request("raw.ask", body, 5*time.Second); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkRawPublish(b *testing.B) {
	cli, told := rawPair(b)
	body := make([]byte, 64)
	b.ReportAllocs()
	n := int64(0)
	for b.Loop() {
		if err := cli.Publish("raw.tell", body); err != nil {
			b.Fatal(err)
		}
		n++
	}
	for deadline := time.Now().Add(30 * time.Second); told.Load() < n; {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d published arrived", told.Load(), n)
		}
		time.Sleep(100 * time.Microsecond)
	}
}
