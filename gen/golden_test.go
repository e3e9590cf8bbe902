package gen

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/imports"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the want/ files of testdata/golden/*.txtar")

// goldenCase is one testdata/golden archive: inputs, options from the
// archive's comment ("patterns: ./...", "tags: a b"), and expectations:
// want/errors.txt, or want/DIR/actor_gen.go for each written file.
type goldenCase struct {
	name     string
	path     string
	archive  *txtar.Archive
	patterns []string
	tags     []string
	inputs   []txtar.File
	want     map[string][]byte // "want/..." name → content
}

func (c *goldenCase) wantsErrors() bool {
	_, ok := c.want["want/errors.txt"]
	return ok
}

func loadGoldenCases(t *testing.T) []*goldenCase {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "golden", "*.txtar"))
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	var cases []*goldenCase
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		require.NoError(t, err)
		c := &goldenCase{
			name:    strings.TrimSuffix(filepath.Base(p), ".txtar"),
			path:    p,
			archive: ar,
			want:    map[string][]byte{},
		}
		for _, line := range strings.Split(string(ar.Comment), "\n") {
			k, v, ok := strings.Cut(line, ":")
			switch k = strings.TrimSpace(k); {
			case !ok:
			case k == "patterns":
				c.patterns = strings.Fields(v)
			case k == "tags":
				c.tags = strings.Fields(v)
			}
		}
		for _, f := range ar.Files {
			if strings.HasPrefix(f.Name, "want/") {
				c.want[f.Name] = f.Data
			} else {
				c.inputs = append(c.inputs, f)
			}
		}
		cases = append(cases, c)
	}
	return cases
}

// unpack writes the case's inputs under dir.
func (c *goldenCase) unpack(t *testing.T, dir string, skipGoMod bool) {
	t.Helper()
	for _, f := range c.inputs {
		if skipGoMod && f.Name == "go.mod" {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, f.Data, 0o644))
	}
}

// snapshot returns every file under dir, by slash path.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	}))
	return out
}

// run generates the case in a fresh directory and returns the "want/" files
// it produced.
func (c *goldenCase) run(t *testing.T) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	c.unpack(t, dir, false)
	before := snapshot(t, dir)
	res, err := Generate(context.Background(), Config{Dir: dir, Patterns: c.patterns, Tags: c.tags})
	got := map[string][]byte{}
	if err != nil {
		var list ErrorList
		require.ErrorAs(t, err, &list, "Generate must return an ErrorList for problems in the sources")
		assert.Equal(t, before, snapshot(t, dir), "nothing may be written when there are errors")
		assert.Empty(t, res.Changed)
		got["want/errors.txt"] = []byte(err.Error() + "\n")
		return got
	}
	assert.Empty(t, res.Unchanged, "a fresh tree has no up-to-date output")
	for _, p := range res.Changed {
		rel, err := filepath.Rel(dir, p)
		require.NoError(t, err)
		b, err := os.ReadFile(p)
		require.NoError(t, err, "Changed lists %s", rel)
		got["want/"+filepath.ToSlash(rel)] = b
	}
	// A second run finds everything up to date and writes nothing.
	res2, err := Generate(context.Background(), Config{Dir: dir, Patterns: c.patterns, Tags: c.tags})
	require.NoError(t, err)
	assert.Empty(t, res2.Changed)
	assert.Equal(t, res.Changed, res2.Unchanged)
	return got
}

func TestGolden(t *testing.T) {
	for _, c := range loadGoldenCases(t) {
		t.Run(c.name, func(t *testing.T) {
			got := c.run(t)
			if *update {
				c.rewrite(t, got)
				return
			}
			require.NotEmpty(t, c.want, "the archive has no want/ files: run go test ./gen -update")
			assert.Equal(t, sortedKeys(c.want), sortedKeys(got), "set of outputs")
			for name, want := range c.want {
				assert.Equal(t, string(want), string(got[name]), name)
				if strings.HasSuffix(name, ".go") && got[name] != nil {
					// goimports (all of it, not only the formatting) changes nothing.
					fixed, err := imports.Process(name, got[name], nil)
					require.NoError(t, err, name)
					assert.Equal(t, string(got[name]), string(fixed), "%s is not goimports-clean", name)
				}
			}
		})
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// rewrite replaces the archive's want/ files with got.
func (c *goldenCase) rewrite(t *testing.T, got map[string][]byte) {
	t.Helper()
	ar := &txtar.Archive{Comment: c.archive.Comment, Files: slices.Clone(c.inputs)}
	for _, name := range sortedKeys(got) {
		ar.Files = append(ar.Files, txtar.File{Name: name, Data: got[name]})
	}
	data := txtar.Format(ar)
	if bytes.Equal(data, txtar.Format(c.archive)) {
		return
	}
	require.NoError(t, os.WriteFile(c.path, data, 0o644))
	t.Logf("updated %s", c.path)
}
