package directive

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/token"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// line is one //actor: comment split into its name and arguments.
type line struct {
	comment *ast.Comment
	pos     token.Pos // position of the comment's "//"
	name    string
	args    []arg
	err     *Error // set when the comment has no directive name
}

// arg is one space-separated word of a directive's arguments. For a
// key=value word, key and val are split and valPos points after the '='.
type arg struct {
	text   string
	pos    token.Pos
	key    string
	val    string
	valPos token.Pos
	hasEq  bool
}

// isDirective reports whether text is an actorgen directive comment.
func isDirective(text string) bool { return strings.HasPrefix(text, Prefix) }

// lines returns the actorgen directives of doc, in order.
func lines(doc *ast.CommentGroup) []*line {
	if doc == nil {
		return nil
	}
	var ls []*line
	for _, c := range doc.List {
		if c != nil && isDirective(c.Text) {
			ls = append(ls, lex(c))
		}
	}
	return ls
}

// lex splits the directive comment c into name and arguments.
func lex(c *ast.Comment) *line {
	l := &line{comment: c, pos: c.Slash}
	words := split(c.Text, len(Prefix))
	if len(words) == 0 || words[0].off != len(Prefix) {
		l.err = &Error{Pos: c.Slash, Msg: "missing directive name after " + Prefix + " (want one of generate, supervise, mailbox, remote, tell, ask)"}
		return l
	}
	l.name = words[0].text
	for _, w := range words[1:] {
		a := arg{text: w.text, pos: offset(c.Slash, w.off)}
		if k, v, ok := strings.Cut(w.text, "="); ok {
			a.key, a.val, a.hasEq = k, v, true
			a.valPos = offset(c.Slash, w.off+len(k)+1)
		} else {
			a.key = w.text
		}
		l.args = append(l.args, a)
	}
	return l
}

// word is a run of non-space characters of a comment, at byte offset off.
type word struct {
	text string
	off  int
}

// split splits s[from:] into words separated by Unicode white space,
// keeping each word's byte offset in s. Invalid UTF-8 is kept in words.
func split(s string, from int) []word {
	var (
		ws    []word
		start = -1
	)
	for i := from; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			if start >= 0 {
				ws = append(ws, word{s[start:i], start})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
		i += size
	}
	if start >= 0 {
		ws = append(ws, word{s[start:], start})
	}
	return ws
}

// offset returns the position off bytes after p. For a synthetic comment
// (p == NoPos) positions are byte offsets, as with ast.ParseDirective.
func offset(p token.Pos, off int) token.Pos { return p + token.Pos(off) }

// errorf returns an Error at pos.
func (l *line) errorf(pos token.Pos, format string, a ...any) Error {
	return Error{Pos: pos, Msg: fmt.Sprintf(format, a...)}
}

// noArgs reports every argument of a directive that takes none.
func (l *line) noArgs() []Error {
	if len(l.args) == 0 {
		return nil
	}
	return []Error{l.errorf(l.args[0].pos, "%s%s takes no arguments, got %q", Prefix, l.name, l.args[0].text)}
}

// unknownDirective reports l's name as unknown, suggesting a near name.
func unknownDirective(l *line) Error {
	all := []string{nameGenerate, nameSupervise, nameMailbox, nameRemote, nameTell, nameAsk}
	if s, ok := suggest(l.name, all); ok {
		return l.errorf(l.pos, "unknown directive %s%s (did you mean %s%s?)", Prefix, l.name, Prefix, s)
	}
	return l.errorf(l.pos, "unknown directive %s%s (want generate, supervise, mailbox or remote on an interface; tell or ask on a method)", Prefix, l.name)
}

// sortErrors orders errs by position, keeping the order of equal ones.
func sortErrors(errs []Error) []Error {
	slices.SortStableFunc(errs, func(a, b Error) int { return cmp.Compare(a.Pos, b.Pos) })
	return errs
}
