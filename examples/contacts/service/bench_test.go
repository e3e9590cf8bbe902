package service_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actorgen/actorgen/runtime"

	"github.com/actorgen/actorgen/examples/contacts/actors"
	"github.com/actorgen/actorgen/examples/contacts/api"
	"github.com/actorgen/actorgen/examples/contacts/contact"
	"github.com/actorgen/actorgen/examples/contacts/store"
)

// chanDirectory is the baseline: the same API, books and store, but each
// user's book is served by a plain goroutine reading closures from a channel,
// found in a mutex-guarded map: no actor runtime, no supervision.
type chanDirectory struct {
	cfg   actors.Config
	mu    sync.Mutex
	books map[string]*chanBook
	wg    sync.WaitGroup
}

type chanBook struct{ reqs chan func(actors.Book) }

func (d *chanDirectory) Book(ctx context.Context, user string) (actors.Book, error) {
	if err := contact.ValidateUser(user); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if b, ok := d.books[user]; ok {
		return b, nil
	}
	state, err := actors.LoadBook(ctx, user, d.cfg)
	if err != nil {
		return nil, err
	}
	b := &chanBook{reqs: make(chan func(actors.Book), 256)}
	d.books[user] = b
	d.wg.Go(func() {
		for f := range b.reqs {
			f(state)
		}
	})
	return b, nil
}

func (d *chanDirectory) close() {
	d.mu.Lock()
	for _, b := range d.books {
		close(b.reqs)
	}
	d.mu.Unlock()
	d.wg.Wait()
}

// call runs f on the book's goroutine and waits for its result.
func call[R any](ctx context.Context, b *chanBook, f func(actors.Book) (R, error)) (R, error) {
	var zero R
	type result struct {
		r   R
		err error
	}
	done := make(chan result, 1)
	select {
	case b.reqs <- func(s actors.Book) { r, err := f(s); done <- result{r, err} }:
	case <-ctx.Done():
		return zero, ctx.Err()
	}
	select {
	case res := <-done:
		return res.r, res.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

func (b *chanBook) List(ctx context.Context) ([]contact.Contact, error) {
	return call(ctx, b, func(s actors.Book) ([]contact.Contact, error) { return s.List(ctx) })
}

func (b *chanBook) Get(ctx context.Context, id contact.ID) (contact.Contact, error) {
	return call(ctx, b, func(s actors.Book) (contact.Contact, error) { return s.Get(ctx, id) })
}

func (b *chanBook) Create(ctx context.Context, c contact.Contact) (contact.Contact, error) {
	return call(ctx, b, func(s actors.Book) (contact.Contact, error) { return s.Create(ctx, c) })
}

func (b *chanBook) Update(ctx context.Context, id contact.ID, p contact.Patch) (contact.Contact, error) {
	return call(ctx, b, func(s actors.Book) (contact.Contact, error) { return s.Update(ctx, id, p) })
}

func (b *chanBook) Delete(ctx context.Context, id contact.ID) error {
	_, err := call(ctx, b, func(s actors.Book) (struct{}, error) { return struct{}{}, s.Delete(ctx, id) })
	return err
}

// seeded opens a store at path with one contact "c1" for each of users users.
func seeded(b *testing.B, path string, users int) *store.Store {
	b.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	for u := range users {
		if err := st.Insert(context.Background(), userName(u), contact.Contact{ID: "c1", Name: "Ada"}); err != nil {
			b.Fatal(err)
		}
	}
	return st
}

func userName(u int) string { return fmt.Sprintf("user%04d", u) }

// clients is the number of concurrent clients driving a workload.
const clients = 8

// drive sends batch requests from clients goroutines, request i for user
// i mod users, and returns the elapsed time. With a nil client the handler is
// called directly; otherwise requests go through client to the server at url.
func drive(b *testing.B, h http.Handler, client *http.Client, url, method string, users, batch int) time.Duration {
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= batch {
					return
				}
				path, body := "/api/"+userName(i%users)+"/contacts/c1", ""
				if method == http.MethodPost {
					path, body = "/api/"+userName(i%users)+"/contacts", `{"name":"Bob"}`
				}
				if client == nil {
					req := httptest.NewRequest(method, path, strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK && rec.Code != http.StatusCreated {
						failed.Store(fmt.Sprintf("%s: %d %s", path, rec.Code, rec.Body))
					}
					continue
				}
				code, resp, err := send(client, method, url+path, body)
				if err != nil || (code != http.StatusOK && code != http.StatusCreated) {
					failed.Store(fmt.Sprintf("%s: %d %s %v", path, code, resp, err))
				}
			}
		})
	}
	wg.Wait()
	d := time.Since(start)
	if f := failed.Load(); f != nil {
		b.Fatal(f)
	}
	return d
}

// BenchmarkRequests measures the API's requests per second with clients
// concurrent clients, in process (handler called directly, no sockets) or,
// for the /http workloads, through an httptest server on loopback,
// for one user (every request goes through one actor) and for many users.
// Each iteration runs the batch through the actor service and then through
// the channel baseline (same API, book code and store; a goroutine and a
// channel per user instead of an actor), so x-chan is the cost of the actor
// runtime relative to raw channels. GET reads one contact; POST creates one,
// durably (an fsync per request), so it measures the disk as much as anything.
func BenchmarkRequests(b *testing.B) {
	for _, wl := range []struct {
		name    string
		method  string
		users   int
		batch   int
		viaHTTP bool
	}{
		{"get/one-user", http.MethodGet, 1, 4000, false},
		{"get/many-users", http.MethodGet, 1000, 4000, false},
		{"get/one-user/http", http.MethodGet, 1, 2000, true},
		{"get/many-users/http", http.MethodGet, 1000, 2000, true},
		{"create/one-user", http.MethodPost, 1, 200, false},
		{"create/many-users", http.MethodPost, 100, 200, false},
	} {
		b.Run(wl.name, func(b *testing.B) {
			dir := b.TempDir()
			stA := seeded(b, filepath.Join(dir, "actors.db"), wl.users)
			defer stA.Close()
			stC := seeded(b, filepath.Join(dir, "chan.db"), wl.users)
			defer stC.Close()

			sys := runtime.NewSystem(runtime.WithLogger(quiet))
			defer func() { _ = sys.Shutdown(context.Background()) }()
			dirRef, err := actors.StartDirectory(sys, "contacts", actors.Config{Store: stA})
			if err != nil {
				b.Fatal(err)
			}
			hA, err := api.New(api.Config{Directory: dirRef, Logger: quiet})
			if err != nil {
				b.Fatal(err)
			}
			base := &chanDirectory{cfg: actors.Config{Store: stC}, books: map[string]*chanBook{}}
			defer base.close()
			hC, err := api.New(api.Config{Directory: base, Logger: quiet})
			if err != nil {
				b.Fatal(err)
			}
			var client *http.Client
			var urlA, urlC string
			if wl.viaHTTP {
				srvA, srvC := httptest.NewServer(hA), httptest.NewServer(hC)
				defer srvA.Close()
				defer srvC.Close()
				urlA, urlC = srvA.URL, srvC.URL
				client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
				defer client.CloseIdleConnections()
			}
			// Warm up: start every user's book in both.
			drive(b, hA, client, urlA, http.MethodGet, wl.users, wl.users)
			drive(b, hC, client, urlC, http.MethodGet, wl.users, wl.users)

			var own, baseline time.Duration
			n := 0
			for b.Loop() {
				own += drive(b, hA, client, urlA, wl.method, wl.users, wl.batch)
				baseline += drive(b, hC, client, urlC, wl.method, wl.users, wl.batch)
				n += wl.batch
			}
			b.ReportMetric(float64(n)/own.Seconds(), "req/s")
			b.ReportMetric(float64(n)/baseline.Seconds(), "chan-req/s")
			b.ReportMetric(float64(own)/float64(baseline), "x-chan")
		})
	}
}
