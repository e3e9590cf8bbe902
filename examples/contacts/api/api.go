// Package api is the contacts service's HTTP JSON API, on net/http's pattern
// mux:
//
//	GET    /api/{user}/contacts       list the user's contacts (a JSON array, oldest first)
//	POST   /api/{user}/contacts       create one: {"name", "email", "phone"}; 201 with Location
//	GET    /api/{user}/contacts/{id}  get one
//	PATCH  /api/{user}/contacts/{id}  change the fields present in the body
//	DELETE /api/{user}/contacts/{id}  delete one; 204
//
// Errors are JSON objects {"error": message} with, for invalid input, the
// offending "field": 400 for invalid input (also a bad Idempotency-Key
// header, field "Idempotency-Key"), 404 for an unknown contact or route, 405
// for a wrong method (with Allow), 413 for a body over the limit (1 MiB by
// default), 415 for a Content-Type other than application/json, and 422 for
// an Idempotency-Key reused with a different contact.
//
// The 5xx answers say whether the request took effect:
//
//   - 503 Service Unavailable, with Retry-After, only when it certainly did
//     not: the book's handler never got the request (its ask was not
//     delivered before the timeout, the book is stopped, or its mailbox is
//     full) or the book was never asked (the directory failed or the timeout
//     ended first). Any request may be sent again as it is.
//   - 504 Gateway Timeout, without Retry-After, when the timeout (or the
//     client going away) ended the request while the book's handler was
//     running it: the handler runs on, so the change may have been made.
//   - 500 Internal Server Error, without Retry-After, when the handler ran
//     and failed: it panicked (runtime.ErrFault; the book is then reset from
//     the store), returned without replying (runtime.ErrNoReply), or failed
//     for another reason such as a store error. A panic can come after the
//     store write, so this too may have taken effect, and the API never
//     repeats such a request itself.
//
// After a 500 or 504, reads (GET, HEAD) may simply be repeated, and so may
// PATCH (it sets fields to given values) and DELETE (a 404 then says the
// contact is gone); a POST is safe to repeat only with the same
// Idempotency-Key.
//
// A POST with an Idempotency-Key header (1 to contact.MaxKeyLen letters,
// digits or - _ . : ~ + / =, bare or as a quoted string) creates at most one
// contact for that key in the user's book: sent again with the same name,
// email and phone, it answers 201 with the same Location and the contact as
// it is now, and creates nothing; with other fields it is refused with 422.
// The book remembers the key for as long as the contact exists (see
// actors.Book's Create), across a reset of the book and a restart of the
// service. Other methods ignore the header.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/actorgen/actorgen/runtime"
	"github.com/actorgen/actorgen/runtime/remote"

	"github.com/actorgen/actorgen/examples/contacts/actors"
	"github.com/actorgen/actorgen/examples/contacts/contact"
)

// Defaults for Config.
const (
	DefaultMaxBody = 1 << 20
	DefaultTimeout = 5 * time.Second
)

// Config configures the API.
type Config struct {
	// Directory hands out the users' books. Required.
	Directory actors.Directory
	// Timeout bounds each request's calls to the actors; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxBody is the largest request body accepted; 0 means DefaultMaxBody.
	MaxBody int64
	// Logger logs failed requests; nil means slog.Default().
	Logger *slog.Logger
}

// handler serves the API.
type handler struct {
	dir     actors.Directory
	timeout time.Duration
	maxBody int64
	log     *slog.Logger
}

// New returns the API's handler.
func New(cfg Config) (http.Handler, error) {
	if cfg.Directory == nil {
		return nil, errors.New("api: Config.Directory is nil")
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("api: Config.Timeout is negative (%v)", cfg.Timeout)
	}
	if cfg.MaxBody < 0 {
		return nil, fmt.Errorf("api: Config.MaxBody is negative (%d)", cfg.MaxBody)
	}
	h := &handler{dir: cfg.Directory, timeout: cfg.Timeout, maxBody: cfg.MaxBody, log: cfg.Logger}
	if h.timeout == 0 {
		h.timeout = DefaultTimeout
	}
	if h.maxBody == 0 {
		h.maxBody = DefaultMaxBody
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/{user}/contacts", h.list)
	mux.HandleFunc("POST /api/{user}/contacts", h.create)
	mux.HandleFunc("/api/{user}/contacts", methodNotAllowed("GET, HEAD, POST"))
	mux.HandleFunc("GET /api/{user}/contacts/{id}", h.get)
	mux.HandleFunc("PATCH /api/{user}/contacts/{id}", h.update)
	mux.HandleFunc("DELETE /api/{user}/contacts/{id}", h.delete)
	mux.HandleFunc("/api/{user}/contacts/{id}", methodNotAllowed("DELETE, GET, HEAD, PATCH"))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "", fmt.Sprintf("no route for %s; see /api/{user}/contacts", r.URL.Path))
	})
	return mux, nil
}

func (h *handler) list(w http.ResponseWriter, r *http.Request) {
	var out []contact.Contact
	if !h.call(w, r, func(ctx context.Context, b actors.Book) (err error) {
		out, err = b.List(ctx)
		return err
	}) {
		return
	}
	if out == nil {
		out = []contact.Contact{}
	}
	writeJSON(w, http.StatusOK, out)
}

// createBody is what POST accepts: a contact without its id.
type createBody struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

func (h *handler) create(w http.ResponseWriter, r *http.Request) {
	key, err := idempotencyKey(r.Header)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var in createBody
	if !h.decode(w, r, &in) {
		return
	}
	var out contact.Contact
	if !h.call(w, r, func(ctx context.Context, b actors.Book) (err error) {
		out, err = b.Create(ctx, contact.Contact{Name: in.Name, Email: in.Email, Phone: in.Phone, IdempotencyKey: key})
		return err
	}) {
		return
	}
	w.Header().Set("Location", "/api/"+url.PathEscape(r.PathValue("user"))+"/contacts/"+url.PathEscape(string(out.ID)))
	writeJSON(w, http.StatusCreated, out)
}

func (h *handler) get(w http.ResponseWriter, r *http.Request) {
	id, ok := h.pathID(w, r)
	if !ok {
		return
	}
	var out contact.Contact
	if !h.call(w, r, func(ctx context.Context, b actors.Book) (err error) {
		out, err = b.Get(ctx, id)
		return err
	}) {
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) update(w http.ResponseWriter, r *http.Request) {
	id, ok := h.pathID(w, r)
	if !ok {
		return
	}
	var p contact.Patch
	if !h.decode(w, r, &p) {
		return
	}
	var out contact.Contact
	if !h.call(w, r, func(ctx context.Context, b actors.Book) (err error) {
		out, err = b.Update(ctx, id, p)
		return err
	}) {
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) delete(w http.ResponseWriter, r *http.Request) {
	id, ok := h.pathID(w, r)
	if !ok {
		return
	}
	if !h.call(w, r, func(ctx context.Context, b actors.Book) error { return b.Delete(ctx, id) }) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// idempotencyKey returns the request's Idempotency-Key, "" if it has none,
// or a *contact.ValidationError naming the header. The value may be bare or,
// as the IETF draft writes it, a structured-field string in double quotes.
func idempotencyKey(hd http.Header) (string, error) {
	vals := hd.Values(contact.KeyField)
	switch len(vals) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", &contact.ValidationError{Field: contact.KeyField, Reason: fmt.Sprintf("must be given once, got %d", len(vals))}
	}
	key := strings.TrimSpace(vals[0])
	if len(key) >= 2 && key[0] == '"' && key[len(key)-1] == '"' {
		key = key[1 : len(key)-1]
	}
	if err := contact.ValidateIdempotencyKey(key); err != nil {
		return "", err
	}
	return key, nil
}

// maxAttempts bounds how often a request looks its book up again after
// finding it stopped.
const maxAttempts = 3

// errNotAsked marks the errors of a call that failed before the book was
// asked: nothing was done to the contacts.
var errNotAsked = errors.New("the book was not asked")

// call runs f on the book of the request's user, within the timeout, and
// writes the error response if it fails; it reports whether f succeeded.
//
// A book can stop normally (idle) between the directory handing it out and f
// reaching it; its ask then fails with runtime.ErrStopped without having been
// handled, so call asks the directory again, which starts a new book. No
// other failure is retried here: a fault or a timeout while the handler ran
// may have left its change made.
func (h *handler) call(w http.ResponseWriter, r *http.Request, f func(context.Context, actors.Book) error) bool {
	user := r.PathValue("user")
	if err := contact.ValidateUser(user); err != nil {
		h.fail(w, r, err)
		return false
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.timeout)
	defer cancel()
	var err error
	for attempt := 1; ; attempt++ {
		var b actors.Book
		b, err = h.dir.Book(ctx, user)
		if err != nil {
			err = fmt.Errorf("%w: %w", errNotAsked, err)
			break
		}
		err = f(ctx, b)
		retry := errors.Is(err, runtime.ErrStopped) && !errors.Is(err, runtime.ErrFault)
		if !retry || attempt == maxAttempts || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		h.fail(w, r, err)
		return false
	}
	return true
}

// fail writes the response for err.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ve *contact.ValidationError
	switch {
	case errors.As(err, &ve):
		writeError(w, http.StatusBadRequest, ve.Field, ve.Error())
		return
	case errors.Is(err, contact.ErrNotFound):
		writeError(w, http.StatusNotFound, "", fmt.Sprintf("contact %q not found", r.PathValue("id")))
		return
	case errors.Is(err, contact.ErrKeyReused):
		writeError(w, http.StatusUnprocessableEntity, contact.KeyField,
			contact.KeyField+": already used for a contact with another name, email or phone; use a new key for a new contact")
		return
	}
	o := classify(err)
	log := h.log.With("method", r.Method, "path", r.URL.Path, "reason", o.reason, "err", err)
	user := r.PathValue("user")
	switch o.status {
	case http.StatusServiceUnavailable:
		log.Warn("request not applied")
		w.Header().Set("Retry-After", "1")
		writeError(w, o.status, "", fmt.Sprintf("the contacts of %q are unavailable (%s); nothing was changed: try again", user, o.reason))
	case http.StatusGatewayTimeout:
		log.Warn("request outcome unknown")
		writeError(w, o.status, "", fmt.Sprintf("the contacts of %q did not answer in time (%s); the request may have taken effect", user, o.reason))
	default:
		if o.reason == "" {
			log.Error("request failed")
			writeError(w, http.StatusInternalServerError, "", "internal error")
			return
		}
		log.Error("request failed in its handler")
		writeError(w, http.StatusInternalServerError, "", fmt.Sprintf("the contacts of %q failed on this request (%s); it may have taken effect", user, o.reason))
	}
}

// outcome is what a failed call means for the client.
type outcome struct {
	status int    // 503: not applied; 504: may have been applied while it timed out; 500: failed in the handler
	reason string // for the client and the log; "" for an unknown error
}

// classify maps the error of a call to its outcome.
//
// The book's handlers ask no actor themselves, so every runtime error in err
// is about the ask to the book (or, under errNotAsked, to the directory), not
// one that a handler ran into and returned.
func classify(err error) outcome {
	unavailable := func(reason string) outcome { return outcome{http.StatusServiceUnavailable, reason} }
	// With the books on another node (-role front): the node is not there, or went away with
	// the request.
	switch {
	case errors.Is(err, remote.ErrUnconfirmed):
		return outcome{http.StatusGatewayTimeout, "the books node went away with the request: its outcome is unknown"}
	case errors.Is(err, remote.ErrUnreachable), errors.Is(err, remote.ErrLinkDown):
		return unavailable("the books node is unreachable")
	}
	if errors.Is(err, errNotAsked) {
		switch {
		case errors.Is(err, runtime.ErrFault):
			return unavailable("the directory faulted and is being reset")
		case errors.Is(err, runtime.ErrStopped), errors.Is(err, runtime.ErrMailboxFull):
			return unavailable("the directory is stopped or busy")
		case errors.Is(err, runtime.ErrNotDelivered), errors.Is(err, context.DeadlineExceeded):
			return unavailable("the directory did not answer in time")
		case errors.Is(err, context.Canceled):
			return unavailable("the request was cancelled")
		}
		return outcome{http.StatusInternalServerError, ""}
	}
	switch {
	// A fault first: its panic value may be an error that wraps any other.
	case errors.Is(err, runtime.ErrFault):
		return outcome{http.StatusInternalServerError, "the actor faulted and is being reset"}
	case errors.Is(err, runtime.ErrNoReply):
		return outcome{http.StatusInternalServerError, "the actor did not reply"}
	// Before the ctx's errors, which an undelivered ask's error wraps too.
	case errors.Is(err, runtime.ErrNotDelivered) && errors.Is(err, context.Canceled):
		return unavailable("the request was cancelled before the actor took it")
	case errors.Is(err, runtime.ErrNotDelivered):
		return unavailable("the actor is busy: the request timed out in its queue")
	case errors.Is(err, runtime.ErrMailboxFull):
		return unavailable("the actor is overloaded")
	case errors.Is(err, runtime.ErrStopped):
		return unavailable("the actor is stopped")
	case errors.Is(err, context.DeadlineExceeded):
		return outcome{http.StatusGatewayTimeout, "the timeout ended while the actor was handling the request"}
	case errors.Is(err, context.Canceled):
		return outcome{http.StatusGatewayTimeout, "the request was cancelled while the actor was handling it"}
	}
	return outcome{http.StatusInternalServerError, ""}
}

// pathID returns the request's contact id, or writes a 400.
func (h *handler) pathID(w http.ResponseWriter, r *http.Request) (contact.ID, bool) {
	id := contact.ID(r.PathValue("id"))
	if err := contact.ValidateID(id); err != nil {
		h.fail(w, r, err)
		return "", false
	}
	return id, true
}

// decode reads the request's JSON body into v, which must be one JSON object
// with only known fields, or writes the error response.
func (h *handler) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			writeError(w, http.StatusUnsupportedMediaType, "", fmt.Sprintf("Content-Type %q: the body must be application/json", ct))
			return false
		}
	}
	tooBig := func() bool {
		writeError(w, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("the body is over %d bytes", h.maxBody))
		return false
	}
	if r.ContentLength > h.maxBody {
		return tooBig()
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooBig()
		}
		writeError(w, http.StatusBadRequest, "body", "body: cannot read: "+err.Error())
		return false
	}
	field, msg := decodeJSON(data, v)
	if msg != "" {
		writeError(w, http.StatusBadRequest, field, field+": "+msg)
		return false
	}
	return true
}

// decodeJSON decodes data into v and, on failure, names the field at fault
// ("body" when it is not about one field) and what is wrong.
func decodeJSON(data []byte, v any) (field, msg string) {
	if len(bytes.TrimSpace(data)) == 0 {
		return "body", "empty; want a JSON object"
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return "body", "unexpected data after the JSON object"
		}
		return "", ""
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "body", fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te) && te.Field != "":
		return te.Field, fmt.Sprintf("must be a JSON %s, not %s", jsonKind(te.Type), te.Value)
	case errors.As(err, &te):
		return "body", fmt.Sprintf("must be a JSON object, not %s", te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "body", "truncated JSON"
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return strings.Trim(name, `"`), "unknown field"
	}
	return "body", err.Error()
}

// jsonKind names the JSON type that decodes into t.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	}
	return t.String()
}

type errorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

func writeError(w http.ResponseWriter, status int, field, msg string) {
	writeJSON(w, status, errorBody{Error: msg, Field: field})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	// An encoding error here means the client went away: nothing to do.
	_ = json.NewEncoder(w).Encode(v)
}

func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, "", fmt.Sprintf("method %s not allowed; allowed: %s", r.Method, allow))
	}
}
