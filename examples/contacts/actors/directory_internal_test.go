package actors

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorgen/actorgen/runtime"
)

func TestPruneForgetsStoppedBooks(t *testing.T) {
	sys := runtime.NewSystem(runtime.WithLogger(slog.New(slog.DiscardHandler)))
	defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
	live, err := SpawnBook(sys, "live", func(*runtime.Context) Book { return &book{} })
	require.NoError(t, err)

	d := &directory{books: map[string]BookRef{"live": live}, pruneAt: minPrune}
	for i := range minPrune {
		d.books[string(rune('A'+i))] = BookRef{} // the zero handle is a stopped actor
	}
	d.prune()
	assert.Equal(t, map[string]BookRef{"live": live}, d.books)
	assert.Equal(t, minPrune, d.pruneAt)

	d.pruneAt = 100
	d.books["x"] = BookRef{}
	d.prune()
	assert.Len(t, d.books, 2, "nothing is pruned below the threshold")
}
