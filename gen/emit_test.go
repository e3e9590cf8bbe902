package gen

import (
	"go/token"
	"go/types"
	"testing"
	"time"

	"github.com/actorgen/actorgen/runtime"
	"github.com/dave/jennifer/jen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/packages"
)

// TestEmitFormatFailure: if code rendered by jennifer does not format (a
// generator bug), the reference path returns a short error instead of the
// whole source, and nothing is produced.
func TestEmitFormatFailure(t *testing.T) {
	self := types.NewPackage("example.com/x", "x")
	ctxPkg := types.NewPackage("context", "context")
	ctxType := types.NewNamed(types.NewTypeName(token.NoPos, ctxPkg, "Context", nil), types.NewInterfaceType(nil, nil), nil)
	pm := &pkgModel{
		pkg: &packages.Package{PkgPath: "example.com/x", Name: "x", Types: self},
		actors: []*actorModel{{
			name: "Bad Name", ref: "Bad NameRef", message: "Bad NameMessage", spawn: "SpawnBad Name",
			dispatch: "dispatchBad Name", tag: "uint8",
			tpNames: map[*types.TypeName]string{},
			methods: []*methodModel{{
				name: "Do", ctxType: ctxType, tell: true, msg: "Bad NameDoMsg",
				sig: types.NewSignatureType(nil, nil, nil, types.NewTuple(types.NewParam(token.NoPos, nil, "ctx", ctxType)), nil, false),
			}},
		}},
		imports: []importName{{RuntimePath, "runtime", "runtime"}, {"context", "context", "context"}, {"time", "time", "time"}},
	}
	src, err := emit(pm, &outFile{name: OutputFile, build: "!actorgen", actors: pm.actors})
	require.Error(t, err)
	assert.Nil(t, src)
	assert.Contains(t, err.Error(), "formatting the generated code")
	assert.NotContains(t, err.Error(), "\n", "one line, not the whole source")
}

func TestDurationCode(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Minute:                   "time.Minute",
		100 * time.Millisecond:        "100 * time.Millisecond",
		90 * time.Second:              "90 * time.Second",
		2 * time.Hour:                 "2 * time.Hour",
		1500 * time.Microsecond:       "1500 * time.Microsecond",
		time.Second + time.Nanosecond: "1000000001 * time.Nanosecond",
	} {
		f := jen.NewFile("p")
		f.Var().Id("d").Op("=").Add(durationCode(d))
		assert.Contains(t, f.GoString(), "var d = "+want+"\n", d)
	}
}

func TestDecisionAndOverflowNames(t *testing.T) {
	for d, want := range map[runtime.Decision]string{
		runtime.Stop: "Stop", runtime.StopAll: "StopAll", runtime.Reset: "Reset", runtime.ResetAll: "ResetAll",
		runtime.Resume: "Resume", runtime.Escalate: "Escalate",
	} {
		assert.Equal(t, want, decisionName(d))
	}
	for o, want := range map[runtime.Overflow]string{runtime.OverflowBlock: "OverflowBlock", runtime.OverflowDrop: "OverflowDrop", runtime.OverflowFail: "OverflowFail"} {
		assert.Equal(t, want, overflowName(o))
	}
}
