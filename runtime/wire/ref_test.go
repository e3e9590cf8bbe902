package wire_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/actorgen/actorgen/runtime"
	"github.com/actorgen/actorgen/runtime/wire"
)

type remoteRef struct{ r wire.Ref }

func (r remoteRef) WireRef() wire.Ref { return r.r }

type resolver struct{ got []wire.Ref }

func (rs *resolver) ResolveRef(r wire.Ref) (any, error) {
	rs.got = append(rs.got, r)
	if r.Path == "/bad" {
		return nil, errors.New("no such actor")
	}
	return remoteRef{r}, nil
}

type localRef struct{ ref runtime.Ref }

func (l localRef) Ref() runtime.Ref { return l.ref }

func TestRef(t *testing.T) {
	sys := runtime.NewSystem()
	defer sys.Shutdown(context.Background())
	a, err := runtime.Spawn(sys, "alice", func(*runtime.Context) int { return 0 }, func(context.Context, *runtime.Context, int, string) {})
	if err != nil {
		t.Fatal(err)
	}
	const typ = "example.com/t.Book"
	b, err := wire.AppendRef(nil, typ, localRef{a.Ref()})
	if err != nil {
		t.Fatal(err)
	}
	b, err = wire.AppendRef(b, typ, remoteRef{wire.Ref{Node: "eu1", Path: "/bob", Type: typ}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wire.AppendRef(nil, typ, 42); err == nil || !strings.Contains(err.Error(), "not an actor ref") {
		t.Fatal(err)
	}
	if _, err := wire.AppendRef(nil, typ, localRef{}); err == nil {
		t.Fatal("the zero ref was encoded")
	}

	d := wire.NewDecoder(b)
	if _, err := d.Ref(wire.Bytes, typ); err == nil || !strings.Contains(err.Error(), "no transport resolves refs") {
		t.Fatalf("without a resolver: %v", err)
	}
	rs := &resolver{}
	d = wire.NewDecoder(b)
	d.Refs = rs
	v1, err1 := d.Ref(wire.Bytes, typ)
	v2, err2 := d.Ref(wire.Bytes, typ)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	want := []wire.Ref{{Path: "/alice", Type: typ}, {Node: "eu1", Path: "/bob", Type: typ}}
	if v1.(remoteRef).r != want[0] || v2.(remoteRef).r != want[1] || len(rs.got) != 2 {
		t.Fatalf("got %v %v", v1, v2)
	}
	d = wire.NewDecoder(b)
	d.Refs = rs
	if _, err := d.Ref(wire.Bytes, "example.com/t.Other"); !errors.Is(err, wire.ErrMalformed) {
		t.Fatalf("wrong type: %v", err)
	}
}
