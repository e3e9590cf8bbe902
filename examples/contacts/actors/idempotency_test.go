package actors_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorgen/actorgen/runtime"

	"github.com/actorgen/actorgen/examples/contacts/actors"
	"github.com/actorgen/actorgen/examples/contacts/contact"
	"github.com/actorgen/actorgen/examples/contacts/store"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "contacts.db"))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, st.Close()) })
	return st
}

func TestKeyedCreate(t *testing.T) {
	ctx := t.Context()
	st := openStore(t)
	b, err := actors.LoadBook(ctx, "alice", actors.Config{Store: st})
	require.NoError(t, err)
	stored := func() []contact.Contact {
		t.Helper()
		list, err := st.Load(ctx, "alice")
		require.NoError(t, err)
		return list
	}

	ada, err := b.Create(ctx, contact.Contact{Name: "Ada", Email: "ada@example.com", IdempotencyKey: "k1"})
	require.NoError(t, err)
	assert.Len(t, ada.ID, 40, "a keyed id")
	assert.Empty(t, ada.IdempotencyKey, "the key is not part of the contact")
	assert.Equal(t, []contact.Contact{ada}, stored())

	again, err := b.Create(ctx, contact.Contact{Name: "Ada", Email: "ada@example.com", IdempotencyKey: "k1"})
	require.NoError(t, err)
	assert.Equal(t, ada, again, "the same key and fields: the same contact")
	assert.Equal(t, []contact.Contact{ada}, stored(), "and no second one")

	for _, c := range []contact.Contact{
		{Name: "Ada", IdempotencyKey: "k1"},
		{Name: "Ada", Email: "ada@example.com", Phone: "555 0100", IdempotencyKey: "k1"},
		{Name: "Bob", Email: "ada@example.com", IdempotencyKey: "k1"},
	} {
		_, err = b.Create(ctx, c)
		require.ErrorIs(t, err, contact.ErrKeyReused, "%+v", c)
	}
	_, err = b.Create(ctx, contact.Contact{Name: "Ada", IdempotencyKey: "bad key"})
	var ve *contact.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, contact.KeyField, ve.Field)
	assert.Equal(t, []contact.Contact{ada}, stored())

	other, err := b.Create(ctx, contact.Contact{Name: "Ada", Email: "ada@example.com", IdempotencyKey: "k2"})
	require.NoError(t, err)
	assert.NotEqual(t, ada.ID, other.ID, "another key, another contact")
	bobs, err := actors.LoadBook(ctx, "bob", actors.Config{Store: st})
	require.NoError(t, err)
	bobsAda, err := bobs.Create(ctx, contact.Contact{Name: "Ada", Email: "ada@example.com", IdempotencyKey: "k1"})
	require.NoError(t, err)
	assert.NotEqual(t, ada.ID, bobsAda.ID, "keys are per book")

	// An update keeps the key bound: the replay answers the contact as it is now.
	phone := "555 0100"
	ada, err = b.Update(ctx, ada.ID, contact.Patch{Phone: &phone})
	require.NoError(t, err)
	again, err = b.Create(ctx, contact.Contact{Name: "Ada", Email: "ada@example.com", IdempotencyKey: "k1"})
	require.NoError(t, err)
	assert.Equal(t, ada, again)

	// A fresh book on the same store (a restart) knows the keys.
	b2, err := actors.LoadBook(ctx, "alice", actors.Config{Store: st})
	require.NoError(t, err)
	again, err = b2.Create(ctx, contact.Contact{Name: "Ada", Email: "ada@example.com", IdempotencyKey: "k1"})
	require.NoError(t, err)
	assert.Equal(t, ada, again)
	_, err = b2.Create(ctx, contact.Contact{Name: "Eve", IdempotencyKey: "k1"})
	require.ErrorIs(t, err, contact.ErrKeyReused)
	assert.Equal(t, []contact.Contact{ada, other}, stored())

	// Deleting the contact frees its key.
	require.NoError(t, b2.Delete(ctx, ada.ID))
	eve, err := b2.Create(ctx, contact.Contact{Name: "Eve", IdempotencyKey: "k1"})
	require.NoError(t, err)
	assert.Equal(t, []contact.Contact{other, eve}, stored())
}

// crashAfterWrite panics after inserting a contact named crash, once: the
// worst moment for a fault, the store changed and the book's state not.
type crashAfterWrite struct {
	*store.Store
	crash string
	mu    sync.Mutex
	done  bool
}

func (s *crashAfterWrite) Insert(ctx context.Context, user string, c contact.Contact) error {
	if err := s.Store.Insert(ctx, user, c); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Name == s.crash && !s.done {
		s.done = true
		panic(errors.New("crash after the write"))
	}
	return nil
}

// TestKeyedCreateSurvivesReset: a book that faults after its write is reset
// from the store, and the retried create finds the contact by its key. Without
// a key the same retry makes a second contact.
func TestKeyedCreateSurvivesReset(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want int // contacts after the retry
	}{{"k1", 1}, {"", 2}} {
		t.Run("key="+tc.key, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				st := &crashAfterWrite{Store: openStore(t), crash: "Ada"}
				sys := runtime.NewSystem(runtime.WithLogger(slog.New(slog.DiscardHandler)))
				t.Cleanup(func() { assert.NoError(t, sys.Shutdown(context.Background())) })
				dir, err := actors.StartDirectory(sys, "contacts", actors.Config{Store: st})
				require.NoError(t, err)
				b, err := dir.Book(ctx, "alice")
				require.NoError(t, err)

				c := contact.Contact{Name: "Ada", IdempotencyKey: tc.key}
				_, err = b.Create(ctx, c)
				require.ErrorIs(t, err, runtime.ErrFault)
				got, err := b.Create(ctx, c) // waits for the reset
				require.NoError(t, err)

				list, err := st.Load(ctx, "alice")
				require.NoError(t, err)
				require.Len(t, list, tc.want)
				assert.Equal(t, got, list[len(list)-1])
				if tc.key != "" {
					assert.Len(t, got.ID, 40)
				}
			})
		})
	}
}
