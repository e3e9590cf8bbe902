package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actorgen/actorgen/runtime"

	"github.com/actorgen/actorgen/examples/contacts/actors"
	"github.com/actorgen/actorgen/examples/contacts/contact"
	"github.com/actorgen/actorgen/examples/contacts/service"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quiet = slog.New(slog.DiscardHandler)

// fastReset replaces the Book directive's 100ms..5s backoff, so tests on a
// real listener do not wait seconds.
var fastReset = []runtime.Option{runtime.WithPolicy(runtime.Strategy{
	Decision: runtime.Reset, BackoffMin: time.Millisecond, BackoffMax: 4 * time.Millisecond, Jitter: 0.2,
})}

// start opens a service on path behind an httptest server; stop closes both.
func start(t *testing.T, cfg service.Config) (url string, stop func()) {
	t.Helper()
	cfg.Logger = quiet
	if cfg.Timeout == 0 {
		// Hundreds of concurrent durable writes queue for the disk; on a
		// loaded machine that can take longer than the 5s default, and these
		// tests are about correctness, not latency.
		cfg.Timeout = time.Minute
	}
	svc, err := service.Open(t.Context(), cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(svc.Handler())
	var once sync.Once
	stop = func() {
		once.Do(func() {
			srv.Close()
			assert.NoError(t, svc.Close(context.Background()))
		})
	}
	t.Cleanup(stop)
	return srv.URL, stop
}

// send sends a request with body and the header's name, value pairs.
func send(client *http.Client, method, url, body string, header ...string) (int, []byte, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

func listOf(t *testing.T, url, user string) []contact.Contact {
	t.Helper()
	status, body, err := send(http.DefaultClient, "GET", url+"/api/"+user+"/contacts", "")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, "%s", body)
	var list []contact.Contact
	require.NoError(t, json.Unmarshal(body, &list))
	return list
}

// TestManyUsersConcurrently: 100 users, each hit by several clients at once.
func TestManyUsersConcurrently(t *testing.T) {
	url, _ := start(t, service.Config{DBPath: filepath.Join(t.TempDir(), "c.db")})
	const users, clients, each = 100, 3, 3
	var wg sync.WaitGroup
	for u := range users {
		for c := range clients {
			wg.Go(func() {
				base := fmt.Sprintf("%s/api/user%03d/contacts", url, u)
				for i := range each {
					status, body, err := send(http.DefaultClient, "POST", base, fmt.Sprintf(`{"name":"c%d-%d"}`, c, i))
					if !assert.NoError(t, err) || !assert.Equal(t, http.StatusCreated, status, "%s", body) {
						return
					}
					var got contact.Contact
					if !assert.NoError(t, json.Unmarshal(body, &got)) {
						return
					}
					status, _, err = send(http.DefaultClient, "GET", base+"/"+string(got.ID), "")
					assert.NoError(t, err)
					assert.Equal(t, http.StatusOK, status)
				}
			})
		}
	}
	wg.Wait()
	for u := range users {
		list := listOf(t, url, fmt.Sprintf("user%03d", u))
		require.Len(t, list, clients*each)
		names := map[string]bool{}
		for _, c := range list {
			names[c.Name] = true
		}
		assert.Len(t, names, clients*each, "every create landed once")
	}
}

// TestChaos: with a third of the book calls panicking, every request gets a
// 2xx, a 500 (the fault) or a clean 503, all with a JSON error and only the
// 503 with Retry-After. Clients retry each create with its Idempotency-Key
// until it is acknowledged, and every create lands exactly once, also after a
// restart on the same database.
func TestChaos(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	url, stop := start(t, service.Config{
		DBPath: db, Chaos: 0.3, ChaosSource: rand.NewPCG(42, 42), BookOptions: fastReset,
	})
	const users, clients, each, attempts = 10, 4, 10, 50
	var (
		mu    sync.Mutex
		acked = map[string][]contact.Contact{}
		codes = map[int]int{}
	)
	var wg sync.WaitGroup
	for u := range users {
		for c := range clients {
			wg.Go(func() {
				user := fmt.Sprintf("u%d", u)
				base := url + "/api/" + user + "/contacts"
				for i := range each {
					name := fmt.Sprintf("c%d-%d", c, i)
					for attempt := 1; ; attempt++ {
						status, body, err := send(http.DefaultClient, "POST", base, `{"name":"`+name+`"}`, "Idempotency-Key", "key-"+name)
						if !assert.NoError(t, err) {
							return
						}
						mu.Lock()
						codes[status]++
						mu.Unlock()
						if status == http.StatusCreated {
							var got contact.Contact
							assert.NoError(t, json.Unmarshal(body, &got))
							mu.Lock()
							acked[user] = append(acked[user], got)
							mu.Unlock()
							break
						}
						var e struct{ Error string }
						assert.NoError(t, json.Unmarshal(body, &e))
						switch status {
						case http.StatusInternalServerError:
							assert.Contains(t, e.Error, "faulted")
						case http.StatusServiceUnavailable:
							assert.Contains(t, e.Error, "unavailable")
						default:
							t.Errorf("status %d: %s", status, body)
							return
						}
						if !assert.Less(t, attempt, attempts, "%s of %s never acknowledged", name, user) {
							return
						}
					}
					status, _, err := send(http.DefaultClient, "GET", base, "")
					assert.NoError(t, err)
					assert.Contains(t, []int{http.StatusOK, http.StatusInternalServerError, http.StatusServiceUnavailable}, status)
				}
			})
		}
	}
	wg.Wait()
	t.Logf("POST outcomes: %v", codes)
	require.Positive(t, codes[http.StatusCreated])
	require.Positive(t, codes[http.StatusInternalServerError], "chaos struck")

	check := func(url string) {
		t.Helper()
		for user, want := range acked {
			require.Len(t, want, clients*each, "every create of %s acknowledged once", user)
			list := listOf(t, url, user)
			assert.ElementsMatch(t, want, list, "each create of %s landed exactly once", user)
		}
	}
	stop()
	url, _ = start(t, service.Config{DBPath: db}) // without chaos, which faults a list too
	check(url)
}

// TestIdempotencyKeySurvivesRestart: a create retried with its key after a
// restart of the whole service on the same database finds its contact.
func TestIdempotencyKeySurvivesRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	url, stop := start(t, service.Config{DBPath: db})
	post := func(url, body string) (int, contact.Contact) {
		t.Helper()
		status, b, err := send(http.DefaultClient, "POST", url+"/api/alice/contacts", body, "Idempotency-Key", "k1")
		require.NoError(t, err)
		var c contact.Contact
		if status == http.StatusCreated {
			require.NoError(t, json.Unmarshal(b, &c))
		}
		return status, c
	}
	status, ada := post(url, `{"name":"Ada"}`)
	require.Equal(t, http.StatusCreated, status)
	stop()

	url, _ = start(t, service.Config{DBPath: db})
	status, again := post(url, `{"name":"Ada"}`)
	require.Equal(t, http.StatusCreated, status)
	assert.Equal(t, ada, again)
	status, _ = post(url, `{"name":"Eve"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Equal(t, []contact.Contact{ada}, listOf(t, url, "alice"))
}

// TestRestartLosesNothing: stop the whole service and start it again on the
// same database file.
func TestRestartLosesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	url, stop := start(t, service.Config{DBPath: db})
	var want []contact.Contact
	for i := range 5 {
		status, body, err := send(http.DefaultClient, "POST", url+"/api/alice/contacts", fmt.Sprintf(`{"name":"n%d"}`, i))
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, status)
		var c contact.Contact
		require.NoError(t, json.Unmarshal(body, &c))
		want = append(want, c)
	}
	status, _, err := send(http.DefaultClient, "PATCH", url+"/api/alice/contacts/"+string(want[1].ID), `{"email":"n1@example.com"}`)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	want[1].Email = "n1@example.com"
	status, _, err = send(http.DefaultClient, "DELETE", url+"/api/alice/contacts/"+string(want[3].ID), "")
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, status)
	want = append(want[:3], want[4:]...)
	stop()

	url, _ = start(t, service.Config{DBPath: db})
	assert.Equal(t, want, listOf(t, url, "alice"))
	assert.Empty(t, listOf(t, url, "bob"))
}

// TestIdleStopAndRevival runs the handler directly (no listener) in a
// synctest bubble: an idle book stops, and the next request brings it back
// with its contacts.
func TestIdleStopAndRevival(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		svc, err := service.Open(ctx, service.Config{
			DBPath: filepath.Join(t.TempDir(), "c.db"), IdleStop: 30 * time.Second, Logger: quiet,
		})
		require.NoError(t, err)
		defer func() { require.NoError(t, svc.Close(context.Background())) }()
		serve := func(method, path, body string) *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			req := httptest.NewRequestWithContext(ctx, method, path, strings.NewReader(body))
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			svc.Handler().ServeHTTP(rec, req)
			return rec
		}
		bookRef := func() runtime.Ref {
			b, err := svc.Directory().Book(ctx, "alice")
			require.NoError(t, err)
			return b.(actors.BookRef).Ref()
		}

		rec := serve("POST", "/api/alice/contacts", `{"name":"Ada"}`)
		require.Equal(t, http.StatusCreated, rec.Code)
		first := bookRef()

		time.Sleep(29 * time.Second)
		synctest.Wait()
		require.NoError(t, first.Err(), "still running before its idle period")

		time.Sleep(2 * time.Second)
		synctest.Wait()
		require.ErrorIs(t, first.Err(), runtime.ErrStopped, "stopped normally after 30s idle")
		require.NotErrorIs(t, first.Err(), runtime.ErrFault)

		rec = serve("GET", "/api/alice/contacts", "")
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Contains(t, rec.Body.String(), `"name":"Ada"`)
		// Compared with !=, not assert.NotEqual: reflect.DeepEqual would read the two actors'
		// fields while the runtime writes them.
		assert.True(t, first != bookRef(), "a new book")
	})
}

// TestDirectiveBackoffThroughHTTP: with chaos at 1, every request faults its
// book (a 500); the Book directive's backoff (100ms, 200ms, ...) delays the
// next one.
func TestDirectiveBackoffThroughHTTP(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		svc, err := service.Open(ctx, service.Config{
			DBPath: filepath.Join(t.TempDir(), "c.db"), Chaos: 1, ChaosSource: rand.NewPCG(1, 1), Logger: quiet,
		})
		require.NoError(t, err)
		defer func() { require.NoError(t, svc.Close(context.Background())) }()
		get := func() (int, time.Duration) {
			start := time.Now()
			rec := httptest.NewRecorder()
			svc.Handler().ServeHTTP(rec, httptest.NewRequestWithContext(ctx, "GET", "/api/alice/contacts", nil))
			return rec.Code, time.Since(start)
		}
		code, d := get()
		assert.Equal(t, http.StatusInternalServerError, code)
		assert.Zero(t, d, "the first fault answers at once")
		code, d = get()
		assert.Equal(t, http.StatusInternalServerError, code)
		assert.GreaterOrEqual(t, d, 100*time.Millisecond, "waited for the reset")
		assert.LessOrEqual(t, d, 120*time.Millisecond)
		code, d = get()
		assert.Equal(t, http.StatusInternalServerError, code)
		assert.GreaterOrEqual(t, d, 200*time.Millisecond)
		assert.LessOrEqual(t, d, 240*time.Millisecond)
	})
}

func TestOpenErrors(t *testing.T) {
	_, err := service.Open(t.Context(), service.Config{DBPath: filepath.Join(t.TempDir(), "c.db"), Chaos: 2})
	require.ErrorContains(t, err, "chaos: probability 2")
	_, err = service.Open(t.Context(), service.Config{})
	require.ErrorContains(t, err, "empty database path")
}
