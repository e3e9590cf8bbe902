package remote

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/actorgen/actorgen/runtime/wire"
)

// frameVersion is the first byte of every request: a node refuses another version.
const frameVersion = 1

// The kinds of request.
const (
	reqAsk   byte = 1
	reqTell  byte = 2
	reqWatch byte = 3
	reqStop  byte = 4
	reqTells byte = 5 // tells to one actor and method, packed: the body is nextTell's
)

// request is the envelope of a request: version, kind, the method's schema fingerprint, the
// time the caller has left (0: no deadline), the sending node's name, then the message body.
//
//	[0] version  [1] kind  [2:6] schema, little endian  uvarint timeout ns  uvarint len, sender  body
type request struct {
	kind    byte
	schema  uint32
	timeout time.Duration
	sender  []byte // a part of the request's data
	body    []byte
}

// appendRequest appends the envelope's head; the body is appended after it.
func appendRequest(b []byte, kind byte, schema uint32, timeout time.Duration, sender string) []byte {
	b = append(b, frameVersion, kind)
	b = binary.LittleEndian.AppendUint32(b, schema)
	b = binary.AppendUvarint(b, uint64(max(timeout, 0)))
	b = binary.AppendUvarint(b, uint64(len(sender)))
	return append(b, sender...)
}

var errFrame = errors.New("remote: bad request envelope")

// parseRequest reads an envelope; it never panics, whatever data holds.
func parseRequest(data []byte) (request, error) {
	var r request
	if len(data) < 6 {
		return r, fmt.Errorf("%w: %d bytes, the head takes 6 at least", errFrame, len(data))
	}
	if data[0] != frameVersion {
		return r, fmt.Errorf("%w: version %d, this node speaks %d", errFrame, data[0], frameVersion)
	}
	r.kind = data[1]
	if r.kind < reqAsk || r.kind > reqTells {
		return r, fmt.Errorf("%w: kind %d", errFrame, r.kind)
	}
	r.schema = binary.LittleEndian.Uint32(data[2:6])
	rest := data[6:]
	t, n := binary.Uvarint(rest)
	if n <= 0 || t > 1<<62 {
		return r, fmt.Errorf("%w: timeout", errFrame)
	}
	r.timeout = time.Duration(t)
	rest = rest[n:]
	l, n := binary.Uvarint(rest)
	if n <= 0 || l > uint64(len(rest)-n) {
		return r, fmt.Errorf("%w: sender", errFrame)
	}
	rest = rest[n:]
	r.sender = rest[:l:l]
	r.body = rest[l:]
	return r, nil
}

// appendTell appends one tell's body to a reqTells request.
func appendTell(b, body []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(body)))
	return append(b, body...)
}

// nextTell splits the first tell's body off the body of a reqTells request: each is a uvarint
// length and that many bytes. It never panics, whatever rest holds.
func nextTell(rest []byte) (body, after []byte, err error) {
	l, n := binary.Uvarint(rest)
	if n <= 0 || l > uint64(len(rest)-n) {
		return nil, nil, fmt.Errorf("%w: a packed tell's length", errFrame)
	}
	rest = rest[n:]
	return rest[:l:l], rest[l:], nil
}

// The status byte that begins every reply.
const (
	stOK       byte = iota // the body is the reply (or, for a watch, the actor is running)
	stFault                // the handler panicked: an error body, the panic value
	stStopped              // the actor stopped, or stopped with the ask queued; text
	stUnknown              // no such exported actor; text
	stFull                 // the bounded mailbox was full; text
	stExpired              // the deadline passed before the handler got the message; text
	stDeadline             // the deadline passed while the handler ran; text
	stNoReply              // the handler returned without replying; text
	stSchema               // the method's schema differs; text
	stBad                  // the request could not be decoded, or the reply encoded; text
	stRefused              // the operation is not allowed; text
	stError                // any other error of the serving node; text
	stGone                 // the serving node closed while the handler ran; text
	stLast     = stGone
)

// appendStatus appends a reply that is an error: its status and its text.
func appendStatus(b []byte, st byte, text string) []byte {
	b = append(b, st)
	return wire.AppendString(b, text)
}

// parseStatus reads a reply's status and, for an error, its text; body is what follows.
func parseStatus(data []byte) (st byte, text string, body []byte, err error) {
	if len(data) == 0 {
		return 0, "", nil, fmt.Errorf("%w: an empty reply", ErrBadMessage)
	}
	st, body = data[0], data[1:]
	if st > stLast {
		return 0, "", nil, fmt.Errorf("%w: reply status %d", ErrBadMessage, st)
	}
	if st == stOK || st == stFault {
		return st, "", body, nil
	}
	d := wire.NewDecoder(body)
	s, err := d.String(wire.Bytes)
	if err != nil {
		return 0, "", nil, fmt.Errorf("%w: reply text: %w", ErrBadMessage, err)
	}
	return st, s, nil, nil
}
