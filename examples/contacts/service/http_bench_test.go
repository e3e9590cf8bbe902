package service_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/actorgen/actorgen/runtime"

	"github.com/actorgen/actorgen/examples/contacts/actors"
	"github.com/actorgen/actorgen/examples/contacts/api"
	"github.com/actorgen/actorgen/examples/contacts/mutexbook"
	"github.com/actorgen/actorgen/examples/contacts/service"
)

// BenchmarkHTTP is a load run over real HTTP: clients concurrent clients on
// keep-alive connections send batch requests to a server on 127.0.0.1, once
// with the books as actors (the service as it ships) and once with the same
// books behind a sync.Mutex (package mutexbook). Both run the same API
// handler behind the same access log (at a disabled level), the same book
// code, and each its own SQLite file opened by store.Open (WAL,
// synchronous=FULL, one connection); only the directory and the books
// differ. Each iteration runs one batch through each, in alternating order,
// so drift on a shared machine hits both alike. It reports both throughputs
// and actors/mutex, the actors' throughput over the mutex's measured in the
// same run: below 1 means the actors are slower.
func BenchmarkHTTP(b *testing.B) {
	for _, wl := range []struct {
		name   string
		method string
		users  int
		batch  int
	}{
		{"get/one-user", http.MethodGet, 1, 2000},
		{"get/many-users", http.MethodGet, 1000, 2000},
		{"create/many-users", http.MethodPost, 100, 200},
	} {
		b.Run(wl.name, func(b *testing.B) {
			dir := b.TempDir()
			stA := seeded(b, filepath.Join(dir, "actors.db"), wl.users)
			defer stA.Close()
			stM := seeded(b, filepath.Join(dir, "mutex.db"), wl.users)
			defer stM.Close()

			sys := runtime.NewSystem(runtime.WithLogger(quiet))
			defer func() { _ = sys.Shutdown(context.Background()) }()
			dirA, err := actors.StartDirectory(sys, "contacts", actors.Config{Store: stA})
			if err != nil {
				b.Fatal(err)
			}
			dirM, err := mutexbook.New(actors.Config{Store: stM})
			if err != nil {
				b.Fatal(err)
			}
			serve := func(d actors.Directory) string {
				h, err := api.New(api.Config{Directory: d, Logger: quiet})
				if err != nil {
					b.Fatal(err)
				}
				srv := httptest.NewServer(service.Logged(h, quiet))
				b.Cleanup(srv.Close)
				return srv.URL
			}
			urlA, urlM := serve(dirA), serve(dirM)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			defer client.CloseIdleConnections()
			// Warm up: load every user's book and open the connections.
			drive(b, nil, client, urlA, http.MethodGet, wl.users, wl.users)
			drive(b, nil, client, urlM, http.MethodGet, wl.users, wl.users)

			var own, mutex time.Duration
			n := 0
			for b.Loop() {
				if n/wl.batch%2 == 0 {
					own += drive(b, nil, client, urlA, wl.method, wl.users, wl.batch)
					mutex += drive(b, nil, client, urlM, wl.method, wl.users, wl.batch)
				} else {
					mutex += drive(b, nil, client, urlM, wl.method, wl.users, wl.batch)
					own += drive(b, nil, client, urlA, wl.method, wl.users, wl.batch)
				}
				n += wl.batch
			}
			b.ReportMetric(float64(n)/own.Seconds(), "actors-req/s")
			b.ReportMetric(float64(n)/mutex.Seconds(), "mutex-req/s")
			b.ReportMetric(mutex.Seconds()/own.Seconds(), "actors/mutex")
			b.ReportMetric(0, "ns/op") // an op is two batches; the rates above are the figures
		})
	}
}
