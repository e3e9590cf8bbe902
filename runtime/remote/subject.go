package remote

import (
	"encoding/base32"
	"fmt"
	"strings"
)

// The subjects, for a prefix p (default "ag"), a cluster c (default "local"), a node n and an
// actor path /a/b (path tokens a.b):
//
//	p.c.n.m.Type.Method.a.b   a call (ask or tell) of Type.Method on /a/b
//	p.c.n.w.a.b               a watch request: the actor's state now
//	p.c.n.x.a.b               a stop request
//	p.c.ev.n.a.b              the actor's stop, published to its watchers
//	p.c.hb.n                  the node's heartbeats
//
// A node subscribes p.c.n.> and p.c.hb.*; a caller also p.c.ev.n.a.b for the actors it watches.
const (
	kindCall  = "m"
	kindWatch = "w"
	kindStop  = "x"
)

// eventSubject is the subject of the stops of the actor at path tokens on node.
func (n *Node) eventSubject(node, tokens string) string {
	return n.base + "ev." + node + "." + tokens
}

// pathEnc writes the actor names that are not plain subject tokens: "~" and base32hex.
var pathEnc = base32.HexEncoding.WithPadding(base32.NoPadding)

// plainToken reports whether s can be a subject token as it is: letters, digits, '_', '-' and
// '$' (which begins the generated names of anonymous actors).
func plainToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '$') {
			return false
		}
	}
	return true
}

// validNode checks a node or cluster name: a plain token, and for a node none of the words the
// subjects use after the cluster.
func validNode(what, s string) error {
	if !plainToken(s) || strings.HasPrefix(s, "$") {
		return fmt.Errorf("remote: %s name %q: want letters, digits, '_' or '-'", what, s)
	}
	if what == "node" && (s == "ev" || s == "hb") {
		return fmt.Errorf("remote: node name %q is reserved for the subjects of events and heartbeats", s)
	}
	return nil
}

// pathTokens turns an actor path, "/a/b", into subject tokens, "a.b".
func pathTokens(path string) (string, error) {
	if !strings.HasPrefix(path, "/") || len(path) < 2 {
		return "", fmt.Errorf("remote: actor path %q: want /name or /parent/name", path)
	}
	names := strings.Split(path[1:], "/")
	var b strings.Builder
	for i, name := range names {
		if name == "" {
			return "", fmt.Errorf("remote: actor path %q has an empty name", path)
		}
		if i > 0 {
			b.WriteByte('.')
		}
		if plainToken(name) {
			b.WriteString(name)
		} else {
			b.WriteByte('~')
			b.WriteString(pathEnc.EncodeToString([]byte(name)))
		}
	}
	return b.String(), nil
}

// tokenName returns the actor name a path token stands for: the token itself when it is plain
// (no allocation), or its "~" encoding decoded.
func tokenName(tok string) (string, bool) {
	if plainToken(tok) {
		return tok, true
	}
	if !strings.HasPrefix(tok, "~") {
		return "", false
	}
	name, err := pathEnc.DecodeString(tok[1:])
	if err != nil || len(name) == 0 {
		return "", false
	}
	return string(name), true
}

// tokensPath is pathTokens backwards: "a.b" (tokens after the node's kind) to "/a/b".
func tokensPath(tokens string) (string, error) {
	if tokens == "" {
		return "", fmt.Errorf("remote: no actor path in the subject")
	}
	if plainPath(tokens) { // the common case: one allocation
		return "/" + strings.ReplaceAll(tokens, ".", "/"), nil
	}
	var b strings.Builder
	for tok := range strings.SplitSeq(tokens, ".") {
		name, ok := tokenName(tok)
		if !ok {
			return "", fmt.Errorf("remote: bad path token %q in the subject", tok)
		}
		b.WriteByte('/')
		b.WriteString(name)
	}
	return b.String(), nil
}

// plainPath reports whether tokens are plain tokens separated by single dots.
func plainPath(tokens string) bool {
	prev := byte('.')
	for i := 0; i < len(tokens); i++ {
		c := tokens[i]
		if c == '.' {
			if prev == '.' {
				return false
			}
		} else if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '$') {
			return false
		}
		prev = c
	}
	return prev != '.'
}

// parentOf splits "/a/b" into "/a" and "b"; a top-level path has no parent ("", name).
func parentOf(path string) (parent, name string) {
	i := strings.LastIndexByte(path, '/')
	return path[:i], path[i+1:]
}
