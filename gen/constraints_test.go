package gen

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// platformPackage has interfaces in files with and without constraints, an
// array length that depends on GOARCH, and, in a darwin-only file, a
// package-level name that the runtime's import would otherwise take.
var platformPackage = map[string]string{
	"frame_amd64.go":  "package plat\n\nconst frameSize = 8\n",
	"frame_386.go":    "package plat\n\nconst frameSize = 4\n",
	"frame_other.go":  "//go:build !amd64 && !386\n\npackage plat\n\nconst frameSize = 16\n",
	"names_darwin.go": "package plat\n\n// runtime is declared only on darwin.\nconst runtime = \"darwin\"\n",
	"conn.go": `package plat

import (
	"context"
	bin "encoding/binary"
	"unsafe"
)

//actor:generate
type Conn interface {
	Send(ctx context.Context, f [frameSize]byte, v [bin.MaxVarintLen64 + 1]byte, p [unsafe.Sizeof(uintptr(0))]byte) error
}
`,
	"netlink_linux.go": `package plat

import "context"

//actor:generate
type Netlink interface {
	Route(ctx context.Context, f [frameSize]byte) error
}
`,
	"extra.go": `//go:build extra

package plat

import "context"

//actor:generate
type Extra interface {
	Do(ctx context.Context)
}
`,
	"sock_windows.go": `package plat

import "context"

//actor:generate
type Sock interface {
	Open(ctx context.Context) error
}
`,
}

// TestBuildConstraints: each output carries the constraints of the file
// declaring its interfaces, a run under any GOOS, GOARCH and tags leaves the
// other configurations' outputs alone and writes the same bytes, and the
// package with its outputs builds under each configuration.
func TestBuildConstraints(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles the output under several GOOS/GOARCH values")
	}
	root := moduleRoot(t)
	dir := t.TempDir()
	files := map[string]string{"go.mod": "module example.com/plat\n\ngo 1.24\n\nrequire github.com/actorgen/actorgen v0.0.0-00010101000000-000000000000\n\nreplace github.com/actorgen/actorgen => " + root + "\n"}
	for name, src := range platformPackage {
		files[name] = src
	}
	writeTree(t, dir, files)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	writeTree(t, dir, map[string]string{"go.sum": string(sum)})
	t.Setenv("GOWORK", "off")
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOFLAGS", "-mod=mod")

	out := func(name string) string { return filepath.Join(dir, name) }
	type config struct{ goos, goarch, tags string }
	runIn := func(c config) Result {
		t.Helper()
		t.Setenv("GOOS", c.goos)
		t.Setenv("GOARCH", c.goarch)
		var tags []string
		if c.tags != "" {
			tags = []string{c.tags}
		}
		return generate(t, Config{Dir: dir, Tags: tags})
	}

	res := runIn(config{"linux", "amd64", "extra"})
	assert.Equal(t, []string{out(OutputFile), out("extra.actor_gen.go"), out("netlink_linux.actor_gen.go")}, res.Changed)
	first := snapshot(t, dir)

	res = runIn(config{"darwin", "arm64", ""})
	assert.Empty(t, res.Changed, "darwin without extra changes and removes nothing")
	assert.Equal(t, []string{out(OutputFile)}, res.Unchanged)

	res = runIn(config{"windows", "386", ""})
	assert.Equal(t, []string{out("sock_windows.actor_gen.go")}, res.Changed)
	for _, c := range []config{{"linux", "386", "extra"}, {"darwin", "amd64", "extra"}, {"windows", "amd64", ""}, {"linux", "arm64", ""}} {
		res = runIn(c)
		assert.Empty(t, res.Changed, "%+v", c)
	}
	now := snapshot(t, dir)
	for name, src := range first {
		assert.Equal(t, src, now[name], "%s after runs under other configurations", name)
	}

	all := now[OutputFile]
	assert.Contains(t, all, "//go:build !actorgen\n")
	assert.Contains(t, all, "F [frameSize]byte", "the length as the source spells it")
	assert.Contains(t, all, "V [bin.MaxVarintLen64 + 1]byte")
	assert.Contains(t, all, `bin "encoding/binary"`, "... with the user's import name")
	assert.Contains(t, all, "P [unsafe.Sizeof(uintptr(0))]byte")
	assert.Contains(t, all, `runtime2 "github.com/actorgen/actorgen/runtime"`, "a name declared only on darwin is avoided everywhere")
	assert.Contains(t, now["netlink_linux.actor_gen.go"], "//go:build !actorgen\n", "the file name carries GOOS")
	assert.Contains(t, now["extra.actor_gen.go"], "//go:build !actorgen && extra\n")
	assert.Contains(t, now["sock_windows.actor_gen.go"], "type SockRef struct")

	for _, c := range []config{{"linux", "amd64", "extra"}, {"linux", "386", ""}, {"darwin", "arm64", "extra"}, {"windows", "amd64", ""}} {
		cmd := exec.CommandContext(t.Context(), "go", "vet", "-tags="+c.tags, ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOOS="+c.goos, "GOARCH="+c.goarch, "CGO_ENABLED=0")
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, "%+v: %s", c, b)
	}

	// Removing the constraint moves the interface into actor_gen.go.
	writeTree(t, dir, map[string]string{"extra.go": strings.Replace(platformPackage["extra.go"], "//go:build extra\n\n", "", 1)})
	res = runIn(config{"linux", "amd64", ""})
	assert.Equal(t, []string{out(OutputFile), out("extra.actor_gen.go")}, res.Changed)
	assert.NoFileExists(t, out("extra.actor_gen.go"))
	assert.FileExists(t, out("netlink_linux.actor_gen.go"))
}

// TestEmbeddedFromConstrainedFile: an interface of a file without
// constraints may not take methods from one with constraints, whose method
// set would then differ between builds.
func TestEmbeddedFromConstrainedFile(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"go.mod":       goMod,
		"api.go":       "package m\n\nimport \"context\"\n\n//actor:generate\ntype API interface {\n\tops\n\tPing(ctx context.Context)\n}\n",
		"ops_linux.go": "package m\n\nimport \"context\"\n\ntype ops interface {\n\tRoute(ctx context.Context)\n}\n",
		"ops_other.go": "//go:build !linux\n\npackage m\n\ntype ops interface{}\n",
	})
	t.Setenv("GOOS", "linux")
	_, err := Generate(t.Context(), Config{Dir: dir})
	require.EqualError(t, err, "ops_linux.go:6:2: API.Route: declared in ops_linux.go, which has build constraints, while API is declared in api.go, which has none: the method set would depend on the build (declare API in a file with the same constraints)")
	assert.NoFileExists(t, filepath.Join(dir, OutputFile))
}

func TestNameConstrained(t *testing.T) {
	for name, want := range map[string]bool{
		"a.go": false, "a_linux.go": true, "a_amd64.go": true, "a_windows_arm64.go": true,
		"linux.go": false, "a_unix.go": false, "a_js.go": true, "a_wasm.go": true, "a_ios.go": true,
		"a_linux.actor_gen.go": true, "a_b.go": false,
	} {
		assert.Equal(t, want, nameConstrained(name), name)
	}
}
