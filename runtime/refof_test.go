package runtime

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestActorOf(t *testing.T) {
	sys := NewSystem()
	defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
	a, err := Spawn(sys, "a", func(*Context) int { return 0 }, func(_ context.Context, ac *Context, _ int, msg string) {
		Reply(ac, msg+"!")
	})
	require.NoError(t, err)

	got, ok := ActorOf[string](a.Ref())
	require.True(t, ok)
	assert.Equal(t, a, got, "the same handle")
	rep, err := Ask[string, string](context.Background(), got, "hi")
	require.NoError(t, err)
	assert.Equal(t, "hi!", rep)

	_, ok = ActorOf[int](a.Ref())
	assert.False(t, ok, "another message type")
	_, ok = ActorOf[any](a.Ref())
	assert.False(t, ok, "exactly M, not a type M is assignable to")
	_, ok = ActorOf[string](Ref{})
	assert.False(t, ok, "the zero Ref")
}
