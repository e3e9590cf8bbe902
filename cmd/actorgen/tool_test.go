package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gocmd runs the go command in dir and returns its combined output.
func gocmd(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestGoTool installs actorgen as a tool of a fresh module (a go.mod tool
// directive), scaffolds an actor with `go tool actorgen new`, generates it
// through `//go:generate go tool actorgen`, and proves that the result
// vets, passes its test, and is what -check expects. Then it breaks a
// directive and checks that go generate fails with a positioned error.
func TestGoTool(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatalf("the go command is needed to test actorgen as a tool: %v", err)
	}
	goEnv(t)
	dir := tempModule(t, nil, "\ntool github.com/actorgen/actorgen/cmd/actorgen\n")

	// go tool insists on a tidy go.mod (it ignores -mod=mod). With -e, tidy records what the build
	// needs and does not fail on what only the dependencies' own tests import (x/tools' tests import
	// go-cmp, say), which a fresh module cache does not hold and GOPROXY=off cannot fetch.
	out, err := gocmd(t, dir, "mod", "tidy", "-e")
	require.NoError(t, err, out)
	out, err = gocmd(t, dir, "tool", "actorgen", "-version")
	require.NoError(t, err, out)
	assert.Equal(t, "actorgen (devel)\n", out, "a checkout replacement has no module version")

	out, err = gocmd(t, dir, "tool", "actorgen", "new", "Counter", "-dir", "counter")
	require.NoError(t, err, out)
	assert.Contains(t, out, "wrote counter/counter.go\n")

	for _, step := range [][]string{
		{"mod", "tidy", "-e"},
		{"generate", "./..."},
		{"vet", "./..."},
		{"test", "-count=1", "./..."},
		{"tool", "actorgen", "-check", "./..."},
	} {
		out, err := gocmd(t, dir, step...)
		require.NoError(t, err, "go %s:\n%s", strings.Join(step, " "), out)
	}
	assert.FileExists(t, filepath.Join(dir, "counter", "actor_gen.go"))

	src := read(t, filepath.Join(dir, "counter", "counter.go"))
	write(t, filepath.Join(dir, "counter", "counter.go"), strings.Replace(src, "//actor:ask timeout=5s", "//actor:ask timeout=5", 1))
	out, err = gocmd(t, dir, "generate", "./...")
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, out)
	assert.Equal(t, 1, exit.ExitCode())
	assert.True(t, strings.HasPrefix(out, "counter.go:22:22: bad ask timeout \"5\": want a duration such as 100ms, 2s or 1m\n"), out)
}

// TestLocalCheckout follows docs/generator.md's steps for using actorgen
// from a local checkout before the module is published: a replace, then
// go get -tool at the placeholder version.
func TestLocalCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds actorgen as a tool")
	}
	root := checkout(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module example.com/m\n\ngo 1.26.0\n")
	// The checkout's go.sum stands in for the checksum database, which a
	// test cannot reach.
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	write(t, filepath.Join(dir, "go.sum"), string(sum))
	t.Setenv("GOWORK", "off")
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOFLAGS", "")
	for _, step := range [][]string{
		{"mod", "edit", "-replace", "github.com/actorgen/actorgen=" + root},
		{"get", "-tool", "github.com/actorgen/actorgen/cmd/actorgen@v0.0.0-00010101000000-000000000000"},
	} {
		out, err := gocmd(t, dir, step...)
		require.NoError(t, err, "go %s:\n%s", strings.Join(step, " "), out)
	}
	out, err := gocmd(t, dir, "tool", "actorgen", "-version")
	require.NoError(t, err, out)
	assert.Equal(t, "actorgen (devel)\n", out)
}
