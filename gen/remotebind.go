package gen

import (
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"
)

// RemotePath is the import path of the package that generated refs of //actor:remote
// interfaces bind to for serving and dialing.
const RemotePath = "github.com/actorgen/actorgen/runtime/remote"

// emitRemoteBindings writes, for each //actor:remote interface of the output, what
// runtime/remote needs to serve and dial it: a Binding (encode a message by method, deliver a
// decoded one to a local actor, wrap a handle in the ref type), the ref's WireRef, and the
// ServeX, ServeXChildren, DialX and RegisterX functions. It goes after the codec, whose
// methods it calls; sentinels says whether the codec wrote the package's sentinels function.
func emitRemoteBindings(pm *pkgModel, o *outFile, f *jen.File, sentinels bool) {
	c := pm.codec
	if c == nil || o.name != OutputFile {
		return
	}
	var actors []*actorModel
	for _, a := range o.actors {
		if a.directives.Remote && len(a.typeParams) == 0 {
			actors = append(actors, a)
		}
	}
	if len(actors) == 0 {
		return
	}
	f.ImportAlias(RemotePath, remoteImportName(pm))
	for _, a := range actors {
		(&bindEmitter{pm: pm, a: a, f: f, sentinels: sentinels, c: c}).emit()
	}
}

// remoteImportName is the name the output imports runtime/remote as: "remote", unless the
// package, one of its imports or one of its declarations already has that name.
func remoteImportName(pm *pkgModel) string {
	taken := func(name string) bool {
		if pm.pkg.Name == name || pm.pkg.Types.Scope().Lookup(name) != nil {
			return true
		}
		for _, im := range pm.imports {
			if im.name == name {
				return true
			}
		}
		return false
	}
	name := "remote"
	for i := 2; taken(name); i++ {
		name = "remote" + strconv.Itoa(i)
	}
	return name
}

type bindEmitter struct {
	pm        *pkgModel
	a         *actorModel
	f         *jen.File
	c         *codecModel
	sentinels bool
}

func (e *bindEmitter) rt(name string) *jen.Statement { return jen.Qual(RuntimePath, name) }
func (e *bindEmitter) rm(name string) *jen.Statement { return jen.Qual(RemotePath, name) }
func (e *bindEmitter) wire(name string) *jen.Statement {
	return jen.Qual(WirePath, name)
}

// binding is the name of the unexported binding type: bookWire for Book.
func (e *bindEmitter) binding() string {
	r, size := utf8.DecodeRuneInString(e.a.name)
	return string(unicode.ToLower(r)) + e.a.name[size:] + "Wire"
}

func (e *bindEmitter) emit() {
	a, f := e.a, e.f
	bt := e.binding()
	iface := e.pm.pkg.PkgPath + "." + a.name
	msgT := jen.Id(a.message)

	f.Commentf("%s binds %s to package remote: it encodes %s values by method, delivers the", bt, a.name, a.message)
	f.Commentf("decoded ones to a local actor, and wraps remote handles in %s.", a.ref)
	f.Type().Id(bt).Struct()
	f.Var().Id("_").Add(e.rm("Binding")).Types(msgT.Clone()).Op("=").Id(bt).Values()

	f.Comment("Interface returns the interface's package path and name.")
	f.Func().Params(jen.Id(bt)).Id("Interface").Params().String().Block(jen.Return(jen.Lit(iface)))

	f.Commentf("Methods lists the methods of %s, in the order of their numbers in %s.", a.name, a.message)
	f.Func().Params(jen.Id(bt)).Id("Methods").Params().Index().Add(e.rm("Method")).Block(
		jen.Return(jen.Index().Add(e.rm("Method")).ValuesFunc(func(g *jen.Group) {
			for _, m := range a.methods {
				vals := []jen.Code{kv("Name", jen.Lit(m.name))}
				if m.tell {
					vals = append(vals, kv("Tell", jen.True()))
				}
				vals = append(vals, kv("Schema", jen.Id(m.msg).Values().Dot("WireSchema").Call()))
				g.Values(vals...)
			}
		})),
	)

	f.Commentf("Encode appends the wire encoding of m's arguments to b and returns the index of its method.")
	f.Func().Params(jen.Id(bt)).Id("Encode").Params(jen.Id("b").Index().Byte(), jen.Id("m").Add(msgT.Clone())).Params(jen.Index().Byte(), jen.Int(), jen.Error()).Block(
		jen.Switch(jen.Id("m").Dot("method")).BlockFunc(func(g *jen.Group) {
			for i, m := range a.methods {
				vals := make([]jen.Code, len(m.params))
				for j, p := range m.params {
					vals[j] = kv(p.field, jen.Id("m").Dot(p.slot))
				}
				g.Case(jen.Lit(i + 1)).Comment(m.name)
				g.List(jen.Id("b"), jen.Err()).Op(":=").Id(m.msg).Values(vals...).Dot("AppendBinary").Call(jen.Id("b"))
				g.Return(jen.Id("b"), jen.Lit(i), jen.Err())
			}
		}),
		jen.Return(jen.Id("b"), jen.Lit(-1), jen.Qual("errors", "New").Call(jen.Lit("actorgen: the zero "+a.message+" calls no method"))),
	)

	f.Commentf("Serve decodes the arguments of the method at index i from d and delivers them to a; for an")
	f.Commentf("ask, it appends the encoded reply to b.")
	f.Func().Params(jen.Id(bt)).Id("Serve").Params(
		jen.Id("ctx").Qual("context", "Context"),
		jen.Id("a").Add(e.rt("Actor")).Types(msgT.Clone()),
		jen.Id("i").Int(),
		jen.Id("d").Op("*").Add(e.wire("Decoder")),
		jen.Id("b").Index().Byte(),
	).Params(jen.Index().Byte(), jen.Error()).Block(
		jen.Switch(jen.Id("i")).BlockFunc(func(g *jen.Group) {
			for i, m := range a.methods {
				g.Case(jen.Lit(i)).Comment(m.name)
				g.Var().Id("m").Id(m.msg)
				g.If(jen.Err().Op(":=").Id("m").Dot("DecodeWire").Call(jen.Id("d")), jen.Err().Op("!=").Nil()).Block(
					jen.Return(jen.Id("b"), e.rm("BadMessage").Call(jen.Err())),
				)
				if m.tell {
					g.Return(jen.Id("b"), jen.Id("a").Dot("Tell").Call(jen.Id("ctx"), jen.Id("m").Dot("Message").Call()))
					continue
				}
				g.List(jen.Id("rep"), jen.Err()).Op(":=").Add(e.rt("Ask")).Types(msgT.Clone(), jen.Id(m.reply)).Call(jen.Id("ctx"), jen.Id("a"), jen.Id("m").Dot("Message").Call())
				g.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Id("b"), jen.Err()))
				g.If(jen.List(jen.Id("b"), jen.Err()).Op("=").Id("rep").Dot("AppendBinary").Call(jen.Id("b")), jen.Err().Op("!=").Nil()).Block(
					jen.Return(jen.Id("b"), e.rm("BadMessage").Call(jen.Err())),
				)
				g.Return(jen.Id("b"), jen.Nil())
			}
		}),
		jen.Return(jen.Id("b"), e.rm("BadMessage").Call(jen.Qual("errors", "New").Call(jen.Lit("actorgen: "+a.name+" has no such method")))),
	)

	f.Commentf("Ref wraps a in a %s.", a.ref)
	f.Func().Params(jen.Id(bt)).Id("Ref").Params(jen.Id("a").Add(e.rt("Actor")).Types(msgT.Clone())).Any().Block(
		jen.Return(jen.Id(a.ref).Values(kv("actor", jen.Id("a")))),
	)
	f.Comment("Sentinels yields the sentinel errors that keep their identity across the wire.")
	sent := e.wire("NoSentinels")
	if e.sentinels {
		sent = jen.Id(e.c.sentinelsFunc)
	}
	f.Func().Params(jen.Id(bt)).Id("Sentinels").Params().Add(e.wire("Sentinels")).Block(jen.Return(sent))

	f.Commentf("WireRef returns the address of r's actor, for a message (wire.WireRefer): a %s crosses", a.ref)
	f.Comment("the wire as its node and path.")
	f.Func().Params(jen.Id("r").Id(a.ref)).Id("WireRef").Params().Add(e.wire("Ref")).Block(
		jen.Return(e.rm("WireRef").Call(jen.Id("r").Dot("actor").Dot("Ref").Call(), jen.Lit(iface))),
	)

	article := article(a.name)
	f.Commentf("Serve%s exports the %s actor of b on n, so that other nodes reach it by its path with", a.name, a.name)
	f.Commentf("Dial%s. Nothing else of this node is reachable.", a.name)
	f.Func().Id("Serve"+a.name).Params(jen.Id("n").Op("*").Add(e.rm("Node")), jen.Id("b").Id(a.ref), jen.Id("opts").Op("...").Add(e.rm("ServeOption"))).Error().Block(
		jen.Return(e.rm("Serve").Call(jen.Id("n"), jen.Id(bt).Values(), jen.Id("b").Dot("actor"), jen.Id("opts").Op("..."))),
	)
	f.Commentf("Serve%sChildren exports on n the children of parent that are %s %s actors, as they are", a.name, article, a.name)
	f.Comment("spawned: /parent/name reaches the child named name. parent itself is not exported.")
	f.Func().Id("Serve"+a.name+"Children").Params(jen.Id("n").Op("*").Add(e.rm("Node")), jen.Id("parent").Add(e.rt("Ref")), jen.Id("opts").Op("...").Add(e.rm("ServeOption"))).Error().Block(
		jen.Return(e.rm("ServeChildren").Call(jen.Id("n"), jen.Id(bt).Values(), jen.Id("parent"), jen.Id("opts").Op("..."))),
	)
	f.Commentf("Dial%s returns a %s of the %s actor at path (\"/parent/name\") on the node named node,", a.name, a.ref, a.name)
	f.Commentf("through n. It does not reach the node: each call does, and fails at once if the actor is not")
	f.Comment("served there.")
	f.Func().Id("Dial"+a.name).Params(jen.Id("n").Op("*").Add(e.rm("Node")), jen.List(jen.Id("node"), jen.Id("path")).String()).Params(jen.Id(a.ref), jen.Error()).Block(
		jen.List(jen.Id("a"), jen.Err()).Op(":=").Add(e.rm("Dial")).Call(jen.Id("n"), jen.Id(bt).Values(), jen.Id("node"), jen.Id("path")),
		jen.Return(jen.Id(a.ref).Values(kv("actor", jen.Id("a"))), jen.Err()),
	)
	f.Commentf("Register%s makes n turn the %s refs that arrive in messages into working remote refs;", a.name, a.name)
	f.Commentf("Serve%s and Dial%s do it too.", a.name, a.name)
	f.Func().Id("Register" + a.name).Params(jen.Id("n").Op("*").Add(e.rm("Node"))).Error().Block(
		jen.Return(e.rm("Register").Call(jen.Id("n"), jen.Id(bt).Values())),
	)
}
