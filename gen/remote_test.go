package gen

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorgen/actorgen/runtime/wire"
)

// TestRuntimeSentinels keeps runtimeSentinels the list of the runtime's exported error
// variables.
func TestRuntimeSentinels(t *testing.T) {
	dir := filepath.Join(moduleRoot(t), "runtime")
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var found []string
	fset := token.NewFileSet()
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, s := range gd.Specs {
				for i, n := range s.(*ast.ValueSpec).Names {
					vs := s.(*ast.ValueSpec)
					if !n.IsExported() || !strings.HasPrefix(n.Name, "Err") || i >= len(vs.Values) {
						continue
					}
					if call, ok := vs.Values[i].(*ast.CallExpr); ok {
						if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "New" {
							found = append(found, n.Name)
						}
					}
				}
			}
		}
	}
	slices.Sort(found)
	assert.Equal(t, found, runtimeSentinels())
}

func TestFieldNumber(t *testing.T) {
	assert.Equal(t, fieldNumber("Phod"), fieldNumber("Puca"), "the collision the wirechecks golden uses")
	for _, name := range []string{"", "A", "Err", "R0", strings.Repeat("x", 1000)} {
		n := fieldNumber(name)
		assert.True(t, n >= 1 && n < 1<<18, "%q gives %d", name, n)
	}
}

// TestSchemaFileLifecycle: a schema file that is not ours is never overwritten; a bad one is an
// error at its line; removing //actor:remote removes ours.
func TestSchemaFileLifecycle(t *testing.T) {
	src := "package p\n\nimport \"context\"\n\n//actor:generate\n//actor:remote\ntype A interface {\n\tDo(ctx context.Context, n int) error\n}\n"
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"go.mod": goMod, "p.go": src, SchemaFile: "my notes\n"})
	_, err := Generate(t.Context(), Config{Dir: dir})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "actor_schema.txt:1: actor_schema.txt: it does not start with \"# actorgen wire schema v1\"")
	assert.NoFileExists(t, filepath.Join(dir, OutputFile))

	writeTree(t, dir, map[string]string{SchemaFile: schemaHeader + "\n\nmethod A.Do ask zz ADoMsg\n"})
	_, err = Generate(t.Context(), Config{Dir: dir})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "actor_schema.txt:3: actor_schema.txt: bad fingerprint \"zz\"")

	require.NoError(t, os.Remove(filepath.Join(dir, SchemaFile)))
	res := generate(t, Config{Dir: dir})
	assert.Equal(t, []string{filepath.Join(dir, OutputFile), filepath.Join(dir, SchemaFile)}, res.Changed)

	writeTree(t, dir, map[string]string{"p.go": strings.Replace(src, "//actor:remote\n", "", 1)})
	res = generate(t, Config{Dir: dir})
	assert.Equal(t, []string{filepath.Join(dir, OutputFile), filepath.Join(dir, SchemaFile)}, res.Changed)
	assert.NoFileExists(t, filepath.Join(dir, SchemaFile))
	out, err := os.ReadFile(filepath.Join(dir, OutputFile))
	require.NoError(t, err)
	assert.NotContains(t, string(out), "runtime/wire", "an interface that is not remote gets no codec")
}

// TestWireTypes: the tags the codec writes as bytes use runtime/wire's numbers.
func TestWireTypes(t *testing.T) {
	for k, want := range map[wireKind]wire.Type{wBool: wire.Varint, wInt: wire.Varint, wUint: wire.Varint, wFloat64: wire.Fixed64, wFloat32: wire.Fixed32, wString: wire.Bytes, wStruct: wire.Bytes} {
		assert.Equal(t, int(want), wireTypeNumber(k), "kind %d", k)
		assert.Equal(t, want.String(), strings.ToLower(wireType(k)))
	}
}

// TestForeignRefPerPackage: a package whose messages hold another package's remote interface
// generates on its own (as go generate runs actorgen once per package): the other package's
// directives are read from the file its export data names.
func TestForeignRefPerPackage(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"go.mod": goMod,
		"a/a.go": "package a\n\nimport \"context\"\n\n//actor:generate\n//actor:remote\ntype Adder interface {\n\tAdd(ctx context.Context, n int) (int, error)\n}\n\n//actor:generate\ntype Local interface {\n\tDo(ctx context.Context) error\n}\n",
		"b/b.go": "package b\n\nimport (\n\t\"context\"\n\n\t\"example.com/m/a\"\n)\n\n//actor:generate\n//actor:remote\ntype Summer interface {\n\tSum(ctx context.Context, adder a.Adder) error\n}\n",
	})
	generate(t, Config{Dir: filepath.Join(dir, "a")})
	generate(t, Config{Dir: filepath.Join(dir, "b")})
	out, err := os.ReadFile(filepath.Join(dir, "b", OutputFile))
	require.NoError(t, err)
	assert.Contains(t, string(out), `wire.AppendRef(b, "example.com/m/a.Adder", m.Adder)`)

	writeTree(t, dir, map[string]string{"b/b.go": strings.Replace(
		"package b\n\nimport (\n\t\"context\"\n\n\t\"example.com/m/a\"\n)\n\n//actor:generate\n//actor:remote\ntype Summer interface {\n\tSum(ctx context.Context, adder a.Adder) error\n}\n",
		"a.Adder", "a.Local", 1)})
	_, err = Generate(t.Context(), Config{Dir: filepath.Join(dir, "b")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "b.go:12:33: Summer.Sum: parameter adder (a.Local) cannot cross the wire: a.Local is an actor interface without //actor:remote")
}
