package wire

import (
	"fmt"

	"github.com/actorgen/actorgen/runtime"
)

// Ref is an actor ref inside a message: a field whose type is an //actor:remote interface
// travels as the actor's address, never as its state.
type Ref struct {
	// Node is the node that runs the actor; "" means the node that sent the message, which the
	// transport that received it knows.
	Node string
	// Path is the actor's path on its node, such as "/directory/alice".
	Path string
	// Type is the interface, as its package path, a dot and its name
	// ("example.com/contacts.Book").
	Type string
}

// RefResolver turns a Ref that arrived in a message into a value of its interface: a generated
// XRef bound to the transport, that sends its calls back over the wire. It is the hook a
// transport sets on its Decoders (Decoder.Refs); it must return a value that implements the
// interface r.Type names.
type RefResolver interface {
	ResolveRef(r Ref) (any, error)
}

// WireRefer is implemented by refs that a transport made (remote refs): they know their node.
type WireRefer interface {
	WireRef() Ref
}

// localRef is implemented by every generated XRef: Ref returns the runtime's handle.
type localRef interface {
	Ref() runtime.Ref
}

// AppendRef appends v, a value of the interface typ names, as a body holding its Ref (nil is an
// empty body): a
// WireRefer's own, or for a local generated ref (one with a Ref() runtime.Ref method) its path,
// with no node. Any other value cannot cross the wire: an implementation of the interface that is
// not an actor has no address to send.
func AppendRef(b []byte, typ string, v any) ([]byte, error) {
	var r Ref
	switch v := v.(type) {
	case nil:
		return append(b, 0), nil
	case WireRefer:
		r = v.WireRef()
	case localRef:
		ref := v.Ref()
		if ref.IsZero() {
			return b, fmt.Errorf("wire: the zero ref of %s has no actor to send", typ)
		}
		r = Ref{Path: ref.Path(), Type: typ}
	default:
		return b, fmt.Errorf("wire: a %T is not an actor ref: only refs (%sRef values) of %s can cross the wire", v, typeName(typ), typ)
	}
	if r.Type == "" {
		r.Type = typ
	}
	start := len(b)
	b = Begin(b)
	if r.Node != "" {
		b = AppendTag(b, 1, Bytes)
		b = AppendString(b, r.Node)
	}
	b = AppendTag(b, 2, Bytes)
	b = AppendString(b, r.Path)
	b = AppendTag(b, 3, Bytes)
	b = AppendString(b, r.Type)
	return End(b, start), nil
}

// typeName returns the name part of "path.Name".
func typeName(typ string) string {
	for i := len(typ) - 1; i >= 0; i-- {
		if typ[i] == '.' || typ[i] == '/' {
			return typ[i+1:]
		}
	}
	return typ
}

// ReadRef reads a Ref that AppendRef wrote, without resolving it; an empty body gives the zero
// Ref.
func (d *Decoder) ReadRef(t Type) (Ref, error) {
	body, err := d.Body(t)
	if err != nil {
		return Ref{}, err
	}
	var r Ref
	for !body.Done() {
		num, ft, err := body.Tag()
		if err != nil {
			return Ref{}, err
		}
		switch num {
		case 1:
			r.Node, err = body.String(ft)
		case 2:
			r.Path, err = body.String(ft)
		case 3:
			r.Type, err = body.String(ft)
		default:
			err = body.Skip(ft)
		}
		if err != nil {
			return Ref{}, err
		}
	}
	return r, nil
}

// Ref reads a Ref of the interface typ names and resolves it with d.Refs; an empty body gives nil.
// Without a resolver
// (UnmarshalBinary has none) it fails: only a transport can make a ref that works. The caller
// checks that the value implements the interface.
func (d *Decoder) Ref(t Type, typ string) (any, error) {
	r, err := d.ReadRef(t)
	if err != nil || r == (Ref{}) {
		return nil, err
	}
	if r.Type != typ {
		return nil, fmt.Errorf("%w: a ref of %s where %s was expected", ErrMalformed, r.Type, typ)
	}
	if d.Refs == nil {
		return nil, fmt.Errorf("wire: a ref to %s %s arrived, and no transport resolves refs (decode with a Decoder whose Refs is set)", typ, r.Path)
	}
	v, err := d.Refs.ResolveRef(r)
	if err != nil {
		return nil, fmt.Errorf("wire: resolving the ref to %s %s: %w", typ, r.Path, err)
	}
	return v, nil
}

// RefTypeError is the error of a resolver that returned v, which does not implement the
// interface typ names.
func RefTypeError(v any, typ string) error {
	return fmt.Errorf("wire: the resolver returned a %T for a ref of %s, which does not implement it", v, typ)
}
