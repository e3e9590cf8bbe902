package gen

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// models loads dir and returns the models of its packages with actors.
func models(t testing.TB, dir string, patterns []string, tags []string) []*pkgModel {
	t.Helper()
	e := &errs{dir: dir}
	ld, err := load(context.Background(), Config{Dir: dir, Patterns: patterns, Tags: tags}, dir, e)
	require.NoError(t, err)
	var out []*pkgModel
	for _, p := range ld.pkgs {
		if pm := buildPackage(e, ld.fset, p); pm != nil {
			out = append(out, pm)
		}
	}
	require.Empty(t, e.list)
	return out
}

// docCases has doc comments that gofmt reformats: lists, code blocks,
// headings, links, trailing spaces.
const docCases = `package docs

import "context"

//actor:generate
type Docs interface {
	// List shows a list:
	//  - one
	//  - two
	// and a code block:
	//
	//	x := 1   
	//	y := 2
	//
	// # Heading
	//
	// See [context.Context] and https://go.dev/doc.
	List(ctx context.Context) error
	//   Indented   text stays a code block?
	// 1. numbered
	// 2. list
	Numbered(ctx context.Context)
}
`

// TestTextEmitterMatchesReference: the text emitter's output is byte for
// byte what jennifer and go/format give, on every golden case, on doc
// comments that gofmt rewrites and on the benchmark's large package.
func TestTextEmitterMatchesReference(t *testing.T) {
	check := func(t *testing.T, pms []*pkgModel) {
		t.Helper()
		for _, pm := range pms {
			fast, err := emitWith(pm, true)
			require.NoError(t, err)
			ref, err := emitWith(pm, false)
			require.NoError(t, err)
			assert.Equal(t, string(ref), string(fast), pm.pkg.PkgPath)
		}
	}
	for _, c := range loadGoldenCases(t) {
		if c.wantsErrors() {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.unpack(t, dir, false)
			check(t, models(t, dir, c.patterns, c.tags))
		})
	}
	t.Run("docs", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string]string{"go.mod": goMod, "docs.go": docCases})
		check(t, models(t, dir, nil, nil))
	})
	t.Run("big", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, bigPackage(20, 10))
		check(t, models(t, dir, nil, nil))
	})
}

// TestTextEmitterDeclines: types that gofmt lays out on several lines are
// left to the reference path.
func TestTextEmitterDeclines(t *testing.T) {
	dir := t.TempDir()
	c := map[string]string{"go.mod": goMod, "a.go": `package a

import "context"

//actor:generate
type Plain interface{ Do(ctx context.Context, s struct{}, i interface{}) }

//actor:generate
type Fancy interface{ Do(ctx context.Context, s struct{ X int }) }
`}
	writeTree(t, dir, c)
	pms := models(t, dir, nil, nil)
	require.Len(t, pms, 1)
	require.Len(t, pms[0].actors, 2)
	_, _, ok := emitText(pms[0], pms[0].actors[0])
	assert.False(t, ok, "Fancy: a struct type with fields")
	_, _, ok = emitText(pms[0], pms[0].actors[1])
	assert.True(t, ok, "Plain")
	assert.Equal(t, "Fancy", pms[0].actors[0].name)
}
