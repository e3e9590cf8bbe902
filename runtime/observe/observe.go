// Package observe serves a live view of an actor system over HTTP: a page with the actor tree
// (children fetched when a node is expanded, a page at a time), the top actors by mailbox depth,
// faults and handling time, per-interface counters, and the runtime's events as they happen
// (server-sent events). It uses the standard library only.
//
// The view shows message types and counts, never message contents; fault texts are the panic
// values' as the runtime logs them. Controls (stop, reset) are off unless WithControls is given,
// and are then POST-only behind net/http's cross-origin protection. Mount the handler on a
// listener bound to the loopback interface, or behind your own authentication:
//
//	h := observe.New(sys)
//	defer h.Close()
//	mux.Handle("/observe/", http.StripPrefix("/observe", h))
package observe

import (
	"cmp"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/actorgen/actorgen/runtime"
)

//go:embed static
var static embed.FS

// Option configures a Handler.
type Option func(*Handler)

// WithControls shows stop and reset buttons on the page and accepts POST /api/stop and
// /api/reset. They are off by default: anyone who can reach the page could stop actors.
func WithControls() Option { return func(h *Handler) { h.controls = true } }

// WithTop sets how many actors the top lists show (default 20).
func WithTop(n int) Option {
	return func(h *Handler) {
		if n > 0 {
			h.top = n
		}
	}
}

// WithHeartbeat sets how often an idle event stream sends a comment, so that proxies keep it
// open (default 15s).
func WithHeartbeat(d time.Duration) Option {
	return func(h *Handler) {
		if d > 0 {
			h.heartbeat = d
		}
	}
}

// Handler is the live view of one system, an http.Handler. Close ends its event streams.
type Handler struct {
	sys       *runtime.System
	controls  bool
	top       int
	heartbeat time.Duration
	serve     http.Handler
	index     *template.Template
	css       template.CSS // the page's style and script, embedded and inlined into it
	js        template.JS
	csp       string // the Content-Security-Policy, with the hashes of css and js

	closed chan struct{}
	once   sync.Once
}

// maxPage is the most children one request returns.
const maxPage = 500

// New returns the live view of sys.
func New(sys *runtime.System, opts ...Option) *Handler {
	h := &Handler{sys: sys, top: 20, heartbeat: 15 * time.Second, closed: make(chan struct{})}
	for _, o := range opts {
		if o != nil {
			o(h)
		}
	}
	h.index = template.Must(template.ParseFS(static, "static/index.html"))
	h.css, h.js = template.CSS(asset("app.css")), template.JS(asset("app.js"))
	h.csp = "default-src 'self'; script-src " + sourceHash(string(h.js)) + "; style-src " +
		sourceHash(string(h.css)) + "; frame-ancestors 'none'"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.page)
	mux.HandleFunc("GET /api/children", h.children)
	mux.HandleFunc("GET /api/actor", h.actor)
	mux.HandleFunc("GET /api/top", h.topActors)
	mux.HandleFunc("GET /api/stats", h.stats)
	mux.HandleFunc("GET /events", h.events)
	if h.controls {
		mux.HandleFunc("POST /api/stop", h.control(func(ctx context.Context, r runtime.Ref) error {
			return r.Stop(ctx) // waits a second at most: a handler that does not return holds it up
		}))
		mux.HandleFunc("POST /api/reset", h.control(func(_ context.Context, r runtime.Ref) error {
			r.Reset()
			return nil
		}))
	}
	h.serve = h.securityHeaders(http.NewCrossOriginProtection().Handler(mux)) // headers on refusals too
	return h
}

// ServeHTTP serves the page, its JSON and its event stream.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.serve.ServeHTTP(w, r) }

// Close ends the event streams being served, so that an http.Server's Shutdown does not wait for
// them, and makes new ones end at once. It may be called more than once.
func (h *Handler) Close() { h.once.Do(func() { close(h.closed) }) }

// asset returns the embedded file static/name.
func asset(name string) string {
	b, err := static.ReadFile("static/" + name)
	if err != nil {
		panic(err) // embedded: part of the package
	}
	return string(b)
}

// sourceHash is the Content-Security-Policy source that allows the inline script or style s.
func sourceHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// securityHeaders sets the headers that keep the page from being framed or sniffed, and its
// Content-Security-Policy: scripts and styles are the page's own, inline and allowed by their
// hashes; requests go to the page's origin only.
func (h *Handler) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Content-Security-Policy", h.csp)
		w.Header().Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// Actor is an actor as the JSON endpoints describe it.
type Actor struct {
	Path       string  `json:"path"`
	Name       string  `json:"name"`
	Interface  string  `json:"interface"`
	State      string  `json:"state"`
	Mailbox    int     `json:"mailbox"`
	Handled    uint64  `json:"handled"`
	Faults     uint64  `json:"faults"`
	Resets     uint64  `json:"resets"`
	LastFault  *Fault  `json:"lastFault,omitempty"`
	Policy     string  `json:"policy"`
	Children   int     `json:"children"`
	Tether     bool    `json:"tether,omitempty"`
	HandleMean float64 `json:"handleMeanUs"` // microseconds; 0 without metrics
}

// Fault is an actor's last fault.
type Fault struct {
	Time time.Time `json:"time"`
	Err  string    `json:"err"`
}

func toActor(i runtime.ActorInfo) Actor {
	a := Actor{
		Path: i.Path, Name: i.Ref.Name(), Interface: i.Interface, State: i.State.String(),
		Mailbox: i.Mailbox, Handled: i.Handled, Faults: i.Faults, Resets: i.Resets,
		Policy: runtime.PolicyString(i.Policy), Children: i.Children, Tether: i.Tether,
		HandleMean: float64(i.HandleMean) / float64(time.Microsecond),
	}
	if !i.LastFault.Time.IsZero() {
		a.LastFault = &Fault{Time: i.LastFault.Time, Err: i.LastFault.Err}
	}
	return a
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		return // the client went away
	}
}

// firstPage is how many top-level actors the page itself shows, before "show more": more than
// a screenful, and few enough that the page paints fast (see docs/observability.md); pageSize
// is how many children the script fetches at a time, on expand and on "show more".
const (
	firstPage = 50
	pageSize  = 200
)

// pageRow is an actor's row in the page's tree.
type pageRow struct {
	Actor
	Controls bool
}

// morePage is the page's "show more" button under the top level.
type morePage struct{ Offset, Next, Left int }

// page serves the page, whole: its style, its script, and the first page of the top level
// rendered into the tree, so that the tree paints as the HTML is parsed, with no other request
// and no script run first. html/template escapes actor names in the rows as text and as
// attributes.
func (h *Handler) page(w http.ResponseWriter, _ *http.Request) {
	c, _ := h.childrenOf("/", 0, firstPage)
	rows := make([]pageRow, len(c.Children))
	for i, a := range c.Children {
		rows[i] = pageRow{Actor: a, Controls: h.controls}
	}
	var more *morePage
	if next := c.Offset + len(c.Children); next < c.Total {
		more = &morePage{Offset: next, Next: min(c.Total-next, pageSize), Left: c.Total - next}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	data := map[string]any{
		"Tree": c, "Rows": rows, "More": more, "Controls": h.controls, "PageSize": pageSize,
		"CSS": h.css, "JS": h.js,
	}
	if err := h.index.Execute(w, data); err != nil {
		return // the client went away
	}
}

// Children is a page of an actor's children (or of the top-level actors, for path "/").
type Children struct {
	Path     string  `json:"path"`
	Total    int     `json:"total"`
	Offset   int     `json:"offset"`
	Children []Actor `json:"children"`
}

// children answers GET /api/children?path=/a&offset=0&limit=100, sorted by name.
func (h *Handler) children(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	path := q.Get("path")
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit <= 0 || limit > maxPage {
		limit = 100
	}
	if path == "" {
		path = "/"
	}
	c, ok := h.childrenOf(path, offset, limit)
	if !ok {
		http.Error(w, "no actor at "+strconv.Quote(path), http.StatusNotFound)
		return
	}
	writeJSON(w, c)
}

// childrenOf returns a page of the children of the actor at path ("/": the top level), and
// false if there is no such actor.
func (h *Handler) childrenOf(path string, offset, limit int) (Children, bool) {
	var kids []runtime.Ref
	if path == "/" {
		kids = h.sys.Children()
	} else {
		ref, ok := h.sys.Lookup(path)
		if !ok {
			return Children{}, false
		}
		kids = ref.Children()
	}
	offset = min(max(offset, 0), len(kids))
	page := kids[offset:min(offset+limit, len(kids))]
	out := Children{Path: path, Total: len(kids), Offset: offset, Children: make([]Actor, 0, len(page))}
	for _, k := range page {
		if info, ok := k.Info(); ok {
			out.Children = append(out.Children, toActor(info))
		}
	}
	return out, true
}

// actor answers GET /api/actor?path=/a.
func (h *Handler) actor(w http.ResponseWriter, r *http.Request) {
	ref, ok := h.sys.Lookup(r.URL.Query().Get("path"))
	if !ok {
		http.Error(w, "no such actor", http.StatusNotFound)
		return
	}
	info, _ := ref.Info()
	writeJSON(w, toActor(info))
}

// Top is the top actors by mailbox depth, by faults and by mean handling time.
type Top struct {
	Actors  int     `json:"actors"`
	Mailbox []Actor `json:"mailbox"`
	Faults  []Actor `json:"faults"`
	Handle  []Actor `json:"handle"`
}

// topActors answers GET /api/top from one walk of the tree.
func (h *Handler) topActors(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, h.Top())
}

// Top walks the system once and returns its top actors (those with a zero figure left out).
func (h *Handler) Top() Top {
	n := 0
	mb := newRanking(h.top, func(i *runtime.ActorInfo) int64 { return int64(i.Mailbox) })
	ft := newRanking(h.top, func(i *runtime.ActorInfo) int64 { return int64(i.Faults) })
	ht := newRanking(h.top, func(i *runtime.ActorInfo) int64 { return int64(i.HandleMean) })
	h.sys.Walk(func(i runtime.ActorInfo) bool {
		n++
		mb.offer(&i)
		ft.offer(&i)
		ht.offer(&i)
		return true
	})
	return Top{Actors: n, Mailbox: mb.actors(), Faults: ft.actors(), Handle: ht.actors()}
}

// ranking keeps the n actors with the highest key, ties broken by path.
type ranking struct {
	n    int
	key  func(*runtime.ActorInfo) int64
	best []runtime.ActorInfo
}

func newRanking(n int, key func(*runtime.ActorInfo) int64) *ranking {
	return &ranking{n: n, key: key}
}

func (r *ranking) less(a, b *runtime.ActorInfo) bool { // a ranks below b
	ka, kb := r.key(a), r.key(b)
	return ka < kb || (ka == kb && a.Path > b.Path)
}

func (r *ranking) offer(i *runtime.ActorInfo) {
	if r.key(i) <= 0 {
		return
	}
	if len(r.best) == r.n && !r.less(&r.best[len(r.best)-1], i) {
		return
	}
	at, _ := slices.BinarySearchFunc(r.best, i, func(e runtime.ActorInfo, t *runtime.ActorInfo) int {
		switch {
		case r.less(t, &e):
			return -1
		case r.less(&e, t):
			return 1
		}
		return 0
	})
	r.best = slices.Insert(r.best, at, *i)
	if len(r.best) > r.n {
		r.best = r.best[:r.n]
	}
}

func (r *ranking) actors() []Actor {
	out := make([]Actor, len(r.best))
	for i, b := range r.best {
		out[i] = toActor(b)
	}
	return out
}

// Method is one method's figures in GET /api/stats.
type Method struct {
	Method    string  `json:"method"`
	Kind      string  `json:"kind"`
	OK        uint64  `json:"ok"`
	Faults    uint64  `json:"faults"`
	NoReply   uint64  `json:"noReply"`
	HandleP50 float64 `json:"handleP50Us"`
	HandleP99 float64 `json:"handleP99Us"`
	WaitP99   float64 `json:"waitP99Us"`
}

// Type is one interface's figures in GET /api/stats.
type Type struct {
	Interface      string   `json:"interface"`
	Live           int64    `json:"live"`
	Faults         uint64   `json:"faults"`
	Resets         uint64   `json:"resets"`
	Stops          uint64   `json:"stops"`
	TetherCuts     uint64   `json:"tetherCuts"`
	KeeperRetries  uint64   `json:"keeperRetries"`
	AsksFailedFast uint64   `json:"asksFailedFast"`
	Methods        []Method `json:"methods,omitempty"`
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

func (h *Handler) stats(w http.ResponseWriter, _ *http.Request) {
	var out []Type
	for _, s := range h.sys.Stats() {
		if s.Spawned == 0 {
			continue
		}
		t := Type{
			Interface: cmp.Or(s.Interface, "(untyped)"), Live: s.Live, Faults: s.Faults,
			Resets: s.Resets, Stops: s.Stops, TetherCuts: s.TetherCuts,
			KeeperRetries: s.KeeperRetries, AsksFailedFast: s.AsksFailedFast,
		}
		for _, m := range s.Methods {
			if m.Total() == 0 {
				continue
			}
			t.Methods = append(t.Methods, Method{
				Method: cmp.Or(m.Method, "(unnamed)"), Kind: m.Kind.String(),
				OK: m.Handled[runtime.OutcomeOK], Faults: m.Handled[runtime.OutcomeFault],
				NoReply:   m.Handled[runtime.OutcomeNoReply],
				HandleP50: us(m.HandleTime.Quantile(0.5)), HandleP99: us(m.HandleTime.Quantile(0.99)),
				WaitP99: us(m.MailboxTime.Quantile(0.99)),
			})
		}
		out = append(out, t)
	}
	writeJSON(w, out)
}

// Event is a runtime event as the stream sends it.
type Event struct {
	Kind     string    `json:"kind"`
	Path     string    `json:"path"`
	Child    string    `json:"child,omitempty"`
	Err      string    `json:"err,omitempty"`
	Decision string    `json:"decision,omitempty"`
	Delay    string    `json:"delay,omitempty"`
	Time     time.Time `json:"time"`
	Dropped  uint64    `json:"dropped"` // events this stream lost so far, to a slow reader
}

// streamed are the kinds of events the stream sends: not starts and stops, which a busy system
// has too many of to watch.
var streamed = []runtime.EventKind{
	runtime.EventFault, runtime.EventEscalate, runtime.EventDecision, runtime.EventReset,
	runtime.EventTetherCut, runtime.EventKeeperStart, runtime.EventKeeperRetry,
}

// events streams the runtime's events as server-sent events until the client goes, the handler
// is closed, or writing fails.
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	sub := h.sys.Subscribe(256, streamed...)
	defer sub.Close()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, ": actorgen events\n\n"); err != nil {
		return
	}
	if err := rc.Flush(); err != nil {
		return
	}
	beat := time.NewTicker(h.heartbeat)
	defer beat.Stop()
	for {
		var err error
		select {
		case <-r.Context().Done():
			return
		case <-h.closed:
			return
		case <-beat.C:
			_, err = fmt.Fprint(w, ": beat\n\n")
		case e := <-sub.Events():
			err = writeEvent(w, e, sub.Dropped())
		}
		if err == nil {
			err = rc.Flush()
		}
		if err != nil {
			return
		}
	}
}

func writeEvent(w http.ResponseWriter, e runtime.Event, dropped uint64) error {
	ev := Event{Kind: e.Kind.String(), Path: e.Path, Child: e.Child, Time: e.Time, Dropped: dropped}
	if e.Err != nil {
		// A fault's error begins with the actor's path, which the event names already.
		ev.Err = strings.TrimPrefix(e.Err.Error(), "actor "+e.Path+": ")
	}
	if e.Kind == runtime.EventDecision {
		ev.Decision = e.Decision.String()
	}
	if e.Delay > 0 {
		ev.Delay = e.Delay.String()
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("observe: event: %w", err)
	}
	_, err = fmt.Fprintf(w, "event: actor\ndata: %s\n\n", b)
	return err
}

// control answers a POST that acts on the actor at ?path=.
func (h *Handler) control(act func(context.Context, runtime.Ref) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// A form cannot set this header, and a cross-origin script cannot without a preflight,
		// which is refused: with the cross-origin protection, a second line against CSRF.
		if r.Header.Get("X-Actorgen-Control") != "1" {
			http.Error(w, "missing X-Actorgen-Control header", http.StatusForbidden)
			return
		}
		path := r.URL.Query().Get("path")
		ref, ok := h.sys.Lookup(path)
		if !ok || !strings.HasPrefix(path, "/") {
			http.Error(w, "no such actor", http.StatusNotFound)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		if err := act(ctx, ref); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}
