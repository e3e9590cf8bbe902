package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/actorgen/actorgen/examples/contacts/contact"
)

// readyTimeout bounds each check of /readyz.
const readyTimeout = 2 * time.Second

// routes returns the service's handler: /healthz, /readyz and the API,
// behind the access log and the recovery of a handler's panic.
func (s *Service) routes(apiHandler http.Handler, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeHealth(w, http.StatusOK, health{Status: "ok"})
	})
	mux.HandleFunc("GET /readyz", s.ready)
	for _, path := range []string{"/healthz", "/readyz"} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", "GET, HEAD")
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusMethodNotAllowed)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "method " + r.Method + " not allowed; allowed: GET, HEAD"})
		})
	}
	mux.Handle("/", apiHandler)
	return Logged(mux, log)
}

// health is the body of /healthz and /readyz.
type health struct {
	Status string `json:"status"`
	Store  string `json:"store,omitempty"`
	Actors string `json:"actors,omitempty"`
}

// ready answers /readyz: 200 when the store answers a query and the
// directory actor answers an ask, each within readyTimeout; 503 naming the
// part that did not otherwise.
func (s *Service) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	h := health{Status: "ready", Store: "ok", Actors: "ok"}
	if s.store == nil { // a front whose store is the books node's
		h.Store = ""
	} else if err := s.store.Ping(ctx); err != nil {
		h.Status, h.Store = "not ready", err.Error()
	}
	if err := s.actorsReady(ctx); err != nil {
		h.Status, h.Actors = "not ready", err.Error()
	}
	status := http.StatusOK
	if h.Status != "ready" {
		status = http.StatusServiceUnavailable
	}
	writeHealth(w, status, h)
}

// actorsReady checks that the directory runs and handles messages: it asks
// for the book of an invalid user name, which the directory refuses without
// starting anything.
func (s *Service) actorsReady(ctx context.Context) error {
	if err := s.dir.Ref().Err(); err != nil {
		return fmt.Errorf("directory stopped: %w", err)
	}
	_, err := s.dir.Book(ctx, "")
	var ve *contact.ValidationError
	if errors.As(err, &ve) {
		return nil
	}
	if err == nil {
		return errors.New("directory: the probe for an invalid user was not refused")
	}
	return fmt.Errorf("directory: %w", err)
}

func writeHealth(w http.ResponseWriter, status int, h health) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(h)
}

// Logged wraps h with the access log and the recovery of panics.
//
// Each request is logged at Info as "request" with its method, the mux
// pattern that matched it (not the raw path, so user names and ids stay out
// of the log), the status, the duration and the bytes written; never its
// body. A panic in h (other than http.ErrAbortHandler) is logged at Error
// with its stack and answered with a 500 if nothing was written yet;
// otherwise the connection is aborted.
func Logged(h http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		defer func() {
			v := recover()
			answered := false // with a 500, after a panic
			if v != nil && v != http.ErrAbortHandler {
				log.LogAttrs(r.Context(), slog.LevelError, "handler panicked",
					slog.String("method", r.Method), slog.String("pattern", r.Pattern),
					slog.String("err", fmt.Sprint(v)), slog.String("stack", string(debug.Stack())))
				if rec.status == 0 {
					rec.Header().Set("Content-Type", "application/json; charset=utf-8")
					rec.WriteHeader(http.StatusInternalServerError)
					_, _ = rec.Write([]byte(`{"error":"internal error"}` + "\n"))
					answered = true
				}
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method), slog.String("pattern", r.Pattern),
				slog.Int("status", status), slog.Duration("duration", time.Since(start)),
				slog.Int64("bytes", rec.bytes))
			if v != nil && !answered {
				// Part of the answer is out: cut the connection, so that the
				// client cannot take it for a whole one.
				panic(http.ErrAbortHandler)
			}
		}()
		h.ServeHTTP(rec, r)
	})
}

// recorder is a ResponseWriter that remembers the status and counts the
// bytes of the body.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 && status >= 200 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
