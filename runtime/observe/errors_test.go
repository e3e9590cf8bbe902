package observe

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/actorgen/actorgen/runtime"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What the handler answers to requests it cannot serve: unknown paths, wrong methods, controls
// that are off, bad parameters.
func TestBadRequests(t *testing.T) {
	control := map[string]string{"X-Actorgen-Control": "1"}
	for _, tc := range []struct {
		name     string
		controls bool
		method   string
		target   string
		header   map[string]string
		code     int
		body     string // what the answer says, if anything in particular
	}{
		{"unknown path", false, "GET", "/nope", nil, http.StatusNotFound, ""},
		{"unknown api", false, "GET", "/api/nope", nil, http.StatusNotFound, ""},
		{"the old asset files", false, "GET", "/app.js", nil, http.StatusNotFound, ""},
		{"POST the page", false, "POST", "/", nil, http.StatusMethodNotAllowed, ""},
		{"DELETE children", false, "DELETE", "/api/children?path=/", nil, http.StatusMethodNotAllowed, ""},
		{"POST events", false, "POST", "/events", nil, http.StatusMethodNotAllowed, ""},
		{"children of nobody", false, "GET", "/api/children?path=/nobody", nil, http.StatusNotFound, `no actor at "/nobody"`},
		{"actor nobody", false, "GET", "/api/actor?path=/nobody", nil, http.StatusNotFound, "no such actor"},
		{"actor without a path", false, "GET", "/api/actor", nil, http.StatusNotFound, "no such actor"},
		{"stop, controls off", false, "POST", "/api/stop?path=/directory/bob", control, http.StatusNotFound, ""},
		{"reset, controls off", false, "POST", "/api/reset?path=/directory/bob", control, http.StatusNotFound, ""},
		{"GET stop", true, "GET", "/api/stop?path=/directory/bob", control, http.StatusMethodNotAllowed, ""},
		{"stop without the header", true, "POST", "/api/stop?path=/directory/bob", nil, http.StatusForbidden, "missing X-Actorgen-Control header"},
		{"stop nobody", true, "POST", "/api/stop?path=/nobody", control, http.StatusNotFound, "no such actor"},
		{"stop without a path", true, "POST", "/api/stop", control, http.StatusNotFound, "no such actor"},
		{"stop a relative path", true, "POST", "/api/stop?path=directory/bob", control, http.StatusNotFound, "no such actor"},
		{"reset nobody", true, "POST", "/api/reset?path=/nobody", control, http.StatusNotFound, "no such actor"},
		{"stop cross-site", true, "POST", "/api/stop?path=/directory/bob",
			map[string]string{"X-Actorgen-Control": "1", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []Option
			if tc.controls {
				opts = append(opts, WithControls())
			}
			f := newFixture(t, 0, opts...)
			req := httptest.NewRequest(tc.method, tc.target, nil)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, req)
			assert.Equal(t, tc.code, w.Code, "%s %s: %s", tc.method, tc.target, w.Body.String())
			if tc.body != "" {
				assert.Contains(t, w.Body.String(), tc.body)
			}
			assert.Equal(t, "DENY", w.Header().Get("X-Frame-Options"), "security headers on every answer")
			_, ok := f.sys.Lookup("/directory/bob")
			assert.True(t, ok, "no request stopped bob")
		})
	}
}

// Bad paging parameters fall back to defaults instead of failing: a page of 100 from the start.
func TestChildrenBadParameters(t *testing.T) {
	f := newFixture(t, 300)
	for _, q := range []string{"limit=x", "limit=0", "limit=-5", "limit=501", "offset=x", "offset=-3", "path="} {
		var c Children
		require.Equal(t, http.StatusOK, f.get(t, "/api/children?"+q, &c).StatusCode, q)
		assert.Equal(t, 0, c.Offset, q)
		assert.Len(t, c.Children, 100, q)
		assert.Equal(t, "/", c.Path, q)
	}
	var c Children
	f.get(t, "/api/children?path=/&offset=1000", &c)
	assert.Equal(t, 302, c.Offset, "an offset past the end is the end")
	assert.Empty(t, c.Children)
	f.get(t, "/api/children?path=/&limit=500", &c)
	assert.Len(t, c.Children, 302, "500 at most, and here all")
}

// blocker is an actor whose handler waits for the gate it is sent, after saying it started.
type blocker struct{ started chan struct{} }

func handleBlock(_ context.Context, _ *runtime.Context, b *blocker, gate chan struct{}) {
	close(b.started)
	<-gate
}

// A control whose action fails answers 500 with the error: here a stop whose request's ctx
// ends (the client gone) while the actor's handler holds the stop up. A stop that the handler
// holds up past the control's second is accepted (204): the stop was asked for and goes on.
func TestControlFailure(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cancel bool // the request's ctx is canceled; otherwise the control's second runs out
		code   int
		body   string
	}{
		{"request canceled", true, http.StatusInternalServerError, "stop /slow: context canceled"},
		{"the control's second runs out", false, http.StatusNoContent, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sys := runtime.NewSystem(runtime.WithLogger(slog.New(slog.DiscardHandler)))
				h := New(sys, WithControls())
				defer h.Close()
				b := &blocker{started: make(chan struct{})}
				a, err := runtime.Spawn(sys, "slow", func(*runtime.Context) *blocker { return b }, handleBlock)
				require.NoError(t, err)
				gate := make(chan struct{})
				require.NoError(t, a.Tell(t.Context(), gate))
				<-b.started

				ctx, cancel := context.WithCancel(t.Context())
				if tc.cancel {
					cancel()
				}
				req := httptest.NewRequestWithContext(ctx, "POST", "/api/stop?path=/slow", nil)
				req.Header.Set("X-Actorgen-Control", "1")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				cancel()
				assert.Equal(t, tc.code, w.Code)
				assert.Equal(t, tc.body, strings.TrimSpace(w.Body.String()))

				close(gate)
				<-a.Ref().Done() // the stop asked for goes on once the handler returns
				require.NoError(t, sys.Shutdown(t.Context()))
			})
		})
	}
}
