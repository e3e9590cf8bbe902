package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// process is the command running as a separate process.
type process struct {
	cmd    *exec.Cmd
	stdout syncBuffer
	stderr syncBuffer
	addr   string
	exited chan error
}

// buildCommand builds the command into a temporary directory.
func buildCommand(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the command; skipped with -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build with: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "contacts")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, goBin, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

var listening = regexp.MustCompile(`listening on http://(\S+) `)

// startProcess runs bin on a free port of 127.0.0.1 with args and waits
// until it listens.
func startProcess(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	p := &process{exited: make(chan error, 1)}
	args = append([]string{"-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "c.db")}, args...)
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	for _, kv := range os.Environ() { // none of the test's own CONTACTS_ variables
		if !strings.HasPrefix(kv, envPrefix) {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	require.NoError(t, p.cmd.Start())
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	eventually(t, func() bool {
		m := listening.FindStringSubmatch(p.stdout.String())
		if m != nil {
			p.addr = m[1]
		}
		return m != nil
	}, "the process did not start listening")
	return p
}

func (p *process) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(sig))
}

// wait waits (at most bound) for the process to exit and returns its exit code.
func (p *process) wait(t *testing.T) int {
	t.Helper()
	select {
	case err := <-p.exited:
		p.exited <- err // for the cleanup
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		require.NoError(t, err)
		return 0
	case <-time.After(bound):
		t.Fatalf("the process did not exit; stderr:\n%s", p.stderr.String())
		return -1
	}
}

// TestProcessSignals runs the command as a process and stops it with signals.
func TestProcessSignals(t *testing.T) {
	bin := buildCommand(t)

	t.Run("SIGTERM drains", func(t *testing.T) {
		p := startProcess(t, bin)
		f := startInFlight(t, p.addr, "Ada")
		p.signal(t, syscall.SIGTERM)
		eventually(t, func() bool { return regexpMatch(`msg="shutting down" cause="signal terminated"`, p.stderr.String()) },
			"no shutdown logged")
		assert.Equal(t, 201, f.finish(t), "the in-flight request did not complete")
		assert.Equal(t, 0, p.wait(t), "stderr:\n%s", p.stderr.String())
		assert.Contains(t, p.stderr.String(), "msg=stopped")
	})

	t.Run("SIGINT drains", func(t *testing.T) {
		p := startProcess(t, bin)
		p.signal(t, os.Interrupt)
		assert.Equal(t, 0, p.wait(t), "stderr:\n%s", p.stderr.String())
		assert.Contains(t, p.stderr.String(), `cause="signal interrupt"`)
	})

	t.Run("second signal exits at once", func(t *testing.T) {
		p := startProcess(t, bin, "-drain", "1m")
		f := startInFlight(t, p.addr, "Ada") // never finished: the drain would wait a minute
		p.signal(t, syscall.SIGTERM)
		eventually(t, func() bool { return regexpMatch(`msg="shutting down"`, p.stderr.String()) }, "no shutdown logged")
		start := time.Now()
		p.signal(t, syscall.SIGTERM)
		assert.Equal(t, 128+int(syscall.SIGTERM), p.wait(t), "stderr:\n%s", p.stderr.String())
		assert.Less(t, time.Since(start), 5*time.Second)
		assert.Contains(t, p.stderr.String(), "second signal (terminated): exiting at once")
		assert.True(t, closed(t, f.conn), "the in-flight request's connection is still open")
	})
}

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }
