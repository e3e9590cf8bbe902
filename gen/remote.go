package gen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"hash/fnv"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/actorgen/actorgen/gen/directive"
	"golang.org/x/tools/go/packages"
)

// WirePath is the import path of the package that generated codecs bind to.
const WirePath = "github.com/actorgen/actorgen/runtime/wire"

// codecModel is what the codec of a package's //actor:remote interfaces needs: the message and
// reply structs of every remote method, every struct type they reach (given free functions),
// the sentinel errors known by identity, and the schema.
type codecModel struct {
	methods   []*remoteMethod // by interface, then method name
	structs   []*wireStruct   // the struct types given helper functions, by key
	byKey     map[string]*wireStruct
	sentinels []sentinelVar   // by id
	refs      map[string]bool // the remote interfaces, as path.Name
	actors    map[string]bool // every actor interface of the package, by name
	schema    *schemaFile     // what this run writes
	old       *schemaFile     // what the package's actor_schema.txt holds, or nil

	sentinelsFunc string // the name of the generated func that yields the sentinels
	wire          string // the import name of the wire package
}

// remoteMethod is one method of an //actor:remote interface.
type remoteMethod struct {
	a           *actorModel
	m           *methodModel
	msg, reply  *wireStruct // reply is nil for a tell
	fingerprint uint32
}

// qual is "Iface.Method".
func (rm *remoteMethod) qual() string { return rm.a.name + "." + rm.m.name }

// kind is "ask" or "tell".
func (rm *remoteMethod) kind() string {
	if rm.m.tell {
		return "tell"
	}
	return "ask"
}

// wireStruct is a struct whose fields cross the wire: a message or reply struct (generated
// methods) or a struct type they reach (generated functions).
type wireStruct struct {
	key      string     // the schema's key: the message's name, or the type with full paths
	display  string     // the name in messages: BookCreateMsg, Contact, geo.Point
	typ      types.Type // the struct type (named or not); nil for messages
	fields   []*wireField
	enc, dec string // helper function names (types only)
}

// wireField is a field of a wireStruct.
type wireField struct {
	name string // the Go field name
	num  uint32 // the wire number: a hash of name
	typ  types.Type
	pos  token.Pos // where the field's type is spelled, for messages
	desc string    // the wire shape, as the schema records it
}

// sentinelVar is an exported package-level error variable known by identity.
type sentinelVar struct {
	id         string // path.Name
	path, name string
	pkg        *types.Package // nil for the runtime's
}

// fieldNumber is the wire number of the field called name: a hash of the name, so that numbers
// stay the same whatever fields are added, removed or reordered. The numbers are below 2^18,
// so a tag takes three bytes at most.
func fieldNumber(name string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return h.Sum32()%(1<<18-1) + 1
}

// remote checks the //actor:remote interfaces of pm and builds their codec model. Every
// parameter and result that cannot cross the wire is reported at its type.
func (m *modeller) remote(pm *pkgModel) {
	var remotes []*actorModel
	for _, a := range pm.actors {
		if a.directives.Remote {
			remotes = append(remotes, a)
		}
	}
	if len(remotes) == 0 {
		return
	}
	c := &codecModel{byKey: map[string]*wireStruct{}, refs: map[string]bool{}, actors: map[string]bool{}}
	for _, a := range remotes {
		c.refs[m.pkg.PkgPath+"."+a.name] = true
	}
	for _, a := range pm.actors {
		c.actors[a.name] = true
	}
	b := &codecBuilder{m: m, self: m.pkg.Types, c: c, pkgs: map[string]*types.Package{m.pkg.Types.Path(): m.pkg.Types}, done: map[string]bool{}, used: map[string]*types.TypeName{}}
	before := len(m.e.list)
	for _, a := range remotes {
		if len(a.typeParams) > 0 {
			m.e.addf(a.directives.RemotePos, "//actor:remote on %s, a generic interface: the codec needs the types of the messages, and a type parameter has none until it is instantiated (declare an interface of concrete types)", a.name)
			continue
		}
		if a.output != OutputFile {
			m.e.addf(a.directives.RemotePos, "//actor:remote on %s, declared in %s, which has build constraints: the wire schema would depend on the build (declare %s in a file without constraints)", a.name, a.output[:len(a.output)-len(outputSuffix)]+".go", a.name)
			continue
		}
		for _, mm := range a.methods {
			rm := &remoteMethod{a: a, m: mm}
			rm.msg = &wireStruct{key: mm.msg, display: mm.msg}
			for _, p := range mm.params {
				what := "parameter " + p.orig
				if p.orig == "" || p.orig == "_" {
					what = "parameter " + strconv.Itoa(slices.Index(mm.params, p)+1)
				}
				rm.msg.fields = append(rm.msg.fields, b.field(a, mm, what, p.field, p.typ, p.expr))
			}
			if !mm.tell {
				rm.reply = &wireStruct{key: mm.reply, display: mm.reply}
				for i, r := range mm.results {
					rm.reply.fields = append(rm.reply.fields, b.field(a, mm, "result "+strconv.Itoa(i+1), r.field, r.typ, r.expr))
				}
				rm.reply.fields = append(rm.reply.fields, &wireField{name: "Err", num: fieldNumber("Err"), typ: types.Universe.Lookup("error").Type(), pos: mm.pos, desc: "error"})
			}
			b.numbers(rm.msg, mm.pos)
			if rm.reply != nil {
				b.numbers(rm.reply, mm.pos)
			}
			c.methods = append(c.methods, rm)
		}
	}
	for _, name := range codecLocals() {
		if obj := b.used[name]; obj != nil {
			m.e.addf(obj.Pos(), "type %s is used in the messages of an //actor:remote interface, and the generated codec declares a local variable %s, which would hide it: rename the type", name, name)
		}
	}
	if len(m.e.list) > before {
		return
	}
	for _, s := range c.byKey {
		b.numbers(s, m.pos(s))
		c.structs = append(c.structs, s)
	}
	slices.SortFunc(c.structs, func(x, y *wireStruct) int { return strings.Compare(x.key, y.key) })
	c.sentinels = sentinels(b.pkgs)
	m.schema(c)
	m.codecNames(pm, c, b.pkgs)
	pm.codec = c
}

// pos returns the declaration of a struct type, when it is known.
func (m *modeller) pos(s *wireStruct) token.Pos {
	if n, ok := s.typ.(*types.Named); ok {
		return n.Obj().Pos()
	}
	return token.NoPos
}

// codecBuilder walks the types of remote messages.
type codecBuilder struct {
	m    *modeller      // for errors; nil when only classifying
	self *types.Package // the package the codec is written in
	c    *codecModel
	pkgs map[string]*types.Package  // every package a message's types come from
	done map[string]bool            // struct keys checked or being checked
	used map[string]*types.TypeName // the package's own named types that messages use, by name
}

// field checks one message or reply field and returns it; an error is reported at the type.
func (b *codecBuilder) field(a *actorModel, mm *methodModel, what, name string, t types.Type, x ast.Expr) *wireField {
	pos := mm.pos
	if x != nil {
		pos = x.Pos()
	}
	f := &wireField{name: name, num: fieldNumber(name), typ: t, pos: pos}
	if where, why := b.check(t); why != "" {
		if where != "" {
			where = ": " + where
		}
		b.m.e.addf(pos, "%s.%s: %s (%s) cannot cross the wire%s: %s; //actor:remote needs every parameter and result to be encodable (change the type, or remove //actor:remote from %s)",
			a.name, mm.name, what, b.typeString(t), where, why, a.name)
		return f
	}
	f.desc = b.desc(t)
	return f
}

// numbers reports two fields of s whose names give the same wire number.
func (b *codecBuilder) numbers(s *wireStruct, pos token.Pos) {
	seen := map[uint32]string{}
	for _, f := range s.fields {
		if prev, dup := seen[f.num]; dup {
			b.m.e.addf(cmpPos(f.pos, pos), "fields %s and %s of %s get the same wire number %d (numbers are hashes of the field names): rename one of them", prev, f.name, s.display, f.num)
		}
		seen[f.num] = f.name
	}
}

func cmpPos(p, fallback token.Pos) token.Pos {
	if p.IsValid() {
		return p
	}
	return fallback
}

// typeString writes t as the messages of this package show it.
func (b *codecBuilder) typeString(t types.Type) string {
	return types.TypeString(t, func(p *types.Package) string {
		if p == b.self {
			return ""
		}
		return p.Name()
	})
}

// key is the type with full package paths: the schema's name of a struct type.
func key(t types.Type) string { return types.TypeString(t, nil) }

// wireKind is how a type is encoded.
type wireKind int

const (
	wBool wireKind = iota
	wInt
	wUint
	wFloat64
	wFloat32
	wComplex128
	wComplex64
	wString
	wBytes     // []byte
	wByteArray // [N]byte
	wSlice
	wArray
	wMap
	wPointer
	wStruct    // a struct: generated functions
	wError     // error: text and sentinels
	wRef       // an //actor:remote interface: the actor's address
	wAppender  // encoding.BinaryAppender + BinaryUnmarshaler
	wMarshaler // encoding.BinaryMarshaler + BinaryUnmarshaler
	wJSON      // json.Marshaler + json.Unmarshaler
)

// kindOfWire returns how t is encoded, or why it cannot be ("" for where when the problem is t
// itself, else the part of t that is the problem). It records the struct types and packages t
// reaches.
func (b *codecBuilder) check(t types.Type) (where, why string) {
	_, where, why = b.classify(t)
	return where, why
}

// classify returns t's wire kind, or the problem.
func (b *codecBuilder) classify(t types.Type) (k wireKind, where, why string) {
	t = types.Unalias(t)
	if n, ok := t.(*types.Named); ok && n.Obj().Pkg() != nil {
		b.pkgs[n.Obj().Pkg().Path()] = n.Obj().Pkg()
		if n.Obj().Pkg() == b.self && b.used != nil {
			b.used[n.Obj().Name()] = n.Obj()
		}
		if problem := objectProblem(b.self, n.Obj()); problem != "" {
			return 0, "", problem
		}
	}
	if types.Identical(t, types.Universe.Lookup("error").Type()) {
		return wError, "", ""
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Kind() == types.Bool:
			return wBool, "", ""
		case u.Kind() == types.Uintptr || u.Kind() == types.UnsafePointer:
			return b.fallback(t, "", "a pointer or address means nothing in another process")
		case u.Info()&types.IsUnsigned != 0:
			return wUint, "", ""
		case u.Info()&types.IsInteger != 0:
			return wInt, "", ""
		case u.Kind() == types.Float64 || u.Kind() == types.UntypedFloat:
			return wFloat64, "", ""
		case u.Kind() == types.Float32:
			return wFloat32, "", ""
		case u.Kind() == types.Complex128:
			return wComplex128, "", ""
		case u.Kind() == types.Complex64:
			return wComplex64, "", ""
		case u.Info()&types.IsString != 0:
			return wString, "", ""
		}
		return 0, "", "its type does not type-check"
	case *types.Slice:
		if isByte(u.Elem()) {
			return wBytes, "", ""
		}
		if w, why := b.elem(u.Elem()); why != "" {
			return b.fallback(t, w, why)
		}
		return wSlice, "", ""
	case *types.Array:
		if isByte(u.Elem()) {
			return wByteArray, "", ""
		}
		if w, why := b.elem(u.Elem()); why != "" {
			return b.fallback(t, w, why)
		}
		return wArray, "", ""
	case *types.Map:
		kb, ok := types.Unalias(u.Key()).Underlying().(*types.Basic)
		if !ok || kb.Info()&types.IsOrdered == 0 {
			return b.fallback(t, "", fmt.Sprintf("its key type %s is not an integer, float or string type, and only maps with such keys are written in a deterministic order", b.typeString(u.Key())))
		}
		if w, why := b.elem(u.Elem()); why != "" {
			return b.fallback(t, w, why)
		}
		return wMap, "", ""
	case *types.Pointer:
		if w, why := b.elem(u.Elem()); why != "" {
			return b.fallback(t, w, why)
		}
		return wPointer, "", ""
	case *types.Struct:
		if w, why := b.structType(t, u); why != "" {
			return b.fallback(t, w, why)
		}
		return wStruct, "", ""
	case *types.Interface:
		if n, ok := t.(*types.Named); ok && n.Obj().Pkg() != nil {
			k := n.Obj().Pkg().Path() + "." + n.Obj().Name()
			if b.c.refs[k] {
				return wRef, "", ""
			}
			if n.Obj().Pkg() != b.self && b.m != nil {
				switch remote, actor, known := b.m.remoteElsewhere(n.Obj()); {
				case remote:
					b.c.refs[k] = true
					return wRef, "", ""
				case actor:
					return 0, "", fmt.Sprintf("%s is an actor interface without //actor:remote, and only the refs of remote actors cross the wire (add //actor:remote to it)", b.typeString(t))
				case !known && looksLikeActor(u):
					return 0, "", fmt.Sprintf("it is an interface of package %s, which this run did not load from source, so the generator cannot tell whether it is an //actor:remote actor (generate both packages in one run: actorgen ./...)", n.Obj().Pkg().Name())
				}
			}
		}
		if n, ok := t.(*types.Named); ok && n.Obj().Pkg() == b.self && b.c.actors[n.Obj().Name()] {
			return 0, "", fmt.Sprintf("%s is an actor interface without //actor:remote, and only the refs of remote actors cross the wire (add //actor:remote to %s)", n.Obj().Name(), n.Obj().Name())
		}
		return 0, "", "an interface value can hold any type, and the receiver could not know which to decode (use a concrete type; error and //actor:remote interfaces are the exceptions)"
	case *types.Chan:
		return b.fallback(t, "", "a channel only connects goroutines of one process")
	case *types.Signature:
		return b.fallback(t, "", "a func value cannot be sent to another process")
	case *types.TypeParam:
		return 0, "", "a type parameter has no wire encoding"
	}
	return 0, "", "it has no wire encoding"
}

// elem checks a type inside another (an element, a key, a field), returning where the problem is.
func (b *codecBuilder) elem(t types.Type) (where, why string) {
	_, w, why := b.classify(t)
	if why == "" {
		return "", ""
	}
	if w == "" {
		return "it holds " + b.typeString(t), why
	}
	return w, why
}

// fallback returns the marshaler kind of a named type t that cannot be encoded from its
// structure, or the problem.
func (b *codecBuilder) fallback(t types.Type, where, why string) (wireKind, string, string) {
	if _, ok := t.(*types.Named); ok {
		ptr := types.NewPointer(t)
		switch {
		case hasMethod(ptr, "AppendBinary", []types.Type{byteSlice()}, []types.Type{byteSlice(), errorType()}) &&
			hasMethod(ptr, "UnmarshalBinary", []types.Type{byteSlice()}, []types.Type{errorType()}):
			return wAppender, "", ""
		case hasMethod(ptr, "MarshalBinary", nil, []types.Type{byteSlice(), errorType()}) &&
			hasMethod(ptr, "UnmarshalBinary", []types.Type{byteSlice()}, []types.Type{errorType()}):
			return wMarshaler, "", ""
		case hasMethod(ptr, "MarshalJSON", nil, []types.Type{byteSlice(), errorType()}) &&
			hasMethod(ptr, "UnmarshalJSON", []types.Type{byteSlice()}, []types.Type{errorType()}):
			return wJSON, "", ""
		}
		why += ", and " + b.typeString(t) + " has no MarshalBinary and UnmarshalBinary (or MarshalJSON and UnmarshalJSON) methods to use instead"
	}
	return 0, where, why
}

// structType checks a struct's fields and records it for a helper function.
func (b *codecBuilder) structType(t types.Type, st *types.Struct) (where, why string) {
	k := key(t)
	if b.done[k] {
		return "", "" // checked, or being checked (a recursive type)
	}
	b.done[k] = true
	display := b.typeString(t)
	s := &wireStruct{key: k, display: display, typ: t}
	for i := range st.NumFields() {
		f := st.Field(i)
		if f.Name() == "_" {
			continue // padding: nothing to send
		}
		if p := foreignPackage(b.self, f); p != nil && !f.Exported() {
			delete(b.done, k)
			return "", fmt.Sprintf("its field %s is unexported, and code in package %s cannot read or set it", f.Name(), b.self.Name())
		}
		if _, w, why := b.classify(f.Type()); why != "" {
			delete(b.done, k)
			if w != "" {
				w = ": " + w
			}
			return fmt.Sprintf("its field %s.%s (%s)%s", structName(display), f.Name(), b.typeString(f.Type()), w), why
		}
		s.fields = append(s.fields, &wireField{name: f.Name(), num: fieldNumber(f.Name()), typ: f.Type(), pos: f.Pos()})
	}
	for _, f := range s.fields {
		f.desc = b.desc(f.typ)
	}
	b.c.byKey[k] = s
	return "", ""
}

// structName shortens an anonymous struct's name in messages.
func structName(display string) string {
	if strings.HasPrefix(display, "struct{") {
		return "struct"
	}
	return display
}

// desc is the wire shape of a type, as the schema records it: what must not change between
// peers. Named structs are named (their fields are in their own entry); other named types are
// their underlying shape, as the codec writes them.
func (b *codecBuilder) desc(t types.Type) string {
	k, _, _ := b.classify(t)
	t = types.Unalias(t)
	switch k {
	case wBool:
		return "bool"
	case wInt, wUint, wFloat64, wFloat32, wComplex128, wComplex64:
		return t.Underlying().(*types.Basic).Name()
	case wString:
		return "string"
	case wBytes:
		return "[]byte"
	case wByteArray:
		return fmt.Sprintf("[%d]byte", t.Underlying().(*types.Array).Len())
	case wSlice:
		return "[]" + b.desc(t.Underlying().(*types.Slice).Elem())
	case wArray:
		a := t.Underlying().(*types.Array)
		return fmt.Sprintf("[%d]%s", a.Len(), b.desc(a.Elem()))
	case wMap:
		mt := t.Underlying().(*types.Map)
		return "map[" + b.desc(mt.Key()) + "]" + b.desc(mt.Elem())
	case wPointer:
		return "*" + b.desc(t.Underlying().(*types.Pointer).Elem())
	case wStruct:
		return key(t)
	case wError:
		return "error"
	case wRef:
		return "ref " + key(t)
	case wAppender, wMarshaler:
		return "binary " + key(t)
	case wJSON:
		return "json " + key(t)
	}
	return "?"
}

func isByte(t types.Type) bool {
	return types.Identical(t, types.Typ[types.Byte])
}

func byteSlice() types.Type { return types.NewSlice(types.Typ[types.Byte]) }

func errorType() types.Type { return types.Universe.Lookup("error").Type() }

// hasMethod reports whether t's method set has method name with exactly these parameter and
// result types.
func hasMethod(t types.Type, name string, params, results []types.Type) bool {
	sel := types.NewMethodSet(t).Lookup(nil, name)
	if sel == nil {
		return false
	}
	sig, ok := sel.Obj().Type().(*types.Signature)
	if !ok || sig.Variadic() || sig.Params().Len() != len(params) || sig.Results().Len() != len(results) {
		return false
	}
	for i, p := range params {
		if !types.Identical(sig.Params().At(i).Type(), p) {
			return false
		}
	}
	for i, r := range results {
		if !types.Identical(sig.Results().At(i).Type(), r) {
			return false
		}
	}
	return true
}

// sentinels returns the exported package-level error variables of pkgs, of context and of the
// runtime, by id.
func sentinels(pkgs map[string]*types.Package) []sentinelVar {
	errIface := errorType().Underlying().(*types.Interface)
	var out []sentinelVar
	seen := map[string]bool{RuntimePath: true}
	add := func(p *types.Package) {
		if p == nil || seen[p.Path()] {
			return
		}
		seen[p.Path()] = true
		for _, name := range p.Scope().Names() {
			v, ok := p.Scope().Lookup(name).(*types.Var)
			if !ok || !v.Exported() || !types.Implements(v.Type(), errIface) || !types.Comparable(v.Type()) {
				continue
			}
			out = append(out, sentinelVar{id: p.Path() + "." + name, path: p.Path(), name: name, pkg: p})
		}
	}
	for _, p := range pkgs {
		add(p)
		for _, im := range p.Imports() {
			if im.Path() == "context" {
				add(im)
			}
		}
	}
	for _, name := range runtimeSentinels() {
		out = append(out, sentinelVar{id: RuntimePath + "." + name, path: RuntimePath, name: name})
	}
	slices.SortFunc(out, func(a, b sentinelVar) int { return strings.Compare(a.id, b.id) })
	return out
}

// runtimeSentinels are the runtime's exported errors: they cross the wire by identity whether or
// not the package imports the runtime (TestRuntimeSentinels keeps the list complete).
func runtimeSentinels() []string {
	return []string{"ErrFault", "ErrInvalidOption", "ErrMailboxFull", "ErrNameTaken", "ErrNoReply", "ErrNotDelivered", "ErrStopped", "ErrTetherCut"}
}

// codecNames names the codec's helper functions and imports, avoiding every package-level name.
func (m *modeller) codecNames(pm *pkgModel, c *codecModel, pkgs map[string]*types.Package) {
	taken := newScope(nil)
	taken.add(universeNames()...)
	taken.add(generatedLocals()...)
	taken.add(codecLocals()...)
	scope := m.pkg.Types.Scope()
	for _, n := range scope.Names() {
		taken.add(n)
	}
	taken.add(ignoredNames(m.pkg.Name, m.pkg.IgnoredFiles)...)
	for _, a := range pm.actors {
		taken.add(a.ref, a.refOf, a.message, a.spawn, a.dispatch)
		for _, mm := range a.methods {
			taken.add(mm.msg, mm.reply)
		}
	}
	for _, im := range pm.imports {
		taken.add(im.name)
	}
	for _, a := range pm.actors {
		for _, mm := range a.methods {
			for _, p := range mm.params {
				taken.add(p.local)
			}
		}
	}
	// An import named like a local of the codec would be hidden by it: rename the import.
	for i, im := range pm.imports {
		if slices.Contains(codecLocals(), im.name) {
			pm.imports[i].name = taken.fresh(im.name)
		}
	}
	c.wire = taken.fresh("wire")
	pm.imports = append(pm.imports, importName{WirePath, c.wire, "wire"})
	paths := make([]string, 0, len(pkgs))
	for p := range pkgs {
		if p != m.pkg.PkgPath && pm.importName(p) == "" {
			paths = append(paths, p)
		}
	}
	for _, sv := range c.sentinels {
		if p := sv.pkg; p != nil && p.Path() != m.pkg.PkgPath && pm.importName(p.Path()) == "" && !slices.Contains(paths, p.Path()) {
			paths = append(paths, p.Path())
			pkgs[p.Path()] = p
		}
	}
	slices.Sort(paths)
	for _, p := range paths {
		pm.imports = append(pm.imports, importName{p, taken.fresh(pkgs[p].Name()), pkgs[p].Name()})
	}
	c.sentinelsFunc = taken.fresh("wireSentinels")
	for _, s := range c.structs {
		base := structBase(s.typ, m.pkg.Types)
		s.enc = taken.fresh("appendWire" + base)
		s.dec = taken.fresh("decodeWire" + base)
	}
}

// structBase is the part of a helper's name that comes from its struct type: Contact, GeoPoint,
// Struct for an anonymous one.
func structBase(t types.Type, self *types.Package) string {
	n, ok := t.(*types.Named)
	if !ok {
		return "Struct"
	}
	name := upperFirst(n.Obj().Name())
	if p := n.Obj().Pkg(); p != nil && p.Path() != self.Path() {
		name = upperFirst(p.Name()) + name
	}
	return name
}

// codecLocals are the names the codec's function bodies declare or refer to.
func codecLocals() []string {
	return []string{"b", "d", "t", "num", "err", "data", "v", "m", "ok"}
}

// remoteElsewhere reports whether obj, an interface type of another package, is declared with
// //actor:generate (actor) and //actor:remote (remote). The directives are read from the
// package's syntax when this run loaded it from source, or else from the file its export data
// names; known is false when neither is there.
func (m *modeller) remoteElsewhere(obj *types.TypeName) (remote, actor, known bool) {
	var find func(p *packages.Package, seen map[string]bool) *packages.Package
	find = func(p *packages.Package, seen map[string]bool) *packages.Package {
		if p == nil || seen[p.ID] {
			return nil
		}
		seen[p.ID] = true
		if p.PkgPath == obj.Pkg().Path() && len(p.Syntax) > 0 {
			return p
		}
		for _, path := range slices.Sorted(maps.Keys(p.Imports)) {
			if q := find(p.Imports[path], seen); q != nil {
				return q
			}
		}
		return nil
	}
	files := []*ast.File(nil)
	if p := find(m.pkg, map[string]bool{}); p != nil {
		files = p.Syntax
	} else if name := m.fset.Position(obj.Pos()).Filename; name != "" {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return false, false, false
		}
		files = []*ast.File{f}
	}
	for _, f := range files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				if ts.Name.Name != obj.Name() {
					continue
				}
				doc := ts.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				di, _ := directive.ParseInterface(doc)
				return di.Generate && di.Remote, di.Generate, true
			}
		}
	}
	return false, false, files != nil
}

// looksLikeActor reports whether every method of it takes a context.Context first, as an actor
// interface's methods do.
func looksLikeActor(it *types.Interface) bool {
	for i := range it.NumMethods() {
		p := it.Method(i).Signature().Params()
		if p.Len() == 0 || !isContext(p.At(0).Type()) {
			return false
		}
	}
	return it.NumMethods() > 0
}
