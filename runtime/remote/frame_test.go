package remote

import (
	"testing"
	"time"
)

// FuzzRequest: any bytes give a request or an error, never a panic, and a request that parses
// parses the same after it is written again.
func FuzzRequest(f *testing.F) {
	f.Add(append(appendRequest(nil, reqAsk, 0xdeadbeef, time.Second, "cli"), 1, 2, 3))
	f.Add(appendRequest(nil, reqTell, 0, 0, ""))
	f.Add([]byte{})
	f.Add([]byte{1, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := parseRequest(data)
		if err != nil {
			return
		}
		again := append(appendRequest(nil, r.kind, r.schema, r.timeout, string(r.sender)), r.body...)
		r2, err := parseRequest(again)
		if err != nil || r2.kind != r.kind || r2.schema != r.schema || r2.timeout != r.timeout || string(r2.sender) != string(r.sender) || string(r2.body) != string(r.body) {
			t.Fatalf("%+v does not round-trip: %+v %v", r, r2, err)
		}
	})
}

// FuzzTells: any body of packed tells splits into tells or gives an error, never a panic, and
// tells packed with appendTell split back into the same tells.
func FuzzTells(f *testing.F) {
	f.Add([]byte{}, []byte("a"), []byte("bc"))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, []byte{}, []byte{0x80})
	f.Add([]byte{5, 1, 2}, make([]byte, 200), []byte{0})
	f.Fuzz(func(t *testing.T, data, a, b []byte) {
		for rest := data; len(rest) > 0; {
			body, after, err := nextTell(rest)
			if err != nil {
				break
			}
			if len(after) >= len(rest) || len(body) > len(rest) {
				t.Fatalf("%x split into %x and %x", rest, body, after)
			}
			rest = after
		}
		packed := appendTell(appendTell(nil, a), b)
		got1, rest, err := nextTell(packed)
		if err != nil {
			t.Fatal(err)
		}
		got2, rest, err := nextTell(rest)
		if err != nil || string(got1) != string(a) || string(got2) != string(b) || len(rest) != 0 {
			t.Fatalf("%x %x packed, %x %x (%x) split: %v", a, b, got1, got2, rest, err)
		}
	})
}

// FuzzStatus: any reply gives a status or an error, never a panic.
func FuzzStatus(f *testing.F) {
	f.Add(appendStatus(nil, stStopped, "actor /c: actor stopped"))
	f.Add([]byte{stOK, 1, 2})
	f.Add([]byte{stFault, 0xff})
	f.Add([]byte{stLast + 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		st, text, body, err := parseStatus(data)
		if err != nil || st == stOK {
			return
		}
		if err := statusError(st, text, body, "ask x", "n:/x", nil); err == nil {
			t.Fatal("an error status gave no error")
		}
	})
}

func TestPathTokens(t *testing.T) {
	for _, path := range []string{"/a", "/a/b", "/$1/x-y_z", "/with.dot/sp ace", "/*/>", "/é"} {
		tok, err := pathTokens(path)
		if err != nil {
			t.Fatal(err)
		}
		back, err := tokensPath(tok)
		if err != nil || back != path {
			t.Fatalf("%q -> %q -> %q %v", path, tok, back, err)
		}
	}
	for _, bad := range []string{"", "a", "/", "/a//b"} {
		if _, err := pathTokens(bad); err == nil {
			t.Fatalf("%q", bad)
		}
	}
	for _, bad := range []string{"", "~", "~!!", "a*"} {
		if _, err := tokensPath(bad); err == nil {
			t.Fatalf("%q", bad)
		}
	}
}
