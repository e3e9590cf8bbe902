package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actorgen/actorgen/runtime"

	"github.com/actorgen/actorgen/examples/contacts/actors"
	"github.com/actorgen/actorgen/examples/contacts/api"
	"github.com/actorgen/actorgen/examples/contacts/contact"
	"github.com/actorgen/actorgen/examples/contacts/store"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quiet = slog.New(slog.DiscardHandler)

// stack is the real thing behind an httptest server: store, system, directory, API.
type stack struct {
	url string
	sys *runtime.System
}

func newStack(t *testing.T, cfg actors.Config) *stack {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "contacts.db"))
	require.NoError(t, err)
	sys := runtime.NewSystem(runtime.WithLogger(quiet))
	cfg.Store = st
	dir, err := actors.StartDirectory(sys, "contacts", cfg)
	require.NoError(t, err)
	h, err := api.New(api.Config{Directory: dir, Logger: quiet})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		assert.NoError(t, sys.Shutdown(context.Background()))
		assert.NoError(t, st.Close())
	})
	return &stack{url: srv.URL, sys: sys}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) errorBody(t *testing.T) (msg, field string) {
	t.Helper()
	var e struct{ Error, Field string }
	require.NoError(t, json.Unmarshal(r.body, &e), "body %s", r.body)
	require.NotEmpty(t, e.Error)
	return e.Error, e.Field
}

func do(t *testing.T, method, url string, body string, header ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	if method != http.MethodHead && len(b) > 0 {
		assert.Equal(t, "application/json; charset=utf-8", res.Header.Get("Content-Type"))
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func decodeContact(t *testing.T, b []byte) contact.Contact {
	t.Helper()
	var c contact.Contact
	require.NoError(t, json.Unmarshal(b, &c), "body %s", b)
	return c
}

func TestRoutes(t *testing.T) {
	s := newStack(t, actors.Config{})
	base := s.url + "/api/alice/contacts"

	r := do(t, "GET", base, "")
	require.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, `[]`, string(r.body), "an empty book lists as [], not null")

	r = do(t, "POST", base, `{"name":"Ada Lovelace","email":"ada@example.com"}`)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	ada := decodeContact(t, r.body)
	assert.NotEmpty(t, ada.ID)
	assert.Equal(t, "Ada Lovelace", ada.Name)
	assert.Equal(t, "/api/alice/contacts/"+string(ada.ID), r.header.Get("Location"))

	r = do(t, "POST", base, `{"name":"Bob","phone":"555 0100"}`)
	require.Equal(t, http.StatusCreated, r.status)
	bob := decodeContact(t, r.body)

	r = do(t, "GET", base+"/"+string(ada.ID), "")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, ada, decodeContact(t, r.body))

	r = do(t, "HEAD", base+"/"+string(ada.ID), "")
	require.Equal(t, http.StatusOK, r.status)
	assert.Empty(t, r.body)

	r = do(t, "PATCH", base+"/"+string(ada.ID), `{"phone":"+44 20 7946 0958","email":null}`)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	ada.Phone = "+44 20 7946 0958"
	assert.Equal(t, ada, decodeContact(t, r.body), "null leaves a field unchanged")

	r = do(t, "GET", base, "")
	require.Equal(t, http.StatusOK, r.status)
	var list []contact.Contact
	require.NoError(t, json.Unmarshal(r.body, &list))
	assert.Equal(t, []contact.Contact{ada, bob}, list)

	r = do(t, "DELETE", base+"/"+string(bob.ID), "")
	require.Equal(t, http.StatusNoContent, r.status)
	assert.Empty(t, r.body)
	r = do(t, "GET", base+"/"+string(bob.ID), "")
	require.Equal(t, http.StatusNotFound, r.status)

	r = do(t, "GET", s.url+"/api/bob/contacts", "")
	require.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, `[]`, string(r.body), "users are separate")
}

func TestErrors(t *testing.T) {
	s := newStack(t, actors.Config{})
	base := s.url + "/api/alice/contacts"
	r := do(t, "POST", base, `{"name":"Ada"}`)
	require.Equal(t, http.StatusCreated, r.status)
	item := base + "/" + string(decodeContact(t, r.body).ID)

	for _, tc := range []struct {
		name, method, url, body string
		header                  []string
		status                  int
		field, msg              string
	}{
		{"missing name", "POST", base, `{"email":"a@example.com"}`, nil, 400, "name", "name: is required"},
		{"bad email", "POST", base, `{"name":"A","email":"nope"}`, nil, 400, "email", "email:"},
		{"bad phone", "POST", base, `{"name":"A","phone":"call me"}`, nil, 400, "phone", "phone:"},
		{"id in body", "POST", base, `{"name":"A","id":"x"}`, nil, 400, "id", "id: unknown field"},
		{"unknown field", "POST", base, `{"name":"A","age":3}`, nil, 400, "age", "age: unknown field"},
		{"wrong type", "POST", base, `{"name":7}`, nil, 400, "name", "name: must be a JSON string, not number"},
		{"wrong type in patch", "PATCH", item, `{"phone":true}`, nil, 400, "phone", "phone: must be a JSON string, not bool"},
		{"not an object", "POST", base, `[1,2]`, nil, 400, "body", "must be a JSON object"},
		{"bad JSON", "POST", base, `{"name":`, nil, 400, "body", "body:"},
		{"syntax error", "POST", base, `{"name" "A"}`, nil, 400, "body", "invalid JSON at byte"},
		{"trailing data", "POST", base, `{"name":"A"} {}`, nil, 400, "body", "unexpected data after"},
		{"empty body", "POST", base, ``, nil, 400, "body", "body: empty"},
		{"empty patch", "PATCH", item, `{}`, nil, 400, "body", "at least one of"},
		{"blank name in patch", "PATCH", item, `{"name":" "}`, nil, 400, "name", "name: is required"},
		{"bad user", "GET", s.url + "/api/.hidden/contacts", ``, nil, 400, "user", "user: must not start"},
		{"escaped slash in user", "GET", s.url + "/api/a%2Fb/contacts", ``, nil, 400, "user", "user: invalid character"},
		{"long id", "GET", base + "/" + strings.Repeat("i", 65), ``, nil, 400, "id", "id: must be"},
		{"not JSON", "POST", base, `name=A`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "", "must be application/json"},
		{"unknown contact get", "GET", base + "/nope", ``, nil, 404, "", `contact "nope" not found`},
		{"unknown contact patch", "PATCH", base + "/nope", `{"name":"B"}`, nil, 404, "", "not found"},
		{"unknown contact delete", "DELETE", base + "/nope", ``, nil, 404, "", "not found"},
		{"unknown route", "GET", s.url + "/nowhere", ``, nil, 404, "", "no route"},
		{"unknown route under user", "GET", base + "/x/y", ``, nil, 404, "", "no route"},
		{"PUT on list", "PUT", base, `{}`, nil, 405, "", "method PUT not allowed"},
		{"DELETE on list", "DELETE", base, ``, nil, 405, "", "allowed: GET, HEAD, POST"},
		{"POST on item", "POST", item, `{}`, nil, 405, "", "allowed: DELETE, GET, HEAD, PATCH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, tc.method, tc.url, tc.body, tc.header...)
			require.Equal(t, tc.status, r.status, "%s", r.body)
			msg, field := r.errorBody(t)
			assert.Equal(t, tc.field, field)
			assert.Contains(t, msg, tc.msg)
			if tc.status == 405 {
				assert.NotEmpty(t, r.header.Get("Allow"))
			}
		})
	}

	// Nothing above changed the book.
	r = do(t, "GET", base, "")
	require.Equal(t, http.StatusOK, r.status)
	var list []contact.Contact
	require.NoError(t, json.Unmarshal(r.body, &list))
	assert.Len(t, list, 1)
	assert.Equal(t, "Ada", list[0].Name)
}

func TestBodyLimit(t *testing.T) {
	s := newStack(t, actors.Config{})
	base := s.url + "/api/alice/contacts"
	big := `{"name":"` + strings.Repeat("x", api.DefaultMaxBody) + `"}`

	r := do(t, "POST", base, big)
	require.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	msg, _ := r.errorBody(t)
	assert.Contains(t, msg, "over 1048576 bytes")

	// Without a Content-Length the limit is found while reading.
	req, err := http.NewRequestWithContext(t.Context(), "POST", base, io.MultiReader(strings.NewReader(big)))
	require.NoError(t, err)
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)

	// Just under the limit is a validation question, not a size one.
	under := `{"name":"` + strings.Repeat("x", api.DefaultMaxBody-20) + `"}`
	r = do(t, "POST", base, under)
	require.Equal(t, http.StatusBadRequest, r.status)
	_, field := r.errorBody(t)
	assert.Equal(t, "name", field)
}

func TestFaultIs503(t *testing.T) {
	chaos, err := actors.NewChaos(1, rand.NewPCG(1, 1))
	require.NoError(t, err)
	s := newStack(t, actors.Config{Chaos: chaos, BookOptions: []runtime.Option{
		runtime.WithPolicy(runtime.Strategy{Decision: runtime.Reset, BackoffMin: time.Millisecond, BackoffMax: time.Millisecond}),
	}})
	r := do(t, "POST", s.url+"/api/alice/contacts", `{"name":"Ada"}`)
	require.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Equal(t, "1", r.header.Get("Retry-After"))
	msg, _ := r.errorBody(t)
	assert.Contains(t, msg, "faulted")
}

func TestStoppedIs503(t *testing.T) {
	s := newStack(t, actors.Config{})
	require.NoError(t, s.sys.Shutdown(t.Context()))
	r := do(t, "GET", s.url+"/api/alice/contacts", "")
	require.Equal(t, http.StatusServiceUnavailable, r.status)
	msg, _ := r.errorBody(t)
	assert.Contains(t, msg, "stopped")
}

// fakeDirectory hands out fakeBooks, to check how the API maps errors that
// are hard to provoke with real actors on demand.
type fakeDirectory struct {
	books []actors.Book // handed out in turn; the last one stays
	err   error
	calls int
}

func (d *fakeDirectory) Book(context.Context, string) (actors.Book, error) {
	if d.err != nil {
		return nil, d.err
	}
	b := d.books[min(d.calls, len(d.books)-1)]
	d.calls++
	return b, nil
}

// fakeBook fails List with err; with block it waits for ctx instead.
type fakeBook struct {
	actors.Book
	err   error
	block bool
}

func (b fakeBook) List(ctx context.Context) ([]contact.Contact, error) {
	if b.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return nil, b.err
}

func serveFake(t *testing.T, d *fakeDirectory, timeout time.Duration) response {
	t.Helper()
	h, err := api.New(api.Config{Directory: d, Timeout: timeout, Logger: quiet})
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), "GET", "/api/alice/contacts", nil))
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func TestErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		msg    string
	}{
		{fmt.Errorf("x: %w", runtime.ErrMailboxFull), 503, "overloaded"},
		{fmt.Errorf("x: %w", runtime.ErrNoReply), 503, "did not reply"},
		{fmt.Errorf("x: %w", runtime.ErrStopped), 503, "stopped"},
		{&runtime.FaultError{Path: "/contacts/alice", Value: "boom"}, 503, "faulted"},
		{context.DeadlineExceeded, 503, "in time"},
		{errors.New("disk on fire"), 500, "internal error"},
	} {
		r := serveFake(t, &fakeDirectory{books: []actors.Book{fakeBook{err: tc.err}}}, 0)
		assert.Equal(t, tc.status, r.status, "%v", tc.err)
		msg, _ := r.errorBody(t)
		assert.Contains(t, msg, tc.msg)
		assert.NotContains(t, msg, "disk on fire", "internal errors are logged, not shown")
	}

	r := serveFake(t, &fakeDirectory{err: fmt.Errorf("directory: %w", runtime.ErrStopped)}, 0)
	assert.Equal(t, 503, r.status)
}

func TestTimeoutIs503(t *testing.T) {
	r := serveFake(t, &fakeDirectory{books: []actors.Book{fakeBook{block: true}}}, time.Millisecond)
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	msg, _ := r.errorBody(t)
	assert.Contains(t, msg, "did not answer in time")
}

func TestStoppedBookIsLookedUpAgain(t *testing.T) {
	stopped := fakeBook{err: fmt.Errorf("actor /contacts/alice: %w", runtime.ErrStopped)}
	d := &fakeDirectory{books: []actors.Book{stopped, fakeBook{}}}
	r := serveFake(t, d, 0)
	assert.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Equal(t, 2, d.calls)

	d = &fakeDirectory{books: []actors.Book{stopped}}
	r = serveFake(t, d, 0)
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Equal(t, 3, d.calls, "a bounded number of attempts")

	faulted := fakeBook{err: &runtime.FaultError{Path: "/contacts/alice", Value: "boom"}}
	d = &fakeDirectory{books: []actors.Book{faulted, fakeBook{}}}
	r = serveFake(t, d, 0)
	assert.Equal(t, http.StatusServiceUnavailable, r.status, "a fault is not retried: the request may have been applied")
	assert.Equal(t, 1, d.calls)
}

func TestNewRejectsBadConfig(t *testing.T) {
	_, err := api.New(api.Config{})
	require.ErrorContains(t, err, "Config.Directory is nil")
	_, err = api.New(api.Config{Directory: &fakeDirectory{}, Timeout: -1})
	require.ErrorContains(t, err, "Config.Timeout is negative")
	_, err = api.New(api.Config{Directory: &fakeDirectory{}, MaxBody: -1})
	require.ErrorContains(t, err, "Config.MaxBody is negative")
}

func TestSmallBodyLimit(t *testing.T) {
	h, err := api.New(api.Config{Directory: &fakeDirectory{}, MaxBody: 8, Logger: quiet})
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/alice/contacts", bytes.NewBufferString(`{"name":"Ada"}`)))
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
}
