package mutexbook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actorgen/actorgen/examples/contacts/actors"
	"github.com/actorgen/actorgen/examples/contacts/api"
	"github.com/actorgen/actorgen/examples/contacts/contact"
	"github.com/actorgen/actorgen/examples/contacts/mutexbook"
	"github.com/actorgen/actorgen/examples/contacts/store"
)

func open(t *testing.T) *mutexbook.Directory {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "c.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	d, err := mutexbook.New(actors.Config{Store: st})
	require.NoError(t, err)
	return d
}

func TestBookCRUD(t *testing.T) {
	ctx := t.Context()
	d := open(t)
	b, err := d.Book(ctx, "alice")
	require.NoError(t, err)
	again, err := d.Book(ctx, "alice")
	require.NoError(t, err)
	assert.Same(t, b, again, "one book per user")

	c, err := b.Create(ctx, contact.Contact{Name: "Ada"})
	require.NoError(t, err)
	name := "Ada Lovelace"
	c, err = b.Update(ctx, c.ID, contact.Patch{Name: &name})
	require.NoError(t, err)
	got, err := b.Get(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, c, got)
	list, err := b.List(ctx)
	require.NoError(t, err)
	assert.Equal(t, []contact.Contact{c}, list)
	require.NoError(t, b.Delete(ctx, c.ID))
	_, err = b.Get(ctx, c.ID)
	require.ErrorIs(t, err, contact.ErrNotFound)

	_, err = d.Book(ctx, "no/slash")
	var ve *contact.ValidationError
	require.ErrorAs(t, err, &ve)
	_, err = mutexbook.New(actors.Config{})
	require.ErrorContains(t, err, "Config.Store is nil")
}

// TestServesTheAPI runs concurrent creates through the API over the mutex
// books: each lands once.
func TestServesTheAPI(t *testing.T) {
	d := open(t)
	h, err := api.New(api.Config{Directory: d})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			res, err := http.Post(srv.URL+"/api/alice/contacts", "application/json", strings.NewReader(`{"name":"Ada"}`))
			if assert.NoError(t, err) {
				assert.Equal(t, http.StatusCreated, res.StatusCode)
				_ = res.Body.Close()
			}
		})
	}
	wg.Wait()
	http.DefaultClient.CloseIdleConnections()
	b, err := d.Book(context.Background(), "alice")
	require.NoError(t, err)
	list, err := b.List(context.Background())
	require.NoError(t, err)
	assert.Len(t, list, 20)
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
