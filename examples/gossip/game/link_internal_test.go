package game

import (
	"io"
	"log/slog"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
)

func TestClosedDecidesByCloseStatusAndIgnoresOldConnections(t *testing.T) {
	stopped := 0
	l := &link{
		w:        &wiring{cfg: Config{Name: "server-a"}},
		conn:     new(websocket.Conn),
		log:      slog.New(slog.DiscardHandler),
		stopSelf: func() { stopped++ },
	}

	// A report about a connection the link no longer has is ignored.
	assert.NotPanics(t, func() { l.Closed(t.Context(), &connLost{conn: new(websocket.Conn), err: io.EOF}) })
	assert.Zero(t, stopped)

	// A normal closure stops the link.
	l.Closed(t.Context(), &connLost{conn: l.conn, err: websocket.CloseError{Code: websocket.StatusNormalClosure, Reason: "bye"}})
	assert.Equal(t, 1, stopped)

	// Anything else is a fault.
	assert.PanicsWithError(t, "gossip: server-a: connection to relay lost: EOF", func() {
		l.Closed(t.Context(), &connLost{conn: l.conn, err: io.EOF})
	})
	assert.PanicsWithError(t, "gossip: server-a: connection to relay lost: status = StatusPolicyViolation and reason = \"replaced\"", func() {
		l.Closed(t.Context(), &connLost{conn: l.conn, err: websocket.CloseError{Code: websocket.StatusPolicyViolation, Reason: "replaced"}})
	})
	assert.Equal(t, 1, stopped)
}
