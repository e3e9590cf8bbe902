package gen

import (
	"go/token"
	"go/types"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// isInitialism reports whether a lower-case name's exported form is all upper
// case, following Go Code Review Comments (id → ID, url → URL).
func isInitialism(name string) bool {
	switch name {
	case "acl", "api", "ascii", "cpu", "css", "dns", "eof", "guid", "html", "http", "https", "id",
		"ip", "json", "lhs", "qps", "ram", "rhs", "rpc", "sla", "smtp", "sql", "ssh", "tcp", "tls",
		"ttl", "udp", "ui", "uid", "uri", "url", "utf8", "uuid", "vm", "xml":
		return true
	}
	return false
}

// exportName returns the exported form of a parameter or result name: an
// initialism becomes upper case, otherwise the first letter is upper-cased.
// Leading underscores are dropped; a name whose first letter has no upper
// case (e.g. 名前) gets the prefix "P". It returns "" for names that give
// nothing ("", "_", "__").
func exportName(name string) string {
	name = strings.TrimLeft(name, "_")
	if name == "" {
		return ""
	}
	if isInitialism(name) {
		return strings.ToUpper(name)
	}
	r, size := utf8.DecodeRuneInString(name)
	if up := unicode.ToUpper(r); unicode.IsUpper(up) {
		return string(up) + name[size:]
	}
	return "P" + name
}

// upperFirst upper-cases the first letter of an identifier.
func upperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// lowerFirst lower-cases the first letter of an identifier.
func lowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[size:]
}

// scope is a set of taken identifiers that hands out fresh ones.
type scope struct {
	parent *scope
	taken  map[string]bool
}

func newScope(parent *scope) *scope { return &scope{parent: parent, taken: map[string]bool{}} }

func (s *scope) has(name string) bool {
	for ; s != nil; s = s.parent {
		if s.taken[name] {
			return true
		}
	}
	return false
}

func (s *scope) add(names ...string) {
	for _, n := range names {
		s.taken[n] = true
	}
}

// fresh returns base if it is free, or else base followed by the first of
// 2, 3, ... that is free, and marks it taken.
func (s *scope) fresh(base string) string {
	name := base
	for n := 2; s.has(name) || !isIdent(name); n++ {
		name = base + strconv.Itoa(n)
	}
	s.add(name)
	return name
}

// isIdent reports whether name can be declared: an identifier that is not a
// keyword and not blank.
func isIdent(name string) bool {
	return name != "_" && token.IsIdentifier(name)
}

// universeNames are the predeclared identifiers; generated locals and import
// names never use them, so generated bodies can always say nil, error, etc.
func universeNames() []string { return types.Universe.Names() }

// generatedLocals are the local names generated code uses in its function
// bodies and signatures (ctx is the context parameter of every method).
func generatedLocals() []string {
	return []string{"ctx", "rep", "err", "r", "m", "s", "ac", "cancel", "opts", "a", "parent", "name", "factory", "ref", "ok"}
}
