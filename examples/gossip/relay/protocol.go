// Package relay is a small websocket hub for the gossip example: game servers
// connect to it, say hello with their name and a shared secret, and then
// broadcast channel messages to every other connected server and ask who is
// online.
//
// The protocol is JSON text frames, one [Frame] per websocket message:
//
//	server → relay: hello{name, secret}, broadcast{id, channel, text}, who{id}
//	relay → server: welcome{name, names}, ok{id}, online{id, names},
//	                message{from, channel, text}, joined{name}, left{name}, error{id, error}
//
// A hello with a wrong secret or a bad name is refused: the relay closes the
// connection with status 1008 (policy violation) and a reason that says why.
// A second connection with a name that is already online replaces the first
// one, which is closed with status 1008 as well.
package relay

import (
	"fmt"
	"unicode/utf8"
)

// Frame types.
const (
	TypeHello     = "hello"     // server → relay: Name, Secret
	TypeWelcome   = "welcome"   // relay → server: Name, Names (who is online, this server included)
	TypeBroadcast = "broadcast" // server → relay: ID, Channel, Text
	TypeWho       = "who"       // server → relay: ID
	TypeOK        = "ok"        // relay → server: ID of the accepted broadcast
	TypeOnline    = "online"    // relay → server: ID of the who, Names
	TypeMessage   = "message"   // relay → server: From, Channel, Text
	TypeJoined    = "joined"    // relay → server: Name
	TypeLeft      = "left"      // relay → server: Name
	TypeError     = "error"     // relay → server: ID of the refused request, Error
)

// MaxNameLen is the longest server or channel name the relay accepts.
const MaxNameLen = 64

// Frame is one protocol message. Which fields are set depends on Type.
type Frame struct {
	Type    string   `json:"type"`
	ID      uint64   `json:"id,omitempty"`
	Name    string   `json:"name,omitempty"`
	Secret  string   `json:"secret,omitempty"`
	Channel string   `json:"channel,omitempty"`
	Text    string   `json:"text,omitempty"`
	From    string   `json:"from,omitempty"`
	Names   []string `json:"names,omitempty"`
	Error   string   `json:"error,omitempty"`
}

// ValidName reports whether s is acceptable as a server or channel name. The
// alphabet is small on purpose, so that two different names never look
// alike: 1 to [MaxNameLen] bytes of ASCII lower-case letters, digits, '-',
// '_' and '.', beginning with a letter or a digit. Upper case, spaces,
// control characters and every non-ASCII character (a Cyrillic 'а' that looks
// like a Latin 'a', say) are refused. The error names the offending part.
func ValidName(what, s string) error {
	if s == "" {
		return fmt.Errorf("relay: %s is empty", what)
	}
	if len(s) > MaxNameLen {
		return fmt.Errorf("relay: %s %.16q... is longer than %d bytes", what, s, MaxNameLen)
	}
	for i, r := range s {
		if nameChar(r, i == 0) {
			continue
		}
		return fmt.Errorf("relay: %s %+q has a bad character %+q at byte %d (%s)", what, s, r, i, NameAlphabet)
	}
	return nil
}

// NameAlphabet describes the characters [ValidName] accepts.
const NameAlphabet = "a-z, 0-9, '-', '_', '.' only, beginning with a-z or 0-9"

func nameChar(r rune, first bool) bool {
	switch {
	case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
		return true
	case r == '-', r == '_', r == '.':
		return !first
	}
	return false
}

// MaxCloseReason is the longest reason a websocket close frame can carry
// (RFC 6455, section 5.5: 125 bytes of payload, 2 of them the status).
const MaxCloseReason = 123

// CloseReason returns reason cut to [MaxCloseReason] bytes, at a character
// boundary and marked with "…", so that a close frame can carry it.
func CloseReason(reason string) string {
	if len(reason) <= MaxCloseReason {
		return reason
	}
	const ellipsis = "…"
	cut := MaxCloseReason - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(reason[cut]) {
		cut--
	}
	return reason[:cut] + ellipsis
}
