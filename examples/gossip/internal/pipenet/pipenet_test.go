package pipenet_test

import (
	"context"
	"io"
	"net"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actorgen/actorgen/examples/gossip/internal/pipenet"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestDialListenCloseListenAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n pipenet.Network
		_, err := n.DialContext(t.Context(), "tcp", "x")
		require.ErrorIs(t, err, syscall.ECONNREFUSED, "no listener yet")

		ln, err := n.Listen()
		require.NoError(t, err)
		_, err = n.Listen()
		assert.EqualError(t, err, "pipenet: listen: address already in use")
		assert.Equal(t, "pipenet", ln.Addr().String())

		go func() {
			c, err := ln.Accept()
			if !assert.NoError(t, err) {
				return
			}
			_, _ = io.Copy(c, c) // echo
			_ = c.Close()
		}()
		c, err := n.DialContext(t.Context(), "tcp", "x")
		require.NoError(t, err)
		_, err = c.Write([]byte("ping"))
		require.NoError(t, err)
		buf := make([]byte, 4)
		_, err = io.ReadFull(c, buf)
		require.NoError(t, err)
		assert.Equal(t, "ping", string(buf))

		require.NoError(t, ln.Close())
		require.NoError(t, ln.Close(), "Close is idempotent")
		_, err = ln.Accept()
		require.ErrorIs(t, err, net.ErrClosed)
		_, err = n.DialContext(t.Context(), "tcp", "x")
		require.ErrorIs(t, err, pipenet.ErrRefused)

		// A connection made before Close stays open.
		_, err = c.Write([]byte("pong"))
		require.NoError(t, err)
		_, err = io.ReadFull(c, buf)
		require.NoError(t, err)
		require.NoError(t, c.Close())

		ln2, err := n.Listen()
		require.NoError(t, err)
		defer ln2.Close()
		require.NoError(t, ln.Close(), "closing the old listener leaves the new one open")
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err = n.DialContext(ctx, "tcp", "x")
		require.ErrorIs(t, err, context.DeadlineExceeded, "nobody accepts: the dial waits for ctx")
	})
}
