package wire_test

import (
	"errors"
	"testing"

	"github.com/actorgen/actorgen/runtime/wire"
)

// walk reads every field of a body every way a generated decoder could, recursing into bodies.
// Whatever the input, it must return (an error or not), never panic, and never allocate much
// more than the input.
func walk(d wire.Decoder) error {
	for !d.Done() {
		_, typ, err := d.Tag()
		if err != nil {
			return err
		}
		probe := d // read the same value the ways generated decoders do
		_, _ = probe.Uint(typ, 8)
		probe = d
		_, _ = probe.Int(typ, 0)
		probe = d
		_, _ = probe.Bool(typ)
		probe = d
		_, _ = probe.Float64(typ)
		probe = d
		_, _ = probe.Float32(typ)
		probe = d
		_, _ = probe.Complex128(typ)
		probe = d
		_, _ = probe.Error(typ, known)
		probe = d
		_, _ = probe.ReadRef(typ)
		probe = d
		var arr [4]byte
		_ = probe.Array(typ, arr[:])
		probe = d
		if body, err := probe.Body(typ); err == nil {
			inner := body
			if n, err := inner.Count(); err == nil {
				for range n {
					if _, err := inner.String(wire.Bytes); err != nil {
						break
					}
				}
				_ = inner.End()
			}
			if err := walk(body); err != nil && !errors.Is(err, wire.ErrTruncated) && !errors.Is(err, wire.ErrMalformed) {
				return err
			}
		}
		if err := d.Skip(typ); err != nil {
			return err
		}
	}
	return nil
}

func FuzzDecoder(f *testing.F) {
	var b []byte
	b = wire.AppendTag(b, 1, wire.Varint)
	b = wire.AppendVarint(b, -3)
	b = wire.AppendTag(b, 2, wire.Bytes)
	start := len(b)
	b = wire.Begin(b)
	b = wire.AppendUvarint(b, 1)
	b = wire.AppendString(b, "x")
	b = wire.End(b, start)
	b = wire.AppendTag(b, 3, wire.Bytes)
	b = wire.AppendError(b, errNotFound, known)
	b = wire.AppendTag(b, 4, wire.Fixed64)
	b = wire.AppendFloat64(b, 1)
	b = wire.AppendTag(b, 5, wire.Fixed32)
	b = wire.AppendFloat32(b, 1)
	f.Add(b)
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{0x12, 0x02, 0x12, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		err := walk(wire.NewDecoder(data))
		if err != nil && !errors.Is(err, wire.ErrTruncated) && !errors.Is(err, wire.ErrMalformed) {
			t.Fatalf("an error that is neither ErrTruncated nor ErrMalformed: %v", err)
		}
	})
}
