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
	"testing/synctest"
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

// TestFaultIs500: a book that panics on the request answers 500 without
// Retry-After: the handler ran, so its change may have been made.
func TestFaultIs500(t *testing.T) {
	chaos, err := actors.NewChaos(1, rand.NewPCG(1, 1))
	require.NoError(t, err)
	s := newStack(t, actors.Config{Chaos: chaos, BookOptions: []runtime.Option{
		runtime.WithPolicy(runtime.Strategy{Decision: runtime.Reset, BackoffMin: time.Millisecond, BackoffMax: time.Millisecond}),
	}})
	r := do(t, "POST", s.url+"/api/alice/contacts", `{"name":"Ada"}`)
	require.Equal(t, http.StatusInternalServerError, r.status)
	assert.Empty(t, r.header.Values("Retry-After"))
	msg, _ := r.errorBody(t)
	assert.Contains(t, msg, "faulted")
	assert.Contains(t, msg, "may have taken effect")
}

func TestStoppedIs503(t *testing.T) {
	s := newStack(t, actors.Config{})
	require.NoError(t, s.sys.Shutdown(t.Context()))
	r := do(t, "GET", s.url+"/api/alice/contacts", "")
	require.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Equal(t, "1", r.header.Get("Retry-After"))
	msg, _ := r.errorBody(t)
	assert.Contains(t, msg, "stopped")
	assert.Contains(t, msg, "nothing was changed")
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

// fakeBook fails List and Create with err; with block they wait for ctx
// instead.
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

func (b fakeBook) Create(ctx context.Context, c contact.Contact) (contact.Contact, error) {
	if _, err := b.List(ctx); err != nil {
		return contact.Contact{}, err
	}
	c.ID = "1"
	return c, nil
}

func serveFake(t *testing.T, d *fakeDirectory, timeout time.Duration) response {
	t.Helper()
	return serveFakeMethod(t, d, timeout, "GET")
}

// serveFakeMethod serves a GET of the list or a POST of a contact.
func serveFakeMethod(t *testing.T, d *fakeDirectory, timeout time.Duration, method string) response {
	t.Helper()
	h, err := api.New(api.Config{Directory: d, Timeout: timeout, Logger: quiet})
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	var body io.Reader
	if method == "POST" {
		body = strings.NewReader(`{"name":"Ada"}`)
	}
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), method, "/api/alice/contacts", body))
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// notDelivered is the error of an ask whose ctx ended before its handler got
// the message, as the runtime makes it.
func notDelivered(ctxErr error) error {
	return fmt.Errorf("ask /contacts/alice: %w: %w", runtime.ErrNotDelivered, ctxErr)
}

// TestErrorMapping: 503 with Retry-After exactly when the book's handler
// never got the request; 504 without when the timeout ended while it ran;
// 500 without when it ran and failed. The same for a read and a write.
func TestErrorMapping(t *testing.T) {
	fault := &runtime.FaultError{Path: "/contacts/alice", Value: "boom"}
	for _, tc := range []struct {
		name   string
		err    error // of the book's method
		dirErr error // of the directory, instead
		status int
		msg    string
	}{
		{"not delivered by the deadline", notDelivered(context.DeadlineExceeded), nil, 503, "timed out in its queue"},
		{"not delivered, cancelled", notDelivered(context.Canceled), nil, 503, "cancelled before the actor took it"},
		{"mailbox full", fmt.Errorf("x: %w", runtime.ErrMailboxFull), nil, 503, "overloaded"},
		{"ask dropped", fmt.Errorf("actor x: ask dropped: %w", runtime.ErrMailboxFull), nil, 503, "overloaded"},
		{"stopped", fmt.Errorf("x: %w", runtime.ErrStopped), nil, 503, "stopped"},
		{"deadline while handling", fmt.Errorf("ask x: %w", context.DeadlineExceeded), nil, 504, "while the actor was handling"},
		{"cancelled while handling", fmt.Errorf("ask x: %w", context.Canceled), nil, 504, "cancelled while the actor was handling"},
		{"fault", fault, nil, 500, "faulted"},
		{"fault on a stopped error", &runtime.FaultError{Path: "/contacts/alice", Value: fmt.Errorf("y: %w", runtime.ErrStopped)}, nil, 500, "faulted"},
		{"fault on an undelivered ask", &runtime.FaultError{Path: "/contacts/alice", Value: notDelivered(context.DeadlineExceeded)}, nil, 500, "faulted"},
		{"no reply", fmt.Errorf("x: %w", runtime.ErrNoReply), nil, 500, "did not reply"},
		{"unknown", errors.New("disk on fire"), nil, 500, "internal error"},
		{"directory stopped", nil, fmt.Errorf("directory: %w", runtime.ErrStopped), 503, "stopped"},
		{"directory deadline while handling", nil, fmt.Errorf("ask /contacts: %w", context.DeadlineExceeded), 503, "directory did not answer in time"},
		{"directory not delivered", nil, notDelivered(context.DeadlineExceeded), 503, "directory did not answer in time"},
		{"directory cancelled", nil, context.Canceled, 503, "cancelled"},
		{"directory fault", nil, fault, 503, "directory faulted"},
		{"directory unknown", nil, errors.New("disk on fire"), 500, "internal error"},
		{"directory invalid user", nil, &contact.ValidationError{Field: "user", Reason: "bad"}, 400, "user: bad"},
	} {
		for _, method := range []string{"GET", "POST"} {
			t.Run(tc.name+" "+method, func(t *testing.T) {
				d := &fakeDirectory{books: []actors.Book{fakeBook{err: tc.err}}, err: tc.dirErr}
				r := serveFakeMethod(t, d, 0, method)
				assert.Equal(t, tc.status, r.status)
				msg, _ := r.errorBody(t)
				assert.Contains(t, msg, tc.msg)
				assert.NotContains(t, msg, "disk on fire", "internal errors are logged, not shown")
				if tc.status == http.StatusServiceUnavailable {
					assert.Equal(t, "1", r.header.Get("Retry-After"))
					assert.Contains(t, msg, "nothing was changed")
				} else {
					assert.Empty(t, r.header.Values("Retry-After"), "Retry-After only when nothing happened")
				}
				if tc.status == http.StatusGatewayTimeout || tc.status == http.StatusInternalServerError && tc.msg != "internal error" {
					assert.Contains(t, msg, "may have taken effect")
				}
			})
		}
	}
}

// TestTimeoutWhileHandlingIs504: a book whose handler is still running when
// the timeout ends answers 504 without Retry-After.
func TestTimeoutWhileHandlingIs504(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := serveFake(t, &fakeDirectory{books: []actors.Book{fakeBook{block: true}}}, time.Second)
		assert.Equal(t, http.StatusGatewayTimeout, r.status)
		assert.Empty(t, r.header.Values("Retry-After"))
		msg, _ := r.errorBody(t)
		assert.Contains(t, msg, "did not answer in time")
		assert.Contains(t, msg, "may have taken effect")
	})
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

	faulted := fakeBook{err: &runtime.FaultError{Path: "/contacts/alice", Value: fmt.Errorf("y: %w", runtime.ErrStopped)}}
	d = &fakeDirectory{books: []actors.Book{faulted, fakeBook{}}}
	r = serveFake(t, d, 0)
	assert.Equal(t, http.StatusInternalServerError, r.status, "a fault is not retried: the request may have been applied")
	assert.Equal(t, 1, d.calls)

	timedOut := fakeBook{err: fmt.Errorf("ask x: %w", context.DeadlineExceeded)}
	d = &fakeDirectory{books: []actors.Book{timedOut, fakeBook{}}}
	r = serveFake(t, d, 0)
	assert.Equal(t, http.StatusGatewayTimeout, r.status, "a timeout while handling is not retried either")
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
