// Package relay is a small websocket hub for the gossip example: game servers
// connect to it, prove who they are, and then broadcast channel messages to
// every other connected server and ask who is online.
//
// The protocol is JSON text frames, one [Frame] per websocket message:
//
//	relay → server: challenge{nonce}
//	server → relay: hello{name, proof}, broadcast{id, channel, text}, who{id}
//	relay → server: welcome{name, names}, ok{id}, online{id, names},
//	                message{from, channel, text}, joined{name}, left{name}, error{id, error}
//
// Each server has its own key, which the relay knows by the server's name
// ([Config.Keys]). The relay opens with a fresh random nonce; the server
// answers with its name and [Proof], an HMAC-SHA256 of the name and the nonce
// under its key. The key never crosses the wire, and a proof is good for one
// name and one connection only: a server that holds one name's key cannot
// take another name, and a recorded hello cannot be replayed.
//
// A hello with a bad proof, an unknown or bad name, or another frame first is
// refused: the relay closes the connection with status 1008 (policy
// violation) and a reason that says why. A hello under a name that is
// online already is refused with [StatusNameTaken]: the server online keeps
// its connection.
package relay

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// StatusNameTaken is the close status of a hello refused because another
// connection holds the name (a websocket status in the range 4000-4999 that
// RFC 6455 leaves to applications). Two servers configured with the same
// name and key get it, rather than kicking each other off forever.
const StatusNameTaken websocket.StatusCode = 4001

// Frame types.
const (
	TypeChallenge = "challenge" // relay → server, the first frame: Nonce
	TypeHello     = "hello"     // server → relay, the answer: Name, Proof
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

// MaxText is the longest broadcast text the relay accepts, in bytes: 32 KiB.
// A longer one is answered with an error frame; the connection stays up.
const MaxText = 32 << 10

// MaxFrame is the read limit of the relay's and the game servers'
// connections, in bytes: room for a frame carrying MaxText bytes of text even
// if JSON escapes every byte (as \u00XX, six bytes), with its other fields.
// A frame over it ends the connection (status 1009, message too big), as
// coder/websocket does when a read limit is exceeded; the game server never
// sends one.
const MaxFrame = 6*MaxText + 16<<10

// Frame is one protocol message. Which fields are set depends on Type.
type Frame struct {
	Type    string   `json:"type"`
	ID      uint64   `json:"id,omitempty"`
	Name    string   `json:"name,omitempty"`
	Nonce   string   `json:"nonce,omitempty"`
	Proof   string   `json:"proof,omitempty"`
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

// MinKeyLen is the shortest key the relay and the game servers accept, in
// bytes: 128 bits. [NewKey] makes keys of 32 bytes.
const MinKeyLen = 16

// NewKey returns a fresh random key of 32 bytes, hex-encoded, as the relay's
// keys file and the game server's key file hold it.
func NewKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails: see crypto/rand.Read
	return hex.EncodeToString(b)
}

// ParseKey decodes a hex-encoded key and checks its length; what names it in
// the error.
func ParseKey(what, s string) ([]byte, error) {
	k, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("relay: %s is not hex: %w", what, err)
	}
	if len(k) < MinKeyLen {
		return nil, fmt.Errorf("relay: %s is %d bytes, want at least %d", what, len(k), MinKeyLen)
	}
	return k, nil
}

// Proof is what a server named name sends in its hello to show that it holds
// key: HMAC-SHA256 under key of the protocol's label, name and the relay's
// nonce, hex-encoded.
func Proof(key []byte, name, nonce string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("gossip hello v1\x00" + name + "\x00" + nonce))
	return hex.EncodeToString(m.Sum(nil))
}

// checkProof reports whether proof is [Proof] of key, name and nonce, in
// constant time.
func checkProof(key []byte, name, nonce, proof string) bool {
	got, err := hex.DecodeString(proof)
	if err != nil {
		return false
	}
	want, _ := hex.DecodeString(Proof(key, name, nonce))
	return hmac.Equal(got, want)
}
