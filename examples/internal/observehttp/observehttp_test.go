package observehttp

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/actorgen/actorgen/runtime"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestAddr(t *testing.T) {
	assert.Equal(t, "127.0.0.1:8081", Addr(":8081"))
	assert.Equal(t, "127.0.0.1:8081", Addr("localhost:8081"))
	assert.Equal(t, "0.0.0.0:8081", Addr("0.0.0.0:8081"))
	assert.Equal(t, "[::1]:1", Addr("[::1]:1"))
	assert.Equal(t, "nonsense", Addr("nonsense"))
}

// The view is served on loopback, and Close ends it with its event streams.
func TestStartAndClose(t *testing.T) {
	sys := runtime.NewSystem(runtime.WithLogger(slog.New(slog.DiscardHandler)))
	defer sys.Shutdown(context.Background())
	s, err := Start(":0", sys, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/$`, s.URL)
	resp, err := http.Get(s.URL)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), "actorgen observer")
	events, err := http.Get(s.URL + "events")
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = io.Copy(io.Discard, events.Body)
	events.Body.Close()
	require.NoError(t, err)
}
