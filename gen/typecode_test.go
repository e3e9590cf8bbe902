package gen

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"strconv"
	"strings"
	"testing"

	"github.com/dave/jennifer/jen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTypeWriter renders the type of each variable of a checked snippet and
// compares it with the source text, gofmt'd.
func TestTypeWriter(t *testing.T) {
	const src = `package p

import "unsafe"

type Local struct{}
type Alias = []Local
type G[K comparable, V any] map[K]V
const n = 3

var (
	v0  chan (<-chan int)
	v1  <-chan chan<- int
	v2  chan<- <-chan string
	v3  func(int, ...string) (bool, error)
	v4  func() func() int
	v5  struct {
		A int ` + "`json:\"a\"`" + `
		Local
	}
	v6  interface {
		M(x int) string
	}
	v7  [n * 2][n]byte
	v8  map[Local][]*Alias
	v9  G[string, Alias]
	v10 unsafe.Pointer
	v11 any
	v12 struct {
		S string "with ` + "`" + `backquote"
	}
	v13 func(...int)
)
`
	want := []string{
		"chan (<-chan int)",
		"<-chan chan<- int",
		"chan<- <-chan string",
		"func(int, ...string) (bool, error)",
		"func() func() int",
		"struct {\n\tA int `json:\"a\"`\n\tLocal\n}",
		"interface {\n\tM(int) string\n}",
		"[6][3]byte",
		"map[Local][]*Alias",
		"G[string, Alias]",
		"unsafe.Pointer",
		"any",
		"struct {\n\tS string \"with `backquote\"\n}",
		"func(...int)",
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	require.NoError(t, err)
	unsafeOnly := importerFunc(func(path string) (*types.Package, error) {
		require.Equal(t, "unsafe", path)
		return types.Unsafe, nil
	})
	pkg, err := (&types.Config{Importer: unsafeOnly}).Check("example.com/p", fset, []*ast.File{f}, nil)
	require.NoError(t, err)
	for i, w := range want {
		v := pkg.Scope().Lookup("v" + strconv.Itoa(i))
		require.NotNil(t, v, i)
		tw := newTypeWriter(pkg, nil)
		out := jen.NewFilePathName("example.com/p", "p")
		out.Var().Id("x").Add(tw.typ(v.Type()))
		require.Empty(t, tw.problem)
		got := out.GoString()
		_, decl, ok := strings.Cut(got, "var x ")
		if !ok {
			_, decl, ok = strings.Cut(got, "var x\t")
		}
		require.True(t, ok, got)
		assert.Equal(t, w, strings.TrimSpace(decl), v.Name())
	}
}

// TestTypeWriterProblems: types that cannot be written in the output
// package are reported, not rendered wrongly.
func TestTypeWriterProblems(t *testing.T) {
	other := types.NewPackage("example.com/other", "other")
	hidden := types.NewTypeName(token.NoPos, other, "hidden", nil)
	named := types.NewNamed(hidden, types.NewStruct(nil, nil), nil)
	other.Scope().Insert(hidden)
	field := types.NewField(token.NoPos, other, "secret", types.Typ[types.Int], false)
	self := types.NewPackage("example.com/self", "self")

	for _, tc := range []struct {
		typ  types.Type
		want string
	}{
		{named, "type other.hidden is unexported"},
		{types.NewStruct([]*types.Var{field}, nil), "struct field secret of package other is unexported"},
		{types.Typ[types.Invalid], "does not type-check"},
	} {
		w := newTypeWriter(self, nil)
		w.typ(types.NewSlice(tc.typ))
		assert.Contains(t, w.problem, tc.want)
		in := &inspector{pkg: self, pkgs: map[string]*types.Package{}}
		in.typ(types.NewSlice(tc.typ))
		assert.Contains(t, in.problem, tc.want, "the inspector agrees")
	}
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
