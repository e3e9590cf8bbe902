package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const remoteSrc = `package counter

import "context"

// Counter counts, across processes.
//
//actor:generate
//actor:remote
type Counter interface {
	Add(ctx context.Context, n int)
	Total(ctx context.Context) (int, error)
}
`

// TestCheckRemoteSchema: -check compares a remote interface with its actor_schema.txt. An
// additive change is only drift (the files are out of date until go generate); an incompatible
// one is an error at the source that names the method and field, and nothing is written.
func TestCheckRemoteSchema(t *testing.T) {
	goEnv(t)
	dir := tempModule(t, map[string]string{"counter/counter.go": remoteSrc}, "")
	t.Chdir(dir)
	gen := filepath.Join("counter", "actor_gen.go")
	schema := filepath.Join("counter", "actor_schema.txt")

	r := runCmd(t, "./...")
	require.Equal(t, exitOK, r.code, r.stderr)
	recorded, err := os.ReadFile(schema)
	require.NoError(t, err)
	assert.Contains(t, string(recorded), "method Counter.Add tell ")
	assert.Equal(t, result{code: exitOK}, runCmd(t, "-check", "./..."))

	// Additive: a new parameter and a new method.
	write(t, filepath.Join("counter", "counter.go"), strings.Replace(remoteSrc, "Add(ctx context.Context, n int)",
		"Add(ctx context.Context, n int, note string)\n\tReset(ctx context.Context) error", 1))
	r = runCmd(t, "-check", "./...")
	assert.Equal(t, exitFail, r.code)
	assert.Equal(t, gen+"\n"+schema+"\n", r.stdout)
	assert.Equal(t, "actorgen: 2 generated files are out of date; run go generate\n", r.stderr)
	r = runCmd(t, "./...")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, result{code: exitOK}, runCmd(t, "-check", "./..."))
	additive, err := os.ReadFile(schema)
	require.NoError(t, err)
	addLine := func(s []byte) string {
		for _, l := range strings.Split(string(s), "\n") {
			if strings.HasPrefix(l, "method Counter.Add ") {
				return l
			}
		}
		return ""
	}
	assert.Equal(t, addLine(recorded), addLine(additive), "an additive change keeps the fingerprint")

	// Incompatible: a parameter's type and a method's kind.
	before := snapshotDir(t, "counter")
	write(t, filepath.Join("counter", "counter.go"), strings.NewReplacer(
		"Add(ctx context.Context, n int)", "Add(ctx context.Context, n string)",
		"Total(ctx context.Context) (int, error)", "Total(ctx context.Context)",
	).Replace(remoteSrc))
	for _, args := range [][]string{{"-check", "./..."}, {"./..."}} {
		r = runCmd(t, args...)
		assert.Equal(t, exitFail, r.code, args)
		assert.Empty(t, r.stdout, args)
		assert.Contains(t, r.stderr, "counter/counter.go:10:29: CounterAddMsg.N has type string, and actor_schema.txt records it as int: peers built from the recorded schema would misread it in Counter.Add.", args)
		assert.Contains(t, r.stderr, "counter/counter.go:11:2: Counter.Total is a tell, and actor_schema.txt records an ask", args)
		after := snapshotDir(t, "counter")
		delete(after, "counter.go")
		delete(before, "counter.go")
		assert.Equal(t, before, after, "nothing is written")
	}
}

// snapshotDir returns the files of dir by name.
func snapshotDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string]string{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = string(b)
	}
	return out
}
