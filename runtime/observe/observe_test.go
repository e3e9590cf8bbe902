package observe

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/actorgen/actorgen/runtime"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// msg is the test actors' message: a tagged union of Work and Crash.
type msg struct{ crash bool }

func (m msg) methodIndex() int {
	if m.crash {
		return 1
	}
	return 0
}

var workerInterface = runtime.WithInterface(runtime.Interface[msg]{
	Name:    "Worker",
	Methods: []runtime.Method{{Name: "Work", Kind: runtime.KindTell}, {Name: "Crash", Kind: runtime.KindTell}},
	Index:   msg.methodIndex,
})

type worker struct{ n int }

func handle(_ context.Context, _ *runtime.Context, w *worker, m msg) {
	if m.crash {
		panic("crash on purpose")
	}
	w.n++
}

func spawnWorker(t testing.TB, p runtime.Parent, name string, opts ...runtime.Option) runtime.Actor[msg] {
	t.Helper()
	a, err := runtime.Spawn(p, name, func(*runtime.Context) *worker { return &worker{} }, handle,
		append([]runtime.Option{workerInterface}, opts...)...)
	require.NoError(t, err)
	return a
}

// fixture is a system with a small tree, and the live view of it on a test server.
type fixture struct {
	sys *runtime.System
	h   *Handler
	srv *httptest.Server
}

func newFixture(t testing.TB, topLevel int, opts ...Option) *fixture {
	t.Helper()
	sys := runtime.NewSystem(runtime.WithLogger(slog.New(slog.DiscardHandler)), runtime.WithMetrics(runtime.MetricsOptions{SampleEvery: 1}))
	f := &fixture{sys: sys, h: New(sys, opts...)}
	dir, err := runtime.Spawn(sys, "directory", func(ac *runtime.Context) *worker {
		for _, n := range []string{"alice", "bob", "carol"} {
			spawnWorker(t, ac, n, runtime.WithPolicy(runtime.Strategy{Decision: runtime.Resume}))
		}
		return &worker{}
	}, handle, workerInterface)
	require.NoError(t, err)
	_ = dir
	tether, err := runtime.SpawnTether(sys, "links", 3, time.Minute)
	require.NoError(t, err)
	spawnWorker(t, tether, "link")
	for i := range topLevel {
		spawnWorker(t, sys, fmt.Sprintf("w%05d", i))
	}
	f.srv = httptest.NewServer(f.h)
	t.Cleanup(func() {
		f.h.Close()
		f.srv.Close()
		require.NoError(t, sys.Shutdown(context.Background()))
	})
	return f
}

func (f *fixture) get(t testing.TB, path string, v any) *http.Response {
	t.Helper()
	resp, err := http.Get(f.srv.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	if v != nil && resp.StatusCode == http.StatusOK {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
	}
	return resp
}

func (f *fixture) tell(t testing.TB, path string, m msg) {
	t.Helper()
	ref, ok := f.sys.Lookup(path)
	require.True(t, ok, path)
	a, ok := runtime.ActorOf[msg](ref)
	require.True(t, ok)
	require.NoError(t, a.Tell(context.Background(), m))
}

// The page is served whole, its style and script inline and allowed by their hashes only, the
// first page of the top level in it, with headers that keep it from being framed or sniffed.
func TestPage(t *testing.T) {
	f := newFixture(t, 100)
	resp, err := http.Get(f.srv.URL + "/")
	require.NoError(t, err)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body := string(raw)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, "actorgen observer")
	assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"))
	csp := resp.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "default-src 'self'")
	assert.NotContains(t, csp, "unsafe-inline")
	for _, inline := range []struct{ open, close, directive string }{
		{"<script>", "</script>", "script-src "}, {"<style>", "</style>", "style-src "},
	} {
		_, rest, ok := strings.Cut(body, inline.open)
		require.True(t, ok, inline.open)
		text, _, ok := strings.Cut(rest, inline.close)
		require.True(t, ok, inline.close)
		assert.Contains(t, csp, inline.directive+sourceHash(text), "the CSP allows the inline %s by its hash", inline.open)
	}
	assert.NotContains(t, body, `src="`, "no external script")
	assert.NotContains(t, body, `<link`, "no external style")
	assert.Equal(t, firstPage, strings.Count(body, `class="row"`), "the first page of the top level")
	assert.Contains(t, body, `data-path="/directory"`)
	assert.Contains(t, body, `102 top-level actors`)
	assert.Contains(t, body, fmt.Sprintf(`data-offset="%d">show %d more of %d</button>`, firstPage, 102-firstPage, 102-firstPage))
	assert.Equal(t, http.StatusNotFound, f.get(t, "/app.js", nil).StatusCode, "no assets of its own")
}

// Children come a page at a time, sorted by name, so 10,000 top-level actors stay fast.
func TestChildrenPaged(t *testing.T) {
	f := newFixture(t, 10_000)
	var c Children
	start := time.Now()
	f.get(t, "/api/children?path=/&limit=100", &c)
	t.Logf("first page of 10,002 top-level actors in %v", time.Since(start))
	assert.Equal(t, 10_002, c.Total)
	require.Len(t, c.Children, 100)
	assert.Equal(t, "/directory", c.Children[0].Path)
	assert.Equal(t, "Worker", c.Children[0].Interface)
	assert.Equal(t, 3, c.Children[0].Children)
	assert.Equal(t, "/w00097", c.Children[99].Path)

	f.get(t, "/api/children?path=/&offset=9990&limit=100", &c)
	assert.Len(t, c.Children, 12)
	assert.Equal(t, "/w09988", c.Children[0].Path)

	f.get(t, "/api/children?path=/directory", &c)
	require.Len(t, c.Children, 3)
	assert.Equal(t, []string{"alice", "bob", "carol"}, []string{c.Children[0].Name, c.Children[1].Name, c.Children[2].Name})
	assert.Equal(t, "resume", c.Children[0].Policy)

	f.get(t, "/api/children?path=/links", &c)
	require.Len(t, c.Children, 1)
	assert.Equal(t, http.StatusNotFound, f.get(t, "/api/children?path=/nobody", nil).StatusCode)
}

// An actor's detail, the top lists and the per-interface figures show counts and types only.
func TestActorTopAndStats(t *testing.T) {
	f := newFixture(t, 0)
	f.tell(t, "/directory/bob", msg{crash: true})
	f.tell(t, "/directory/bob", msg{crash: true})
	f.tell(t, "/directory/alice", msg{crash: true})
	f.tell(t, "/directory/carol", msg{})
	require.Eventually(t, func() bool {
		var a Actor
		f.get(t, "/api/actor?path=/directory/alice", &a)
		return a.Faults == 1
	}, 5*time.Second, time.Millisecond)
	var a Actor
	require.Eventually(t, func() bool {
		f.get(t, "/api/actor?path=/directory/bob", &a)
		return a.Faults == 2
	}, 5*time.Second, time.Millisecond)
	require.NotNil(t, a.LastFault)
	assert.Contains(t, a.LastFault.Err, "crash on purpose")
	assert.Equal(t, http.StatusNotFound, f.get(t, "/api/actor?path=/x", nil).StatusCode)

	var top Top
	f.get(t, "/api/top", &top)
	assert.Equal(t, 6, top.Actors)
	require.Len(t, top.Faults, 2)
	assert.Equal(t, "/directory/bob", top.Faults[0].Path)
	assert.Equal(t, "/directory/alice", top.Faults[1].Path)

	var types []Type
	f.get(t, "/api/stats", &types)
	var worker *Type
	for i := range types {
		if types[i].Interface == "Worker" {
			worker = &types[i]
		}
	}
	require.NotNil(t, worker)
	assert.Equal(t, uint64(3), worker.Faults)
	assert.Equal(t, "Crash", worker.Methods[len(worker.Methods)-1].Method)
}

// The ranking keeps the n highest, ties by path.
func TestRanking(t *testing.T) {
	r := newRanking(3, func(i *runtime.ActorInfo) int64 { return int64(i.Mailbox) })
	for i, m := range []int{5, 0, 7, 5, 1, 9, 5} {
		r.offer(&runtime.ActorInfo{Path: fmt.Sprintf("/a%d", i), Mailbox: m})
	}
	var got []string
	for _, a := range r.actors() {
		got = append(got, a.Path)
	}
	assert.Equal(t, []string{"/a5", "/a2", "/a0"}, got)
}

// sse reads server-sent events from a stream.
type sse struct {
	resp *http.Response
	r    *bufio.Reader
}

func openEvents(t testing.TB, f *fixture) *sse {
	t.Helper()
	resp, err := http.Get(f.srv.URL + "/events")
	require.NoError(t, err)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	s := &sse{resp: resp, r: bufio.NewReader(resp.Body)}
	t.Cleanup(func() { resp.Body.Close() })
	line, err := s.r.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, ": actorgen events\n", line)
	return s
}

// next returns the data of the next event, skipping comments.
func (s *sse) next() (Event, error) {
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return Event{}, err
		}
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			var e Event
			return e, json.Unmarshal([]byte(data), &e)
		}
	}
}

// A fault reaches the event stream at once (the target is 100 ms), with its decision.
func TestEventsStream(t *testing.T) {
	f := newFixture(t, 0)
	s := openEvents(t, f)
	start := time.Now()
	f.tell(t, "/directory/alice", msg{crash: true})
	e, err := s.next()
	require.NoError(t, err)
	took := time.Since(start)
	t.Logf("fault on the stream %v after the tell", took)
	assert.Less(t, took, time.Second)
	assert.Equal(t, "fault", e.Kind)
	assert.Equal(t, "/directory/alice", e.Path)
	assert.Contains(t, e.Err, "crash on purpose")
	assert.Equal(t, "actor fault: crash on purpose", e.Err, "the error without the path the event already names")
	e, err = s.next()
	require.NoError(t, err)
	assert.Equal(t, "decision", e.Kind)
	assert.Equal(t, "resume", e.Decision)
}

// Close ends the streams, so that a server's Shutdown need not wait for them.
func TestCloseEndsStreams(t *testing.T) {
	f := newFixture(t, 0, WithHeartbeat(time.Millisecond))
	s := openEvents(t, f)
	f.h.Close()
	_, err := io.Copy(io.Discard, s.r)
	require.NoError(t, err, "the stream ended")
	resp := f.get(t, "/events", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func post(t testing.TB, url string, header map[string]string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// Without WithControls there is nothing to post to.
func TestNoControlsByDefault(t *testing.T) {
	f := newFixture(t, 0)
	code := post(t, f.srv.URL+"/api/stop?path=/directory/bob", map[string]string{"X-Actorgen-Control": "1"})
	assert.Equal(t, http.StatusNotFound, code, "no such route")
	_, ok := f.sys.Lookup("/directory/bob")
	assert.True(t, ok)
}

// With WithControls, stop and reset are POST-only, need the header, and refuse cross-origin
// requests.
func TestControls(t *testing.T) {
	f := newFixture(t, 0, WithControls())
	url := f.srv.URL + "/api/stop?path=/directory/bob"
	assert.Equal(t, http.StatusForbidden, post(t, url, nil), "no header")
	assert.Equal(t, http.StatusForbidden, post(t, url, map[string]string{"X-Actorgen-Control": "1", "Sec-Fetch-Site": "cross-site"}))
	assert.Equal(t, http.StatusForbidden, post(t, url, map[string]string{"X-Actorgen-Control": "1", "Origin": "http://evil.example"}))
	resp := f.get(t, "/api/stop?path=/directory/bob", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, "POST only")
	assert.Equal(t, "POST", resp.Header.Get("Allow"))
	assert.Equal(t, http.StatusNotFound, post(t, f.srv.URL+"/api/stop?path=/nobody", map[string]string{"X-Actorgen-Control": "1"}))

	bob, _ := f.sys.Lookup("/directory/bob")
	assert.Equal(t, http.StatusNoContent, post(t, url, map[string]string{"X-Actorgen-Control": "1"}))
	<-bob.Done()

	f.tell(t, "/directory/alice", msg{})
	alice, _ := f.sys.Lookup("/directory/alice")
	assert.Equal(t, http.StatusNoContent, post(t, f.srv.URL+"/api/reset?path=/directory/alice", map[string]string{"X-Actorgen-Control": "1"}))
	require.Eventually(t, func() bool {
		info, _ := alice.Info()
		return info.Resets == 1
	}, 5*time.Second, time.Millisecond)
}

// The page carries the first page of the tree as HTML, escaped by html/template: an actor's name
// cannot break out of its text or its attributes.
func TestPageEscapesNames(t *testing.T) {
	f := newFixture(t, 0)
	spawnWorker(t, f.sys, `x"><img src=x onerror=alert(1)>`)
	resp, err := http.Get(f.srv.URL + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.NotContains(t, string(body), "<img")
	assert.Contains(t, string(body), `data-path="/x&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"`, "in an attribute")
	assert.Contains(t, string(body), `<span class="name">x&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</span>`, "as text")
}
