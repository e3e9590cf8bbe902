package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var natsURL = regexp.MustCompile(`embedded NATS server on (nats://\S+);`)

// TestProcessesOverNATS runs the front (with its embedded NATS server) and the books as two
// processes: a contact created through the front is kept by the books node, and listed back;
// with the books node gone, the front answers at once instead of waiting for its timeout.
func TestProcessesOverNATS(t *testing.T) {
	bin := buildCommand(t)
	front := startProcess(t, bin, "-role", "front", "-nats-listen", "127.0.0.1:0", "-timeout", "2s")
	m := natsURL.FindStringSubmatch(front.stdout.String())
	require.NotNil(t, m, "the front printed no NATS URL: %s", front.stdout.String())
	books := startProcess(t, bin, "-role", "books", "-nats", m[1])
	base := "http://" + front.addr

	// The books node's link comes up on its keeper's schedule.
	eventually(t, func() bool { return post(t, base, "Ada") == http.StatusCreated }, "no contact created through the front")
	res, err := http.Get(base + "/api/alice/contacts")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	require.NoError(t, res.Body.Close())
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, string(body), "Ada")
	assert.True(t, strings.Contains(books.stdout.String(), "role books"), books.stdout.String())

	books.signal(t, syscall.SIGTERM)
	assert.Equal(t, 0, books.wait(t), "books stderr:\n%s", books.stderr.String())
	start := time.Now()
	status := post(t, base, "Bob")
	assert.Equal(t, http.StatusServiceUnavailable, status, "with the books node gone")
	assert.Less(t, time.Since(start), time.Second, "the front waited for its timeout")

	front.signal(t, syscall.SIGTERM)
	assert.Equal(t, 0, front.wait(t), "front stderr:\n%s", front.stderr.String())
}
