package gen

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// schemaErrorCases are schema files that do not parse, each with the line and the message its
// error must give.
var schemaErrorCases = []struct {
	name   string
	schema string
	line   int
	msg    string
}{
	{"not ours", "my notes\n", 1,
		`it does not start with "# actorgen wire schema v1", so it was not written by actorgen (rename or remove it)`},
	{"field outside a struct", schemaHeader + "\n\n\tN 1 int\n", 3,
		"a field (a tab-indented line) outside a struct entry: fields follow a struct KEY line"},
	{"field after a method", schemaHeader + "\nstruct ADoMsg\n\tN 1 int\nmethod A.Do ask 0000beef ADoMsg\n\tM 2 int\n", 5,
		"a field (a tab-indented line) outside a struct entry: fields follow a struct KEY line"},
	{"field of two words", schemaHeader + "\nstruct ADoMsg\n\tN 1\n", 3,
		`want a field as NAME NUMBER TYPE, not "N 1"`},
	{"field with no name", schemaHeader + "\nstruct ADoMsg\n\t- 1 int\n", 3,
		`a field with no name: want NAME NUMBER TYPE, not "- 1 int"`},
	{"field number not a number", schemaHeader + "\nstruct ADoMsg\n\tN one int\n", 3,
		`field N: bad number "one": want a decimal number below 2^32`},
	{"field number too big", schemaHeader + "\nstruct ADoMsg\n\tN 4294967296 int\n", 3,
		`field N: bad number "4294967296": want a decimal number below 2^32`},
	{"field twice", schemaHeader + "\nstruct ADoMsg\n\tN 1 int\n\t-N 1 int\n", 4,
		"field N of struct ADoMsg again: it is at line 3 too"},
	{"method too short", schemaHeader + "\nmethod A.Do ask 0000beef\n", 2,
		`want method IFACE.METHOD ask|tell FINGERPRINT MSG [REPLY], not "method A.Do ask 0000beef"`},
	{"method too long", schemaHeader + "\nmethod A.Do ask 0000beef ADoMsg ADoReply extra\n", 2,
		`want method IFACE.METHOD ask|tell FINGERPRINT MSG [REPLY], not "method A.Do ask 0000beef ADoMsg ADoReply extra"`},
	{"method kind", schemaHeader + "\nmethod A.Do call 0000beef ADoMsg\n", 2,
		`method A.Do: bad kind "call": want ask or tell`},
	{"fingerprint", schemaHeader + "\n\nmethod A.Do ask zz ADoMsg\n", 3,
		`bad fingerprint "zz": want 8 hex digits`},
	{"method twice", schemaHeader + "\nmethod A.Do ask 0000beef ADoMsg\n\nmethod A.Do tell 0000beef ADoMsg\n", 4,
		"method A.Do again: it is at line 2 too"},
	{"struct with no key", schemaHeader + "\nstruct\n", 2,
		"a struct entry with no key: want struct KEY"},
	{"struct twice", schemaHeader + "\nstruct ADoMsg\nstruct ADoMsg\n", 3,
		"struct ADoMsg again: it is at line 2 too"},
	{"unknown entry", schemaHeader + "\n<<<<<<< HEAD\n", 2,
		`"<<<<<<< HEAD" is not an entry: want a method or struct line, or a tab-indented field`},
	{"line too long", schemaHeader + "\n# ok\nstruct " + strings.Repeat("x", 1<<20) + "\n", 3,
		"bufio.Scanner: token too long"},
}

// Every parse error of a schema file names its line and what is wrong with it.
func TestParseSchemaErrors(t *testing.T) {
	for _, tc := range schemaErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseSchema([]byte(tc.schema))
			require.Error(t, err)
			se, ok := errors.AsType[*schemaError](err)
			require.True(t, ok, "%T: %v", err, err)
			assert.Equal(t, tc.line, se.line)
			assert.Equal(t, tc.msg, se.msg)
		})
	}
}

// actorgen -check reports a schema file that does not parse at file:line, with what is wrong,
// and writes nothing.
func TestCheckReportsSchemaErrors(t *testing.T) {
	src := "package p\n\nimport \"context\"\n\n//actor:generate\n//actor:remote\ntype A interface {\n\tDo(ctx context.Context, n int) error\n}\n"
	for _, tc := range schemaErrorCases {
		if tc.name == "line too long" {
			continue // parsed the same way; not worth a megabyte on disk
		}
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string]string{"go.mod": goMod, "p/p.go": src, "p/" + SchemaFile: tc.schema})
			res, err := Generate(t.Context(), Config{Dir: dir, Patterns: []string{"./..."}, Check: true})
			require.Error(t, err)
			var list ErrorList
			require.ErrorAs(t, err, &list)
			require.Len(t, list, 1, "%v", err)
			e := list[0]
			assert.Equal(t, filepath.Join("p", SchemaFile), e.Pos.Filename)
			assert.Equal(t, tc.line, e.Pos.Line)
			assert.Equal(t, SchemaFile+": "+tc.msg, e.Msg)
			assert.Equal(t, fmt.Sprintf("%s:%d: %s: %s", filepath.Join("p", SchemaFile), tc.line, SchemaFile, tc.msg), e.Error())
			assert.Empty(t, res.Changed, "nothing to write when the schema does not parse")
			assert.NoFileExists(t, filepath.Join(dir, "p", OutputFile))
		})
	}
}
