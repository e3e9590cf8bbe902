package codec

import (
	"encoding/json"
	"flag"
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"
)

var ratio = flag.Bool("codec.ratio", false, "run TestCodecVsJSON: time both codecs and print the ratios")

func note() BookNoteMsg {
	return BookNoteMsg{Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+44 20 7946 0000", Note: "first programmer"}
}

func contact() BookPutMsg {
	return BookPutMsg{C: Contact{
		ID: 1843, Name: "Ada Lovelace", Email: "ada@example.com", Tags: []string{"math", "engines", "poetry"},
		Address: Address{Street: "12 St James's Square", City: "London", Zip: 10},
		Phones:  map[string]string{"home": "+44 20 7946 0000", "work": "+44 20 7946 0001"},
		Updated: time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC), Score: 0.97,
	}}
}

// wireNote and wirePut encode a message into a reused buffer and decode it, as a transport does
// per message. (They are not generic: a call through a type parameter would make the decoded
// value escape, which the generated code does not.)
func wireNote(b *testing.B, v BookNoteMsg) {
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = v.AppendBinary(buf[:0]); err != nil {
			b.Fatal(err)
		}
		var got BookNoteMsg
		if err := got.UnmarshalBinary(buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(buf)), "bytes/msg")
}

func wirePut(b *testing.B, v BookPutMsg) {
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = v.AppendBinary(buf[:0]); err != nil {
			b.Fatal(err)
		}
		var got BookPutMsg
		if err := got.UnmarshalBinary(buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(buf)), "bytes/msg")
}

func jsonRoundTrip[T any](b *testing.B, v T) {
	var n int
	b.ReportAllocs()
	for b.Loop() {
		data, err := json.Marshal(v)
		if err != nil {
			b.Fatal(err)
		}
		var got T
		if err := json.Unmarshal(data, &got); err != nil {
			b.Fatal(err)
		}
		n = len(data)
	}
	b.ReportMetric(float64(n), "bytes/msg")
}

func BenchmarkCodec(b *testing.B) {
	b.Run("note/wire", func(b *testing.B) { wireNote(b, note()) })
	b.Run("note/json", func(b *testing.B) { jsonRoundTrip(b, note()) })
	b.Run("contact/wire", func(b *testing.B) { wirePut(b, contact()) })
	b.Run("contact/json", func(b *testing.B) { jsonRoundTrip(b, contact()) })
}

// TestRoundTrips checks that the measured messages survive both codecs.
func TestRoundTrips(t *testing.T) {
	for _, v := range []any{note(), contact()} {
		var got any
		switch v := v.(type) {
		case BookNoteMsg:
			b, err := v.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var m BookNoteMsg
			if err := m.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			got = m
		case BookPutMsg:
			b, err := v.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var m BookPutMsg
			if err := m.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			got = m
		}
		if !reflect.DeepEqual(v, got) {
			t.Fatalf("got %#v, want %#v", got, v)
		}
	}
}

// TestCodecVsJSON times both codecs in the same run, interleaved, and prints time and
// allocations per message and the ratio wire/json (the target is at most 0.15).
func TestCodecVsJSON(t *testing.T) {
	if !*ratio {
		t.Skip("run with -codec.ratio")
	}
	const rounds = 5
	for _, c := range []struct {
		name       string
		wire, json func(*testing.B)
	}{
		{"note (4 strings)", func(b *testing.B) { wireNote(b, note()) }, func(b *testing.B) { jsonRoundTrip(b, note()) }},
		{"contact", func(b *testing.B) { wirePut(b, contact()) }, func(b *testing.B) { jsonRoundTrip(b, contact()) }},
	} {
		var w, j []testing.BenchmarkResult
		for range rounds {
			w = append(w, testing.Benchmark(c.wire))
			j = append(j, testing.Benchmark(c.json))
		}
		mw, mj := median(w), median(j)
		fmt.Printf("%-17s wire %6.0f ns %5.2f allocs %4.0f B/msg | json %6.0f ns %5.2f allocs %4.0f B/msg | wire/json time %.3f, allocs %.2f\n",
			c.name, ns(mw), allocs(mw), mw.Extra["bytes/msg"], ns(mj), allocs(mj), mj.Extra["bytes/msg"], ns(mw)/ns(mj), allocs(mw)/allocs(mj))
	}
	fmt.Printf("(medians of %d interleaved rounds, %s/%s, GOMAXPROCS %d, %s)\n", rounds, runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.Version())
}

func ns(r testing.BenchmarkResult) float64     { return float64(r.T.Nanoseconds()) / float64(r.N) }
func allocs(r testing.BenchmarkResult) float64 { return float64(r.MemAllocs) / float64(r.N) }

func median(rs []testing.BenchmarkResult) testing.BenchmarkResult {
	sorted := append([]testing.BenchmarkResult(nil), rs...)
	for i := range sorted {
		for j := i + 1; j < len(sorted); j++ {
			if ns(sorted[j]) < ns(sorted[i]) {
				sorted[i], sorted[j] = sorted[j], sorted[i]
			}
		}
	}
	return sorted[len(sorted)/2]
}
