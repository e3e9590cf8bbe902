package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// result is what one in-process run of the command produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs the command in-process with args.
func runCmd(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// checkout is the root of the actorgen module under test.
func checkout(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(root, "go.mod"))
	return root
}

// goEnv makes the go command work offline in a temp module that replaces
// actorgen with the checkout: no workspace, no network (building the
// checkout's own tests has filled the module cache with every module the
// temp module needs), go.mod updates allowed (the checkout's go.sum is
// copied in).
func goEnv(t *testing.T) {
	t.Setenv("GOWORK", "off")
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOFLAGS", "-mod=mod -buildvcs=false")
}

// tempModule writes a module example.com/m in a temp dir with files (path
// to content) and returns the dir. It requires actorgen (replaced by the
// checkout), testify and goleak; extra lines go at the end of go.mod.
func tempModule(t *testing.T, files map[string]string, extra string) string {
	t.Helper()
	root := checkout(t)
	dir := t.TempDir()
	gomod := "module example.com/m\n\ngo 1.26.0\n\n" +
		"require (\n\tgithub.com/actorgen/actorgen v0.0.0\n\tgithub.com/stretchr/testify v1.12.1\n\tgo.uber.org/goleak v1.3.0\n)\n\n" +
		"replace github.com/actorgen/actorgen => " + root + "\n" + extra
	write(t, filepath.Join(dir, "go.mod"), gomod)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	write(t, filepath.Join(dir, "go.sum"), string(sum))
	for name, content := range files {
		write(t, filepath.Join(dir, name), content)
	}
	return dir
}

func write(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		r := runCmd(t, arg)
		assert.Equal(t, exitOK, r.code, arg)
		assert.True(t, strings.HasPrefix(r.stdout, "usage: actorgen [-tags T] [-check] [-v] [packages]\n"), arg)
		assert.Contains(t, r.stdout, "-check")
		assert.Empty(t, r.stderr)
	}
	r := runCmd(t, "new", "-h")
	assert.Equal(t, exitOK, r.code)
	assert.True(t, strings.HasPrefix(r.stdout, "usage: actorgen new NAME [-dir D]\n"))
	assert.Contains(t, r.stdout, "-dir directory")
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		msg  string // first line of stderr
	}{
		{[]string{"-bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"-tags"}, "flag needs an argument: -tags"},
		{[]string{"-check=maybe"}, `invalid boolean value "maybe" for -check: parse error`},
		{[]string{"-tags", "a,b!c"}, `actorgen: bad build tag "b!c" in -tags: tags are letters, digits, '_' and '.'`},
		{[]string{"-version", "./..."}, "actorgen: -version takes no arguments"},
		{[]string{"new"}, "actorgen: new: missing actor NAME (usage: actorgen new NAME [-dir D])"},
		{[]string{"new", "A", "B"}, "actorgen: new: want one actor NAME, got 2: A B"},
		{[]string{"new", "-dir"}, "flag needs an argument: -dir"},
		{[]string{"new", "Counter", "-bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"new", "counter"}, `actorgen: new: actor name "counter" is not exported: want an identifier starting with an upper-case letter, such as Counter`},
		{[]string{"new", "My_Actor"}, `actorgen: new: actor name "My_Actor" contains '_': want MixedCaps, such as MyActor`},
		{[]string{"new", "1x"}, `actorgen: new: actor name "1x" is not a Go identifier: want an exported identifier such as Counter`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCmd(t, tt.args...)
			assert.Equal(t, exitUsage, r.code)
			assert.Empty(t, r.stdout)
			first, rest, _ := strings.Cut(r.stderr, "\n")
			assert.Equal(t, tt.msg, first)
			assert.True(t, strings.HasPrefix(rest, "usage: actorgen") || rest == "Run 'actorgen -h' for usage.\n",
				"stderr must continue with the usage or a hint, got %q", rest)
		})
	}
}

func TestParseTags(t *testing.T) {
	for in, want := range map[string][]string{
		"":                nil,
		"a":               {"a"},
		"a,b":             {"a", "b"},
		" a, b ,,c go1.2": {"a", "b", "c", "go1.2"},
		"with_under":      {"with_under"},
	} {
		got, err := parseTags(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := parseTags(`a,"b"`)
	assert.EqualError(t, err, `bad build tag "\"b\"" in -tags: tags are letters, digits, '_' and '.'`)
}

func TestVersion(t *testing.T) {
	r := runCmd(t, "-version")
	assert.Equal(t, exitOK, r.code)
	assert.Empty(t, r.stderr)
	info, ok := debug.ReadBuildInfo()
	require.True(t, ok)
	assert.Equal(t, "actorgen "+version(info)+"\n", r.stdout)

	mod := func(path, v string, repl *debug.Module) *debug.Module {
		return &debug.Module{Path: path, Version: v, Replace: repl}
	}
	tests := []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"no build info", nil, "(devel)"},
		{"go install pkg@v1.2.3", &debug.BuildInfo{Main: *mod(modulePath, "v1.2.3", nil)}, "v1.2.3"},
		{"local build", &debug.BuildInfo{Main: *mod(modulePath, "(devel)", nil)}, "(devel)"},
		{"tool of another module", &debug.BuildInfo{
			Main: *mod("example.com/app", "(devel)", nil),
			Deps: []*debug.Module{mod("golang.org/x/tools", "v0.52.0", nil), mod(modulePath, "v0.3.0", nil)},
		}, "v0.3.0"},
		{"replaced by a directory", &debug.BuildInfo{
			Main: *mod("example.com/app", "", nil),
			Deps: []*debug.Module{mod(modulePath, "v0.0.0", mod("../actorgen", "", nil))},
		}, "(devel)"},
		{"replaced by a fork", &debug.BuildInfo{
			Main: *mod("example.com/app", "", nil),
			Deps: []*debug.Module{mod(modulePath, "v0.3.0", mod("example.com/fork", "v0.3.1", nil))},
		}, "v0.3.1"},
		{"not in the build", &debug.BuildInfo{Main: *mod("example.com/app", "v1.0.0", nil)}, "(devel)"},
		{"empty version", &debug.BuildInfo{Main: *mod(modulePath, "", nil)}, "(devel)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, version(tt.info), tt.name)
	}
}

const counterSrc = `package counter

import "context"

// Counter counts.
//
//actor:generate
type Counter interface {
	Add(ctx context.Context, n int)
	Total(ctx context.Context) (int, error)
}
`

func TestGenerate(t *testing.T) {
	goEnv(t)
	dir := tempModule(t, map[string]string{"counter/counter.go": counterSrc}, "")
	t.Chdir(dir)
	out := filepath.Join("counter", "actor_gen.go")

	// -check before generating: the file is missing, so it is drift.
	r := runCmd(t, "-check", "./...")
	assert.Equal(t, exitFail, r.code)
	assert.Equal(t, out+"\n", r.stdout)
	assert.Equal(t, "actorgen: 1 generated file is out of date; run go generate\n", r.stderr)
	assert.NoFileExists(t, out)

	r = runCmd(t, "./...")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	assert.Empty(t, r.stderr)
	generated, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(generated), "// Code generated by actorgen. DO NOT EDIT."))

	r = runCmd(t, "-check", "./...")
	assert.Equal(t, result{code: exitOK}, r)

	// -v reports progress on stderr.
	r = runCmd(t, "-v", "./...")
	assert.Equal(t, exitOK, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "actorgen: loading ./... with -tags=actorgen\n")
	assert.Contains(t, r.stderr, "actorgen: 0 changed, 1 unchanged\n")

	// The default pattern is the current directory.
	write(t, out, string(generated)+"// edited\n")
	t.Chdir("counter")
	r = runCmd(t, "-check")
	assert.Equal(t, exitFail, r.code)
	assert.Equal(t, "actor_gen.go\n", r.stdout)
	r = runCmd(t)
	assert.Equal(t, exitOK, r.code, r.stderr)
	got, err := os.ReadFile("actor_gen.go")
	require.NoError(t, err)
	assert.Equal(t, string(generated), string(got))

	// A failure that is no problem of the sources is one "actorgen:" line.
	require.NoError(t, os.Remove("actor_gen.go"))
	require.NoError(t, os.Mkdir("actor_gen.go", 0o755))
	r = runCmd(t)
	assert.Equal(t, exitFail, r.code)
	assert.Empty(t, r.stdout)
	assert.True(t, strings.HasPrefix(r.stderr, "actorgen: gen: "), r.stderr)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), r.stderr)
}

func TestGenerateErrors(t *testing.T) {
	goEnv(t)
	src := strings.Replace(counterSrc, "//actor:generate\n", "//actor:generate\n//actor:supervise rest delay=1x\n", 1)
	src = strings.Replace(src, "\tAdd(", "\t//actor:tel\n\tAdd(", 1)
	src += "\n// Actor:tell\nvar x int\n"
	dir := tempModule(t, map[string]string{"counter/counter.go": src}, "")
	t.Chdir(dir)

	r := runCmd(t, "./...")
	assert.Equal(t, exitFail, r.code)
	assert.Empty(t, r.stdout)
	assert.Equal(t, strings.Join([]string{
		`counter/counter.go:8:19: unknown decision "rest" in //actor:supervise (did you mean reset?)`,
		`counter/counter.go:8:30: bad delay "1x": want a duration such as 100ms, 2s or 1m`,
		`counter/counter.go:10:2: unknown directive //actor:tel (did you mean //actor:tell?)`,
		`counter/counter.go:15:1: "// Actor:tell" is not an actorgen directive (did you mean "//actor:tell"? directives have no space after // and are lowercase)`,
	}, "\n")+"\n", r.stderr)
	assert.NoFileExists(t, filepath.Join("counter", "actor_gen.go"))

	// A pattern that matches nothing loadable is an error too, not a panic.
	r = runCmd(t, "./nosuchdir")
	assert.Equal(t, exitFail, r.code)
	assert.Contains(t, r.stderr, "nosuchdir")
}

// TestFirstRunErrors: outside a module, with patterns that match nothing and
// with a missing dependency, the command says what is wrong and how to fix
// it, and exits 1; positions are relative to the directory it started in.
func TestFirstRunErrors(t *testing.T) {
	t.Setenv("GOWORK", "off")
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOFLAGS", "")

	t.Chdir(t.TempDir())
	write(t, "x.go", "package x\n")
	r := runCmd(t)
	assert.Equal(t, exitFail, r.code)
	assert.Contains(t, r.stderr, "is not inside a Go module (no go.mod here or in any parent directory); create one with go mod init MODULE\n")

	dir := t.TempDir()
	t.Chdir(dir)
	write(t, "go.mod", "module example.com/m\n\ngo 1.24\n")
	write(t, "m.go", "package m\n\nimport (\n\t\"context\"\n\n\t\"example.org/missing/dep\"\n)\n\n//actor:generate\ntype A interface{ Do(ctx context.Context, d dep.T) }\n")
	require.NoError(t, os.Mkdir("empty", 0o755))
	r = runCmd(t, "./empty/...")
	assert.Equal(t, exitFail, r.code)
	assert.Equal(t, "actorgen: gen: no packages to generate: ./empty/... matched no packages\n", r.stderr)

	r = runCmd(t)
	assert.Equal(t, exitFail, r.code)
	assert.Contains(t, r.stderr, "m.go:6:2: no required module provides package example.org/missing/dep; to add it: go get example.org/missing/dep\n")
	assert.NoFileExists(t, "actor_gen.go")

	t.Chdir(filepath.Join(dir, "empty"))
	r = runCmd(t, "..")
	assert.Equal(t, exitFail, r.code)
	assert.Contains(t, r.stderr, "\n../m.go:6:2: no required module provides package", "relative to the starting directory")
}

// TestVerboseQuiet: -v reports progress, not the type errors the go command
// finds while the generated code is left out.
func TestVerboseQuiet(t *testing.T) {
	goEnv(t)
	dir := tempModule(t, map[string]string{
		"a/a.go":   "package a\n\nimport \"context\"\n\n//actor:generate\ntype A interface{ Do(ctx context.Context) }\n",
		"a/use.go": "package a\n\nvar _ = SpawnA\n",
	}, "")
	t.Chdir(dir)
	r := runCmd(t, "-v", "./...")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "undefined")
	assert.Contains(t, r.stderr, "actorgen: 1 changed, 0 unchanged\n")
}
