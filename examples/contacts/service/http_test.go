package service_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorgen/actorgen/examples/contacts/service"
)

// logBuffer collects JSON log records, safe for concurrent use.
type logBuffer struct {
	mu      sync.Mutex
	buf     strings.Builder
	written chan struct{} // closed, and replaced, by every Write
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.written != nil {
		close(b.written)
		b.written = nil
	}
	return b.buf.Write(p)
}

// await returns the records whose msg is msg once there is one, or fails the test after a
// bounded wait: a record that an actor's goroutine writes may come after the response that the
// same event caused (a fault is answered to the asker before it is logged).
func (b *logBuffer) await(t *testing.T, msg string) []map[string]any {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		b.mu.Lock()
		if b.written == nil {
			b.written = make(chan struct{})
		}
		written := b.written
		b.mu.Unlock()
		if recs := b.records(t, msg); len(recs) > 0 {
			return recs
		}
		select {
		case <-written:
		case <-deadline:
			t.Fatalf("no %q record after 10s:\n%s", msg, b)
		}
	}
}

// records returns the records whose msg is msg.
func (b *logBuffer) records(t *testing.T, msg string) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for line := range strings.Lines(b.buf.String()) {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), "%s", line)
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startLogged is start with a JSON logger into the returned buffer.
func startLogged(t *testing.T, cfg service.Config) (string, *service.Service, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if cfg.DBPath == "" {
		cfg.DBPath = filepath.Join(t.TempDir(), "c.db")
	}
	svc, err := service.Open(t.Context(), cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(func() {
		srv.Close()
		assert.NoError(t, svc.Close(context.Background()))
	})
	return srv.URL, svc, logs
}

func TestHealthAndReadiness(t *testing.T) {
	url, svc, _ := startLogged(t, service.Config{})
	client := &http.Client{}
	defer client.CloseIdleConnections()

	code, body, err := send(client, http.MethodGet, url+"/healthz", "")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"status":"ok"}`, string(body))

	code, body, err = send(client, http.MethodGet, url+"/readyz", "")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"status":"ready","store":"ok","actors":"ok"}`, string(body))

	code, _, err = send(client, http.MethodPost, url+"/readyz", "")
	require.NoError(t, err)
	assert.Equal(t, http.StatusMethodNotAllowed, code)

	// With the directory stopped the process is alive but not ready.
	require.NoError(t, svc.Directory().Ref().Stop(t.Context()))
	code, body, err = send(client, http.MethodGet, url+"/readyz", "")
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	var h struct{ Status, Store, Actors string }
	require.NoError(t, json.Unmarshal(body, &h))
	assert.Equal(t, "not ready", h.Status)
	assert.Equal(t, "ok", h.Store)
	assert.Contains(t, h.Actors, "directory stopped")
	code, _, err = send(client, http.MethodGet, url+"/healthz", "")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
}

// TestAccessLog checks each request's line: method, pattern, status,
// duration and bytes, and neither the body nor the raw path.
func TestAccessLog(t *testing.T) {
	url, _, logs := startLogged(t, service.Config{})
	client := &http.Client{}
	defer client.CloseIdleConnections()

	code, _, err := send(client, http.MethodPost, url+"/api/alice/contacts", `{"name":"Ada","email":"secret-body@example.com"}`)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, code)
	code, body, err := send(client, http.MethodGet, url+"/api/alice/contacts", "")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)
	code, _, err = send(client, http.MethodGet, url+"/api/alice/contacts/NOPE", "")
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, code)
	code, _, err = send(client, http.MethodGet, url+"/healthz", "")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)

	recs := logs.records(t, "request")
	require.Len(t, recs, 4)
	type line struct {
		method, pattern string
		status          float64
	}
	var got []line
	for _, r := range recs {
		got = append(got, line{r["method"].(string), r["pattern"].(string), r["status"].(float64)})
		assert.Equal(t, "INFO", r["level"])
		assert.Greater(t, r["duration"], float64(0))
		assert.Greater(t, r["bytes"], float64(0))
	}
	assert.Equal(t, []line{
		{"POST", "POST /api/{user}/contacts", 201},
		{"GET", "GET /api/{user}/contacts", 200},
		{"GET", "GET /api/{user}/contacts/{id}", 404},
		{"GET", "GET /healthz", 200},
	}, got)
	assert.Equal(t, float64(len(body)), recs[1]["bytes"])
	for _, r := range recs {
		raw, _ := json.Marshal(r)
		assert.NotContains(t, string(raw), "secret-body", "the body is logged")
		assert.NotContains(t, string(raw), "alice", "the raw path is logged")
	}
}

// TestFaultIsLoggedWithItsStack makes every book handler call panic: the
// runtime's fault record is at Error and carries the panic's stack.
func TestFaultIsLoggedWithItsStack(t *testing.T) {
	url, _, logs := startLogged(t, service.Config{Chaos: 1, BookOptions: fastReset})
	client := &http.Client{}
	defer client.CloseIdleConnections()
	code, _, err := send(client, http.MethodPost, url+"/api/alice/contacts", `{"name":"Ada"}`)
	require.NoError(t, err)
	require.Equal(t, http.StatusInternalServerError, code)

	faults := logs.await(t, "actor fault")
	assert.Equal(t, "ERROR", faults[0]["level"])
	assert.Equal(t, "/contacts/alice", faults[0]["actor"])
	stack, _ := faults[0]["stack"].(string)
	assert.Contains(t, stack, "goroutine ")
	assert.Contains(t, stack, "(*Chaos).Maybe", "the stack names where it panicked")
	assert.Contains(t, stack, "(*book).Create")
}

// TestHandlerPanicIsLoggedWithItsStack: a panic in a handler (not in an
// actor) is a 500 for the client and an Error record with the stack.
func TestHandlerPanicIsLoggedWithItsStack(t *testing.T) {
	logs := &logBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panicInHandler() })
	mux.HandleFunc("GET /half", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("partial"))
		panicInHandler()
	})
	h := service.Logged(mux, log)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.JSONEq(t, `{"error":"internal error"}`, rec.Body.String())

	// Once part of the answer is out, the connection is cut instead.
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/half", nil))
	})

	panics := logs.records(t, "handler panicked")
	require.Len(t, panics, 2)
	assert.Equal(t, "ERROR", panics[0]["level"])
	assert.Equal(t, "GET /boom", panics[0]["pattern"])
	assert.Equal(t, "handler bug", panics[0]["err"])
	assert.Contains(t, panics[0]["stack"], "panicInHandler")
	reqs := logs.records(t, "request")
	require.Len(t, reqs, 2)
	assert.Equal(t, float64(500), reqs[0]["status"])
	assert.Equal(t, float64(200), reqs[1]["status"])
}

func panicInHandler() { panic("handler bug") }
