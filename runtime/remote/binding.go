package remote

import (
	"context"
	"fmt"

	"github.com/actorgen/actorgen/runtime"
	"github.com/actorgen/actorgen/runtime/wire"
)

// Method describes one method of an //actor:remote interface, from actor_schema.txt.
type Method struct {
	Name   string // the method's name, "Create"
	Tell   bool   // a tell: no reply
	Schema uint32 // the method's schema fingerprint
}

// Binding is what generated code gives the Node for an //actor:remote interface whose
// messages are of type M (the generated XMessage). Its methods must not keep state: the
// generated one is an empty struct.
type Binding[M any] interface {
	// Interface is the interface's package path, a dot and its name:
	// "example.com/contacts.Book".
	Interface() string
	// Methods lists the methods, in the order of their numbers in M (sorted by name).
	Methods() []Method
	// Encode appends the wire encoding of msg's arguments to b and returns the index in
	// Methods of msg's method. It fails for the zero M, and for an argument that cannot cross.
	Encode(b []byte, msg M) ([]byte, int, error)
	// Serve decodes the arguments of the method at index from d and delivers them to a: for an
	// ask with runtime.Ask, appending the encoded reply to b; for a tell with a.Tell. An error
	// of decoding or of encoding the reply is wrapped by BadMessage; any other is the
	// runtime's.
	Serve(ctx context.Context, a runtime.Actor[M], index int, d *wire.Decoder, b []byte) ([]byte, error)
	// Ref wraps a in the generated ref type (XRef), as a value of the interface.
	Ref(a runtime.Actor[M]) any
	// Sentinels yields the sentinel errors that keep their identity across the wire.
	Sentinels() wire.Sentinels
}

// badMessage is an error of decoding a message (or encoding a reply).
type badMessage struct{ err error }

func (e *badMessage) Error() string { return e.err.Error() }
func (e *badMessage) Unwrap() error { return e.err }

// BadMessage wraps err, an error of decoding a message or encoding a reply, so that the serving
// node answers that the message is bad instead of blaming the actor. Generated code calls it.
func BadMessage(err error) error { return &badMessage{err: err} }

// bound is a Binding without its message type, as the node keeps it.
type bound interface {
	iface() string
	name() string // the interface's name, the subject token
	methodIndex(name string) (int, bool)
	method(i int) Method
	qual(i int) string // Type.Method, for errors
	// serve delivers a call to the exported actor ref.
	serve(ctx context.Context, ref runtime.Ref, index int, d *wire.Decoder, b []byte) ([]byte, error)
	accepts(ref runtime.Ref) bool
	// wrap returns the generated ref of the local actor ref, if it is one of the interface.
	wrap(ref runtime.Ref) (any, bool)
	// dial returns a value of the interface for the actor at path on node.
	dial(n *Node, node, path string) (any, error)
	sentinels() wire.Sentinels
}

// binding adapts a Binding to bound, with its methods by name.
type binding[M any] struct {
	b       Binding[M]
	ifc     string
	short   string
	methods []Method
	byName  map[string]int
}

func newBinding[M any](b Binding[M]) (*binding[M], error) {
	ifc := b.Interface()
	short := ifc
	for i := len(ifc) - 1; i >= 0; i-- {
		if ifc[i] == '.' {
			short = ifc[i+1:]
			break
		}
	}
	if !plainToken(short) {
		return nil, fmt.Errorf("remote: interface name %q is not a subject token", short)
	}
	bb := &binding[M]{b: b, ifc: ifc, short: short, methods: b.Methods(), byName: map[string]int{}}
	for i, m := range bb.methods {
		if !plainToken(m.Name) {
			return nil, fmt.Errorf("remote: %s: method name %q is not a subject token", short, m.Name)
		}
		bb.byName[m.Name] = i
	}
	return bb, nil
}

func (b *binding[M]) iface() string { return b.ifc }
func (b *binding[M]) name() string  { return b.short }

func (b *binding[M]) methodIndex(name string) (int, bool) {
	i, ok := b.byName[name]
	return i, ok
}

func (b *binding[M]) method(i int) Method { return b.methods[i] }

func (b *binding[M]) qual(i int) string { return b.short + "." + b.methods[i].Name }

func (b *binding[M]) serve(ctx context.Context, ref runtime.Ref, index int, d *wire.Decoder, out []byte) ([]byte, error) {
	a, ok := runtime.ActorOf[M](ref)
	if !ok {
		return out, fmt.Errorf("actor %s: not a %s actor: %w", ref.Path(), b.short, runtime.ErrStopped)
	}
	return b.b.Serve(ctx, a, index, d, out)
}

func (b *binding[M]) accepts(ref runtime.Ref) bool {
	_, ok := runtime.ActorOf[M](ref)
	return ok && !ref.IsRemote()
}

func (b *binding[M]) dial(n *Node, node, path string) (any, error) {
	a, err := dial(n, b, node, path)
	if err != nil {
		return nil, err
	}
	return b.b.Ref(a), nil
}

func (b *binding[M]) sentinels() wire.Sentinels {
	if s := b.b.Sentinels(); s != nil {
		return s
	}
	return wire.NoSentinels
}

func (b *binding[M]) wrap(ref runtime.Ref) (any, bool) {
	a, ok := runtime.ActorOf[M](ref)
	if !ok {
		return nil, false
	}
	return b.b.Ref(a), true
}
