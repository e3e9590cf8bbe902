package wire_test

import (
	"testing"

	"github.com/actorgen/actorgen/runtime/wire"
)

// message appends what a generated encoder writes for a small message: a varint, two strings
// and a body holding a count and two strings.
func message(b []byte) []byte {
	b = append(b, 0x08)
	b = wire.AppendVarint(b, -1843)
	b = append(b, 0x12)
	b = wire.AppendString(b, "Ada Lovelace")
	b = append(b, 0x1a)
	b = wire.AppendString(b, "ada@example.com")
	b = append(b, 0x22)
	start := len(b)
	b = wire.Begin(b)
	b = wire.AppendUvarint(b, 2)
	b = wire.AppendString(b, "math")
	b = wire.AppendString(b, "engines")
	return wire.End(b, start)
}

func BenchmarkAppend(b *testing.B) {
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = message(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkDecode(b *testing.B) {
	data := message(nil)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		d := wire.NewDecoder(data)
		for !d.Done() {
			num, t, err := d.Tag()
			if err != nil {
				b.Fatal(err)
			}
			switch num {
			case 1:
				_, err = d.Int(t, 64)
			case 2, 3:
				_, err = d.String(t)
			case 4:
				var body wire.Decoder
				if body, err = d.Body(t); err == nil {
					var n int
					n, err = body.Count()
					for range n {
						if _, err = body.String(wire.Bytes); err != nil {
							break
						}
					}
				}
			default:
				err = d.Skip(t)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
