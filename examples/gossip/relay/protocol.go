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
	"strings"
	"unicode"
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

// ValidName reports whether s is acceptable as a server or channel name:
// 1 to [MaxNameLen] bytes of letters, digits, '-', '_' and '.'. The error
// names the offending part.
func ValidName(what, s string) error {
	if s == "" {
		return fmt.Errorf("relay: %s is empty", what)
	}
	if len(s) > MaxNameLen {
		return fmt.Errorf("relay: %s %.16q... is longer than %d bytes", what, s, MaxNameLen)
	}
	if i := strings.IndexFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' && r != '.'
	}); i >= 0 {
		return fmt.Errorf("relay: %s %q has a bad character at byte %d (letters, digits, '-', '_', '.' only)", what, s, i)
	}
	return nil
}
