package relay_test

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actorgen/actorgen/examples/gossip/internal/pipenet"
	"github.com/actorgen/actorgen/examples/gossip/internal/testcert"
	"github.com/actorgen/actorgen/examples/gossip/relay"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// keyOf is the test key of the server called name.
func keyOf(name string) []byte { return []byte("key of " + name + " ....") }

// testKeys returns the keys of every server the tests connect.
func testKeys() map[string][]byte {
	m := map[string][]byte{}
	for _, n := range []string{"server-a", "server-b", "server-w", "slow", "fast"} {
		m[n] = keyOf(n)
	}
	return m
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func startRelay(t *testing.T, addr string) *relay.Server {
	t.Helper()
	s, err := relay.Listen(addr, relay.Config{Keys: testKeys(), Logger: quiet()})
	require.NoError(t, err)
	t.Cleanup(s.Kill)
	return s
}

func dial(t *testing.T, url string, client *http.Client) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: client})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.CloseNow() })
	return c
}

func send(t *testing.T, c *websocket.Conn, f relay.Frame) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	require.NoError(t, wsjson.Write(ctx, c, f))
}

func recv(t *testing.T, c *websocket.Conn) relay.Frame {
	t.Helper()
	f, err := tryRecv(t, c)
	require.NoError(t, err)
	return f
}

func tryRecv(t *testing.T, c *websocket.Conn) (relay.Frame, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	var f relay.Frame
	err := wsjson.Read(ctx, c, &f)
	return f, err
}

// join connects as name and returns the conn and the welcome.
func join(t *testing.T, url, name string) (*websocket.Conn, relay.Frame) {
	t.Helper()
	return joinVia(t, nil, url, name)
}

// joinVia is join with client (nil for the default client).
func joinVia(t *testing.T, client *http.Client, url, name string) (*websocket.Conn, relay.Frame) {
	t.Helper()
	c := dial(t, url, client)
	ch := recv(t, c)
	require.Equal(t, relay.TypeChallenge, ch.Type, "challenge: %+v", ch)
	send(t, c, relay.Frame{Type: relay.TypeHello, Name: name, Proof: relay.Proof(keyOf(name), name, ch.Nonce)})
	w := recv(t, c)
	require.Equal(t, relay.TypeWelcome, w.Type, "welcome: %+v", w)
	return c, w
}

func TestHelloWelcomeBroadcastWho(t *testing.T) {
	s := startRelay(t, "127.0.0.1:0")
	a, wa := join(t, s.URL(), "server-a")
	assert.Equal(t, relay.Frame{Type: relay.TypeWelcome, Name: "server-a", Names: []string{"server-a"}}, wa)

	b, wb := join(t, s.URL(), "server-b")
	assert.Equal(t, []string{"server-a", "server-b"}, wb.Names)
	assert.Equal(t, relay.Frame{Type: relay.TypeJoined, Name: "server-b"}, recv(t, a))

	send(t, a, relay.Frame{Type: relay.TypeBroadcast, ID: 7, Channel: "gossip", Text: "hello b"})
	assert.Equal(t, relay.Frame{Type: relay.TypeOK, ID: 7}, recv(t, a))
	assert.Equal(t, relay.Frame{Type: relay.TypeMessage, From: "server-a", Channel: "gossip", Text: "hello b"}, recv(t, b))

	send(t, b, relay.Frame{Type: relay.TypeWho, ID: 8})
	assert.Equal(t, relay.Frame{Type: relay.TypeOnline, ID: 8, Names: []string{"server-a", "server-b"}}, recv(t, b))
	assert.Equal(t, []string{"server-a", "server-b"}, s.Hub().Online())
	assert.Equal(t, 2, s.Hub().Conns())

	// The sender never gets its own broadcast back: the next frame a sees is
	// the answer to its who.
	send(t, a, relay.Frame{Type: relay.TypeWho, ID: 9})
	assert.Equal(t, relay.TypeOnline, recv(t, a).Type)

	require.NoError(t, b.Close(websocket.StatusNormalClosure, "bye"))
	assert.Equal(t, relay.Frame{Type: relay.TypeLeft, Name: "server-b"}, recv(t, a))
	send(t, a, relay.Frame{Type: relay.TypeWho, ID: 10})
	assert.Equal(t, []string{"server-a"}, recv(t, a).Names)
}

func TestBadRequestsGetAnErrorFrame(t *testing.T) {
	s := startRelay(t, "127.0.0.1:0")
	a, _ := join(t, s.URL(), "server-a")

	send(t, a, relay.Frame{Type: "shout", ID: 3})
	f := recv(t, a)
	assert.Equal(t, relay.TypeError, f.Type)
	assert.Equal(t, uint64(3), f.ID)
	assert.Contains(t, f.Error, `unknown frame type "shout"`)

	send(t, a, relay.Frame{Type: relay.TypeBroadcast, ID: 4, Channel: "no spaces", Text: "x"})
	f = recv(t, a)
	assert.Equal(t, relay.TypeError, f.Type)
	assert.Equal(t, uint64(4), f.ID)
	assert.Contains(t, f.Error, `channel "no spaces" has a bad character ' ' at byte 2`)
}

// TestTextLimit: a broadcast of MaxText bytes is passed on, even when JSON
// escapes every byte; a longer one gets an error frame and the connection
// stays up.
func TestTextLimit(t *testing.T) {
	s := startRelay(t, "127.0.0.1:0")
	a, _ := join(t, s.URL(), "server-a")
	b, _ := join(t, s.URL(), "server-b")
	assert.Equal(t, relay.TypeJoined, recv(t, a).Type)
	b.SetReadLimit(relay.MaxFrame)

	for id, text := range []string{strings.Repeat("x", relay.MaxText), strings.Repeat("\x01", relay.MaxText)} {
		send(t, a, relay.Frame{Type: relay.TypeBroadcast, ID: uint64(id + 1), Channel: "c", Text: text})
		assert.Equal(t, relay.Frame{Type: relay.TypeOK, ID: uint64(id + 1)}, recv(t, a))
		assert.Len(t, recv(t, b).Text, relay.MaxText)
	}

	send(t, a, relay.Frame{Type: relay.TypeBroadcast, ID: 3, Channel: "c", Text: strings.Repeat("x", relay.MaxText+1)})
	assert.Equal(t, relay.Frame{Type: relay.TypeError, ID: 3, Error: "relay: broadcast text is 32769 bytes, over the limit of 32768"}, recv(t, a))
	send(t, a, relay.Frame{Type: relay.TypeWho, ID: 4})
	assert.Equal(t, relay.Frame{Type: relay.TypeOnline, ID: 4, Names: []string{"server-a", "server-b"}}, recv(t, a))
}

// refused dials, sends the frame first makes of the relay's nonce, and
// returns the close error the relay answers with.
func refused(t *testing.T, url string, first func(nonce string) relay.Frame) error {
	t.Helper()
	c := dial(t, url, nil)
	ch := recv(t, c)
	require.Equal(t, relay.TypeChallenge, ch.Type)
	require.Len(t, ch.Nonce, 26, "128 random bits (crypto/rand.Text)")
	send(t, c, first(ch.Nonce))
	_, err := tryRecv(t, c)
	require.Error(t, err)
	return err
}

// hello returns a hello of name with a proof made with key.
func hello(name string, key []byte) func(nonce string) relay.Frame {
	return func(nonce string) relay.Frame {
		return relay.Frame{Type: relay.TypeHello, Name: name, Proof: relay.Proof(key, name, nonce)}
	}
}

func TestHelloRefusedWithPolicyViolation(t *testing.T) {
	s := startRelay(t, "127.0.0.1:0")
	// A proof recorded from one connection, to replay on another.
	var recorded string
	refused(t, s.URL(), func(nonce string) relay.Frame {
		recorded = relay.Proof(keyOf("server-a"), "server-a", nonce)
		return relay.Frame{Type: relay.TypeWho}
	})
	const badCredentials = "relay: bad credentials for server-a (unknown server or wrong key)"
	for _, tc := range []struct {
		name   string
		first  func(nonce string) relay.Frame
		reason string
	}{
		{"wrong key", hello("server-a", []byte("a guess, sixteen bytes or more")), badCredentials},
		// server-b holds its own key and tries to pass for server-a.
		{"impersonation", hello("server-a", keyOf("server-b")), badCredentials},
		{"proof for another name", func(nonce string) relay.Frame {
			return relay.Frame{Type: relay.TypeHello, Name: "server-a", Proof: relay.Proof(keyOf("server-a"), "server-b", nonce)}
		}, badCredentials},
		{"replayed proof", func(string) relay.Frame {
			return relay.Frame{Type: relay.TypeHello, Name: "server-a", Proof: recorded}
		}, badCredentials},
		{"no proof", func(string) relay.Frame { return relay.Frame{Type: relay.TypeHello, Name: "server-a"} }, badCredentials},
		{"proof not hex", func(string) relay.Frame { return relay.Frame{Type: relay.TypeHello, Name: "server-a", Proof: "zz"} }, badCredentials},
		{"unknown server", hello("server-x", keyOf("server-x")), "relay: bad credentials for server-x (unknown server or wrong key)"},
		{"not a hello", func(string) relay.Frame { return relay.Frame{Type: relay.TypeWho, ID: 1} }, `relay: first frame is "who", want "hello"`},
		{"empty name", hello("", keyOf("")), "relay: server name is empty"},
		{"bad name", hello("a/b", keyOf("a/b")), `relay: server name "a/b" has a bad character '/' at byte 1`},
		{"look-alike name", hello("s\u0435rver-a", keyOf("server-a")), `relay: server name "s\u0435rver-a" has a bad character '\u0435' at byte 1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := refused(t, s.URL(), tc.first)
			var ce websocket.CloseError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, websocket.StatusPolicyViolation, ce.Code)
			assert.Contains(t, ce.Reason, tc.reason)
		})
	}
	assert.Empty(t, s.Hub().Online())
}

// TestForgedFromIsIgnored: the relay marks a message with the sender's
// proven name, whatever the frame says.
func TestForgedFromIsIgnored(t *testing.T) {
	s := startRelay(t, "127.0.0.1:0")
	a, _ := join(t, s.URL(), "server-a")
	b, _ := join(t, s.URL(), "server-b")
	assert.Equal(t, relay.TypeJoined, recv(t, a).Type)
	send(t, b, relay.Frame{Type: relay.TypeBroadcast, ID: 1, Channel: "c", Text: "hi", From: "server-w", Name: "server-w"})
	assert.Equal(t, relay.TypeOK, recv(t, b).Type)
	assert.Equal(t, relay.Frame{Type: relay.TypeMessage, From: "server-b", Channel: "c", Text: "hi"}, recv(t, a))
}

func TestSameNameIsRefused(t *testing.T) {
	s := startRelay(t, "127.0.0.1:0")
	first, _ := join(t, s.URL(), "server-a")
	watcher, _ := join(t, s.URL(), "server-w")
	assert.Equal(t, relay.Frame{Type: relay.TypeJoined, Name: "server-w"}, recv(t, first))

	// A second server-a, with the right key, is refused with its own status.
	err := refused(t, s.URL(), hello("server-a", keyOf("server-a")))
	var ce websocket.CloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, relay.StatusNameTaken, ce.Code)
	assert.Equal(t, "relay: server-a is online already; a second server may not take its name", ce.Reason)

	// The first one keeps its connection, and the watcher saw no churn: its
	// next frame is the first one's message.
	send(t, first, relay.Frame{Type: relay.TypeBroadcast, ID: 1, Channel: "c", Text: "still here"})
	assert.Equal(t, relay.TypeOK, recv(t, first).Type)
	assert.Equal(t, relay.Frame{Type: relay.TypeMessage, From: "server-a", Channel: "c", Text: "still here"}, recv(t, watcher))
	assert.Equal(t, []string{"server-a", "server-w"}, s.Hub().Online())

	// Once the first one has left, the name is free again.
	require.NoError(t, first.Close(websocket.StatusNormalClosure, "bye"))
	assert.Equal(t, relay.Frame{Type: relay.TypeLeft, Name: "server-a"}, recv(t, watcher))
	_, w := join(t, s.URL(), "server-a")
	assert.Equal(t, []string{"server-a", "server-w"}, w.Names)
}

func TestCloseSendsNormalClosure(t *testing.T) {
	s := startRelay(t, "127.0.0.1:0")
	a, _ := join(t, s.URL(), "server-a")
	done := make(chan struct{})
	go func() {
		s.Close()
		close(done)
	}()
	_, err := tryRecv(t, a)
	assert.Equal(t, websocket.StatusNormalClosure, websocket.CloseStatus(err), "err: %v", err)
	<-done
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, _, err = websocket.Dial(ctx, s.URL(), nil)
	assert.Error(t, err, "a closed relay refuses connections")
}

func TestKillDropsConnectionsAndTheAddressCanBeReused(t *testing.T) {
	s := startRelay(t, "127.0.0.1:0")
	a, _ := join(t, s.URL(), "server-a")
	s.Kill()
	_, err := tryRecv(t, a)
	require.Error(t, err)
	assert.Equal(t, websocket.StatusCode(-1), websocket.CloseStatus(err), "a killed relay sends no close frame: %v", err)

	again := startRelay(t, s.Addr())
	assert.Equal(t, s.URL(), again.URL())
	_, w := join(t, again.URL(), "server-a")
	assert.Equal(t, []string{"server-a"}, w.Names)
}

func TestConfigErrors(t *testing.T) {
	_, err := relay.NewHub(relay.Config{})
	assert.EqualError(t, err, "relay: Config.Keys is empty")
	_, err = relay.NewHub(relay.Config{Keys: testKeys(), SendQueue: -1})
	assert.ErrorContains(t, err, "negative")
	_, err = relay.NewHub(relay.Config{Keys: map[string][]byte{"a": []byte("short"), "B": keyOf("B")}})
	assert.ErrorContains(t, err, "relay: Config.Keys: the key of a is 5 bytes, want at least 16")
	assert.ErrorContains(t, err, `relay: Config.Keys: server name "B" has a bad character 'B' at byte 0`)
	_, err = relay.Listen("127.0.0.1:0", relay.Config{})
	assert.EqualError(t, err, "relay: Config.Keys is empty")
	_, err = relay.Listen("256.0.0.1:0", relay.Config{Keys: testKeys()})
	assert.ErrorContains(t, err, "relay: listen on 256.0.0.1:0")
}

func TestValidName(t *testing.T) {
	assert.NoError(t, relay.ValidName("channel", "ooc-chat_2.0"))
	assert.NoError(t, relay.ValidName("server name", "server-a"))
	assert.EqualError(t, relay.ValidName("channel", ""), "relay: channel is empty")
	assert.ErrorContains(t, relay.ValidName("channel", string(make([]byte, relay.MaxNameLen+1))), "longer than 64 bytes")
	assert.EqualError(t, relay.ValidName("server name", "a b"), `relay: server name "a b" has a bad character ' ' at byte 1 (a-z, 0-9, '-', '_', '.' only, beginning with a-z or 0-9)`)
	for _, bad := range []struct{ name, char string }{
		{"s\u0435rver-a", `'\u0435'`}, // Cyrillic е, which looks like the Latin e of server-a
		{"\u0430", `'\u0430'`},        // Cyrillic а
		{"Server-A", `'S'`},           // upper case: server-a and Server-A would be two servers
		{"-a", `'-'`},
		{"ünïcode", `'\u00fc'`},
		{"a\x00", `'\x00'`},
		{"a\u200bb", `'\u200b'`}, // a zero-width space
	} {
		assert.ErrorContains(t, relay.ValidName("server name", bad.name), "has a bad character "+bad.char, "%+q", bad.name)
	}
}

func TestKeys(t *testing.T) {
	k := relay.NewKey()
	assert.Len(t, k, 64)
	assert.NotEqual(t, k, relay.NewKey())
	got, err := relay.ParseKeys("keys.txt", strings.NewReader("# name key\n\nserver-a "+k+"\n  server-b\t"+k+"  \n"))
	require.NoError(t, err)
	assert.Len(t, got, 2)
	assert.Len(t, got["server-b"], 32)

	_, err = relay.ParseKeys("keys.txt", strings.NewReader("server-a\nServer-B "+k+"\nc 00ff\nd xyz\ne "+k+"\ne "+k+"\n"))
	for _, want := range []string{
		"keys.txt:1: want a name and a key, got 1 fields",
		`keys.txt:2: relay: server name "Server-B" has a bad character 'S' at byte 0`,
		"keys.txt:3: relay: the key of c is 2 bytes, want at least 16",
		"keys.txt:4: relay: the key of d is not hex",
		"keys.txt:6: e has a key already",
	} {
		assert.ErrorContains(t, err, want)
	}
	_, err = relay.ParseKeys("empty.txt", strings.NewReader("# nothing\n"))
	assert.EqualError(t, err, "empty.txt: no keys")
}

// TestTLS: with Config.TLS the relay serves wss://; a client that trusts
// its certificate joins, one that does not is refused by TLS, and plain ws://
// gets nowhere.
func TestTLS(t *testing.T) {
	cert, err := testcert.New()
	require.NoError(t, err)
	s, err := relay.Listen("127.0.0.1:0", relay.Config{Keys: testKeys(), Logger: quiet(), TLS: &tls.Config{Certificates: []tls.Certificate{cert.TLS}}})
	require.NoError(t, err)
	t.Cleanup(s.Kill)
	require.True(t, strings.HasPrefix(s.URL(), "wss://127.0.0.1:"), s.URL())

	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: cert.Pool}}}
	_, w := joinVia(t, trusting, s.URL(), "server-a")
	assert.Equal(t, []string{"server-a"}, w.Names)

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, _, err = websocket.Dial(ctx, s.URL(), nil)
	assert.ErrorContains(t, err, "certificate signed by unknown authority")
	_, _, err = websocket.Dial(ctx, "ws://"+s.Addr()+"/", nil)
	assert.Error(t, err, "plain ws:// to a TLS port")

	_, err = relay.NewHub(relay.Config{Keys: testKeys(), TLS: &tls.Config{}})
	assert.EqualError(t, err, "relay: Config.TLS has no certificate (Certificates, GetCertificate or GetConfigForClient)")
}

func TestCloseReason(t *testing.T) {
	assert.Equal(t, "short", relay.CloseReason("short"))
	long := strings.Repeat("é", 100) // 200 bytes
	got := relay.CloseReason(long)
	assert.LessOrEqual(t, len(got), relay.MaxCloseReason)
	assert.True(t, utf8.ValidString(got))
	assert.True(t, strings.HasSuffix(got, "é…"), got)
}

func TestClosedHubRefusesWith503(t *testing.T) {
	for name, stop := range map[string]func(*relay.Hub){"Close": (*relay.Hub).Close, "Kill": (*relay.Hub).Kill} {
		h, err := relay.NewHub(relay.Config{Keys: testKeys(), Logger: quiet()})
		require.NoError(t, err)
		stop(h)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		assert.Equal(t, http.StatusServiceUnavailable, w.Code, name)
		assert.Equal(t, relay.ErrClosed.Error()+"\n", w.Body.String(), name)
	}
}

// TestHelloTimeout runs over an in-memory network inside a synctest bubble:
// a connection that never says hello is dropped after exactly HelloTimeout.
func TestHelloTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n pipenet.Network
		ln, err := n.Listen()
		require.NoError(t, err)
		s, err := relay.Serve(ln, relay.Config{Keys: testKeys(), HelloTimeout: 3 * time.Second, Logger: quiet()})
		require.NoError(t, err)
		defer s.Kill()

		c, _, err := websocket.Dial(t.Context(), "ws://relay/", &websocket.DialOptions{HTTPClient: n.HTTPClient()})
		require.NoError(t, err)
		defer c.CloseNow()
		start := time.Now()
		require.Equal(t, relay.TypeChallenge, recv(t, c).Type)
		_, _, err = c.Read(t.Context())
		require.Error(t, err)
		assert.Equal(t, 3*time.Second, time.Since(start))
	})
}

// TestKilledRelayRefusesDials runs over the in-memory network: after Kill, a
// dial fails at once with connection refused, and a relay served on a new
// listener accepts again.
func TestKilledRelayRefusesDials(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n pipenet.Network
		opts := &websocket.DialOptions{HTTPClient: n.HTTPClient()}
		ln, err := n.Listen()
		require.NoError(t, err)
		s, err := relay.Serve(ln, relay.Config{Keys: testKeys(), Logger: quiet()})
		require.NoError(t, err)
		s.Kill()
		_, _, err = websocket.Dial(t.Context(), "ws://relay/", opts)
		require.ErrorIs(t, err, pipenet.ErrRefused)

		ln, err = n.Listen()
		require.NoError(t, err)
		s, err = relay.Serve(ln, relay.Config{Keys: testKeys(), Logger: quiet()})
		require.NoError(t, err)
		defer s.Kill()
		_, w := joinVia(t, n.HTTPClient(), "ws://relay/", "server-a")
		assert.Equal(t, []string{"server-a"}, w.Names)
	})
}

// TestSlowServerIsDisconnected runs over the in-memory network, whose pipes
// have no buffer: a server that stops reading fills its send queue, and the
// relay drops its connection rather than a frame.
func TestSlowServerIsDisconnected(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n pipenet.Network
		ln, err := n.Listen()
		require.NoError(t, err)
		s, err := relay.Serve(ln, relay.Config{Keys: testKeys(), SendQueue: 2, Logger: quiet()})
		require.NoError(t, err)
		defer s.Kill()
		client := n.HTTPClient()
		joinVia(t, client, "ws://relay/", "slow") // never reads again
		fast, _ := joinVia(t, client, "ws://relay/", "fast")
		synctest.Wait() // slow's writer is now stuck writing "joined fast"

		// Broadcasts 1 and 2 fill slow's queue; 3 finds it full.
		for id := uint64(1); id <= 2; id++ {
			send(t, fast, relay.Frame{Type: relay.TypeBroadcast, ID: id, Channel: "c", Text: "x"})
			require.Equal(t, relay.Frame{Type: relay.TypeOK, ID: id}, recv(t, fast))
			assert.Equal(t, []string{"fast", "slow"}, s.Hub().Online())
		}
		send(t, fast, relay.Frame{Type: relay.TypeBroadcast, ID: 3, Channel: "c", Text: "x"})
		// The ok and slow's departure come in either order.
		assert.ElementsMatch(t, []relay.Frame{{Type: relay.TypeOK, ID: 3}, {Type: relay.TypeLeft, Name: "slow"}}, []relay.Frame{recv(t, fast), recv(t, fast)})
		assert.Equal(t, []string{"fast"}, s.Hub().Online())
	})
}
