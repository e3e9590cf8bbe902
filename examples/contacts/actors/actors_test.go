package actors_test

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actorgen/actorgen/runtime"

	"github.com/actorgen/actorgen/examples/contacts/actors"
	"github.com/actorgen/actorgen/examples/contacts/contact"
	"github.com/actorgen/actorgen/examples/contacts/store"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// faultyStore wraps the real store and panics on inserts of a contact named
// "boom", so a test can make a book fault on demand.
type faultyStore struct {
	*store.Store
	mu        sync.Mutex
	loads     map[string]int
	failLoads int // the next failLoads loads fail
}

func (s *faultyStore) Load(ctx context.Context, user string) ([]contact.Contact, error) {
	s.mu.Lock()
	s.loads[user]++
	fail := s.failLoads > 0
	if fail {
		s.failLoads--
	}
	s.mu.Unlock()
	if fail {
		return nil, errors.New("disk unavailable")
	}
	return s.Store.Load(ctx, user)
}

func (s *faultyStore) FailLoads(n int) {
	s.mu.Lock()
	s.failLoads = n
	s.mu.Unlock()
}

func (s *faultyStore) Insert(ctx context.Context, user string, c contact.Contact) error {
	if c.Name == "boom" {
		panic(errors.New("boom requested"))
	}
	return s.Store.Insert(ctx, user, c)
}

func (s *faultyStore) Loads(user string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loads[user]
}

type env struct {
	sys   *runtime.System
	store *faultyStore
	dir   actors.DirectoryRef
}

// newEnv starts a system with a directory over a fresh database; everything
// is shut down in t.Cleanup.
func newEnv(t *testing.T, cfg actors.Config) *env {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "contacts.db"))
	require.NoError(t, err)
	fs := &faultyStore{Store: st, loads: map[string]int{}}
	sys := runtime.NewSystem(runtime.WithLogger(slog.New(slog.DiscardHandler)))
	t.Cleanup(func() {
		assert.NoError(t, sys.Shutdown(context.Background()))
		assert.NoError(t, st.Close())
	})
	cfg.Store = fs
	dir, err := actors.StartDirectory(sys, "contacts", cfg)
	require.NoError(t, err)
	return &env{sys: sys, store: fs, dir: dir}
}

func TestBookCRUD(t *testing.T) {
	ctx := t.Context()
	n := 0
	e := newEnv(t, actors.Config{NewID: func() contact.ID { n++; return contact.ID(rune('0' + n)) }})
	b, err := e.dir.Book(ctx, "alice")
	require.NoError(t, err)

	ada, err := b.Create(ctx, contact.Contact{Name: "Ada", Email: "ada@example.com"})
	require.NoError(t, err)
	assert.Equal(t, contact.Contact{ID: "1", Name: "Ada", Email: "ada@example.com"}, ada)
	bob, err := b.Create(ctx, contact.Contact{Name: "Bob"})
	require.NoError(t, err)

	got, err := b.Get(ctx, ada.ID)
	require.NoError(t, err)
	assert.Equal(t, ada, got)

	phone := "555 0100"
	ada2, err := b.Update(ctx, ada.ID, contact.Patch{Phone: &phone})
	require.NoError(t, err)
	assert.Equal(t, phone, ada2.Phone)

	list, err := b.List(ctx)
	require.NoError(t, err)
	assert.Equal(t, []contact.Contact{ada2, bob}, list)

	require.NoError(t, b.Delete(ctx, bob.ID))
	_, err = b.Get(ctx, bob.ID)
	require.ErrorIs(t, err, contact.ErrNotFound)
	require.ErrorIs(t, b.Delete(ctx, bob.ID), contact.ErrNotFound)
	_, err = b.Update(ctx, bob.ID, contact.Patch{Phone: &phone})
	require.ErrorIs(t, err, contact.ErrNotFound)

	var ve *contact.ValidationError
	_, err = b.Create(ctx, contact.Contact{Name: "Eve", Email: "nope"})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "email", ve.Field)
	_, err = b.Create(ctx, contact.Contact{ID: "x", Name: "Eve"})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "id", ve.Field)
	empty := ""
	_, err = b.Update(ctx, ada.ID, contact.Patch{Name: &empty})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "name", ve.Field)

	// Every change is in the store.
	stored, err := e.store.Store.Load(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, []contact.Contact{ada2}, stored)

	// A colliding id is refused, not overwritten.
	n = 0
	_, err = b.Create(ctx, contact.Contact{Name: "Dup"})
	require.ErrorContains(t, err, "already in use")
}

func TestDirectoryHandsOutOneBookPerUser(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, actors.Config{})
	a1, err := e.dir.Book(ctx, "alice")
	require.NoError(t, err)
	a2, err := e.dir.Book(ctx, "alice")
	require.NoError(t, err)
	b, err := e.dir.Book(ctx, "bob")
	require.NoError(t, err)

	ref := func(b actors.Book) runtime.Ref { return b.(actors.BookRef).Ref() }
	assert.Equal(t, ref(a1), ref(a2))
	assert.True(t, ref(a1) != ref(b), "compared with !=: reflect.DeepEqual would read running actors' fields")
	assert.Equal(t, "/contacts/alice", ref(a1).Path(), "books are children of the directory")

	_, err = a1.Create(ctx, contact.Contact{Name: "Ada"})
	require.NoError(t, err)
	list, err := b.List(ctx)
	require.NoError(t, err)
	assert.Empty(t, list, "books are separate")

	var ve *contact.ValidationError
	_, err = e.dir.Book(ctx, "no/slash")
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "user", ve.Field)
}

func TestStartDirectoryRejectsBadConfig(t *testing.T) {
	sys := runtime.NewSystem(runtime.WithLogger(slog.New(slog.DiscardHandler)))
	defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
	_, err := actors.StartDirectory(sys, "d", actors.Config{})
	require.ErrorContains(t, err, "Config.Store is nil")
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "c.db"))
	require.NoError(t, err)
	defer func() { require.NoError(t, st.Close()) }()
	_, err = actors.StartDirectory(sys, "d", actors.Config{Store: st, IdleStop: -time.Second})
	require.ErrorContains(t, err, "Config.IdleStop is negative")
	_, err = actors.StartDirectory(sys, "a/b", actors.Config{Store: st})
	require.Error(t, err, "the runtime rejects a bad name")
}

// TestResetRebuildsFromStoreWithBackoff checks the Book directive: a fault
// resets the book after 100ms·2^k (+ up to 20%), the new state is loaded from
// the store, and 3s without a fault start the backoff again.
func TestResetRebuildsFromStoreWithBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, actors.Config{})
		b, err := e.dir.Book(ctx, "alice")
		require.NoError(t, err)
		ada, err := b.Create(ctx, contact.Contact{Name: "Ada"})
		require.NoError(t, err)
		require.Equal(t, 1, e.store.Loads("alice"))

		fault := func() {
			t.Helper()
			_, err := b.Create(ctx, contact.Contact{Name: "boom"})
			require.ErrorIs(t, err, runtime.ErrFault)
			require.ErrorContains(t, err, "boom requested")
		}
		// waitReset returns how long the next ask waited for the book to come back.
		waitReset := func() time.Duration {
			t.Helper()
			start := time.Now()
			list, err := b.List(ctx)
			require.NoError(t, err)
			assert.Equal(t, []contact.Contact{ada}, list, "state rebuilt from the store")
			return time.Since(start)
		}

		fault()
		d := waitReset()
		assert.GreaterOrEqual(t, d, 100*time.Millisecond)
		assert.LessOrEqual(t, d, 120*time.Millisecond)
		assert.Equal(t, 2, e.store.Loads("alice"))

		fault() // the second fault in a row waits twice as long
		d = waitReset()
		assert.GreaterOrEqual(t, d, 200*time.Millisecond)
		assert.LessOrEqual(t, d, 240*time.Millisecond)

		for range 6 { // capped at 5s
			fault()
			waitReset()
		}
		fault()
		d = waitReset()
		assert.GreaterOrEqual(t, d, 5*time.Second)
		assert.LessOrEqual(t, d, 6*time.Second)

		time.Sleep(3 * time.Second) // quiet for reset-after: the count starts again
		fault()
		d = waitReset()
		assert.LessOrEqual(t, d, 120*time.Millisecond)
		assert.Equal(t, 11, e.store.Loads("alice"))
	})
}

// TestIdleStopAndRevival: an idle book stops normally; the directory starts a
// new one, loaded from the store, on the next request.
func TestIdleStopAndRevival(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, actors.Config{IdleStop: time.Minute})
		b, err := e.dir.Book(ctx, "alice")
		require.NoError(t, err)
		ada, err := b.Create(ctx, contact.Contact{Name: "Ada"})
		require.NoError(t, err)
		old := b.(actors.BookRef).Ref()

		time.Sleep(59 * time.Second)
		synctest.Wait()
		select {
		case <-old.Done():
			t.Fatal("stopped before its idle period")
		default:
		}
		_, err = b.List(ctx) // a message restarts the idle period
		require.NoError(t, err)
		time.Sleep(59 * time.Second)
		synctest.Wait()
		require.NoError(t, old.Err())

		time.Sleep(2 * time.Second)
		synctest.Wait()
		<-old.Done()
		require.ErrorIs(t, old.Err(), runtime.ErrStopped)
		require.NotErrorIs(t, old.Err(), runtime.ErrFault)
		_, err = b.List(ctx)
		require.ErrorIs(t, err, runtime.ErrStopped, "the old handle is dead")

		b2, err := e.dir.Book(ctx, "alice")
		require.NoError(t, err)
		assert.NotEqual(t, old, b2.(actors.BookRef).Ref())
		list, err := b2.List(ctx)
		require.NoError(t, err)
		assert.Equal(t, []contact.Contact{ada}, list)
		assert.Equal(t, 2, e.store.Loads("alice"))
	})
}

func TestChaos(t *testing.T) {
	_, err := actors.NewChaos(1.5, rand.NewPCG(1, 2))
	require.ErrorContains(t, err, "must be between 0 and 1")
	_, err = actors.NewChaos(-0.1, rand.NewPCG(1, 2))
	require.Error(t, err)
	_, err = actors.NewChaos(0.5, nil)
	require.ErrorContains(t, err, "nil random source")

	var none *actors.Chaos
	assert.NotPanics(t, func() { none.Maybe("x") })
	assert.Zero(t, none.Probability())

	always, err := actors.NewChaos(1, rand.NewPCG(1, 2))
	require.NoError(t, err)
	assert.PanicsWithError(t, "Book.Get: chaos: injected fault", func() { always.Maybe("Book.Get") })

	half, err := actors.NewChaos(0.25, rand.NewPCG(7, 7))
	require.NoError(t, err)
	assert.Equal(t, 0.25, half.Probability())
	hits := 0
	for range 4000 {
		func() {
			defer func() {
				if r := recover(); r != nil {
					require.ErrorIs(t, r.(error), actors.ErrChaos)
					hits++
				}
			}()
			half.Maybe("x")
		}()
	}
	assert.InDelta(t, 1000, hits, 100, "a seeded source gives about p·n hits")
}

// TestChaosRepeatsWithItsSeed: the same seed strikes the same calls, which is
// what makes -chaos-seed runs repeatable.
func TestChaosRepeatsWithItsSeed(t *testing.T) {
	pattern := func(seed uint64) []bool {
		c, err := actors.NewChaos(0.3, rand.NewPCG(seed, seed))
		require.NoError(t, err)
		hits := make([]bool, 64)
		for i := range hits {
			func() {
				defer func() { hits[i] = recover() != nil }()
				c.Maybe("x")
			}()
		}
		return hits
	}
	assert.Equal(t, pattern(7), pattern(7))
	assert.NotEqual(t, pattern(7), pattern(8))
	assert.Contains(t, pattern(7), true)
	assert.Contains(t, pattern(7), false)
}

// TestChaosFaultsResetBooks: with chaos at 1 every book call faults, cleanly.
func TestChaosFaultsResetBooks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		chaos, err := actors.NewChaos(1, rand.NewPCG(1, 1))
		require.NoError(t, err)
		e := newEnv(t, actors.Config{Chaos: chaos})
		b, err := e.dir.Book(ctx, "alice")
		require.NoError(t, err)
		_, err = b.Create(ctx, contact.Contact{Name: "Ada"})
		require.ErrorIs(t, err, runtime.ErrFault)
		require.ErrorIs(t, err, actors.ErrChaos)
		_, err = b.List(ctx)
		require.ErrorIs(t, err, runtime.ErrFault)
		list, err := e.store.Store.Load(ctx, "alice")
		require.NoError(t, err)
		assert.Empty(t, list, "chaos strikes before the write")
	})
}

func TestLoadBook(t *testing.T) {
	_, err := actors.LoadBook(t.Context(), "alice", actors.Config{})
	require.ErrorContains(t, err, "Config.Store is nil")

	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "c.db"))
	require.NoError(t, err)
	require.NoError(t, st.Insert(t.Context(), "alice", contact.Contact{ID: "1", Name: "Ada"}))
	b, err := actors.LoadBook(t.Context(), "alice", actors.Config{Store: st})
	require.NoError(t, err)
	list, err := b.List(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []contact.Contact{{ID: "1", Name: "Ada"}}, list)

	require.NoError(t, st.Close())
	_, err = actors.LoadBook(t.Context(), "alice", actors.Config{Store: st})
	require.ErrorContains(t, err, `book "alice": load contacts`)
}

var errDisk = errors.New("disk full")

// readOnlyStore loads its contacts and fails every write with errDisk.
type readOnlyStore struct{ list []contact.Contact }

func (s readOnlyStore) Load(context.Context, string) ([]contact.Contact, error) {
	return s.list, nil
}
func (readOnlyStore) Insert(context.Context, string, contact.Contact) error { return errDisk }
func (readOnlyStore) Update(context.Context, string, contact.Contact) error { return errDisk }
func (readOnlyStore) Delete(context.Context, string, contact.ID) error      { return errDisk }

// TestFailedWriteLeavesBookUnchanged: a book changes its state only after
// its write to the store succeeded, and reports the store's error.
func TestFailedWriteLeavesBookUnchanged(t *testing.T) {
	ctx := t.Context()
	ada := contact.Contact{ID: "1", Name: "Ada"}
	b, err := actors.LoadBook(ctx, "alice", actors.Config{Store: readOnlyStore{list: []contact.Contact{ada}}})
	require.NoError(t, err)

	_, err = b.Create(ctx, contact.Contact{Name: "Bob"})
	require.ErrorIs(t, err, errDisk)
	require.ErrorContains(t, err, `book "alice": create`)
	name := "Ada Lovelace"
	_, err = b.Update(ctx, ada.ID, contact.Patch{Name: &name})
	require.ErrorIs(t, err, errDisk)
	require.ErrorContains(t, err, `book "alice": update`)
	err = b.Delete(ctx, ada.ID)
	require.ErrorIs(t, err, errDisk)
	require.ErrorContains(t, err, `book "alice": delete`)

	list, err := b.List(ctx)
	require.NoError(t, err)
	assert.Equal(t, []contact.Contact{ada}, list)
}

// TestLoadFailureIsRetried: a store that cannot be read makes the factory
// fault; the book is reset after the backoff and loads again.
func TestLoadFailureIsRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, actors.Config{})
		require.NoError(t, e.store.Store.Insert(ctx, "alice", contact.Contact{ID: "1", Name: "Ada"}))
		e.store.FailLoads(2)
		start := time.Now()
		b, err := e.dir.Book(ctx, "alice")
		require.NoError(t, err, "the book exists; its policy handles the fault")
		list, err := b.List(ctx)
		require.NoError(t, err)
		assert.Equal(t, []contact.Contact{{ID: "1", Name: "Ada"}}, list)
		assert.Equal(t, 3, e.store.Loads("alice"))
		d := time.Since(start)
		assert.GreaterOrEqual(t, d, 300*time.Millisecond, "100ms then 200ms of backoff")
		assert.LessOrEqual(t, d, 360*time.Millisecond)
	})
}

// TestMailboxFullWhileResetting: requests queue while a book waits out its
// backoff; past the mailbox's 256 they fail at once with ErrMailboxFull.
func TestMailboxFullWhileResetting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t, actors.Config{})
		b, err := e.dir.Book(ctx, "alice")
		require.NoError(t, err)
		_, err = b.Create(ctx, contact.Contact{Name: "boom"})
		require.ErrorIs(t, err, runtime.ErrFault)

		var wg sync.WaitGroup
		for range 256 {
			wg.Go(func() {
				_, err := b.List(ctx)
				assert.NoError(t, err, "queued requests are handled after the reset")
			})
		}
		synctest.Wait() // all 256 are queued behind the 100ms backoff
		_, err = b.List(ctx)
		require.ErrorIs(t, err, runtime.ErrMailboxFull)
		wg.Wait()
		_, err = b.List(ctx)
		require.NoError(t, err)
	})
}
