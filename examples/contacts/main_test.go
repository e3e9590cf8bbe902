package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// syncBuffer is a bytes.Buffer safe for the logger and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serve runs the command with args on a free port until the returned stop is
// called; stop returns run's error.
func serve(t *testing.T, args []string, stdout, stderr io.Writer) (base string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	addrs := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), stdout, stderr,
			func(addr string) { addrs <- addr })
	}()
	select {
	case addr := <-addrs:
		return "http://" + addr, func() error {
			http.DefaultClient.CloseIdleConnections()
			cancel()
			return <-done
		}
	case err := <-done:
		cancel()
		t.Fatalf("run returned early: %v", err)
		return "", nil
	}
}

// post creates a contact called name for alice and returns the status.
func post(t *testing.T, base, name string) int {
	t.Helper()
	res, err := http.Post(base+"/api/alice/contacts", "application/json", strings.NewReader(`{"name":"`+name+`"}`))
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	require.NoError(t, res.Body.Close())
	return res.StatusCode
}

func TestRunServesAndShutsDown(t *testing.T) {
	var stdout, stderr syncBuffer
	db := filepath.Join(t.TempDir(), "c.db")
	base, stop := serve(t, []string{"-db", db, "-idle", "0"}, &stdout, &stderr)
	assert.Contains(t, stdout.String(), "listening on "+base)
	assert.Contains(t, stdout.String(), "curl -si -X POST "+base+"/api/alice/contacts")

	assert.Equal(t, http.StatusCreated, post(t, base, "Ada"))

	require.NoError(t, stop())
	assert.Contains(t, stderr.String(), "shutting down")
	assert.Contains(t, stderr.String(), "book loaded")
}

// TestRestartOnSameDatabase stops the whole server and starts it again on
// the same database file.
func TestRestartOnSameDatabase(t *testing.T) {
	args := []string{"-db", filepath.Join(t.TempDir(), "c.db")}
	base, stop := serve(t, args, io.Discard, io.Discard)
	for _, name := range []string{"Ada", "Bob"} {
		require.Equal(t, http.StatusCreated, post(t, base, name))
	}
	require.NoError(t, stop())

	base, stop = serve(t, args, io.Discard, io.Discard)
	res, err := http.Get(base + "/api/alice/contacts")
	require.NoError(t, err)
	var list []struct{ Name string }
	require.NoError(t, json.NewDecoder(res.Body).Decode(&list))
	require.NoError(t, res.Body.Close())
	assert.Equal(t, []struct{ Name string }{{"Ada"}, {"Bob"}}, list)
	require.NoError(t, stop())
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-chaos", "1.5"}, "-chaos 1.5: must be between 0 and 1"},
		{[]string{"-chaos", "NaN"}, "-chaos NaN"},
		{[]string{"-idle", "-1s"}, "-idle -1s: must not be negative"},
		{[]string{"-timeout", "0s"}, "-timeout 0s: must be positive"},
		{[]string{"-header-timeout", "0s"}, "-header-timeout 0s: must be positive"},
		{[]string{"-read-timeout", "-1s"}, "-read-timeout -1s: must be positive"},
		{[]string{"-idle-timeout", "0s"}, "-idle-timeout 0s: must be positive"},
		{[]string{"-drain", "0s"}, "-drain 0s: must be positive"},
		{[]string{"-timeout", "10s", "-write-timeout", "10s"}, "-write-timeout 10s: must exceed -timeout 10s"},
		{[]string{"-db", ""}, "-db: must not be empty"},
		{[]string{"extra"}, "unexpected arguments"},
		{[]string{"-log-level", "loud"}, "log-level"},
		{[]string{"-nope"}, "flag provided but not defined"},
	} {
		var stderr bytes.Buffer
		err := run(t.Context(), tc.args, io.Discard, &stderr, nil)
		require.Error(t, err, "%v", tc.args)
		assert.Contains(t, err.Error()+stderr.String(), tc.want, "%v", tc.args)
	}
	err := run(t.Context(), []string{"-h"}, io.Discard, io.Discard, nil)
	require.ErrorIs(t, err, flag.ErrHelp)
}

func TestRunReportsListenErrors(t *testing.T) {
	err := run(t.Context(), []string{"-addr", "256.0.0.1:bad", "-db", filepath.Join(t.TempDir(), "c.db")}, io.Discard, io.Discard, nil)
	require.ErrorContains(t, err, "listen on 256.0.0.1:bad")
	err = run(t.Context(), []string{"-db", filepath.Join(t.TempDir(), "no", "such", "dir.db")}, io.Discard, io.Discard, nil)
	require.ErrorContains(t, err, "store: open")
}
