package directive_test

import (
	"go/ast"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/actorgen/actorgen/gen/directive"
)

func TestStray(t *testing.T) {
	src := `package p

// actor:generate
//Actor:supervise reset
//ACTOR:mailbox size=1
// +actor:generate
//actors:tell
//actorgen:generate
/*actor:tell*/
//actor :ask timeout=1s
//	actor:generate
// Actor: generate
type T interface {
	//actor:tell
	M()
}

// Actor: the one that does things; tell it what you need.
// The factor: two. Actors: many. actor:generate is the directive.
//go:generate go tool actorgen
// +build ignore
//actor:generate
var x int

func f() {
	//actor:ask timeout=1s
	_ = x // trailing //actor:tell is text, not a comment
}

//actor:bogus
//actor:
`
	fset, f := parse(t, src)
	used := map[*ast.Comment]bool{}
	// As the generator would: the interface's and the method's directives.
	iface, _ := directive.ParseInterface(typeDoc(f))
	method, _ := directive.ParseMethod(methodDoc(f))
	for _, c := range append(iface.Used, method.Used...) {
		used[c] = true
	}
	want := []string{
		`3:1: "// actor:generate" is not an actorgen directive (did you mean "//actor:generate"? directives have no space after // and are lowercase)`,
		`4:1: "//Actor:supervise" is not an actorgen directive (did you mean "//actor:supervise"? directives have no space after // and are lowercase)`,
		`5:1: "//ACTOR:mailbox" is not an actorgen directive (did you mean "//actor:mailbox"? directives have no space after // and are lowercase)`,
		`6:1: "// +actor:generate" is not an actorgen directive (did you mean "//actor:generate"? directives have no space after // and are lowercase)`,
		`7:1: "//actors:tell" is not an actorgen directive (did you mean "//actor:tell"? directives have no space after // and are lowercase)`,
		`8:1: "//actorgen:generate" is not an actorgen directive (did you mean "//actor:generate"? directives have no space after // and are lowercase)`,
		`9:1: "/*actor:tell" is not an actorgen directive (did you mean "//actor:tell"? directives have no space after // and are lowercase)`,
		`10:1: "//actor :ask" is not an actorgen directive (did you mean "//actor:ask"? directives have no space after // and are lowercase)`,
		`11:1: "//	actor:generate" is not an actorgen directive (did you mean "//actor:generate"? directives have no space after // and are lowercase)`,
		`12:1: "// Actor: generate" is not an actorgen directive (did you mean "//actor:generate"? directives have no space after // and are lowercase)`,
		`22:1: misplaced //actor:generate: it must be in the doc comment of an interface type, directly above the type`,
		`26:2: misplaced //actor:ask: it must be in the doc comment of a method of an interface type, directly above the method`,
		`30:1: unknown directive //actor:bogus (want generate, supervise, mailbox or remote on an interface; tell or ask on a method)`,
		`31:1: missing directive name after //actor: (want one of generate, supervise, mailbox, remote, tell, ask)`,
	}
	assert.Equal(t, want, render(fset, directive.Stray(f, used)))

	// With nothing used, the interface's and method's directives are orphans too.
	got := render(fset, directive.Stray(f, nil))
	assert.Contains(t, got, `14:2: misplaced //actor:tell: it must be in the doc comment of a method of an interface type, directly above the method`)
	assert.Len(t, got, len(want)+1)
}
