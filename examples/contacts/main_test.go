package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

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
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), noEnv, stdout, stderr,
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
		err := run(t.Context(), tc.args, noEnv, io.Discard, &stderr, nil)
		require.Error(t, err, "%v", tc.args)
		assert.Contains(t, err.Error()+stderr.String(), tc.want, "%v", tc.args)
	}
	err := run(t.Context(), []string{"-h"}, noEnv, io.Discard, io.Discard, nil)
	require.ErrorIs(t, err, flag.ErrHelp)
}

// noEnv is an empty environment.
func noEnv(string) (string, bool) { return "", false }

// env is an environment of name, value pairs.
func env(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(name string) (string, bool) { v, ok := m[name]; return v, ok }
}

func TestFlagsFromEnvironment(t *testing.T) {
	o, err := parseFlags(nil, env("CONTACTS_ADDR", "127.0.0.1:9999", "CONTACTS_IDLE", "0s", "CONTACTS_LOG_LEVEL", "debug",
		"CONTACTS_DRAIN", "3s", "CONTACTS_CHAOS_SEED", "7", "CONTACTS_DB", ""), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9999", o.addr)
	assert.Equal(t, time.Duration(0), o.idle)
	assert.Equal(t, slog.LevelDebug, o.logLevel)
	assert.Equal(t, 3*time.Second, o.drain)
	assert.Equal(t, uint64(7), o.chaosSeed)
	assert.Equal(t, "contacts.db", o.db, "an empty variable counts as unset")
	assert.Equal(t, 5*time.Second, o.timeout, "unset: the default")

	// A flag wins over its variable, which is then not even parsed.
	o, err = parseFlags([]string{"-addr", "127.0.0.1:1", "-idle", "2s"},
		env("CONTACTS_ADDR", "127.0.0.1:9999", "CONTACTS_IDLE", "bogus"), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:1", o.addr)
	assert.Equal(t, 2*time.Second, o.idle)

	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"CONTACTS_IDLE", "soon"}, `CONTACTS_IDLE="soon": invalid value for -idle (want a duration such as 500ms, 30s or 2m): parse error`},
		{[]string{"CONTACTS_CHAOS", "lots"}, `CONTACTS_CHAOS="lots": invalid value for -chaos`},
		{[]string{"CONTACTS_LOG_LEVEL", "loud"}, `CONTACTS_LOG_LEVEL="loud": invalid value for -log-level`},
		{[]string{"CONTACTS_CHAOS", "2"}, "CONTACTS_CHAOS=2: must be between 0 and 1"},
		{[]string{"CONTACTS_IDLE", "-1s"}, "CONTACTS_IDLE=-1s: must not be negative"},
		{[]string{"CONTACTS_DRAIN", "0s"}, "CONTACTS_DRAIN=0s: must be positive"},
		{[]string{"CONTACTS_WRITE_TIMEOUT", "1s"}, "CONTACTS_WRITE_TIMEOUT=1s: must exceed -timeout 5s"},
	} {
		_, err := parseFlags(nil, env(tc.env...), io.Discard)
		require.Error(t, err, "%v", tc.env)
		assert.Contains(t, err.Error(), tc.want, "%v", tc.env)
	}
}

func TestUsageNamesTheEnvironment(t *testing.T) {
	var stderr bytes.Buffer
	_, err := parseFlags([]string{"-h"}, noEnv, &stderr)
	require.ErrorIs(t, err, flag.ErrHelp)
	assert.Contains(t, stderr.String(), "CONTACTS_ADDR")
	assert.Contains(t, stderr.String(), "-drain")
}

func TestRunReportsListenErrors(t *testing.T) {
	err := run(t.Context(), []string{"-addr", "256.0.0.1:bad", "-db", filepath.Join(t.TempDir(), "c.db")}, noEnv, io.Discard, io.Discard, nil)
	require.ErrorContains(t, err, "listen on 256.0.0.1:bad")
	err = run(t.Context(), []string{"-db", filepath.Join(t.TempDir(), "no", "such", "dir.db")}, noEnv, io.Discard, io.Discard, nil)
	require.ErrorContains(t, err, "store: open")
}

// TestLogShowsFaultStacksAndRequests runs the command with every book call
// panicking: even at -log-level error the fault's record carries its stack;
// at the default level each request has an access-log line.
func TestLogShowsFaultStacksAndRequests(t *testing.T) {
	var stderr syncBuffer
	base, stop := serve(t, []string{"-db", filepath.Join(t.TempDir(), "c.db"), "-chaos", "1", "-log-level", "error"}, io.Discard, &stderr)
	assert.Equal(t, http.StatusInternalServerError, post(t, base, "Ada"))
	require.NoError(t, stop())
	log := stderr.String()
	assert.Contains(t, log, `level=ERROR msg="actor fault" actor=/contacts/alice`)
	assert.Regexp(t, `msg="actor fault" [^\n]*stack="goroutine [^\n]*\(\*Chaos\)\.Maybe`, log)
	assert.NotContains(t, log, "msg=request", "Info records at -log-level error")

	stderr = syncBuffer{}
	base, stop = serve(t, []string{"-db", filepath.Join(t.TempDir(), "c.db")}, io.Discard, &stderr)
	assert.Equal(t, http.StatusCreated, post(t, base, "Ada"))
	res, err := http.Get(base + "/healthz")
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	assert.Equal(t, http.StatusOK, res.StatusCode)
	require.NoError(t, stop())
	assert.Regexp(t, `level=INFO msg=request method=POST pattern="POST /api/\{user\}/contacts" status=201 duration=\S+ bytes=\d+`, stderr.String())
	assert.Contains(t, stderr.String(), `msg=request method=GET pattern="GET /healthz" status=200`)
}

// -observe serves the live view: the directory and alice's book are in its tree.
func TestObserveServesTheLiveView(t *testing.T) {
	var stdout syncBuffer
	base, stop := serve(t, []string{"-db", filepath.Join(t.TempDir(), "c.db"), "-observe", ":0"}, &stdout, io.Discard)
	require.Equal(t, http.StatusCreated, post(t, base, "Ada"))
	m := regexp.MustCompile(`live view of the actors on (http://127\.0\.0\.1:\d+/)`).FindStringSubmatch(stdout.String())
	require.NotNil(t, m, stdout.String())
	res, err := http.Get(m[1] + "api/children?path=/contacts")
	require.NoError(t, err)
	var page struct {
		Children []struct{ Name, Interface string }
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&page))
	require.NoError(t, res.Body.Close())
	require.Len(t, page.Children, 1)
	assert.Equal(t, "alice", page.Children[0].Name)
	require.NoError(t, stop())
}
