package gen

import (
	"cmp"
	"fmt"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
)

// Error is one problem found while generating, at a source position.
type Error struct {
	Pos token.Position // Filename is relative to Config.Dir when possible
	Msg string
}

// Error formats the error as "file.go:line:col: msg", or just msg when the
// position is unknown.
func (e *Error) Error() string {
	if !e.Pos.IsValid() && e.Pos.Filename == "" {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// ErrorList is every problem found by one Generate call, sorted by position.
type ErrorList []*Error

// Error joins the errors, one per line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// sort orders the list by file, line, column and message, and drops exact
// duplicates (the same problem reached twice, e.g. through two embeddings).
func (l ErrorList) sort() ErrorList {
	slices.SortFunc(l, func(a, b *Error) int {
		return cmp.Or(
			cmp.Compare(a.Pos.Filename, b.Pos.Filename),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
	return slices.CompactFunc(l, func(a, b *Error) bool {
		return a.Pos == b.Pos && a.Msg == b.Msg
	})
}

// errs collects errors with token.Pos positions during one run.
type errs struct {
	fset *token.FileSet
	dir  string // absolute Config.Dir, for relative file names
	list ErrorList
}

func (e *errs) addf(pos token.Pos, format string, args ...any) {
	var p token.Position
	if pos.IsValid() && e.fset != nil {
		p = e.fset.Position(pos)
	}
	e.addPosition(p, fmt.Sprintf(format, args...))
}

func (e *errs) addPosition(p token.Position, msg string) {
	p.Filename = relPath(e.dir, p.Filename)
	p.Offset = 0
	if e.dir != "" {
		// Paths inside messages (from the go command) are made relative too.
		msg = strings.ReplaceAll(msg, e.dir+string(filepath.Separator), "")
	}
	e.list = append(e.list, &Error{Pos: p, Msg: msg})
}

// where formats a position for use inside a message, relative to Dir.
func (e *errs) where(pos token.Pos) string {
	p := e.fset.Position(pos)
	p.Filename = relPath(e.dir, p.Filename)
	return p.String()
}
