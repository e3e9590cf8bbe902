package directive_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actorgen/actorgen/gen/directive"
	"github.com/actorgen/actorgen/runtime"
)

// parse parses src as file p.go.
func parse(t *testing.T, src string) (*token.FileSet, *ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	require.NoError(t, err)
	return fset, f
}

// render formats errs as "line:col: msg".
func render(fset *token.FileSet, errs []directive.Error) []string {
	var out []string
	for _, e := range errs {
		p := fset.Position(e.Pos)
		out = append(out, fmt.Sprintf("%d:%d: %s", p.Line, p.Column, e.Msg))
	}
	return out
}

// ifaceSrc puts doc lines (starting at line 3) above interface T.
func ifaceSrc(doc ...string) string {
	return "package p\n\n" + strings.Join(doc, "\n") + "\ntype T interface{ M() }\n"
}

// methodSrc puts doc lines (starting at line 5) above method M of an
// interface T.
func methodSrc(doc ...string) string {
	return "package p\n\n//actor:generate\ntype T interface {\n" + strings.Join(doc, "\n") + "\n\tM()\n}\n"
}

// typeDoc returns the doc comment of the first type in f.
func typeDoc(f *ast.File) *ast.CommentGroup {
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
			if g.Doc != nil {
				return g.Doc
			}
			return g.Specs[0].(*ast.TypeSpec).Doc
		}
	}
	return nil
}

// methodDoc returns the doc comment of the first method of the first
// interface type in f.
func methodDoc(f *ast.File) *ast.CommentGroup {
	var doc *ast.CommentGroup
	ast.Inspect(f, func(n ast.Node) bool {
		if it, ok := n.(*ast.InterfaceType); ok && doc == nil && len(it.Methods.List) > 0 {
			doc = it.Methods.List[0].Doc
		}
		return doc == nil
	})
	return doc
}

func TestParseInterfaceValid(t *testing.T) {
	tests := []struct {
		name string
		doc  []string
		want directive.Interface // Used is checked separately
	}{
		{"none", []string{"// T is a thing."}, directive.Interface{}},
		{"generate", []string{"// T is a thing.", "//", "//actor:generate"}, directive.Interface{Generate: true}},
		{"trailing space", []string{"//actor:generate   "}, directive.Interface{Generate: true}},
		{"supervise plain", []string{"//actor:generate", "//actor:supervise resume"},
			directive.Interface{Generate: true, Supervise: &runtime.Strategy{Decision: runtime.Resume}}},
		{"supervise all keys", []string{"//actor:generate", "//actor:supervise reset backoff=100ms..10s jitter=0.2 reset-after=30s max=10/1m"},
			directive.Interface{Generate: true, Supervise: &runtime.Strategy{
				Decision: runtime.Reset, BackoffMin: 100 * time.Millisecond, BackoffMax: 10 * time.Second,
				Jitter: 0.2, ResetAfter: 30 * time.Second,
				MaxFaults: 10, Period: time.Minute,
			}}},
		{"supervise delay", []string{"//actor:supervise stop-all delay=250ms jitter=0", "//actor:generate"},
			directive.Interface{Generate: true, Supervise: &runtime.Strategy{
				Decision: runtime.StopAll, Delay: 250 * time.Millisecond,
			}}},
		{"max zero", []string{"//actor:generate", "//actor:supervise escalate max=0/1s"},
			directive.Interface{Generate: true, Supervise: &runtime.Strategy{Decision: runtime.Escalate, Period: time.Second}}},
		{"equal backoff bounds, tabs", []string{"//actor:generate", "//actor:supervise\treset-all\tbackoff=1s..1s"},
			directive.Interface{Generate: true, Supervise: &runtime.Strategy{Decision: runtime.ResetAll, BackoffMin: time.Second, BackoffMax: time.Second}}},
		{"mailbox", []string{"//actor:generate", "//actor:mailbox size=256"},
			directive.Interface{Generate: true, Mailbox: &directive.Mailbox{Size: 256}}},
		{"mailbox overflow", []string{"//actor:generate", "//actor:mailbox overflow=drop size=1"},
			directive.Interface{Generate: true, Mailbox: &directive.Mailbox{Size: 1, Overflow: runtime.OverflowDrop}}},
		{"near miss ignored here", []string{"// actor:generate", "//actor:generate"}, directive.Interface{Generate: true}},
		{"remote", []string{"//actor:generate", "//actor:remote"}, directive.Interface{Generate: true, Remote: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, f := parse(t, ifaceSrc(tt.doc...))
			doc := typeDoc(f)
			got, errs := directive.ParseInterface(doc)
			require.Empty(t, errs)
			var wantUsed []*ast.Comment
			for _, c := range doc.List {
				if strings.HasPrefix(c.Text, "//actor:") {
					wantUsed = append(wantUsed, c)
				}
			}
			assert.Equal(t, wantUsed, got.Used)
			got.Used = nil
			assert.Equal(t, tt.want.Remote, got.RemotePos.IsValid(), "RemotePos is set with Remote")
			got.RemotePos = token.NoPos
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseInterfaceErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  []string
		want []string
	}{
		{"unknown directive with suggestion", []string{"//actor:generat"},
			[]string{"3:1: unknown directive //actor:generat (did you mean //actor:generate?)"}},
		{"unknown directive case", []string{"//actor:Generate"},
			[]string{"3:1: unknown directive //actor:Generate (did you mean //actor:generate?)"}},
		{"unknown directive transposed", []string{"//actor:generate", "//actor:mialbox size=1"},
			[]string{"4:1: unknown directive //actor:mialbox (did you mean //actor:mailbox?)"}},
		{"unknown directive far", []string{"//actor:service mailbox=256"},
			[]string{"3:1: unknown directive //actor:service (want generate, supervise, mailbox or remote on an interface; tell or ask on a method)"}},
		{"missing name", []string{"//actor: generate"},
			[]string{"3:1: missing directive name after //actor: (want one of generate, supervise, mailbox, remote, tell, ask)"}},
		{"generate with args", []string{"//actor:generate now please"},
			[]string{"3:18: //actor:generate takes no arguments, got \"now\""}},
		{"duplicate directive", []string{"//actor:generate", "//actor:generate"},
			[]string{"4:1: duplicate //actor:generate"}},
		{"duplicate supervise", []string{"//actor:generate", "//actor:supervise stop", "//actor:supervise reset"},
			[]string{"5:1: duplicate //actor:supervise"}},
		{"tell on interface", []string{"//actor:generate", "//actor:tell"},
			[]string{"4:1: //actor:tell belongs on an interface method, not on the interface"}},
		{"ask on interface", []string{"//actor:generate", "//actor:ask timeout=1s"},
			[]string{"4:1: //actor:ask belongs on an interface method, not on the interface"}},
		{"supervise without generate", []string{"//actor:supervise stop"},
			[]string{"3:1: //actor:supervise without //actor:generate"}},
		{"remote without generate", []string{"//actor:remote"},
			[]string{"3:1: //actor:remote without //actor:generate"}},
		{"remote with args", []string{"//actor:generate", "//actor:remote codec=json"},
			[]string{"4:16: //actor:remote takes no arguments, got \"codec=json\""}},
		{"remote misspelled", []string{"//actor:generate", "//actor:remot"},
			[]string{"4:1: unknown directive //actor:remot (did you mean //actor:remote?)"}},
		{"remote duplicate", []string{"//actor:generate", "//actor:remote", "//actor:remote"},
			[]string{"5:1: duplicate //actor:remote"}},
		{"mailbox without generate", []string{"//actor:mailbox size=1", "//actor:supervise stop"},
			[]string{"3:1: //actor:mailbox without //actor:generate", "4:1: //actor:supervise without //actor:generate"}},
		{"missing decision", []string{"//actor:generate", "//actor:supervise"},
			[]string{"4:1: //actor:supervise needs a decision: stop, stop-all, reset, reset-all, resume or escalate"}},
		{"decision missing before key", []string{"//actor:generate", "//actor:supervise delay=1s"},
			[]string{"4:19: //actor:supervise needs a decision before \"delay=1s\": stop, stop-all, reset, reset-all, resume or escalate"}},
		{"unknown decision suggested", []string{"//actor:generate", "//actor:supervise rest"},
			[]string{"4:19: unknown decision \"rest\" in //actor:supervise (did you mean reset?)"}},
		{"unknown decision camel", []string{"//actor:generate", "//actor:supervise stopAll"},
			[]string{"4:19: unknown decision \"stopAll\" in //actor:supervise (did you mean stop-all?)"}},
		{"unknown decision far", []string{"//actor:generate", "//actor:supervise restart"},
			[]string{"4:19: unknown decision \"restart\" in //actor:supervise (want stop, stop-all, reset, reset-all, resume or escalate)"}},
		{"second bare word", []string{"//actor:generate", "//actor:supervise reset stop"},
			[]string{"4:25: unexpected argument \"stop\" in //actor:supervise (want key=value with key delay, backoff, jitter, reset-after or max)"}},
		{"bare key", []string{"//actor:generate", "//actor:supervise reset dealy"},
			[]string{"4:25: unexpected argument \"dealy\" in //actor:supervise (did you mean delay=DURATION?)"}},
		{"unknown key suggested", []string{"//actor:generate", "//actor:supervise reset jiter=0.1 delay=1s"},
			[]string{"4:25: unknown key \"jiter\" in //actor:supervise (did you mean jitter?)"}},
		{"unknown key far", []string{"//actor:generate", "//actor:supervise reset name=x"},
			[]string{"4:25: unknown key \"name\" in //actor:supervise (want delay, backoff, jitter, reset-after or max)"}},
		{"missing value", []string{"//actor:generate", "//actor:supervise reset delay="},
			[]string{"4:25: missing value for delay in //actor:supervise (want delay=DURATION)"}},
		{"missing value no equals", []string{"//actor:generate", "//actor:supervise reset backoff"},
			[]string{"4:25: missing value for backoff in //actor:supervise (want backoff=MIN..MAX)"}},
		{"duplicate key", []string{"//actor:generate", "//actor:supervise reset delay=1s delay=2s"},
			[]string{"4:34: duplicate key delay in //actor:supervise"}},
		{"bad delay", []string{"//actor:generate", "//actor:supervise reset delay=soon"},
			[]string{"4:31: bad delay \"soon\": want a duration such as 100ms, 2s or 1m"}},
		{"bad delay no unit", []string{"//actor:generate", "//actor:supervise reset delay=5"},
			[]string{"4:31: bad delay \"5\": want a duration such as 100ms, 2s or 1m"}},
		{"zero delay", []string{"//actor:generate", "//actor:supervise reset delay=0s"},
			[]string{"4:31: delay must be positive, got 0s"}},
		{"negative delay", []string{"//actor:generate", "//actor:supervise reset delay=-1s"},
			[]string{"4:31: delay must be positive, got -1s"}},
		{"backoff without dots", []string{"//actor:generate", "//actor:supervise reset backoff=1s"},
			[]string{"4:33: bad backoff \"1s\": want MIN..MAX, such as 100ms..10s"}},
		{"backoff bad max", []string{"//actor:generate", "//actor:supervise reset backoff=1s..x"},
			[]string{"4:37: bad backoff maximum \"x\": want a duration such as 100ms, 2s or 1m"}},
		{"backoff zero min", []string{"//actor:generate", "//actor:supervise reset backoff=0s..1s"},
			[]string{"4:33: backoff minimum must be positive, got 0s"}},
		{"backoff min greater", []string{"//actor:generate", "//actor:supervise reset backoff=10s..1s"},
			[]string{"4:33: invalid //actor:supervise: Strategy.BackoffMax: 1s is less than BackoffMin 10s"}},
		{"delay with backoff", []string{"//actor:generate", "//actor:supervise reset backoff=1s..2s delay=1s"},
			[]string{"4:40: invalid //actor:supervise: Strategy.Delay: a fixed delay and a backoff exclude each other"}},
		{"bad jitter", []string{"//actor:generate", "//actor:supervise reset delay=1s jitter=lots"},
			[]string{"4:41: bad jitter \"lots\": want a fraction between 0 and 1, such as 0.2"}},
		{"jitter above one", []string{"//actor:generate", "//actor:supervise reset delay=1s jitter=1.5"},
			[]string{"4:41: invalid //actor:supervise: Strategy.Jitter: 1.5 is outside [0, 1]"}},
		{"jitter negative", []string{"//actor:generate", "//actor:supervise reset delay=1s jitter=-0.1"},
			[]string{"4:41: invalid //actor:supervise: Strategy.Jitter: -0.1 is outside [0, 1]"}},
		{"jitter NaN", []string{"//actor:generate", "//actor:supervise reset delay=1s jitter=NaN"},
			[]string{"4:41: invalid //actor:supervise: Strategy.Jitter: NaN is outside [0, 1]"}},
		{"jitter without delay", []string{"//actor:generate", "//actor:supervise reset jitter=0.5"},
			[]string{"4:25: invalid //actor:supervise: Strategy.Jitter: set without a delay or backoff (it is a fraction of the delay)"}},
		{"reset-after without backoff", []string{"//actor:generate", "//actor:supervise reset delay=1s reset-after=1m"},
			[]string{"4:34: invalid //actor:supervise: Strategy.ResetAfter: set without a backoff"}},
		{"reset-after zero", []string{"//actor:generate", "//actor:supervise reset backoff=1s..2s reset-after=0s"},
			[]string{"4:52: reset-after must be positive, got 0s"}},
		{"max without slash", []string{"//actor:generate", "//actor:supervise reset max=10"},
			[]string{"4:29: bad max \"10\": want N/PERIOD, such as 10/1m"}},
		{"max negative", []string{"//actor:generate", "//actor:supervise reset max=-1/1m"},
			[]string{"4:29: invalid //actor:supervise: Strategy.MaxFaults: -1 is negative"}},
		{"max bad count", []string{"//actor:generate", "//actor:supervise reset max=ten/1m"},
			[]string{"4:29: bad max count \"ten\": want a whole number of faults"}},
		{"max zero period", []string{"//actor:generate", "//actor:supervise reset max=10/0s"},
			[]string{"4:32: max period must be positive, got 0s"}},
		{"max bad period", []string{"//actor:generate", "//actor:supervise reset max=10/"},
			[]string{"4:32: bad max period \"\": want a duration such as 100ms, 2s or 1m"}},
		{"mailbox needs size", []string{"//actor:generate", "//actor:mailbox overflow=fail"},
			[]string{"4:1: //actor:mailbox needs size=N"}},
		{"mailbox zero size", []string{"//actor:generate", "//actor:mailbox size=0"},
			[]string{"4:22: mailbox size 0 must be positive"}},
		{"mailbox negative size", []string{"//actor:generate", "//actor:mailbox size=-3"},
			[]string{"4:22: mailbox size -3 must be positive"}},
		{"mailbox bad size", []string{"//actor:generate", "//actor:mailbox size=big"},
			[]string{"4:22: bad mailbox size \"big\": want a positive whole number"}},
		{"mailbox bare number", []string{"//actor:generate", "//actor:mailbox 256"},
			[]string{"4:1: //actor:mailbox needs size=N", "4:17: unexpected argument \"256\" in //actor:mailbox (want key=value with key size or overflow)"}},
		{"unknown overflow suggested", []string{"//actor:generate", "//actor:mailbox size=1 overflow=dorp"},
			[]string{"4:33: unknown overflow \"dorp\" (did you mean drop?)"}},
		{"unknown overflow far", []string{"//actor:generate", "//actor:mailbox size=1 overflow=spill"},
			[]string{"4:33: unknown overflow \"spill\" (want block, drop or fail)"}},
		{"duplicate mailbox key", []string{"//actor:generate", "//actor:mailbox size=1 size=2"},
			[]string{"4:24: duplicate key size in //actor:mailbox"}},
		{"many errors at once", []string{"//actor:supervise reset delay=x", "//actor:mailbox size=0", "//actor:tell"},
			[]string{
				"3:1: //actor:supervise without //actor:generate",
				"3:31: bad delay \"x\": want a duration such as 100ms, 2s or 1m",
				"4:1: //actor:mailbox without //actor:generate",
				"4:22: mailbox size 0 must be positive",
				"5:1: //actor:tell belongs on an interface method, not on the interface",
			}},
		{"column after multibyte text", []string{"//actor:generate", "//actor:supervise reset delay=\u00e9"},
			[]string{"4:31: bad delay \"\u00e9\": want a duration such as 100ms, 2s or 1m"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fset, f := parse(t, ifaceSrc(tt.doc...))
			_, errs := directive.ParseInterface(typeDoc(f))
			assert.Equal(t, tt.want, render(fset, errs))
		})
	}
}

func TestParseMethod(t *testing.T) {
	tests := []struct {
		name     string
		doc      []string
		tell     bool
		timeout  time.Duration
		tellLine int // line of //actor:tell, 0 if absent
		askLine  int
		want     []string
	}{
		{name: "none", doc: []string{"\t// M does things."}},
		{name: "tell", doc: []string{"\t// M does things.", "\t//actor:tell"}, tell: true, tellLine: 6},
		{name: "ask", doc: []string{"\t//actor:ask timeout=2s"}, timeout: 2 * time.Second, askLine: 5},
		{name: "tell with args", doc: []string{"\t//actor:tell please"}, tell: true, tellLine: 5,
			want: []string{"5:15: //actor:tell takes no arguments, got \"please\""}},
		{name: "tell and ask", doc: []string{"\t//actor:tell", "\t//actor:ask timeout=1s"}, tell: true, timeout: time.Second, tellLine: 5, askLine: 6,
			want: []string{"6:2: //actor:tell and //actor:ask on the same method"}},
		{name: "ask and tell", doc: []string{"\t//actor:ask timeout=1s", "\t//actor:tell"}, tell: true, timeout: time.Second, tellLine: 6, askLine: 5,
			want: []string{"6:2: //actor:tell and //actor:ask on the same method"}},
		{name: "duplicate tell", doc: []string{"\t//actor:tell", "\t//actor:tell"}, tell: true, tellLine: 5,
			want: []string{"6:2: duplicate //actor:tell"}},
		{name: "ask without timeout", doc: []string{"\t//actor:ask"}, askLine: 5,
			want: []string{"5:2: //actor:ask needs timeout=DURATION (asks are the default; the directive only sets a timeout)"}},
		{name: "ask bad timeout", doc: []string{"\t//actor:ask timeout=forever"}, askLine: 5,
			want: []string{"5:22: bad ask timeout \"forever\": want a duration such as 100ms, 2s or 1m"}},
		{name: "ask zero timeout", doc: []string{"\t//actor:ask timeout=0"}, askLine: 5,
			want: []string{"5:22: ask timeout must be positive, got 0"}},
		{name: "ask missing value", doc: []string{"\t//actor:ask timeout"}, askLine: 5,
			want: []string{"5:14: missing value for timeout in //actor:ask (want timeout=DURATION)"}},
		{name: "ask unknown key", doc: []string{"\t//actor:ask timout=1s"}, askLine: 5,
			want: []string{"5:14: unknown key \"timout\" in //actor:ask (did you mean timeout?)"}},
		{name: "ask duplicate key", doc: []string{"\t//actor:ask timeout=1s timeout=2s"}, timeout: time.Second, askLine: 5,
			want: []string{"5:25: duplicate key timeout in //actor:ask"}},
		{name: "generate on method", doc: []string{"\t//actor:generate"},
			want: []string{"5:2: //actor:generate belongs on an interface type, not on a method"}},
		{name: "supervise on method", doc: []string{"\t//actor:supervise stop"},
			want: []string{"5:2: //actor:supervise belongs on an interface type, not on a method"}},
		{name: "remote on method", doc: []string{"\t//actor:remote"},
			want: []string{"5:2: //actor:remote belongs on an interface type, not on a method"}},
		{name: "unknown on method", doc: []string{"\t//actor:tel"},
			want: []string{"5:2: unknown directive //actor:tel (did you mean //actor:tell?)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fset, f := parse(t, methodSrc(tt.doc...))
			doc := methodDoc(f)
			got, errs := directive.ParseMethod(doc)
			assert.Equal(t, tt.want, render(fset, errs))
			assert.Equal(t, tt.tell, got.Tell)
			assert.Equal(t, tt.timeout, got.AskTimeout)
			lineOf := func(p token.Pos) int {
				if !p.IsValid() {
					return 0
				}
				return fset.Position(p).Line
			}
			assert.Equal(t, tt.tellLine, lineOf(got.TellPos))
			assert.Equal(t, tt.askLine, lineOf(got.AskPos))
			var wantUsed []*ast.Comment
			if doc != nil {
				for _, c := range doc.List {
					if strings.HasPrefix(c.Text, "//actor:") {
						wantUsed = append(wantUsed, c)
					}
				}
			}
			assert.Equal(t, wantUsed, got.Used)
		})
	}
}

func TestNilDoc(t *testing.T) {
	i, errs := directive.ParseInterface(nil)
	assert.Empty(t, errs)
	assert.Equal(t, directive.Interface{}, i)
	m, errs := directive.ParseMethod(nil)
	assert.Empty(t, errs)
	assert.Equal(t, directive.Method{}, m)
	assert.Empty(t, directive.Stray(nil, nil))
}

func TestErrorMessage(t *testing.T) {
	var err error = directive.Error{Pos: 7, Msg: "duplicate //actor:tell"}
	assert.EqualError(t, err, "duplicate //actor:tell")
}
