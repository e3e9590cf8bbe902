package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actorgen/actorgen/examples/contacts/contact"
	"github.com/actorgen/actorgen/examples/contacts/store"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func open(t *testing.T, path string) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestCRUDAndOrder(t *testing.T) {
	ctx := t.Context()
	s := open(t, filepath.Join(t.TempDir(), "c.db"))

	mode, err := s.JournalMode(ctx)
	require.NoError(t, err)
	assert.Equal(t, "wal", mode)

	a := contact.Contact{ID: "b-first", Name: "Ada", Email: "ada@example.com"}
	b := contact.Contact{ID: "a-second", Name: "Bob", Phone: "555 0100"}
	require.NoError(t, s.Insert(ctx, "alice", a))
	require.NoError(t, s.Insert(ctx, "alice", b))
	require.NoError(t, s.Insert(ctx, "bob", contact.Contact{ID: "b-first", Name: "Other"}))

	got, err := s.Load(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, []contact.Contact{a, b}, got, "insertion order, not id order")

	require.ErrorIs(t, s.Insert(ctx, "alice", a), store.ErrDuplicate)

	a.Name = "Ada Lovelace"
	require.NoError(t, s.Update(ctx, "alice", a))
	require.NoError(t, s.Delete(ctx, "alice", b.ID))
	got, err = s.Load(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, []contact.Contact{a}, got)

	require.ErrorIs(t, s.Update(ctx, "alice", b), contact.ErrNotFound)
	require.ErrorIs(t, s.Delete(ctx, "alice", b.ID), contact.ErrNotFound)
	require.ErrorIs(t, s.Delete(ctx, "carol", a.ID), contact.ErrNotFound)

	got, err = s.Load(ctx, "nobody")
	require.NoError(t, err)
	assert.Empty(t, got)

	other, err := s.Load(ctx, "bob")
	require.NoError(t, err)
	assert.Equal(t, []contact.Contact{{ID: "b-first", Name: "Other"}}, other, "users are separate")
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "c.db")
	s, err := store.Open(ctx, path)
	require.NoError(t, err)
	want := []contact.Contact{{ID: "1", Name: "Ada"}, {ID: "2", Name: "Bob"}}
	for _, c := range want {
		require.NoError(t, s.Insert(ctx, "alice", c))
	}
	require.NoError(t, s.Close())

	s = open(t, path)
	assert.Equal(t, path, s.Path())
	got, err := s.Load(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestConcurrentWriters(t *testing.T) {
	ctx := t.Context()
	s := open(t, filepath.Join(t.TempDir(), "c.db"))
	const users, each = 8, 10
	var wg sync.WaitGroup
	for u := range users {
		wg.Go(func() {
			for i := range each {
				id := contact.ID(string(rune('a' + i)))
				assert.NoError(t, s.Insert(ctx, string(rune('A'+u)), contact.Contact{ID: id, Name: "n"}))
			}
		})
	}
	wg.Wait()
	for u := range users {
		got, err := s.Load(ctx, string(rune('A'+u)))
		require.NoError(t, err)
		assert.Len(t, got, each)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	_, err := store.Open(ctx, "")
	require.ErrorContains(t, err, "empty database path")
	_, err = store.Open(ctx, filepath.Join(t.TempDir(), "a?b.db"))
	require.ErrorContains(t, err, "may not contain")
	_, err = store.Open(ctx, filepath.Join(t.TempDir(), "missing-dir", "c.db"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing-dir")
}

func TestClosedStoreReportsErrors(t *testing.T) {
	ctx := t.Context()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	require.NoError(t, err)
	require.NoError(t, s.Ping(ctx))
	require.NoError(t, s.Close())
	require.ErrorContains(t, s.Ping(ctx), "store: ping")
	_, err = s.Load(ctx, "alice")
	require.ErrorContains(t, err, "store: load")
	require.ErrorContains(t, s.Insert(ctx, "alice", contact.Contact{ID: "1", Name: "A"}), "store: insert")
	err = s.Update(ctx, "alice", contact.Contact{ID: "1", Name: "A"})
	require.ErrorContains(t, err, "store: update")
	require.NotErrorIs(t, err, contact.ErrNotFound)
	err = s.Delete(ctx, "alice", "1")
	require.ErrorContains(t, err, "store: delete")
	require.NotErrorIs(t, err, contact.ErrNotFound)
}
