package templates_test

import (
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorgen/actorgen/cmd/actorgen/internal/templates"
	"github.com/actorgen/actorgen/gen/directive"
)

func TestRenderFiles(t *testing.T) {
	files, err := templates.Render(templates.Data{Package: "shop", Name: "URLCache", GoGenerate: true, TestMain: true})
	require.NoError(t, err)
	require.Len(t, files, 3)
	assert.Equal(t, []string{"urlcache.go", "urlcache_state.go", "urlcache_test.go"},
		[]string{files[0].Name, files[1].Name, files[2].Name})

	for _, f := range files {
		formatted, err := format.Source(f.Content)
		require.NoError(t, err, f.Name)
		assert.Equal(t, string(formatted), string(f.Content), "%s is not gofmt-clean", f.Name)
		parsed, err := parser.ParseFile(token.NewFileSet(), f.Name, f.Content, parser.ParseComments)
		require.NoError(t, err, f.Name)
		assert.Equal(t, "shop", parsed.Name.Name)
	}
	iface, state, test := string(files[0].Content), string(files[1].Content), string(files[2].Content)
	assert.Contains(t, iface, "//go:generate go tool actorgen\n")
	assert.Contains(t, iface, "type URLCache interface {")
	assert.Contains(t, state, "type urlCacheState struct {")
	assert.Contains(t, state, "var _ URLCache = (*urlCacheState)(nil)")
	assert.Contains(t, state, "func newURLCacheState() *urlCacheState {")
	assert.Contains(t, test, "goleak.VerifyTestMain(m)")
	assert.Contains(t, test, "func TestURLCacheAddThenTotal(t *testing.T) {")
	assert.Contains(t, test, `SpawnURLCache(sys, "urlcache", func(*runtime.Context) URLCache { return newURLCacheState() })`)
}

// TestRenderDirectives checks that the scaffold's directives parse without
// errors and mean what the scaffold's comments say.
func TestRenderDirectives(t *testing.T) {
	files, err := templates.Render(templates.Data{Package: "p", Name: "Counter"})
	require.NoError(t, err)
	f, err := parser.ParseFile(token.NewFileSet(), files[0].Name, files[0].Content, parser.ParseComments)
	require.NoError(t, err)

	var spec *ast.TypeSpec
	var doc *ast.CommentGroup
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
			spec, doc = g.Specs[0].(*ast.TypeSpec), g.Doc
		}
	}
	require.NotNil(t, spec)
	iface, errs := directive.ParseInterface(doc)
	require.Empty(t, errs)
	assert.True(t, iface.Generate)
	require.NotNil(t, iface.Supervise)
	assert.Equal(t, "reset", iface.Supervise.Decision.String())
	assert.Equal(t, 10, iface.Supervise.MaxFaults)

	used := map[*ast.Comment]bool{}
	for _, c := range iface.Used {
		used[c] = true
	}
	methods := map[string]directive.Method{}
	for _, m := range spec.Type.(*ast.InterfaceType).Methods.List {
		md, errs := directive.ParseMethod(m.Doc)
		require.Empty(t, errs)
		methods[m.Names[0].Name] = md
		for _, c := range md.Used {
			used[c] = true
		}
	}
	assert.False(t, methods["Add"].Tell, "Add has no results: a tell without a directive")
	assert.NotZero(t, methods["Total"].AskTimeout)
	assert.Empty(t, directive.Stray(f, used))
}

func TestRenderOptionalParts(t *testing.T) {
	files, err := templates.Render(templates.Data{Package: "p", Name: "Counter"})
	require.NoError(t, err)
	assert.NotContains(t, string(files[0].Content), "go:generate")
	assert.NotContains(t, string(files[2].Content), "TestMain")
	assert.NotContains(t, string(files[2].Content), "goleak")
	_, err = parser.ParseFile(token.NewFileSet(), files[2].Name, files[2].Content, 0)
	require.NoError(t, err)
}

func TestLowerInitial(t *testing.T) {
	for name, want := range map[string]string{
		"Counter":   "counterState",
		"URLParser": "urlParserState",
		"URL":       "urlState",
		"A":         "aState",
		"ÉtéMap":    "étéMapState",
		"HTTP2Conn": "http2ConnState",
	} {
		files, err := templates.Render(templates.Data{Package: "p", Name: name})
		require.NoError(t, err, name)
		assert.Contains(t, string(files[1].Content), "type "+want+" struct", name)
	}
}

func TestCheckName(t *testing.T) {
	for _, name := range []string{"Counter", "URL", "Book2", "Été"} {
		assert.NoError(t, templates.CheckName(name), name)
	}
	for name, msg := range map[string]string{
		"":         "empty actor name: want an exported Go identifier such as Counter",
		"counter":  `actor name "counter" is not exported: want an identifier starting with an upper-case letter, such as Counter`,
		"2Counter": `actor name "2Counter" is not a Go identifier: want an exported identifier such as Counter`,
		"My-Actor": `actor name "My-Actor" is not a Go identifier: want an exported identifier such as Counter`,
		"My_Actor": `actor name "My_Actor" contains '_': want MixedCaps, such as MyActor`,
		"Foo_test": `actor name "Foo_test" contains '_': want MixedCaps, such as Footest`,
		"func":     `actor name "func" is not a Go identifier: want an exported identifier such as Counter`,
	} {
		assert.EqualError(t, templates.CheckName(name), msg, name)
	}
}

func TestRenderRejectsBadData(t *testing.T) {
	_, err := templates.Render(templates.Data{Package: "p", Name: "bad name"})
	assert.EqualError(t, err, `templates: actor name "bad name" is not a Go identifier: want an exported identifier such as Counter`)
	_, err = templates.Render(templates.Data{Package: "my-pkg", Name: "Counter"})
	assert.EqualError(t, err, `templates: package name "my-pkg" is not a Go identifier`)
	_, err = templates.Render(templates.Data{Package: "_", Name: "Counter"})
	assert.EqualError(t, err, `templates: package name "_" is not a Go identifier`)
	_, err = templates.Render(templates.Data{Package: "type", Name: "Counter"})
	assert.EqualError(t, err, `templates: package name "type" is not a Go identifier`)
}

func TestNoUnexpandedTemplateText(t *testing.T) {
	files, err := templates.Render(templates.Data{Package: "p", Name: "Counter", GoGenerate: true, TestMain: true})
	require.NoError(t, err)
	for _, f := range files {
		assert.False(t, strings.Contains(string(f.Content), "{{"), f.Name)
	}
}
