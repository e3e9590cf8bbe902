package directive_test

import (
	"go/ast"
	"go/token"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorgen/actorgen/gen/directive"
)

// FuzzParse feeds arbitrary comment lines to every parser. Its seed corpus
// runs as part of the normal tests. Properties: no panic, every error has a
// message and a position inside one of the comments, results are the same
// on a second call, and Stray never reports a comment a parser used.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"//actor:generate",
		"//actor:generate\n//actor:supervise reset backoff=100ms..10s jitter=0.2 reset-after=30s max=10/1m",
		"//actor:supervise stop-all delay=1s delay=2s jitter=NaN",
		"//actor:supervise reset backoff=..",
		"//actor:supervise reset backoff=10s..1s max=/ max=-1/-1s",
		"//actor:supervise reset backoff=1s..2s delay=1s reset-after=0",
		"//actor:mailbox size=0 overflow=",
		"//actor:mailbox size=99999999999999999999999 overflow=spill",
		"//actor:tell\n//actor:ask timeout=1s\n//actor:tell x",
		"//actor:ask timeout=9223372036854775807ns",
		"//actor:ask timeout=1e400s",
		"//actor:",
		"//actor:\x00\xff\xfe = == =x x=",
		"//actor:supervise \u00e9\u00e9=\u00e9\u2028",
		"//actor:generate\u3000now",
		"//actor:generate\n//actor:remote\n//actor:remote x",
		"// actor:remote\n//actor:remot",
		"// actor:generate\n//Actor:\n//ACTOR: tell\n// +actor:x\n/*actor:*/\n/**/\n/*",
		"//actors :  mailbox",
		"",
		"/",
		"//",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		fset := token.NewFileSet()
		file := fset.AddFile("fuzz.go", -1, len(text)+1)
		group := &ast.CommentGroup{}
		off := 0
		for _, l := range strings.Split(text, "\n") {
			group.List = append(group.List, &ast.Comment{Slash: file.Pos(off), Text: l})
			off += len(l) + 1
		}
		inside := func(p token.Pos) bool {
			for _, c := range group.List {
				if c.Slash <= p && int(p) <= int(c.Slash)+len(c.Text) {
					return true
				}
			}
			return false
		}
		check := func(errs []directive.Error) {
			for _, e := range errs {
				require.NotEmpty(t, e.Msg)
				require.True(t, inside(e.Pos), "error %q at %d is outside the comments", e.Msg, e.Pos)
			}
		}

		iface, ierrs := directive.ParseInterface(group)
		check(ierrs)
		iface2, ierrs2 := directive.ParseInterface(group)
		assert.Equal(t, iface, iface2)
		assert.Equal(t, ierrs, ierrs2)

		method, merrs := directive.ParseMethod(group)
		check(merrs)
		method2, merrs2 := directive.ParseMethod(group)
		assert.Equal(t, method, method2)
		assert.Equal(t, merrs, merrs2)

		if s := iface.Supervise; s != nil {
			assert.GreaterOrEqual(t, s.Jitter, 0.0)
			assert.LessOrEqual(t, s.Jitter, 1.0)
			assert.LessOrEqual(t, s.BackoffMin, s.BackoffMax)
		}
		if m := iface.Mailbox; m != nil && len(ierrs) == 0 {
			assert.Positive(t, m.Size)
		}

		used := map[*ast.Comment]bool{}
		for _, c := range iface.Used {
			used[c] = true
		}
		serrs := directive.Stray(&ast.File{Comments: []*ast.CommentGroup{group}}, used)
		check(serrs)
		for _, e := range serrs {
			for _, c := range iface.Used {
				assert.NotEqual(t, c.Slash, e.Pos, "Stray reported a used comment: %s", e.Msg)
			}
		}
		assert.Equal(t, serrs, directive.Stray(&ast.File{Comments: []*ast.CommentGroup{group}}, used))
	})
}
