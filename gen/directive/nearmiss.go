package directive

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// nearMiss reports whether the comment text looks like an attempt at an
// actorgen directive that Go does not treat as one: "// actor:generate",
// "//Actor:tell", "// +actor:ask", "//actors:mailbox", "/*actor:tell*/" and
// the like. It returns the directive the user probably meant and the
// offending text. A colon followed by a space ("// Actor: the one that...")
// counts only when the next word is a directive name, so prose is not
// reported.
func nearMiss(text string) (want, quoted string, ok bool) {
	if isDirective(text) || len(text) < 2 {
		return "", "", false
	}
	var body string
	switch text[:2] {
	case "//":
		body = text[2:]
	case "/*":
		body = strings.TrimSuffix(text[2:], "*/")
	default:
		return "", "", false
	}
	s := strings.TrimLeftFunc(body, unicode.IsSpace)
	s = strings.TrimLeftFunc(strings.TrimPrefix(s, "+"), unicode.IsSpace)
	n := 0
	for n < len(s) && isASCIILetter(s[n]) {
		n++
	}
	tool := strings.ToLower(s[:n])
	// Tool names that, followed by a colon, look like an attempt at ours.
	if tool != "actor" && tool != "actors" && tool != "actorgen" {
		return "", "", false
	}
	rest, found := strings.CutPrefix(strings.TrimLeftFunc(s[n:], unicode.IsSpace), ":")
	if !found || rest == "" {
		return "", "", false
	}
	if r, _ := utf8.DecodeRuneInString(rest); unicode.IsSpace(r) {
		// "// Actor: text" is prose unless the word is a directive name.
		w := firstWord(strings.TrimLeftFunc(rest, unicode.IsSpace))
		if !isInterfaceName(w) && !isMethodName(w) {
			return "", "", false
		}
	}
	rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
	name := firstWord(rest)
	want = Prefix + strings.ToLower(name)
	// rest is a suffix of body, which starts at byte 2 of text.
	quoted = text[:2+len(body)-len(rest)+len(name)]
	return want, quoted, true
}

func isASCIILetter(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }

// firstWord returns s up to its first white space.
func firstWord(s string) string {
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		return s[:i]
	}
	return s
}
