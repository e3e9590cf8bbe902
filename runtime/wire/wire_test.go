package wire_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/actorgen/actorgen/runtime/wire"
)

// sentinels of this test, as a generated codec lists them.
var (
	errNotFound = errors.New("not found")
	errFull     = errors.New("full")
)

func known(yield func(string, error) bool) {
	if !yield("example.com/t.ErrNotFound", errNotFound) {
		return
	}
	yield("example.com/t.ErrFull", errFull)
}

func TestRoundTrip(t *testing.T) {
	long := strings.Repeat("x", 300)
	var b []byte
	b = wire.AppendTag(b, 1, wire.Varint)
	b = wire.AppendUvarint(b, math.MaxUint64)
	b = wire.AppendTag(b, 2, wire.Varint)
	b = wire.AppendVarint(b, math.MinInt64)
	b = wire.AppendTag(b, 3, wire.Varint)
	b = wire.AppendBool(b, true)
	b = wire.AppendTag(b, 4, wire.Fixed64)
	b = wire.AppendFloat64(b, -1.5)
	b = wire.AppendTag(b, 5, wire.Fixed32)
	b = wire.AppendFloat32(b, 2.25)
	b = wire.AppendTag(b, 6, wire.Bytes)
	b = wire.AppendString(b, long)
	b = wire.AppendTag(b, 7, wire.Bytes)
	start := len(b)
	b = wire.Begin(b)
	b = wire.AppendUvarint(b, 2)
	b = wire.AppendString(b, long)
	b = wire.AppendString(b, "y")
	b = wire.End(b, start)
	b = wire.AppendTag(b, wire.MaxField, wire.Bytes)
	b = wire.AppendComplex128(b, complex(1, -2))
	b = wire.AppendTag(b, 9, wire.Bytes)
	b = wire.AppendComplex64(b, complex(3, 4))

	d := wire.NewDecoder(b)
	next := func(want uint32) wire.Type {
		t.Helper()
		num, typ, err := d.Tag()
		if err != nil || num != want {
			t.Fatalf("tag: %d %v, want %d", num, err, want)
		}
		return typ
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	u, err := d.Uint(next(1), 64)
	must(err)
	i, err := d.Int(next(2), 64)
	must(err)
	bo, err := d.Bool(next(3))
	must(err)
	f, err := d.Float64(next(4))
	must(err)
	f32, err := d.Float32(next(5))
	must(err)
	s, err := d.String(next(6))
	must(err)
	body, err := d.Body(next(7))
	must(err)
	n, err := body.Count()
	must(err)
	var elems []string
	for range n {
		e, err := body.String(wire.Bytes)
		must(err)
		elems = append(elems, e)
	}
	must(body.End())
	c, err := d.Complex128(next(wire.MaxField))
	must(err)
	c64, err := d.Complex64(next(9))
	must(err)
	if !d.Done() {
		t.Fatalf("%d bytes left", d.Len())
	}
	if u != math.MaxUint64 || i != math.MinInt64 || !bo || f != -1.5 || f32 != 2.25 || s != long ||
		len(elems) != 2 || elems[0] != long || elems[1] != "y" || c != complex(1, -2) || c64 != complex(3, 4) {
		t.Fatalf("got %v %v %v %v %v %q %q %v %v", u, i, bo, f, f32, s, elems, c, c64)
	}
}

func TestEndLongBodies(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 300, 16383, 16384, 1 << 21} {
		b := []byte{0xAA}
		start := len(b)
		b = wire.Begin(b)
		b = append(b, strings.Repeat("z", n)...)
		b = wire.End(b, start)
		d := wire.NewDecoder(b[1:])
		p, err := d.Raw(wire.Bytes)
		if err != nil || len(p) != n || !d.Done() || b[0] != 0xAA {
			t.Fatalf("n=%d: len %d, err %v, left %d", n, len(p), err, d.Len())
		}
	}
}

func TestRanges(t *testing.T) {
	d := wire.NewDecoder(wire.AppendVarint(nil, 128))
	if _, err := d.Int(wire.Varint, 8); !errors.Is(err, wire.ErrMalformed) {
		t.Fatalf("int8 128: %v", err)
	}
	d = wire.NewDecoder(wire.AppendVarint(nil, -128))
	if v, err := d.Int(wire.Varint, 8); err != nil || v != -128 {
		t.Fatalf("int8 -128: %d %v", v, err)
	}
	d = wire.NewDecoder(wire.AppendUvarint(nil, 256))
	if _, err := d.Uint(wire.Varint, 8); !errors.Is(err, wire.ErrMalformed) {
		t.Fatalf("uint8 256: %v", err)
	}
	d = wire.NewDecoder([]byte{2})
	if _, err := d.Bool(wire.Varint); !errors.Is(err, wire.ErrMalformed) {
		t.Fatalf("bool 2: %v", err)
	}
	d = wire.NewDecoder([]byte{1})
	if _, err := d.String(wire.Varint); !errors.Is(err, wire.ErrMalformed) {
		t.Fatalf("string from a varint: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	for name, tc := range map[string]struct {
		in   []byte
		read func(*wire.Decoder) error
		want error
	}{
		"length beyond input": {[]byte{0xff, 0xff, 0xff, 0xff, 0x0f, 'a'}, func(d *wire.Decoder) error { _, err := d.Bytes(wire.Bytes); return err }, wire.ErrTruncated},
		"count beyond input":  {[]byte{0x90, 0x4e}, func(d *wire.Decoder) error { _, err := d.Count(); return err }, wire.ErrTruncated},
		"varint too long":     {[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, func(d *wire.Decoder) error { _, err := d.Uint(wire.Varint, 64); return err }, wire.ErrMalformed},
		"varint cut":          {[]byte{0x80}, func(d *wire.Decoder) error { _, err := d.Uint(wire.Varint, 64); return err }, wire.ErrTruncated},
		"fixed cut":           {[]byte{1, 2, 3}, func(d *wire.Decoder) error { _, err := d.Float64(wire.Fixed64); return err }, wire.ErrTruncated},
		"field zero":          {[]byte{0x02}, func(d *wire.Decoder) error { _, _, err := d.Tag(); return err }, wire.ErrMalformed},
		"wire type 3":         {[]byte{0x0b}, func(d *wire.Decoder) error { _, _, err := d.Tag(); return err }, wire.ErrMalformed},
		"skip cut":            {[]byte{0x05, 'a'}, func(d *wire.Decoder) error { return d.Skip(wire.Bytes) }, wire.ErrTruncated},
		"body left over":      {[]byte{0x01, 0x00}, func(d *wire.Decoder) error { b, _ := d.Body(wire.Bytes); return b.End() }, wire.ErrMalformed},
	} {
		d := wire.NewDecoder(tc.in)
		if err := tc.read(&d); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}

func TestDepth(t *testing.T) {
	var b []byte
	starts := []int{}
	for range wire.MaxDepth + 1 {
		starts = append(starts, len(b))
		b = wire.Begin(b)
	}
	for i := len(starts) - 1; i >= 0; i-- {
		b = wire.End(b, starts[i])
	}
	d := wire.NewDecoder(b)
	var err error
	for err == nil {
		d, err = d.Body(wire.Bytes)
	}
	if !errors.Is(err, wire.ErrMalformed) || !strings.Contains(err.Error(), "nested") {
		t.Fatal(err)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		err      error
		is       []error
		same     bool
		wantText string
	}{
		{errNotFound, []error{errNotFound}, true, "not found"},
		{fmt.Errorf("contact 7: %w", errNotFound), []error{errNotFound}, false, "contact 7: not found"},
		{errors.Join(errNotFound, errFull), []error{errNotFound, errFull}, false, "not found\nfull"},
		{errors.New("disk on fire"), nil, false, "disk on fire"},
	} {
		b := wire.AppendError(nil, tc.err, known)
		d := wire.NewDecoder(b)
		got, err := d.Error(wire.Bytes, known)
		if err != nil {
			t.Fatal(err)
		}
		if got.Error() != tc.wantText {
			t.Errorf("%v: text %q", tc.err, got.Error())
		}
		for _, s := range tc.is {
			if !errors.Is(got, s) {
				t.Errorf("%v: decoded %v does not match %v", tc.err, got, s)
			}
		}
		if tc.same && got != tc.is[0] {
			t.Errorf("%v: decoded to %#v, want the sentinel itself", tc.err, got)
		}
		if !errors.Is(tc.err, errFull) && errors.Is(got, errFull) {
			t.Errorf("%v matches errFull after decoding", tc.err)
		}
		// Passed on by a second hop, it keeps its sentinels.
		d = wire.NewDecoder(wire.AppendError(nil, got, known))
		again, err := d.Error(wire.Bytes, known)
		if err != nil || again.Error() != tc.wantText {
			t.Fatalf("second hop: %v %v", again, err)
		}
		for _, s := range tc.is {
			if !errors.Is(again, s) {
				t.Errorf("%v: second hop does not match %v", tc.err, s)
			}
		}
	}
	// A sentinel we do not know keeps its text only.
	d := wire.NewDecoder(wire.AppendError(nil, errNotFound, known))
	got, err := d.Error(wire.Bytes, wire.NoSentinels)
	if err != nil || got.Error() != "not found" || errors.Is(got, errNotFound) {
		t.Fatalf("unknown sentinel: %#v %v", got, err)
	}
}

func TestSchema(t *testing.T) {
	if err := wire.CheckSchema("Book.Create", 1, 1); err != nil {
		t.Fatal(err)
	}
	err := wire.CheckSchema("Book.Create", 1, 2)
	if !errors.Is(err, wire.ErrSchema) || !strings.Contains(err.Error(), "Book.Create") {
		t.Fatal(err)
	}
}

func TestFieldError(t *testing.T) {
	d := wire.NewDecoder([]byte{0x05})
	_, err := d.String(wire.Bytes)
	err = wire.Field("BookCreateMsg.C", wire.Field("Contact.Name", err))
	if !errors.Is(err, wire.ErrTruncated) || !strings.HasPrefix(err.Error(), "BookCreateMsg.C: Contact.Name: wire: truncated input: length 5 exceeds the 0 bytes left") {
		t.Fatal(err)
	}
}
