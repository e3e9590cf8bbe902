package service

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadinessNamesTheStore closes the store under a running service.
func TestReadinessNamesTheStore(t *testing.T) {
	svc, err := Open(t.Context(), Config{DBPath: filepath.Join(t.TempDir(), "c.db"), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer func() { _ = svc.sys.Shutdown(context.Background()) }()
	require.NoError(t, svc.store.Close())

	rec := httptest.NewRecorder()
	svc.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	var h health
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &h))
	assert.Equal(t, "not ready", h.Status)
	assert.Contains(t, h.Store, "store: ping")
	assert.Equal(t, "ok", h.Actors)
}
