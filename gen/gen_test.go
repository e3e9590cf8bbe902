package gen

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeTree writes files (slash paths → content) under dir.
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
}

func generate(t *testing.T, cfg Config) Result {
	t.Helper()
	res, err := Generate(context.Background(), cfg)
	require.NoError(t, err)
	return res
}

const goMod = "module example.com/m\n\ngo 1.26.0\n"

// multiPackage is a module with three packages of actors.
func multiPackage(order []string) map[string]string {
	methods := []string{
		"Get(ctx context.Context, key string) (int, error)",
		"Put(ctx context.Context, key string, v int) error",
		"//actor:tell\n\tDrop(ctx context.Context, key string)",
		"Scan(ctx context.Context, r *strings.Reader, t time.Duration) ([]string, error)",
	}
	body := ""
	for _, i := range order {
		var n int
		fmt.Sscan(i, &n)
		body += "\t" + methods[n] + "\n"
	}
	files := map[string]string{"go.mod": goMod}
	for _, p := range []string{"a", "b", "c"} {
		files[p+"/"+p+".go"] = fmt.Sprintf(`package %s

import (
	"context"
	"strings"
	"time"
)

//actor:generate
//actor:supervise reset backoff=10ms..1s
type Store interface {
%s}

//actor:generate
type Other interface {
	Do(ctx context.Context) error
}
`, p, body)
	}
	return files
}

func generatedTree(t *testing.T, files map[string]string, patterns []string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, files)
	res := generate(t, Config{Dir: dir, Patterns: patterns})
	out := map[string]string{}
	for _, p := range res.Changed {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		rel, err := filepath.Rel(dir, p)
		require.NoError(t, err)
		out[filepath.ToSlash(rel)] = string(b)
	}
	return out
}

// TestDeterministic generates the same sources in different directories,
// with the packages named in a different order and the methods declared in
// a different order: the bytes must be identical.
func TestDeterministic(t *testing.T) {
	first := generatedTree(t, multiPackage([]string{"0", "1", "2", "3"}), []string{"./a", "./b", "./c"})
	require.Len(t, first, 3)
	again := generatedTree(t, multiPackage([]string{"0", "1", "2", "3"}), []string{"./a", "./b", "./c"})
	assert.Equal(t, first, again, "two runs")
	reordered := generatedTree(t, multiPackage([]string{"0", "1", "2", "3"}), []string{"./c", "./a", "./b"})
	assert.Equal(t, first, reordered, "package order")
	all := generatedTree(t, multiPackage([]string{"0", "1", "2", "3"}), []string{"./..."})
	assert.Equal(t, first, all, "one ./... pattern")
	methods := generatedTree(t, multiPackage([]string{"3", "2", "0", "1"}), []string{"./..."})
	assert.Equal(t, first, methods, "method declaration order: messages are identified by name")
	for _, src := range first {
		assert.NotContains(t, src, os.TempDir(), "no paths in the output")
	}
}

// TestOutputShape checks the header, the build constraint and gofmt
// stability of an output.
func TestOutputShape(t *testing.T) {
	out := generatedTree(t, multiPackage([]string{"0", "1", "2", "3"}), []string{"./a"})
	src := out["a/actor_gen.go"]
	require.NotEmpty(t, src)

	first, _, _ := strings.Cut(src, "\n")
	assert.Regexp(t, regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.$`), first)
	assert.True(t, strings.HasPrefix(src, Header+"\n\n"), "header then a blank line")

	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "actor_gen.go", src, parser.ParseComments)
	require.NoError(t, err)
	assert.True(t, ast.IsGenerated(f))
	assert.Nil(t, f.Doc, "the header must not become package documentation")

	var expr constraint.Expr
	for _, g := range f.Comments {
		for _, c := range g.List {
			if constraint.IsGoBuild(c.Text) {
				expr, err = constraint.Parse(c.Text)
				require.NoError(t, err)
			}
		}
	}
	require.NotNil(t, expr, "the output has a //go:build line")
	assert.False(t, expr.Eval(func(tag string) bool { return tag == BuildTag }), "excluded under the actorgen tag")
	assert.True(t, expr.Eval(func(string) bool { return false }), "included in normal builds")

	formatted, err := format.Source([]byte(src))
	require.NoError(t, err)
	assert.Equal(t, src, string(formatted), "gofmt-stable")

	assert.Contains(t, src, "var _ Store = StoreRef{}")
	assert.Contains(t, src, "const _ = runtime."+versionGuard+"\n")
	assert.NotContains(t, src, `"example.com/m/a"`, "never imports itself")
}

// TestUnchangedNotRewritten: a second run leaves an up-to-date file alone
// (its modification time does not move), and Check reports drift without
// writing.
func TestUnchangedNotRewritten(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, multiPackage([]string{"0", "1"}))
	out := filepath.Join(dir, "a", OutputFile)
	res := generate(t, Config{Dir: dir, Patterns: []string{"./a"}})
	assert.Equal(t, []string{out}, res.Changed)

	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, os.Chtimes(out, old, old))
	res = generate(t, Config{Dir: dir, Patterns: []string{"./a"}})
	assert.Empty(t, res.Changed)
	assert.Equal(t, []string{out}, res.Unchanged)
	st, err := os.Stat(out)
	require.NoError(t, err)
	assert.True(t, st.ModTime().Equal(old), "an unchanged file is not rewritten")

	want, err := os.ReadFile(out)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(out, append([]byte(Header+"\n\n// edited by hand\n"), want[len(Header)+1:]...), 0o644))
	edited, err := os.ReadFile(out)
	require.NoError(t, err)
	res = generate(t, Config{Dir: dir, Patterns: []string{"./a"}, Check: true})
	assert.Equal(t, []string{out}, res.Changed, "Check reports the drift")
	now, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, edited, now, "Check writes nothing")

	res = generate(t, Config{Dir: dir, Patterns: []string{"./a"}})
	assert.Equal(t, []string{out}, res.Changed)
	now, err = os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, want, now)
}

// TestRemovesStaleOutput: when a package loses its last //actor:generate
// interface, our actor_gen.go goes (only ours; Check only reports).
func TestRemovesStaleOutput(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"go.mod":         goMod,
		"a/a.go":         "package a\n\nimport \"context\"\n\n//actor:generate\ntype A interface{ Do(ctx context.Context) }\n",
		"b/b.go":         "package b\n",
		"b/actor_gen.go": "// Hand-written, not ours.\n\npackage b\n",
	})
	out := filepath.Join(dir, "a", OutputFile)
	res := generate(t, Config{Dir: dir, Patterns: []string{"./..."}})
	assert.Equal(t, []string{out}, res.Changed)

	writeTree(t, dir, map[string]string{"a/a.go": "package a\n\nimport \"context\"\n\ntype A interface{ Do(ctx context.Context) }\n"})
	res = generate(t, Config{Dir: dir, Patterns: []string{"./..."}, Check: true})
	assert.Equal(t, []string{out}, res.Changed, "Check lists the file to remove")
	assert.FileExists(t, out)

	res = generate(t, Config{Dir: dir, Patterns: []string{"./..."}})
	assert.Equal(t, []string{out}, res.Changed)
	assert.NoFileExists(t, out)
	assert.FileExists(t, filepath.Join(dir, "b", OutputFile), "a file without our header is never touched")
}

// TestFileErrors: a failure to read an existing output (here a directory
// named actor_gen.go) is returned wrapped, not as an ErrorList, and nothing
// is written.
func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, multiPackage([]string{"0"}))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "b", OutputFile), 0o755))
	_, err := Generate(context.Background(), Config{Dir: dir, Patterns: []string{"./..."}})
	require.Error(t, err)
	var list ErrorList
	assert.False(t, errors.As(err, &list), "not a problem in the sources: %v", err)
	assert.ErrorContains(t, err, "gen: ")
	assert.ErrorContains(t, err, filepath.Join("b", OutputFile))
	assert.NoFileExists(t, filepath.Join(dir, "a", OutputFile), "nothing written")
}

func TestLogAndBadTags(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, multiPackage([]string{"0"}))
	var lines []string
	logf := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	res := generate(t, Config{Dir: dir, Patterns: []string{"./b", "./a", "./c"}, Log: logf})
	assert.Len(t, res.Changed, 3)
	loads := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "loading ") {
			loads++
		}
	}
	assert.Equal(t, 1, loads, "all patterns in one packages.Load")
	assert.Contains(t, strings.Join(lines, "\n"), "loading ./b ./a ./c with -tags=actorgen")
	assert.Contains(t, strings.Join(lines, "\n"), "wrote ")

	_, err := Generate(context.Background(), Config{Dir: dir, Tags: []string{"a,b"}})
	require.ErrorContains(t, err, `invalid build tag "a,b"`)
}

func TestErrorList(t *testing.T) {
	l := ErrorList{
		{Pos: token.Position{Filename: "b.go", Line: 1, Column: 1}, Msg: "second"},
		{Pos: token.Position{Filename: "a.go", Line: 2, Column: 5}, Msg: "first"},
		{Pos: token.Position{Filename: "a.go", Line: 2, Column: 5}, Msg: "first"},
		{Msg: "no position"},
	}.sort()
	assert.Equal(t, "no position\na.go:2:5: first\nb.go:1:1: second", l.Error())
}

func TestParsePos(t *testing.T) {
	for in, want := range map[string]token.Position{
		"":              {},
		"-":             {},
		"a.go:3:4":      {Filename: "a.go", Line: 3, Column: 4},
		"a.go:3":        {Filename: "a.go", Line: 3},
		"/x/y.go":       {Filename: "/x/y.go"},
		"c:/w/a.go:1:2": {Filename: "c:/w/a.go", Line: 1, Column: 2},
	} {
		assert.Equal(t, want, parsePos(in), in)
	}
}

func TestExportName(t *testing.T) {
	for in, want := range map[string]string{
		"c": "C", "id": "ID", "url": "URL", "userID": "UserID", "ñame": "Ñame", "名前": "P名前",
		"_x": "X", "_": "", "": "", "Already": "Already", "http": "HTTP",
	} {
		assert.Equal(t, want, exportName(in), in)
	}
}

func TestScopeFresh(t *testing.T) {
	s := newScope(nil)
	s.add("a", "a2")
	assert.Equal(t, "a3", s.fresh("a"))
	assert.Equal(t, "b", s.fresh("b"))
	assert.Equal(t, "b2", s.fresh("b"))
	assert.Equal(t, "type2", s.fresh("type"), "keywords are never declared")
	child := newScope(s)
	assert.Equal(t, "a4", child.fresh("a"))
}

// TestDefaultDir: an empty Dir and no patterns mean the current directory.
func TestDefaultDir(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, multiPackage([]string{"0"}))
	t.Chdir(filepath.Join(dir, "b"))
	res := generate(t, Config{})
	require.Len(t, res.Changed, 1)
	assert.Equal(t, filepath.Join(dir, "b", OutputFile), res.Changed[0])
}

// TestBrokenSourcesNeverPanic cuts golden inputs short at several points:
// Generate must answer with positioned errors (or, when the cut leaves valid
// Go, normally), never panic.
func TestBrokenSourcesNeverPanic(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command many times")
	}
	for _, c := range loadGoldenCases(t) {
		if c.name != "basic" && c.name != "generic" && c.name != "edgetypes" {
			continue
		}
		for _, f := range c.inputs {
			if !strings.HasSuffix(f.Name, ".go") {
				continue
			}
			for _, frac := range []int{3, 2} {
				cut := len(f.Data) / frac
				t.Run(fmt.Sprintf("%s/%s@%d", c.name, f.Name, cut), func(t *testing.T) {
					dir := t.TempDir()
					c.unpack(t, dir, false)
					require.NoError(t, os.WriteFile(filepath.Join(dir, f.Name), f.Data[:cut], 0o644))
					_, err := Generate(context.Background(), Config{Dir: dir, Patterns: c.patterns})
					if err == nil {
						return // the cut happened to leave valid Go
					}
					var list ErrorList
					require.ErrorAs(t, err, &list)
					for _, e := range list {
						assert.NotEmpty(t, e.Pos.Filename, "positioned: %v", e)
					}
				})
			}
		}
	}
}
