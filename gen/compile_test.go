package gen

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/modfile"
)

// moduleRoot finds the checkout root (the github.com/actorgen/actorgen
// module) from the test's working directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && modfile.ModulePath(data) == "github.com/actorgen/actorgen" {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "no github.com/actorgen/actorgen go.mod above the test directory")
		dir = parent
	}
}

// TestGoldenCompile unpacks every passing golden case, with its want/
// output, into one temporary module bound to this checkout's runtime, runs
// go vet over all of it once, and runs the cases' own _test.go files (the
// behaviour tests) with -race.
func TestGoldenCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command over every golden case")
	}
	root := moduleRoot(t)
	dir := t.TempDir()
	var tags, testPkgs []string
	for _, c := range loadGoldenCases(t) {
		if c.wantsErrors() {
			continue
		}
		var gomod []byte
		for _, f := range c.inputs {
			if f.Name == "go.mod" {
				gomod = f.Data
			}
			if strings.HasSuffix(f.Name, "_test.go") {
				pkg := "./" + c.name + "/" + filepath.ToSlash(filepath.Dir(f.Name))
				if !slices.Contains(testPkgs, pkg) {
					testPkgs = append(testPkgs, pkg)
				}
			}
		}
		require.Equal(t, "example.com/"+c.name, modfile.ModulePath(gomod),
			"%s: passing cases must use module example.com/%s so they fit in one module", c.path, c.name)
		caseDir := filepath.Join(dir, c.name)
		c.unpack(t, caseDir, true)
		for name, data := range c.want {
			p := filepath.Join(caseDir, filepath.FromSlash(strings.TrimPrefix(name, "want/")))
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.WriteFile(p, data, 0o644))
		}
		tags = append(tags, c.tags...)
	}

	rootMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	rf, err := modfile.Parse("go.mod", rootMod, nil)
	require.NoError(t, err)
	mf := &modfile.File{}
	require.NoError(t, mf.AddModuleStmt("example.com"))
	require.NoError(t, mf.AddGoStmt(rf.Go.Version))
	require.NoError(t, mf.AddRequire("github.com/actorgen/actorgen", "v0.0.0-00010101000000-000000000000"))
	for _, r := range rf.Require {
		require.NoError(t, mf.AddRequire(r.Mod.Path, r.Mod.Version))
	}
	require.NoError(t, mf.AddReplace("github.com/actorgen/actorgen", "", root, ""))
	out, err := mf.Format()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), out, 0o644))
	if sum, err := os.ReadFile(filepath.Join(root, "go.sum")); err == nil {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644))
	}

	goCmd := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), "go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s:\n%s", strings.Join(args, " "), out)
		t.Logf("go %s:\n%s", strings.Join(args, " "), out)
	}
	tagFlag := "-tags=" + strings.Join(tags, ",")
	goCmd("vet", tagFlag, "./...")
	require.NotEmpty(t, testPkgs, "no golden case carries behaviour tests")
	goCmd(append([]string{"test", "-race", "-count=1", "-v", tagFlag}, testPkgs...)...)
}
