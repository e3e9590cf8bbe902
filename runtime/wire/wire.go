// Package wire is the binary encoding that actorgen generates for the messages of //actor:remote
// interfaces: the primitives the generated encoders and decoders are written with.
//
// A message is a sequence of fields. A field is a tag, the varint (num<<3 | type), followed by its
// value, whose wire [Type] says how to skip it without knowing the field: a [Varint], eight bytes
// ([Fixed64]), four bytes ([Fixed32]) or a length-prefixed run of bytes ([Bytes]). Field numbers
// come from the field names (see docs/remote.md), so a decoder recognises the fields it knows
// and skips the others: a peer that added fields can still talk to one that did not.
//
// Encoding appends to a byte slice ([AppendTag], [AppendString], [Begin] and [End] for a
// length-prefixed body...) and never fails for the types here; decoding reads from a
// [Decoder], which checks every length against the input left before it allocates, bounds the
// nesting depth, and returns an error, never panics, on any input.
//
// The package has no state and depends on the standard library and the actorgen runtime only.
package wire

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strconv"
)

// Type is the wire type of a field: the low three bits of its tag.
type Type uint8

// The wire types.
const (
	Varint  Type = 0 // a base-128 varint: bools, integers (signed ones zigzag-encoded)
	Fixed64 Type = 1 // eight bytes, little endian: float64
	Bytes   Type = 2 // a varint length, then that many bytes: strings, []byte, nested bodies
	Fixed32 Type = 5 // four bytes, little endian: float32
)

// String returns the type's name.
func (t Type) String() string {
	switch t {
	case Varint:
		return "varint"
	case Fixed64:
		return "fixed64"
	case Bytes:
		return "bytes"
	case Fixed32:
		return "fixed32"
	}
	return "type" + strconv.Itoa(int(t))
}

// MaxField is the largest field number.
const MaxField = 1<<29 - 1

// MaxDepth is how deeply bodies may nest: a Decoder refuses to go deeper, so that input crafted to
// nest without end cannot exhaust the stack.
const MaxDepth = 100

// Errors the Decoder returns, wrapped with what it was reading.
var (
	// ErrTruncated: the input ends inside a value, or a length is larger than the input left.
	ErrTruncated = errors.New("wire: truncated input")
	// ErrMalformed: the input cannot be a valid encoding (a varint too long, a wire type that does
	// not exist or is not the field's, a value out of the field's range, nesting too deep).
	ErrMalformed = errors.New("wire: malformed input")
	// ErrSchema: the peer's schema of a method is not ours (see CheckSchema).
	ErrSchema = errors.New("wire: incompatible schema")
)

// AppendTag appends the tag of field num with wire type t.
func AppendTag(b []byte, num uint32, t Type) []byte {
	return AppendUvarint(b, uint64(num)<<3|uint64(t))
}

// AppendUvarint appends v as a varint.
func AppendUvarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// AppendVarint appends v zigzag-encoded as a varint, so that small negative numbers are short.
func AppendVarint(b []byte, v int64) []byte {
	return AppendUvarint(b, uint64(v<<1)^uint64(v>>63))
}

// AppendBool appends v as a varint 0 or 1.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// AppendFloat64 appends v's IEEE 754 bits, eight bytes.
func AppendFloat64(b []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

// AppendFloat32 appends v's IEEE 754 bits, four bytes.
func AppendFloat32(b []byte, v float32) []byte {
	return binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
}

// AppendComplex128 appends v as a body of its real and imaginary parts.
func AppendComplex128(b []byte, v complex128) []byte {
	b = append(b, 16)
	b = AppendFloat64(b, real(v))
	return AppendFloat64(b, imag(v))
}

// AppendComplex64 appends v as a body of its real and imaginary parts.
func AppendComplex64(b []byte, v complex64) []byte {
	b = append(b, 8)
	b = AppendFloat32(b, real(v))
	return AppendFloat32(b, imag(v))
}

// AppendString appends s's length and bytes.
func AppendString(b []byte, s string) []byte {
	return append(AppendUvarint(b, uint64(len(s))), s...)
}

// AppendBytes appends p's length and bytes.
func AppendBytes(b []byte, p []byte) []byte {
	return append(AppendUvarint(b, uint64(len(p))), p...)
}

// Begin starts a length-prefixed body at the end of b: it reserves one byte for the length. Keep
// len(b) from before the call, the body's start, to give to End once the body is appended:
//
//	start := len(b)
//	b = wire.Begin(b)
//	b = wire.AppendString(b, s) // the body
//	b = wire.End(b, start)
func Begin(b []byte) []byte {
	return append(b, 0)
}

// End writes the length of the body started at start (len(b) before Begin), moving the body when
// its length needs more than one byte.
func End(b []byte, start int) []byte {
	n := len(b) - start - 1
	if n < 0x80 {
		b[start] = byte(n)
		return b
	}
	size := (bits.Len64(uint64(n)) + 6) / 7
	b = append(b, make([]byte, size-1)...)
	copy(b[start+size:], b[start+1:start+1+n])
	binary.PutUvarint(b[start:start+size], uint64(n))
	return b
}

// Decoder reads an encoding. The zero Decoder has no input. Its methods that read a field's value
// take the wire type the field's tag gave, and fail with ErrMalformed when it is not the type the
// value needs.
type Decoder struct {
	buf []byte // the input; the decoder has read buf[:off]
	off int
	// s holds buf[sOff:] once a string has been read: the strings a decoder returns share one
	// allocation, made at the first string (see String).
	s     string
	sOff  int
	depth int
	// Refs turns the actor refs inside messages into working refs (see Ref); nil makes a ref an
	// error. Bodies share their parent's.
	Refs RefResolver
}

// NewDecoder returns a Decoder reading data. It does not copy data: strings and byte slices it
// returns are copies, but Raw returns parts of data.
func NewDecoder(data []byte) Decoder { return Decoder{buf: data} }

// rest returns the bytes not read yet.
func (d *Decoder) rest() []byte { return d.buf[d.off:] }

// advance consumes n bytes, which must be there. Only an offset moves, so reading writes no
// pointer.
func (d *Decoder) advance(n int) { d.off += n }

// Len returns the number of bytes left.
func (d *Decoder) Len() int { return len(d.buf) - d.off }

// Done reports whether the input is all read.
func (d *Decoder) Done() bool { return d.off >= len(d.buf) }

func truncated(what string, need, left int) error {
	return fmt.Errorf("%w: %s needs %d bytes, %d left", ErrTruncated, what, need, left)
}

func (d *Decoder) uvarint() (uint64, error) {
	b := d.rest()
	switch {
	case len(b) > 0 && b[0] < 0x80:
		d.advance(1)
		return uint64(b[0]), nil
	case len(b) > 1 && b[1] < 0x80:
		d.advance(2)
		return uint64(b[0]&0x7f) | uint64(b[1])<<7, nil
	case len(b) > 2 && b[2] < 0x80:
		d.advance(3)
		return uint64(b[0]&0x7f) | uint64(b[1]&0x7f)<<7 | uint64(b[2])<<14, nil
	}
	v, n := binary.Uvarint(b)
	switch {
	case n == 0:
		return 0, fmt.Errorf("%w: the input ends inside a varint", ErrTruncated)
	case n < 0:
		return 0, fmt.Errorf("%w: a varint longer than 64 bits", ErrMalformed)
	}
	d.advance(n)
	return v, nil
}

func expect(got, want Type) error {
	if got == want {
		return nil
	}
	return fmt.Errorf("%w: wire type %s, want %s", ErrMalformed, got, want)
}

// Tag reads a field's tag.
func (d *Decoder) Tag() (num uint32, t Type, err error) {
	v, err := d.uvarint()
	if err != nil {
		return 0, 0, err
	}
	t = Type(v & 7)
	if v>>3 == 0 || v>>3 > MaxField {
		return 0, 0, fmt.Errorf("%w: field number %d", ErrMalformed, v>>3)
	}
	if t != Varint && t != Fixed64 && t != Bytes && t != Fixed32 {
		return 0, 0, fmt.Errorf("%w: wire type %d of field %d", ErrMalformed, t, v>>3)
	}
	return uint32(v >> 3), t, nil
}

// Skip skips a value of wire type t: that of a field the decoder does not know.
func (d *Decoder) Skip(t Type) error {
	switch t {
	case Varint:
		_, err := d.uvarint()
		return err
	case Fixed64:
		_, err := d.fixed(8)
		return err
	case Fixed32:
		_, err := d.fixed(4)
		return err
	case Bytes:
		_, err := d.Raw(Bytes)
		return err
	}
	return fmt.Errorf("%w: wire type %d", ErrMalformed, t)
}

func (d *Decoder) fixed(n int) ([]byte, error) {
	if d.Len() < n {
		return nil, truncated("a fixed value", n, d.Len())
	}
	p := d.buf[d.off : d.off+n]
	d.advance(n)
	return p, nil
}

// Uint reads an unsigned integer of the given size in bits (8, 16, 32 or 64; 0 for uint).
func (d *Decoder) Uint(t Type, size int) (uint64, error) {
	if err := expect(t, Varint); err != nil {
		return 0, err
	}
	v, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	if size == 0 {
		size = bits.UintSize
	}
	if size < 64 && v>>size != 0 {
		return 0, fmt.Errorf("%w: %d overflows uint%d", ErrMalformed, v, size)
	}
	return v, nil
}

// Int reads a zigzag-encoded signed integer of the given size in bits (8, 16, 32 or 64; 0 for
// int).
func (d *Decoder) Int(t Type, size int) (int64, error) {
	if err := expect(t, Varint); err != nil {
		return 0, err
	}
	u, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	v := int64(u>>1) ^ -int64(u&1)
	if size == 0 {
		size = bits.UintSize
	}
	if size < 64 && (v < -1<<(size-1) || v >= 1<<(size-1)) {
		return 0, fmt.Errorf("%w: %d overflows int%d", ErrMalformed, v, size)
	}
	return v, nil
}

// Bool reads a bool: a varint 0 or 1.
func (d *Decoder) Bool(t Type) (bool, error) {
	v, err := d.Uint(t, 64)
	if err != nil {
		return false, err
	}
	if v > 1 {
		return false, fmt.Errorf("%w: bool %d", ErrMalformed, v)
	}
	return v == 1, nil
}

// Float64 reads eight bytes of IEEE 754 bits.
func (d *Decoder) Float64(t Type) (float64, error) {
	if err := expect(t, Fixed64); err != nil {
		return 0, err
	}
	p, err := d.fixed(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(p)), nil
}

// Float32 reads four bytes of IEEE 754 bits.
func (d *Decoder) Float32(t Type) (float32, error) {
	if err := expect(t, Fixed32); err != nil {
		return 0, err
	}
	p, err := d.fixed(4)
	if err != nil {
		return 0, err
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(p)), nil
}

// Complex128 reads what AppendComplex128 writes.
func (d *Decoder) Complex128(t Type) (complex128, error) {
	p, err := d.Raw(t)
	if err != nil {
		return 0, err
	}
	if len(p) != 16 {
		return 0, fmt.Errorf("%w: complex128 of %d bytes", ErrMalformed, len(p))
	}
	re := math.Float64frombits(binary.LittleEndian.Uint64(p))
	im := math.Float64frombits(binary.LittleEndian.Uint64(p[8:]))
	return complex(re, im), nil
}

// Complex64 reads what AppendComplex64 writes.
func (d *Decoder) Complex64(t Type) (complex64, error) {
	p, err := d.Raw(t)
	if err != nil {
		return 0, err
	}
	if len(p) != 8 {
		return 0, fmt.Errorf("%w: complex64 of %d bytes", ErrMalformed, len(p))
	}
	re := math.Float32frombits(binary.LittleEndian.Uint32(p))
	im := math.Float32frombits(binary.LittleEndian.Uint32(p[4:]))
	return complex(re, im), nil
}

// Raw reads a length-prefixed run of bytes and returns it without copying: a part of the
// decoder's input. The length is checked against the input left first.
func (d *Decoder) Raw(t Type) ([]byte, error) {
	n, err := d.length(t)
	if err != nil {
		return nil, err
	}
	p := d.buf[d.off : d.off+n : d.off+n]
	d.advance(n)
	return p, nil
}

// length reads the length of a value of wire type t, Bytes, and checks it against the input left.
func (d *Decoder) length(t Type) (int, error) {
	if err := expect(t, Bytes); err != nil {
		return 0, err
	}
	n, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	if n > uint64(d.Len()) {
		return 0, fmt.Errorf("%w: length %d exceeds the %d bytes left", ErrTruncated, n, d.Len())
	}
	return int(n), nil
}

// String reads a length-prefixed string. The first string a decoder reads copies the rest of
// its input into one string, and it and the strings after it are parts of that copy: one
// allocation for all the strings of a body, which stays in memory while any of them does.
func (d *Decoder) String(t Type) (string, error) {
	n, err := d.length(t)
	if err != nil || n == 0 {
		return "", err
	}
	if d.s == "" {
		d.s, d.sOff = string(d.rest()), d.off
	}
	s := d.s[d.off-d.sOff : d.off-d.sOff+n]
	d.advance(n)
	return s, nil
}

// Bytes reads a length-prefixed run of bytes into a new slice (empty, not nil, for length 0).
func (d *Decoder) Bytes(t Type) ([]byte, error) {
	p, err := d.Raw(t)
	if err != nil {
		return nil, err
	}
	return append([]byte{}, p...), nil
}

// Array reads a length-prefixed run of exactly len(dst) bytes into dst.
func (d *Decoder) Array(t Type, dst []byte) error {
	p, err := d.Raw(t)
	if err != nil {
		return err
	}
	if len(p) != len(dst) {
		return fmt.Errorf("%w: %d bytes for an array of %d", ErrMalformed, len(p), len(dst))
	}
	copy(dst, p)
	return nil
}

// Body reads a length-prefixed body (a struct, slice, map, pointer...) and returns a Decoder over
// it, one level deeper than d. The body is consumed from d whether or not the caller reads all of
// it.
func (d *Decoder) Body(t Type) (Decoder, error) {
	if d.depth >= MaxDepth {
		return Decoder{}, fmt.Errorf("%w: bodies nested more than %d deep", ErrMalformed, MaxDepth)
	}
	n, err := d.length(t)
	if err != nil {
		return Decoder{}, err
	}
	body := Decoder{buf: d.buf[d.off : d.off+n : d.off+n], depth: d.depth + 1, Refs: d.Refs}
	if d.s != "" {
		body.s = d.s[d.off-d.sOff : d.off-d.sOff+n]
	}
	d.advance(n)
	return body, nil
}

// CountExactly reads the number of elements of an array body, which must be n.
func (d *Decoder) CountExactly(n int) error {
	got, err := d.Count()
	if err != nil {
		return err
	}
	if got != n {
		return fmt.Errorf("%w: %d elements for an array of %d", ErrMalformed, got, n)
	}
	return nil
}

// Count reads the number of elements of a slice, array or map body. Every element takes at least
// one byte, so a count larger than the bytes left is an error, found before anything is allocated.
func (d *Decoder) Count() (int, error) {
	n, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	if n > uint64(d.Len()) {
		return 0, fmt.Errorf("%w: %d elements in %d bytes", ErrTruncated, n, d.Len())
	}
	return int(n), nil
}

// Prealloc is the capacity to allocate for n decoded elements: n, up to a bound, so that a short
// input cannot make a decoder allocate much more than its own size. Appending grows the rest.
func Prealloc(n int) int { return min(n, 1024) }

// End reports an error when the body has bytes left that the decoder did not read (the elements
// of a slice or map body are counted, so any left are malformed).
func (d *Decoder) End() error {
	if d.Len() > 0 {
		return fmt.Errorf("%w: %d bytes after the last element", ErrMalformed, d.Len())
	}
	return nil
}

// FieldError is a decoding error in a field: Field names it, as Type.Field.
type FieldError struct {
	Field string
	Err   error
}

// Error returns "Field: Err"; nested fields give "Msg.A: Inner.B: problem".
func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns Err, so errors.Is(err, ErrTruncated) works through fields.
func (e *FieldError) Unwrap() error { return e.Err }

// Field wraps err, a decoding error, with the field it happened in.
func Field(name string, err error) error { return &FieldError{Field: name, Err: err} }

// CheckSchema compares the schema fingerprint of a method that a peer sent with ours (both
// generated from actor_schema.txt). It returns nil when they are equal, or an error matching
// ErrSchema that names the method: the peer was built from an interface that changed
// incompatibly, and its message must not be decoded.
func CheckSchema(method string, ours, theirs uint32) error {
	if ours == theirs {
		return nil
	}
	return fmt.Errorf("%w: %s: the peer's schema %08x is not ours %08x (the interface changed incompatibly; build both sides from the same actor_schema.txt)", ErrSchema, method, theirs, ours)
}

// SortedKeys returns m's keys in order: generated encoders write maps in key order, so that the
// same message always gives the same bytes.
func SortedKeys[M ~map[K]V, K cmp.Ordered, V any](m M) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
