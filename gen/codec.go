package gen

import (
	"encoding/binary"
	"fmt"
	"go/types"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"
)

// emitCodec writes the codec of the package's //actor:remote interfaces into f, the jennifer file
// of output o: methods on every message and reply struct, functions for the struct types they
// reach, and the list of sentinel errors. Remote interfaces are all in actor_gen.go. It reports
// whether it wrote the sentinels function (some field holds an error), for the bindings.
func emitCodec(pm *pkgModel, o *outFile, f *jen.File, w *typeWriter) (sentinels bool) {
	c := pm.codec
	if c == nil || o.name != OutputFile {
		return false
	}
	w.tpNames = nil
	w.file = nil
	g := &codecGen{pm: pm, c: c, f: f, w: w}
	for _, rm := range c.methods {
		g.message(rm, rm.msg, true)
		if rm.reply != nil {
			g.message(rm, rm.reply, false)
		}
	}
	for _, s := range c.structs {
		g.helpers(s)
	}
	if g.usesSentinels {
		g.sentinels()
	}
	return g.usesSentinels
}

// codecGen writes the codec of one package.
type codecGen struct {
	pm            *pkgModel
	c             *codecModel
	f             *jen.File
	w             *typeWriter
	usesSentinels bool
}

// fnGen writes the body of one function: it numbers the locals and notes whether the body
// assigns err.
type fnGen struct {
	*codecGen
	n       int
	usesErr bool
	field1  bool // the next value is a field's, already known not to be nil
}

func (g *fnGen) local(base string) string {
	g.n++
	return base + strconv.Itoa(g.n)
}

func (g *codecGen) wire(name string) *jen.Statement { return jen.Qual(WirePath, name) }

// kind classifies t as the model did.
func (g *codecGen) kind(t types.Type) wireKind {
	b := &codecBuilder{self: g.pm.pkg.Types, c: g.c, pkgs: map[string]*types.Package{}, done: map[string]bool{}}
	for k := range g.c.byKey {
		b.done[k] = true
	}
	k, _, _ := b.classify(t)
	return k
}

// wireType is the wire type of a field of kind k.
func wireType(k wireKind) string {
	switch k {
	case wBool, wInt, wUint:
		return "Varint"
	case wFloat64:
		return "Fixed64"
	case wFloat32:
		return "Fixed32"
	}
	return "Bytes"
}

// message writes AppendBinary, MarshalBinary, DecodeWire and UnmarshalBinary for a message or
// reply struct, and for a message the schema methods.
func (g *codecGen) message(rm *remoteMethod, s *wireStruct, isMsg bool) {
	f, name := g.f, s.display
	what := "arguments of " + rm.qual()
	if !isMsg {
		what = "results of " + rm.qual()
	}
	if isMsg {
		f.Commentf("WireMethod returns %q, the method whose arguments %s carries.", rm.qual(), name)
		f.Func().Params(jen.Id(name)).Id("WireMethod").Params().String().Block(jen.Return(jen.Lit(rm.qual())))
		f.Commentf("WireSchema returns the schema fingerprint of %s (from actor_schema.txt): a peer whose", rm.qual())
		f.Comment("fingerprint differs was built from an incompatible version of the interface.")
		f.Func().Params(jen.Id(name)).Id("WireSchema").Params().Uint32().Block(jen.Return(jen.Op(fmt.Sprintf("%#08x", rm.fingerprint))))
	}
	enc := &fnGen{codecGen: g}
	var body []jen.Code
	for _, fd := range s.fields {
		body = append(body, enc.field(jen.Id("m").Dot(fd.name), fd, name+"."+fd.name)...)
	}
	if enc.usesErr {
		body = append([]jen.Code{jen.Var().Err().Error()}, body...)
	}
	body = append(body, jen.Return(jen.Id("b"), jen.Nil()))
	f.Commentf("AppendBinary appends the wire encoding of the %s to b (encoding.BinaryAppender).", what)
	f.Func().Params(jen.Id("m").Id(name)).Id("AppendBinary").Params(jen.Id("b").Index().Byte()).Params(jen.Index().Byte(), jen.Error()).Block(body...)
	f.Commentf("MarshalBinary returns the wire encoding of the %s (encoding.BinaryMarshaler).", what)
	f.Func().Params(jen.Id("m").Id(name)).Id("MarshalBinary").Params().Params(jen.Index().Byte(), jen.Error()).Block(
		jen.Return(jen.Id("m").Dot("AppendBinary").Call(jen.Nil())),
	)
	f.Commentf("DecodeWire replaces m with the %s that d holds, skipping fields it does not", what)
	f.Comment("know. A transport decodes with a Decoder whose Refs resolves the actor refs in messages.")
	f.Func().Params(jen.Id("m").Op("*").Id(name)).Id("DecodeWire").Params(jen.Id("d").Op("*").Add(g.wire("Decoder"))).Error().Block(
		g.decodeFields("m", jen.Id(name).Values(), s, name)...,
	)
	f.Commentf("UnmarshalBinary replaces m with the %s that data encodes", what)
	f.Comment("(encoding.BinaryUnmarshaler). An actor ref in data is an error: see DecodeWire.")
	f.Func().Params(jen.Id("m").Op("*").Id(name)).Id("UnmarshalBinary").Params(jen.Id("data").Index().Byte()).Error().Block(
		jen.Id("d").Op(":=").Add(g.wire("NewDecoder")).Call(jen.Id("data")),
		jen.Return(jen.Id("m").Dot("DecodeWire").Call(jen.Op("&").Id("d"))),
	)
}

// helpers writes the functions of a struct type that messages reach.
func (g *codecGen) helpers(s *wireStruct) {
	f := g.f
	enc := &fnGen{codecGen: g}
	var body []jen.Code
	for _, fd := range s.fields {
		body = append(body, enc.field(jen.Id("v").Dot(fd.name), fd, structName(s.display)+"."+fd.name)...)
	}
	if enc.usesErr {
		body = append([]jen.Code{jen.Var().Err().Error()}, body...)
	}
	body = append(body, jen.Return(jen.Id("b"), jen.Nil()))
	f.Commentf("%s appends the wire encoding of the fields of *v to b.", s.enc)
	f.Func().Id(s.enc).Params(jen.Id("b").Index().Byte(), jen.Id("v").Op("*").Add(g.w.typ(s.typ))).Params(jen.Index().Byte(), jen.Error()).Block(body...)
	f.Commentf("%s replaces *v with the fields that d holds, skipping those it does not know.", s.dec)
	f.Func().Id(s.dec).Params(jen.Id("d").Op("*").Add(g.wire("Decoder")), jen.Id("v").Op("*").Add(g.w.typ(s.typ))).Error().Block(
		g.decodeFields("v", g.w.typ(s.typ).Values(), s, structName(s.display))...,
	)
}

// decodeFields is the body of a decoder of struct s into *target.
func (g *codecGen) decodeFields(target string, zero jen.Code, s *wireStruct, name string) []jen.Code {
	dec := &fnGen{codecGen: g}
	fail := func() jen.Code {
		return jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(g.wire("Field").Call(jen.Lit(name), jen.Err())))
	}
	numVar := jen.Id("num")
	if len(s.fields) == 0 {
		numVar = jen.Id("_")
	}
	loop := []jen.Code{
		jen.List(numVar, jen.Id("t"), jen.Err()).Op(":=").Id("d").Dot("Tag").Call(),
		fail(),
	}
	skip := jen.If(jen.Err().Op(":=").Id("d").Dot("Skip").Call(jen.Id("t")), jen.Err().Op("!=").Nil()).Block(
		jen.Return(g.wire("Field").Call(jen.Lit(name), jen.Err())),
	)
	if len(s.fields) == 0 {
		loop = append(loop, skip)
	} else {
		loop = append(loop, jen.Switch(jen.Id("num")).BlockFunc(func(sw *jen.Group) {
			for _, fd := range s.fields {
				sw.Case(jen.Lit(int(fd.num))).Add(jen.Comment(fd.name))
				for _, st := range dec.decodeField(jen.Id(target).Dot(fd.name), fd, name+"."+fd.name) {
					sw.Add(st)
				}
			}
			sw.Default().Add(skip)
		}))
	}
	return []jen.Code{
		jen.Op("*").Id(target).Op("=").Add(zero),
		jen.For(jen.Op("!").Id("d").Dot("Done").Call()).Block(loop...),
		jen.Return(jen.Nil()),
	}
}

// check returns "if err != nil { return wire.Field(name, err) }".
func (g *fnGen) check(name string) jen.Code {
	return jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(g.wire("Field").Call(jen.Lit(name), jen.Err())))
}

// checkEnc returns the encoder's "if err != nil { return b, wire.Field(name, err) }".
func (g *fnGen) checkEnc(name string) jen.Code {
	return jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Id("b"), g.wire("Field").Call(jen.Lit(name), jen.Err())))
}

// field writes the encoding of one field: its tag and value, unless the value is the zero value
// of a type whose zero value is not written (numbers, strings, bools, nil).
func (g *fnGen) field(x *jen.Statement, fd *wireField, name string) []jen.Code {
	k := g.kind(fd.typ)
	t := types.Unalias(fd.typ)
	var cond jen.Code
	switch k {
	case wBool:
		cond = x.Clone()
	case wInt, wUint:
		cond = x.Clone().Op("!=").Lit(0)
	case wString:
		cond = x.Clone().Op("!=").Lit("")
	case wBytes, wSlice, wMap, wPointer, wError, wRef:
		cond = x.Clone().Op("!=").Nil()
	}
	var value []jen.Code
	if k == wPointer {
		// A pointer field is its element's value; nil is no field.
		elem := t.Underlying().(*types.Pointer).Elem()
		value = append([]jen.Code{g.tag(fd.num, g.kind(elem))}, g.deref(x, elem, name)...)
	} else {
		g.field1 = cond != nil
		value = append([]jen.Code{g.tag(fd.num, k)}, g.value(x, fd.typ, name)...)
	}
	if cond == nil {
		return value
	}
	return []jen.Code{jen.If(cond).Block(value...)}
}

// tag appends the tag of field num, of kind k, as the bytes wire.AppendTag would append:
// "b = append(b, 0xb2, 0xb7, 0x05) // field 11126, bytes".
func (g *fnGen) tag(num uint32, k wireKind) jen.Code {
	args := []jen.Code{jen.Id("b")}
	for _, c := range binary.AppendUvarint(nil, uint64(num)<<3|uint64(wireTypeNumber(k))) {
		args = append(args, jen.Op(fmt.Sprintf("%#02x", c)))
	}
	return jen.Id("b").Op("=").Append(args...).Comment(fmt.Sprintf("field %d, %s", num, strings.ToLower(wireType(k))))
}

// wireTypeNumber is the number of the wire type of kind k, as runtime/wire defines it.
func wireTypeNumber(k wireKind) int {
	switch wireType(k) {
	case "Varint":
		return 0
	case "Fixed64":
		return 1
	case "Fixed32":
		return 5
	}
	return 2
}

// conv converts x to the basic type named to unless t is that type.
func conv(to string, t types.Type, x *jen.Statement) *jen.Statement {
	if b, ok := types.Unalias(t).(*types.Basic); ok && b.Name() == to {
		return x.Clone()
	}
	return jen.Id(to).Call(x.Clone())
}

// appendCall writes "b = wire.fn(b, args...)".
func (g *fnGen) appendCall(fn string, args ...jen.Code) jen.Code {
	return jen.Id("b").Op("=").Add(g.wire(fn)).Call(append([]jen.Code{jen.Id("b")}, args...)...)
}

// value writes the encoding of x, of type t, without a tag: as an element or after a tag.
func (g *fnGen) value(x *jen.Statement, t types.Type, name string) []jen.Code {
	checked := g.field1
	g.field1 = false
	k := g.kind(t)
	u := types.Unalias(t).Underlying()
	switch k {
	case wBool:
		return []jen.Code{g.appendCall("AppendBool", conv("bool", t, x))}
	case wInt:
		return []jen.Code{g.appendCall("AppendVarint", conv("int64", t, x))}
	case wUint:
		return []jen.Code{g.appendCall("AppendUvarint", conv("uint64", t, x))}
	case wFloat64:
		return []jen.Code{g.appendCall("AppendFloat64", conv("float64", t, x))}
	case wFloat32:
		return []jen.Code{g.appendCall("AppendFloat32", conv("float32", t, x))}
	case wComplex128:
		return []jen.Code{g.appendCall("AppendComplex128", conv("complex128", t, x))}
	case wComplex64:
		return []jen.Code{g.appendCall("AppendComplex64", conv("complex64", t, x))}
	case wString:
		return []jen.Code{g.appendCall("AppendString", conv("string", t, x))}
	case wBytes:
		return []jen.Code{g.appendCall("AppendBytes", x.Clone())}
	case wByteArray:
		return []jen.Code{g.appendCall("AppendBytes", x.Clone().Index(jen.Op(":")))}
	case wError:
		g.usesSentinels = true
		return []jen.Code{g.appendCall("AppendError", x.Clone(), jen.Id(g.c.sentinelsFunc))}
	case wRef:
		g.usesErr = true
		return []jen.Code{
			jen.List(jen.Id("b"), jen.Err()).Op("=").Add(g.wire("AppendRef")).Call(jen.Id("b"), jen.Lit(key(t)), x.Clone()),
			g.checkEnc(name),
		}
	}
	start := g.local("start")
	out := []jen.Code{
		jen.Id(start).Op(":=").Len(jen.Id("b")),
		jen.Id("b").Op("=").Add(g.wire("Begin")).Call(jen.Id("b")),
	}
	switch k {
	case wSlice, wArray:
		var elem types.Type
		if s, ok := u.(*types.Slice); ok {
			elem = s.Elem()
		} else {
			elem = u.(*types.Array).Elem()
		}
		e := g.local("e")
		body := []jen.Code{
			g.appendCall("AppendUvarint", jen.Uint64().Call(jen.Len(x.Clone()))),
			jen.For(jen.List(jen.Id("_"), jen.Id(e)).Op(":=").Range().Add(x.Clone())).Block(g.value(jen.Id(e), elem, name)...),
		}
		if k == wSlice && !checked { // a nil slice is an empty body; an empty one has a count
			out = append(out, jen.If(x.Clone().Op("!=").Nil()).Block(body...))
		} else {
			out = append(out, body...)
		}
	case wMap:
		mt := u.(*types.Map)
		kv, e := g.local("k"), g.local("e")
		body := append(g.value(jen.Id(kv), mt.Key(), name), jen.Id(e).Op(":=").Add(x.Clone()).Index(jen.Id(kv)))
		body = append(body, g.value(jen.Id(e), mt.Elem(), name)...)
		entries := []jen.Code{
			g.appendCall("AppendUvarint", jen.Uint64().Call(jen.Len(x.Clone()))),
			jen.For(jen.List(jen.Id("_"), jen.Id(kv)).Op(":=").Range().Add(g.wire("SortedKeys")).Call(x.Clone())).Block(body...),
		}
		if checked {
			out = append(out, entries...)
		} else {
			out = append(out, jen.If(x.Clone().Op("!=").Nil()).Block(entries...)) // a nil map is an empty body
		}
	case wPointer:
		elem := u.(*types.Pointer).Elem()
		out = append(out, jen.If(x.Clone().Op("!=").Nil()).Block(g.deref(x, elem, name)...))
	case wStruct:
		out = append(out, g.structCall(jen.Op("&").Add(x.Clone()), t, name)...)
	case wAppender:
		g.usesErr = true
		out = append(out,
			jen.List(jen.Id("b"), jen.Err()).Op("=").Add(x.Clone()).Dot("AppendBinary").Call(jen.Id("b")),
			g.checkEnc(name),
		)
	case wMarshaler, wJSON:
		method := "MarshalBinary"
		if k == wJSON {
			method = "MarshalJSON"
		}
		p := g.local("p")
		out = append(out[:0],
			jen.List(jen.Id(p), jen.Err()).Op(":=").Add(x.Clone()).Dot(method).Call(),
			g.checkEnc(name),
			g.appendCall("AppendBytes", jen.Id(p)),
		)
		return out
	}
	return append(out, jen.Id("b").Op("=").Add(g.wire("End")).Call(jen.Id("b"), jen.Id(start)))
}

// deref writes the encoding of *p, of type elem, without a tag.
func (g *fnGen) deref(p *jen.Statement, elem types.Type, name string) []jen.Code {
	if g.kind(elem) != wStruct {
		return g.value(jen.Parens(jen.Op("*").Add(p.Clone())), elem, name)
	}
	start := g.local("start")
	out := []jen.Code{
		jen.Id(start).Op(":=").Len(jen.Id("b")),
		jen.Id("b").Op("=").Add(g.wire("Begin")).Call(jen.Id("b")),
	}
	out = append(out, g.structCall(p.Clone(), elem, name)...)
	return append(out, jen.Id("b").Op("=").Add(g.wire("End")).Call(jen.Id("b"), jen.Id(start)))
}

// structCall writes the call of the encoder of struct type t on the pointer p.
func (g *fnGen) structCall(p *jen.Statement, t types.Type, name string) []jen.Code {
	g.usesErr = true
	s := g.c.byKey[key(types.Unalias(t))]
	return []jen.Code{
		jen.List(jen.Id("b"), jen.Err()).Op("=").Id(s.enc).Call(jen.Id("b"), p),
		g.checkEnc(name),
	}
}

// decodeField writes the decoding of one field into dst from d, whose tag gave wire type t.
func (g *fnGen) decodeField(dst *jen.Statement, fd *wireField, name string) []jen.Code {
	if g.kind(fd.typ) == wPointer {
		elem := types.Unalias(fd.typ).Underlying().(*types.Pointer).Elem()
		v := g.local("v")
		out := []jen.Code{jen.Var().Id(v).Add(g.w.typ(elem))}
		out = append(out, g.decode(jen.Id(v), elem, "d", jen.Id("t"), name)...)
		if !types.Identical(types.Unalias(fd.typ), types.NewPointer(elem)) {
			return append(out, dst.Clone().Op("=").Add(g.w.typ(fd.typ)).Call(jen.Op("&").Id(v)))
		}
		return append(out, dst.Clone().Op("=").Op("&").Id(v))
	}
	return g.decode(dst, fd.typ, "d", jen.Id("t"), name)
}

// decode writes the decoding of a value of type t into dst (addressable) from the decoder named
// d, of wire type typ.
func (g *fnGen) decode(dst *jen.Statement, t types.Type, d string, typ jen.Code, name string) []jen.Code {
	k := g.kind(t)
	u := types.Unalias(t).Underlying()
	named := !types.Identical(types.Unalias(t), u)
	assign := func(x string) jen.Code {
		if named || k == wInt || k == wUint {
			return dst.Clone().Op("=").Add(g.w.typ(t)).Call(jen.Id(x))
		}
		return dst.Clone().Op("=").Id(x)
	}
	simple := func(method string, args ...jen.Code) []jen.Code {
		x := g.local("x")
		return []jen.Code{
			jen.List(jen.Id(x), jen.Err()).Op(":=").Id(d).Dot(method).Call(append([]jen.Code{typ}, args...)...),
			g.check(name),
			assign(x),
		}
	}
	switch k {
	case wBool:
		return simple("Bool")
	case wInt:
		return simple("Int", jen.Lit(intSize(u)))
	case wUint:
		return simple("Uint", jen.Lit(intSize(u)))
	case wFloat64:
		return simple("Float64")
	case wFloat32:
		return simple("Float32")
	case wComplex128:
		return simple("Complex128")
	case wComplex64:
		return simple("Complex64")
	case wString:
		return simple("String")
	case wBytes:
		x := g.local("x")
		return []jen.Code{
			jen.List(jen.Id(x), jen.Err()).Op(":=").Id(d).Dot("Bytes").Call(typ),
			g.check(name),
			dst.Clone().Op("=").Id(x),
		}
	case wByteArray:
		return []jen.Code{
			jen.If(jen.Err().Op(":=").Id(d).Dot("Array").Call(typ, dst.Clone().Index(jen.Op(":"))), jen.Err().Op("!=").Nil()).Block(
				jen.Return(g.wire("Field").Call(jen.Lit(name), jen.Err())),
			),
		}
	case wError:
		g.usesSentinels = true
		x := g.local("x")
		return []jen.Code{
			jen.List(jen.Id(x), jen.Err()).Op(":=").Id(d).Dot("Error").Call(typ, jen.Id(g.c.sentinelsFunc)),
			g.check(name),
			dst.Clone().Op("=").Id(x),
		}
	case wRef:
		x, y := g.local("x"), g.local("r")
		return []jen.Code{
			jen.List(jen.Id(x), jen.Err()).Op(":=").Id(d).Dot("Ref").Call(typ, jen.Lit(key(t))),
			g.check(name),
			jen.If(jen.Id(x).Op("!=").Nil()).Block(
				jen.List(jen.Id(y), jen.Id("ok")).Op(":=").Id(x).Assert(g.w.typ(t)),
				jen.If(jen.Op("!").Id("ok")).Block(jen.Return(g.wire("Field").Call(jen.Lit(name), g.wire("RefTypeError").Call(jen.Id(x), jen.Lit(key(t)))))),
				dst.Clone().Op("=").Id(y),
			),
		}
	case wAppender, wMarshaler, wJSON:
		method := "UnmarshalBinary"
		if k == wJSON {
			method = "UnmarshalJSON"
		}
		x := g.local("x")
		return []jen.Code{
			jen.List(jen.Id(x), jen.Err()).Op(":=").Id(d).Dot("Raw").Call(typ),
			g.check(name),
			jen.If(jen.Err().Op(":=").Add(dst.Clone()).Dot(method).Call(jen.Id(x)), jen.Err().Op("!=").Nil()).Block(
				jen.Return(g.wire("Field").Call(jen.Lit(name), jen.Err())),
			),
		}
	}
	// A body: slices, arrays, maps, pointers (as elements) and structs.
	sub := g.local("d")
	out := []jen.Code{
		jen.List(jen.Id(sub), jen.Err()).Op(":=").Id(d).Dot("Body").Call(typ),
		g.check(name),
	}
	end := jen.If(jen.Err().Op(":=").Id(sub).Dot("End").Call(), jen.Err().Op("!=").Nil()).Block(
		jen.Return(g.wire("Field").Call(jen.Lit(name), jen.Err())),
	)
	switch k {
	case wSlice:
		elem := u.(*types.Slice).Elem()
		n, s, e := g.local("n"), g.local("s"), g.local("e")
		body := []jen.Code{jen.Var().Id(e).Add(g.w.typ(elem))}
		body = append(body, g.decode(jen.Id(e), elem, sub, g.wire(wireType(g.kind(elem))), name)...)
		body = append(body, jen.Id(s).Op("=").Append(jen.Id(s), jen.Id(e)))
		out = append(out, jen.If(jen.Op("!").Id(sub).Dot("Done").Call()).Block( // else nil
			jen.List(jen.Id(n), jen.Err()).Op(":=").Id(sub).Dot("Count").Call(),
			g.check(name),
			jen.Id(s).Op(":=").Make(g.w.typ(t), jen.Lit(0), g.wire("Prealloc").Call(jen.Id(n))),
			jen.For(jen.Range().Id(n)).Block(body...),
			end,
			dst.Clone().Op("=").Id(s),
		))
	case wArray:
		a := u.(*types.Array)
		i := g.local("i")
		out = append(out,
			jen.If(jen.Err().Op(":=").Id(sub).Dot("CountExactly").Call(jen.Len(dst.Clone())), jen.Err().Op("!=").Nil()).Block(
				jen.Return(g.wire("Field").Call(jen.Lit(name), jen.Err())),
			),
			jen.For(jen.Id(i).Op(":=").Range().Add(dst.Clone())).Block(
				g.decode(dst.Clone().Index(jen.Id(i)), a.Elem(), sub, g.wire(wireType(g.kind(a.Elem()))), name)...,
			),
			end,
		)
	case wMap:
		mt := u.(*types.Map)
		n, mp, kv, e := g.local("n"), g.local("m"), g.local("k"), g.local("e")
		body := []jen.Code{jen.Var().Id(kv).Add(g.w.typ(mt.Key()))}
		body = append(body, g.decode(jen.Id(kv), mt.Key(), sub, g.wire(wireType(g.kind(mt.Key()))), name)...)
		body = append(body, jen.Var().Id(e).Add(g.w.typ(mt.Elem())))
		body = append(body, g.decode(jen.Id(e), mt.Elem(), sub, g.wire(wireType(g.kind(mt.Elem()))), name)...)
		body = append(body, jen.Id(mp).Index(jen.Id(kv)).Op("=").Id(e))
		out = append(out, jen.If(jen.Op("!").Id(sub).Dot("Done").Call()).Block( // else nil
			jen.List(jen.Id(n), jen.Err()).Op(":=").Id(sub).Dot("Count").Call(),
			g.check(name),
			jen.Id(mp).Op(":=").Make(g.w.typ(t), g.wire("Prealloc").Call(jen.Id(n))),
			jen.For(jen.Range().Id(n)).Block(body...),
			end,
			dst.Clone().Op("=").Id(mp),
		))
	case wPointer:
		elem := u.(*types.Pointer).Elem()
		v := g.local("v")
		inner := []jen.Code{jen.Var().Id(v).Add(g.w.typ(elem))}
		inner = append(inner, g.decode(jen.Id(v), elem, sub, g.wire(wireType(g.kind(elem))), name)...)
		inner = append(inner, end)
		if named {
			inner = append(inner, dst.Clone().Op("=").Add(g.w.typ(t)).Call(jen.Op("&").Id(v)))
		} else {
			inner = append(inner, dst.Clone().Op("=").Op("&").Id(v))
		}
		out = append(out, jen.If(jen.Op("!").Id(sub).Dot("Done").Call()).Block(inner...))
	case wStruct:
		s := g.c.byKey[key(types.Unalias(t))]
		out = append(out,
			jen.If(jen.Err().Op(":=").Id(s.dec).Call(jen.Op("&").Id(sub), jen.Op("&").Add(dst.Clone())), jen.Err().Op("!=").Nil()).Block(
				jen.Return(g.wire("Field").Call(jen.Lit(name), jen.Err())),
			),
		)
	}
	return out
}

// intSize is the size in bits that Decoder.Int and Uint check: 0 for int and uint.
func intSize(u types.Type) int {
	switch u.(*types.Basic).Kind() {
	case types.Int8, types.Uint8:
		return 8
	case types.Int16, types.Uint16:
		return 16
	case types.Int32, types.Uint32:
		return 32
	case types.Int64, types.Uint64:
		return 64
	}
	return 0
}

// sentinels writes the function that yields the sentinel errors known by identity.
func (g *codecGen) sentinels() {
	f := g.f
	f.Commentf("%s yields the sentinel errors that cross the wire by identity: an error that", g.c.sentinelsFunc)
	f.Comment("matches one of them (errors.Is) still matches it after decoding.")
	if len(g.c.sentinels) == 0 {
		f.Func().Id(g.c.sentinelsFunc).Params(jen.Func().Params(jen.String(), jen.Error()).Bool()).Block()
		return
	}
	var chain *jen.Statement
	for i, s := range g.c.sentinels {
		v := jen.Qual(s.path, s.name) // jennifer leaves the package's own names unqualified
		call := jen.Id("yield").Call(jen.Lit(s.id), v)
		if i == 0 {
			chain = call
		} else {
			chain = chain.Op("&&").Line().Add(call)
		}
	}
	f.Func().Id(g.c.sentinelsFunc).Params(jen.Id("yield").Func().Params(jen.String(), jen.Error()).Bool()).Block(
		jen.Id("_").Op("=").Add(chain),
	)
}
