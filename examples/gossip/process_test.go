package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorgen/actorgen/examples/gossip/internal/testcert"
	"github.com/actorgen/actorgen/examples/gossip/relay"
)

// proc is a process of the gossip command started by a test.
type proc struct {
	t     *testing.T
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string // stdout, line by line; closed at EOF
	seen  []string
}

// start runs bin with args; the process is killed when the test ends.
func start(t *testing.T, bin, name string, args ...string) *proc {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Stderr = &testLog{t: t, prefix: name + " stderr: "}
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &proc{t: t, name: name, cmd: cmd, stdin: stdin, lines: make(chan string, 256)}
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		for range p.lines { // the reader ends at EOF
		}
	})
	return p
}

// waitFor returns the next stdout line that contains want, failing the test
// after 15s.
func (p *proc) waitFor(want string) string {
	p.t.Helper()
	timeout := time.NewTimer(15 * time.Second)
	defer timeout.Stop()
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("%s exited waiting for %q; its output:\n%s", p.name, want, strings.Join(p.seen, "\n"))
			}
			p.seen = append(p.seen, l)
			if strings.Contains(l, want) {
				return l
			}
		case <-timeout.C:
			p.t.Fatalf("%s: timed out waiting for %q; its output:\n%s", p.name, want, strings.Join(p.seen, "\n"))
		}
	}
}

// say writes a line to the process's stdin.
func (p *proc) say(line string) {
	p.t.Helper()
	_, err := io.WriteString(p.stdin, line+"\n")
	require.NoError(p.t, err)
}

// exit signals the process and returns its exit status, failing the test if
// it takes over 10s.
func (p *proc) exit(sig os.Signal) int {
	p.t.Helper()
	require.NoError(p.t, p.cmd.Process.Signal(sig))
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(10 * time.Second):
		p.t.Fatalf("%s did not exit within 10s of %v", p.name, sig)
		return -1
	}
}

type testLog struct {
	t      *testing.T
	prefix string
}

func (l *testLog) Write(b []byte) (int, error) {
	l.t.Log(l.prefix + strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// TestProcesses builds the command and runs a relay (over TLS) and game
// servers as separate processes on 127.0.0.1: messages flow, an impostor
// and a duplicate are refused, a relay killed with SIGKILL and started
// again is found again, and SIGTERM stops each process with status 0.
func TestProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and runs processes")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "gossip")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
		return p
	}
	cert, err := testcert.New()
	require.NoError(t, err)
	certFile, keyPEM := write("cert.pem", string(cert.CertPEM)), write("key.pem", string(cert.KeyPEM))
	ka, kb := relay.NewKey(), relay.NewKey()
	keys := write("keys.txt", "# the relay's keys\nserver-a "+ka+"\nserver-b "+kb+"\n")
	keyA, keyB := write("a.key", ka+"\n"), write("b.key", kb+"\n")

	relayArgs := func(addr string) []string {
		return []string{"relay", "-addr", addr, "-keys", keys, "-cert", certFile, "-key", keyPEM}
	}
	r := start(t, bin, "relay", relayArgs("127.0.0.1:0")...)
	line := r.waitFor("relay: listening on ")
	url := strings.Fields(strings.TrimPrefix(line, "relay: listening on "))[0]
	require.True(t, strings.HasPrefix(url, "wss://127.0.0.1:"), line)
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "wss://"), "/")

	server := func(name, keyFile string) *proc {
		return start(t, bin, name, "server", "-name", name, "-relay", url, "-key-file", keyFile, "-ca", certFile)
	}
	a := server("server-a", keyA)
	a.waitFor("link up")
	b := server("server-b", keyB)
	b.waitFor("link up: online server-a server-b")
	a.say("hello from a")
	b.waitFor(`<- server-a on #gossip: "hello from a"`)

	// server-b's key under server-a's name, and a second server-a.
	impostor := start(t, bin, "impostor", "server", "-name", "server-a", "-relay", url, "-key-file", keyB, "-ca", certFile)
	assert.Contains(t, impostor.waitFor("link refused"), "bad credentials for server-a")
	assert.Equal(t, 0, impostor.exit(syscall.SIGTERM))
	dup := server("server-a", keyA)
	assert.Contains(t, dup.waitFor("link refused"), "status 4001")
	assert.Equal(t, 0, dup.exit(syscall.SIGTERM))

	// kill -9 the relay; start it again on the same address.
	require.NoError(t, r.cmd.Process.Kill())
	_ = r.cmd.Wait()
	a.waitFor("link down")
	b.waitFor("link down")
	r = start(t, bin, "relay 2", relayArgs(addr)...)
	r.waitFor("relay: listening on " + url)
	a.waitFor("link up")
	b.waitFor("link up")
	b.say("hello again from b")
	a.waitFor(`<- server-b on #gossip: "hello again from b"`)

	assert.Equal(t, 0, a.exit(syscall.SIGTERM))
	b.waitFor("server-a left")
	assert.Equal(t, 0, b.exit(syscall.SIGTERM))
	assert.Equal(t, 0, r.exit(syscall.SIGTERM))
	r.waitFor("relay: closed")
}

func TestSubcommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	require.NoError(t, os.WriteFile(bad, []byte("server-a 00\n"), 0o600))
	for _, tc := range []struct {
		args   []string
		status int
		stderr string
	}{
		{[]string{"relay"}, 2, "gossip relay: -keys is required"},
		{[]string{"relay", "-keys", filepath.Join(dir, "none.txt")}, 1, "no such file or directory"},
		{[]string{"relay", "-keys", bad}, 1, "bad.txt:1: relay: the key of server-a is 1 bytes, want at least 16"},
		{[]string{"relay", "-keys", bad, "-cert", "c.pem"}, 1, "bad.txt:1"},
		{[]string{"relay", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"server", "-name", "a"}, 2, "no key: give -key-file or set $GOSSIP_KEY"},
		{[]string{"server", "-name", "a", "-key-file", bad}, 1, "gossip server: relay: -key-file " + bad + " is not hex"},
		{[]string{"server", "-name", "a", "-channel", "A"}, 1, `-channel "A" has a bad character 'A'`},
		{[]string{"keygen", "x"}, 2, `unexpected argument "x"`},
	} {
		var stdout, stderr strings.Builder
		assert.Equal(t, tc.status, runWith(t.Context(), tc.args, strings.NewReader(""), &stdout, &stderr), "%v", tc.args)
		assert.Contains(t, stderr.String(), tc.stderr, "%v", tc.args)
	}
	var stdout strings.Builder
	require.Zero(t, runWith(context.Background(), []string{"keygen"}, nil, &stdout, io.Discard))
	_, err := relay.ParseKey("keygen's output", strings.TrimSpace(stdout.String()))
	assert.NoError(t, err)
}
