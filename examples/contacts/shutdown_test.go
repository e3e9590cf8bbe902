package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bound is how long a test waits for anything that should happen at once.
const bound = 10 * time.Second

// inFlight is a POST whose handler is running: it sent its headers with
// Expect: 100-continue and the server answered 100 Continue, which it does
// when the handler starts reading the body. The body is not sent yet.
type inFlight struct {
	conn net.Conn
	r    *bufio.Reader
	body string
}

func startInFlight(t *testing.T, addr, name string) *inFlight {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, bound)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	require.NoError(t, conn.SetDeadline(time.Now().Add(bound)))
	body := `{"name":"` + name + `"}`
	_, err = fmt.Fprintf(conn, "POST /api/alice/contacts HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n", addr, len(body))
	require.NoError(t, err)
	f := &inFlight{conn: conn, r: bufio.NewReader(conn), body: body}
	res, err := http.ReadResponse(f.r, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusContinue, res.StatusCode)
	return f
}

// finish sends the body and returns the response's status.
func (f *inFlight) finish(t *testing.T) int {
	t.Helper()
	_, err := io.WriteString(f.conn, f.body)
	require.NoError(t, err)
	res, err := http.ReadResponse(f.r, nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	require.NoError(t, res.Body.Close())
	return res.StatusCode
}

// closed waits (at most bound) for the server to close conn, having sent
// nothing more, and reports whether it did.
func closed(t *testing.T, conn net.Conn) bool {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(bound)))
	n, err := conn.Read(make([]byte, 1))
	return n == 0 && err == io.EOF
}

// eventually polls cond every 10ms for at most bound.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, bound, 10*time.Millisecond, msg)
}

// TestHalfSentRequestsAreDropped opens connections that send part of a
// request's headers and then nothing: each is closed after -header-timeout,
// and the server keeps answering others.
func TestHalfSentRequestsAreDropped(t *testing.T) {
	var stderr syncBuffer
	base, stop := serve(t, []string{"-db", filepath.Join(t.TempDir(), "c.db"), "-header-timeout", "200ms"}, io.Discard, &stderr)
	addr := strings.TrimPrefix(base, "http://")
	conns := make([]net.Conn, 50)
	start := time.Now()
	for i := range conns {
		conn, err := net.DialTimeout("tcp", addr, bound)
		require.NoError(t, err)
		defer conn.Close()
		_, err = io.WriteString(conn, "GET /api/alice/contacts HTTP/1.1\r\nHost: x\r\n")
		require.NoError(t, err)
		conns[i] = conn
	}
	for i, conn := range conns {
		assert.True(t, closed(t, conn), "connection %d was not closed", i)
	}
	assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond, "closed before the header timeout")
	assert.Equal(t, http.StatusCreated, post(t, base, "Ada"))
	require.NoError(t, stop())
}

// TestShutdownDrainsInFlightRequest stops the server while a request is in
// its handler: the listener closes at once, the request completes, and run
// returns nil.
func TestShutdownDrainsInFlightRequest(t *testing.T) {
	var stderr syncBuffer
	base, stop := serve(t, []string{"-db", filepath.Join(t.TempDir(), "c.db")}, io.Discard, &stderr)
	addr := strings.TrimPrefix(base, "http://")
	f := startInFlight(t, addr, "Ada")

	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	eventually(t, func() bool { return strings.Contains(stderr.String(), "shutting down") }, "no shutdown logged")
	eventually(t, func() bool {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = conn.Close()
		}
		return err != nil
	}, "the listener is still open during the drain")
	select {
	case err := <-stopped:
		t.Fatalf("run returned with a request in flight: %v", err)
	default:
	}

	assert.Equal(t, http.StatusCreated, f.finish(t))
	select {
	case err := <-stopped:
		require.NoError(t, err)
	case <-time.After(bound):
		t.Fatal("run did not return after the in-flight request completed")
	}
	assert.NotContains(t, stderr.String(), "drain timed out")
	assert.Contains(t, stderr.String(), "msg=stopped")
}

// TestShutdownDrainIsBounded stops the server while a client holds a request
// in flight and never finishes it: after -drain its connection is closed and
// run returns nil.
func TestShutdownDrainIsBounded(t *testing.T) {
	var stderr syncBuffer
	base, stop := serve(t, []string{"-db", filepath.Join(t.TempDir(), "c.db"), "-drain", "200ms"}, io.Discard, &stderr)
	f := startInFlight(t, strings.TrimPrefix(base, "http://"), "Ada")
	start := time.Now()
	require.NoError(t, stop())
	took := time.Since(start)
	assert.GreaterOrEqual(t, took, 200*time.Millisecond)
	assert.Less(t, took, bound)
	assert.Contains(t, stderr.String(), "drain timed out")
	assert.True(t, closed(t, f.conn), "the in-flight request's connection is still open")
}
