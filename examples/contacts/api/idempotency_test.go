package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorgen/actorgen/runtime"

	"github.com/actorgen/actorgen/examples/contacts/actors"
	"github.com/actorgen/actorgen/examples/contacts/api"
	"github.com/actorgen/actorgen/examples/contacts/contact"
)

func TestIdempotentCreate(t *testing.T) {
	s := newStack(t, actors.Config{})
	base := s.url + "/api/alice/contacts"
	list := func(user string) []contact.Contact {
		t.Helper()
		r := do(t, "GET", s.url+"/api/"+user+"/contacts", "")
		require.Equal(t, http.StatusOK, r.status)
		var l []contact.Contact
		require.NoError(t, json.Unmarshal(r.body, &l))
		return l
	}
	key := "8e03978e-40d5-43e8-bc93-6894a57f9324"

	first := do(t, "POST", base, `{"name":"Ada","email":"ada@example.com"}`, "Idempotency-Key", key)
	require.Equal(t, http.StatusCreated, first.status, "%s", first.body)
	ada := decodeContact(t, first.body)

	// The same key and fields, however the JSON is spelt and with the key
	// bare or quoted: the first create's answer, and nothing created.
	for _, hv := range []string{key, `"` + key + `"`, " " + key + " "} {
		r := do(t, "POST", base, `{ "email": "ada@example.com", "name": "Ada" }`, "Idempotency-Key", hv)
		require.Equal(t, http.StatusCreated, r.status, "%q: %s", hv, r.body)
		assert.Equal(t, ada, decodeContact(t, r.body))
		assert.Equal(t, first.header.Get("Location"), r.header.Get("Location"))
	}
	assert.Equal(t, []contact.Contact{ada}, list("alice"))

	// The same key with other fields: 422, nothing created.
	for _, body := range []string{`{"name":"Ada"}`, `{"name":"Eve","email":"ada@example.com"}`} {
		r := do(t, "POST", base, body, "Idempotency-Key", key)
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
		msg, field := r.errorBody(t)
		assert.Equal(t, "Idempotency-Key", field)
		assert.Contains(t, msg, "already used for a contact with another name, email or phone")
	}
	assert.Equal(t, []contact.Contact{ada}, list("alice"))

	// Keys are per book; without a key every POST creates.
	r := do(t, "POST", s.url+"/api/bob/contacts", `{"name":"Ada","email":"ada@example.com"}`, "Idempotency-Key", key)
	require.Equal(t, http.StatusCreated, r.status)
	assert.NotEqual(t, ada.ID, decodeContact(t, r.body).ID)
	for range 2 {
		r = do(t, "POST", s.url+"/api/bob/contacts", `{"name":"Ada","email":"ada@example.com"}`)
		require.Equal(t, http.StatusCreated, r.status)
	}
	assert.Len(t, list("bob"), 3)

	// A replay after a PATCH answers the contact as it is now.
	r = do(t, "PATCH", base+"/"+string(ada.ID), `{"phone":"555 0100"}`)
	require.Equal(t, http.StatusOK, r.status)
	ada.Phone = "555 0100"
	r = do(t, "POST", base, `{"name":"Ada","email":"ada@example.com"}`, "Idempotency-Key", key)
	require.Equal(t, http.StatusCreated, r.status)
	assert.Equal(t, ada, decodeContact(t, r.body))

	// Deleting the contact frees the key.
	r = do(t, "DELETE", base+"/"+string(ada.ID), "")
	require.Equal(t, http.StatusNoContent, r.status)
	r = do(t, "POST", base, `{"name":"Eve"}`, "Idempotency-Key", key)
	require.Equal(t, http.StatusCreated, r.status)
	assert.Equal(t, []contact.Contact{decodeContact(t, r.body)}, list("alice"))

	// Other methods ignore the header.
	r = do(t, "GET", base, "", "Idempotency-Key", "not a valid key")
	assert.Equal(t, http.StatusOK, r.status)
}

func TestBadIdempotencyKey(t *testing.T) {
	s := newStack(t, actors.Config{})
	base := s.url + "/api/alice/contacts"
	for _, tc := range []struct {
		name  string
		value []string
		msg   string
	}{
		{"empty", []string{""}, "must be 1 to 128 characters long, got 0"},
		{"empty quoted", []string{`""`}, "must be 1 to 128 characters long, got 0"},
		{"too long", []string{strings.Repeat("k", 129)}, "must be 1 to 128 characters long, got 129"},
		{"space", []string{"a b"}, "invalid character ' ' at offset 1"},
		{"comma", []string{"a,b"}, "invalid character ',' at offset 1"},
		{"half quoted", []string{`"abc`}, `invalid character '"' at offset 0`},
		{"non-ASCII", []string{"clé"}, "non-ASCII byte 0xc3 at offset 2"},
		{"twice", []string{"a", "b"}, "must be given once, got 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), "POST", base, strings.NewReader(`{"name":"Ada"}`))
			require.NoError(t, err)
			req.Header["Idempotency-Key"] = tc.value
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			require.Equal(t, http.StatusBadRequest, res.StatusCode)
			var e struct{ Error, Field string }
			require.NoError(t, json.NewDecoder(res.Body).Decode(&e))
			assert.Equal(t, "Idempotency-Key", e.Field)
			assert.True(t, strings.HasPrefix(e.Error, "Idempotency-Key: "+tc.msg), e.Error)
		})
	}
	r := do(t, "GET", base, "")
	assert.JSONEq(t, `[]`, string(r.body), "nothing created")
}

// memStore is an actors.Store in memory. An insert waits while hold is not
// nil and open, and one of a contact named crash panics after its write,
// once.
type memStore struct {
	mu    sync.Mutex
	rows  map[string][]contact.Contact
	hold  chan struct{}
	crash string
}

func newMemStore() *memStore { return &memStore{rows: map[string][]contact.Contact{}} }

func (s *memStore) Load(_ context.Context, user string) ([]contact.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.rows[user]), nil
}

func (s *memStore) Insert(_ context.Context, user string, c contact.Contact) error {
	s.mu.Lock()
	hold := s.hold
	s.mu.Unlock()
	if hold != nil {
		<-hold
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.ContainsFunc(s.rows[user], func(o contact.Contact) bool { return o.ID == c.ID }) {
		return errors.New("duplicate id")
	}
	s.rows[user] = append(s.rows[user], c)
	if c.Name == s.crash {
		s.crash = ""
		panic(errors.New("crash after the write"))
	}
	return nil
}

func (s *memStore) Update(context.Context, string, contact.Contact) error {
	return errors.ErrUnsupported
}
func (s *memStore) Delete(context.Context, string, contact.ID) error { return errors.ErrUnsupported }

func (s *memStore) stored(user string) []contact.Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.rows[user])
}

// bubbleAPI serves the API over real actors and st, with the given timeout,
// inside the calling synctest bubble.
func bubbleAPI(t *testing.T, st actors.Store, timeout time.Duration) func(method, path, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	sys := runtime.NewSystem(runtime.WithLogger(quiet))
	t.Cleanup(func() { assert.NoError(t, sys.Shutdown(context.Background())) })
	dir, err := actors.StartDirectory(sys, "contacts", actors.Config{Store: st})
	require.NoError(t, err)
	h, err := api.New(api.Config{Directory: dir, Timeout: timeout, Logger: quiet})
	require.NoError(t, err)
	return func(method, path, body string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(body))
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
}

// TestTimeoutWhileWritingIs504AndRetryIsSafe is the case: the
// timeout ends while the book writes a create. That answer is a 504 without
// Retry-After, since the write goes on; a create queued behind it, which the
// book never started, is a 503 with Retry-After and never happens. Retried
// with their keys, the first finds its contact and the second makes its own.
func TestTimeoutWhileWritingIs504AndRetryIsSafe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := newMemStore()
		st.hold = make(chan struct{})
		serve := bubbleAPI(t, st, 15*time.Millisecond)
		const path = "/api/alice/contacts"

		adaAnswer, bobAnswer := make(chan *httptest.ResponseRecorder, 1), make(chan *httptest.ResponseRecorder, 1)
		go func() { adaAnswer <- serve("POST", path, `{"name":"Ada"}`, "Idempotency-Key", "k-ada") }()
		synctest.Wait() // Ada's create waits in the store's Insert
		go func() { bobAnswer <- serve("POST", path, `{"name":"Bob"}`, "Idempotency-Key", "k-bob") }()
		synctest.Wait() // Bob's is queued behind it

		ada, bob := <-adaAnswer, <-bobAnswer
		assert.Equal(t, http.StatusGatewayTimeout, ada.Code, "%s", ada.Body)
		assert.Empty(t, ada.Header().Values("Retry-After"))
		assert.Contains(t, ada.Body.String(), "may have taken effect")
		assert.Equal(t, http.StatusServiceUnavailable, bob.Code, "%s", bob.Body)
		assert.Equal(t, "1", bob.Header().Get("Retry-After"))
		assert.Contains(t, bob.Body.String(), "nothing was changed")

		close(st.hold) // the write that timed out completes
		synctest.Wait()
		stored := st.stored("alice")
		require.Len(t, stored, 1, "Ada's create happened, Bob's did not")
		assert.Equal(t, "Ada", stored[0].Name)

		for _, name := range []string{"Ada", "Bob"} {
			rec := serve("POST", path, `{"name":"`+name+`"}`, "Idempotency-Key", "k-"+strings.ToLower(name))
			require.Equal(t, http.StatusCreated, rec.Code, "%s", rec.Body)
		}
		stored = st.stored("alice")
		require.Len(t, stored, 2, "no duplicate")
		assert.Equal(t, []string{"Ada", "Bob"}, []string{stored[0].Name, stored[1].Name})
		rec := serve("POST", path, `{"name":"Ada"}`, "Idempotency-Key", "k-ada")
		require.Equal(t, http.StatusCreated, rec.Code)
		var got contact.Contact
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
		assert.Equal(t, stored[0], got, "the contact that the timed-out request made")
	})
}

// TestFaultAfterWriteIs500AndRetryIsSafe: a book that panics after its
// write answers 500 without Retry-After; it is reset from the store, and the
// create retried with its key returns the contact that the write made.
func TestFaultAfterWriteIs500AndRetryIsSafe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := newMemStore()
		st.crash = "Ada"
		serve := bubbleAPI(t, st, 0)
		const path = "/api/alice/contacts"

		rec := serve("POST", path, `{"name":"Ada"}`, "Idempotency-Key", "k-ada")
		require.Equal(t, http.StatusInternalServerError, rec.Code, "%s", rec.Body)
		assert.Empty(t, rec.Header().Values("Retry-After"))
		assert.Contains(t, rec.Body.String(), "faulted")
		require.Len(t, st.stored("alice"), 1, "the write happened")

		start := time.Now()
		rec = serve("POST", path, `{"name":"Ada"}`, "Idempotency-Key", "k-ada")
		require.Equal(t, http.StatusCreated, rec.Code, "%s", rec.Body)
		assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond, "it waited for the reset")
		var got contact.Contact
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
		assert.Equal(t, st.stored("alice"), []contact.Contact{got}, "the same contact, no duplicate")
	})
}
