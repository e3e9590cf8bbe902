// Package directive parses actorgen's directive comments.
//
// A directive is a Go directive comment of the form //actor:NAME ARGS, with no
// space after the slashes. On an interface's doc comment:
//
//	//actor:generate
//	//actor:supervise DECISION [delay=D | backoff=MIN..MAX] [jitter=F] [reset-after=D] [max=N/PERIOD]
//	//actor:mailbox size=N [overflow=block|drop|fail]
//	//actor:remote
//
// On the doc comment of an interface method:
//
//	//actor:tell
//	//actor:ask timeout=D
//
// Parsing is strict: every problem is reported as an [Error] whose position is
// that of the offending word (the directive, an argument's key, or its value),
// and a single call reports all problems it finds. [Stray] finds directives
// that no parser consumed and near misses such as "// actor:generate" that Go
// tools would treat as plain doc text.
package directive

import (
	"go/ast"
	"go/token"
	"time"

	"github.com/actorgen/actorgen/runtime"
)

// Prefix starts every actorgen directive comment.
const Prefix = "//actor:"

// Error is a problem in a directive, at Pos.
type Error struct {
	Pos token.Pos
	Msg string
}

// Error returns the message, without the position (which needs a
// [token.FileSet] to print).
func (e Error) Error() string { return e.Msg }

// Mailbox is an //actor:mailbox directive: a bounded mailbox.
type Mailbox struct {
	// Size is the capacity (size=N), always positive.
	Size int
	// Overflow is what a send to a full mailbox does (overflow=block|drop|fail).
	Overflow runtime.Overflow
}

// Interface holds the directives of an interface's doc comment.
type Interface struct {
	// Generate is true when //actor:generate is present.
	Generate bool
	// Supervise is the policy of //actor:supervise, which Strategy.Validate
	// accepts; nil if the directive is absent.
	Supervise *runtime.Strategy
	// Mailbox is nil if //actor:mailbox is absent.
	Mailbox *Mailbox
	// Remote is true when //actor:remote is present: the actor's messages
	// must cross the wire, and the generator writes their codec.
	Remote bool
	// RemotePos is the position of //actor:remote (token.NoPos when absent).
	RemotePos token.Pos
	// Used lists every //actor: comment of the doc comment, valid or not, so
	// that [Stray] does not report them again.
	Used []*ast.Comment
}

// Method holds the directives of an interface method's doc comment.
type Method struct {
	// Tell is true when //actor:tell is present.
	Tell bool
	// AskTimeout is the timeout of //actor:ask timeout=D; 0 if absent.
	AskTimeout time.Duration
	// TellPos and AskPos are the positions of //actor:tell and //actor:ask
	// (token.NoPos when absent).
	TellPos, AskPos token.Pos
	// Used lists every //actor: comment of the doc comment, valid or not, so
	// that [Stray] does not report them again.
	Used []*ast.Comment
}

// Directive names, by placement.
const (
	nameGenerate  = "generate"
	nameSupervise = "supervise"
	nameMailbox   = "mailbox"
	nameRemote    = "remote"
	nameTell      = "tell"
	nameAsk       = "ask"
)

func isInterfaceName(n string) bool {
	return n == nameGenerate || n == nameSupervise || n == nameMailbox || n == nameRemote
}
func isMethodName(n string) bool { return n == nameTell || n == nameAsk }

// ParseInterface parses the //actor: directives of an interface's doc
// comment (doc may be nil). Other comment lines are ignored.
func ParseInterface(doc *ast.CommentGroup) (Interface, []Error) {
	ls, used, errs := directives(doc, isInterfaceName, isMethodName, "belongs on an interface method, not on the interface")
	res := Interface{Used: used}
	var needG []*line // supervise, mailbox and remote lines, which need generate
	for _, l := range ls {
		switch l.name {
		case nameGenerate:
			res.Generate = true
			errs = append(errs, l.noArgs()...)
		case nameSupervise:
			s, e := parseSupervise(l)
			res.Supervise = s
			errs = append(errs, e...)
			needG = append(needG, l)
		case nameMailbox:
			m, e := parseMailbox(l)
			res.Mailbox = m
			errs = append(errs, e...)
			needG = append(needG, l)
		case nameRemote:
			res.Remote, res.RemotePos = true, l.pos
			errs = append(errs, l.noArgs()...)
			needG = append(needG, l)
		}
	}
	if !res.Generate {
		for _, l := range needG {
			errs = append(errs, l.errorf(l.pos, "%s%s without %s%s", Prefix, l.name, Prefix, nameGenerate))
		}
	}
	return res, sortErrors(errs)
}

// ParseMethod parses the //actor: directives of an interface method's doc
// comment (doc may be nil). Other comment lines are ignored.
func ParseMethod(doc *ast.CommentGroup) (Method, []Error) {
	ls, used, errs := directives(doc, isMethodName, isInterfaceName, "belongs on an interface type, not on a method")
	res := Method{Used: used}
	for _, l := range ls {
		switch l.name {
		case nameTell:
			if res.AskPos.IsValid() {
				errs = append(errs, l.errorf(l.pos, "%stell and %sask on the same method", Prefix, Prefix))
			}
			res.Tell, res.TellPos = true, l.pos
			errs = append(errs, l.noArgs()...)
		case nameAsk:
			if res.TellPos.IsValid() {
				errs = append(errs, l.errorf(l.pos, "%stell and %sask on the same method", Prefix, Prefix))
			}
			res.AskPos = l.pos
			d, e := parseAsk(l)
			res.AskTimeout = d
			errs = append(errs, e...)
		}
	}
	return res, sortErrors(errs)
}

// directives lexes the //actor: comments of doc, all returned in used. It
// returns, in order, those whose name belongs here, once each, and reports
// the others: a lex error, a name that belongs elsewhere (misplaced says
// why), an unknown name, a duplicate.
func directives(doc *ast.CommentGroup, here, elsewhere func(string) bool, misplaced string) (ls []*line, used []*ast.Comment, errs []Error) {
	seen := map[string]bool{}
	for _, l := range lines(doc) {
		used = append(used, l.comment)
		switch {
		case l.err != nil:
			errs = append(errs, *l.err)
		case elsewhere(l.name):
			errs = append(errs, l.errorf(l.pos, "%s%s %s", Prefix, l.name, misplaced))
		case !here(l.name):
			errs = append(errs, unknownDirective(l))
		case seen[l.name]:
			errs = append(errs, l.errorf(l.pos, "duplicate %s%s", Prefix, l.name))
		default:
			seen[l.name] = true
			ls = append(ls, l)
		}
	}
	return ls, used, errs
}

// Stray reports near misses (// actor:, //Actor:, // +actor:, //actors: and
// the like, which Go tools treat as plain text) anywhere in the file's
// comments, and every //actor: directive whose comment is not in used: an
// orphan, on something that is not an interface or a method.
func Stray(file *ast.File, used map[*ast.Comment]bool) []Error {
	if file == nil {
		return nil
	}
	var errs []Error
	for _, g := range file.Comments {
		if g == nil {
			continue
		}
		for _, c := range g.List {
			if c == nil {
				continue
			}
			if isDirective(c.Text) {
				if !used[c] {
					errs = append(errs, orphan(c))
				}
				continue
			}
			if want, quoted, ok := nearMiss(c.Text); ok {
				errs = append(errs, Error{Pos: c.Slash, Msg: "\"" + quoted + "\" is not an actorgen directive (did you mean \"" + want + "\"? directives have no space after // and are lowercase)"})
			}
		}
	}
	return sortErrors(errs)
}

// orphan reports a directive that no parser consumed.
func orphan(c *ast.Comment) Error {
	l := lex(c)
	switch {
	case l.err != nil:
		return *l.err
	case isInterfaceName(l.name):
		return l.errorf(l.pos, "misplaced %s%s: it must be in the doc comment of an interface type, directly above the type", Prefix, l.name)
	case isMethodName(l.name):
		return l.errorf(l.pos, "misplaced %s%s: it must be in the doc comment of a method of an interface type, directly above the method", Prefix, l.name)
	default:
		return unknownDirective(l)
	}
}
