package gen

import (
	"cmp"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/actorgen/actorgen/gen/directive"
	"golang.org/x/tools/go/packages"
)

// RuntimePath is the import path of the runtime the generated code binds to.
const RuntimePath = "github.com/actorgen/actorgen/runtime"

// pkgModel is everything emitted for one package.
type pkgModel struct {
	pkg     *packages.Package
	actors  []*actorModel
	outputs []*outFile   // sorted by name
	imports []importName // every package the output may reference, named
	codec   *codecModel  // the codec of the //actor:remote interfaces, or nil
}

// outFile is one output: the actors declared in files with the same
// constraints (all unconstrained files, or one constrained file).
type outFile struct {
	name   string        // base name: actor_gen.go or NAME.actor_gen.go
	build  string        // the //go:build expression
	actors []*actorModel // sorted by name
}

// importName is an import of the output: name is what the file calls the
// package, pkgName the package's own name (they differ for an alias).
type importName struct{ path, name, pkgName string }

// actorModel is one //actor:generate interface.
type actorModel struct {
	name       string
	pos        token.Pos
	typeParams []*types.TypeParam
	tpNames    map[*types.TypeName]string
	directives directive.Interface
	methods    []*methodModel // sorted by name
	output     string         // the base name of the file it is written to

	ref, refOf, message, spawn, dispatch string

	slots []*slot // the fields of the message union, see assignSlots
	tag   string  // the type of the union's method number: uint8, or uint16 past 255 methods
}

// slot is one field of an actor's message union. Parameters of the same type share slots across
// methods: a message holds one method's arguments, so the union needs, for each type, only as
// many fields as the method with the most parameters of that type has.
type slot struct {
	name string
	typ  types.Type
	expr ast.Expr  // the type as the first parameter that needs the slot spells it, or nil
	file *ast.File // the file of that parameter's method
}

// methodModel is one method of an actor interface.
type methodModel struct {
	name     string
	pos      token.Pos
	doc      []string
	sig      *types.Signature
	ctxType  types.Type
	tell     bool // fire and forget: no reply
	tellErr  bool // tell whose error result reports delivery
	timeout  time.Duration
	params   []*param  // without the context
	results  []*result // without the final error
	msg      string    // message struct name
	reply    string    // reply struct name ("" for tells)
	variadic bool
	file     *ast.File // the file declaring the method, when in this package
}

type param struct {
	local, field string
	slot         string     // the union field that carries it
	typ          types.Type // the struct field type ([]T for a variadic parameter)
	expr         ast.Expr   // the type as the source spells it, or nil
	orig         string     // the name in the interface, for messages
}

type result struct {
	field, local string
	typ          types.Type
	expr         ast.Expr // the type as the source spells it, or nil
}

// origin is what a generated name comes from, for collision messages.
type origin struct {
	what string
	pos  token.Pos
}

// ifaceDecl is an //actor:generate target declared in a file, with the
// directives of its doc comment.
type ifaceDecl struct {
	spec       *ast.TypeSpec
	obj        *types.TypeName
	directives directive.Interface
}

// modeller builds the model of one package.
type modeller struct {
	e       *errs
	fset    *token.FileSet
	pkg     *packages.Package
	methods map[token.Pos]*ast.Field // interface method fields by name position
	parsed  map[*ast.Field]*directive.Method
	used    map[*ast.Comment]bool
	owner   map[*ast.Field]string // interface that declares the field
}

// buildPackage checks one package and returns its model; it returns nil
// when the package has no //actor:generate interface.
func buildPackage(e *errs, fset *token.FileSet, p *packages.Package) *pkgModel {
	m := &modeller{
		e: e, fset: fset, pkg: p,
		methods: map[token.Pos]*ast.Field{},
		parsed:  map[*ast.Field]*directive.Method{},
		used:    map[*ast.Comment]bool{},
		owner:   map[*ast.Field]string{},
	}
	var files []*ast.File
	for _, f := range p.Syntax {
		if f == nil || isOutput(fset, f.Pos()) {
			continue
		}
		files = append(files, f)
	}
	var targets []ifaceDecl
	outputs := map[string]*outFile{}
	outputOf := map[*ast.TypeSpec]*outFile{}
	for _, f := range files {
		ts := m.scanFile(f)
		if len(ts) == 0 {
			continue
		}
		name, expr := outputFor(filepath.Base(fset.File(f.Pos()).Name()), f)
		o := outputs[name]
		if o == nil {
			o = &outFile{name: name, build: expr.String()}
			outputs[name] = o
		}
		for _, t := range ts {
			outputOf[t.spec] = o
		}
		targets = append(targets, ts...)
	}
	var actors []*actorModel
	for _, t := range targets {
		if a := m.actor(t); a != nil {
			o := outputOf[t.spec]
			a.output = o.name
			o.actors = append(o.actors, a)
			actors = append(actors, a)
		}
	}
	// Method directives on interfaces that are neither generated nor
	// embedded in a generated one have no effect: say so.
	for field, owner := range m.owner {
		if _, ok := m.parsed[field]; ok || field.Doc == nil {
			continue
		}
		md, derrs := directive.ParseMethod(field.Doc)
		m.directiveErrs(derrs)
		for _, c := range md.Used {
			m.used[c] = true
			m.e.addf(c.Slash, "%s has no effect: %s is not an //actor:generate interface and is not embedded in one", strings.Fields(c.Text)[0], owner)
		}
	}
	for _, f := range files {
		m.directiveErrs(directive.Stray(f, m.used))
	}
	if len(actors) == 0 {
		return nil
	}
	if tes := typeErrors(fset, p); len(tes) > 0 {
		m.reportTypeErrors(targets, tes)
	}
	byName := func(a, b *actorModel) int { return strings.Compare(a.name, b.name) }
	slices.SortFunc(actors, byName)
	pm := &pkgModel{pkg: p, actors: actors}
	for _, o := range outputs {
		if len(o.actors) > 0 {
			slices.SortFunc(o.actors, byName)
			pm.outputs = append(pm.outputs, o)
		}
	}
	slices.SortFunc(pm.outputs, func(a, b *outFile) int { return strings.Compare(a.name, b.name) })
	m.names(pm)
	m.remote(pm)
	return pm
}

// packageDir is the directory of the package's source files (GoFiles, not
// CompiledGoFiles, which for cgo packages live in the build cache).
func packageDir(p *packages.Package) string {
	if p.Dir != "" {
		return p.Dir
	}
	for _, f := range p.GoFiles {
		return filepath.Dir(f)
	}
	return ""
}

func (m *modeller) directiveErrs(errs []directive.Error) {
	for _, de := range errs {
		m.e.addf(de.Pos, "%s", de.Msg)
	}
}

// reportTypeErrors reports the type errors that fall inside a generated
// interface's declaration. Others are left to the compiler: they are often
// uses of the very API this run generates. If an interface's signatures
// still hold invalid types (modelling reported it), every type error is shown.
func (m *modeller) reportTypeErrors(targets []ifaceDecl, tes []types.Error) {
	inTarget := func(pos token.Pos) bool {
		for _, t := range targets {
			if t.spec.Pos() <= pos && pos < t.spec.End() {
				return true
			}
		}
		return false
	}
	for _, te := range tes {
		if inTarget(te.Pos) {
			m.e.addf(te.Pos, "%s", te.Msg)
		}
	}
}

// scanFile parses the interface directives of every type declaration in f,
// indexes interface method fields, and returns the //actor:generate targets.
func (m *modeller) scanFile(f *ast.File) []ifaceDecl {
	var out []ifaceDecl
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, s := range gd.Specs {
			spec := s.(*ast.TypeSpec)
			doc := spec.Doc
			if doc == nil && len(gd.Specs) == 1 {
				doc = gd.Doc
			}
			it, isIface := spec.Type.(*ast.InterfaceType)
			if isIface && it.Methods != nil {
				for _, field := range it.Methods.List {
					if _, isFunc := field.Type.(*ast.FuncType); isFunc && len(field.Names) == 1 {
						m.methods[field.Names[0].Pos()] = field
						m.owner[field] = spec.Name.Name
					}
				}
			}
			if doc == nil {
				continue
			}
			di, derrs := directive.ParseInterface(doc)
			m.directiveErrs(derrs)
			for _, c := range di.Used {
				m.used[c] = true
			}
			if !di.Generate {
				continue
			}
			o := m.pkg.Types.Scope().Lookup(spec.Name.Name)
			if o == nil || isOutput(m.fset, o.Pos()) {
				continue // not a package-level type (a parse error was reported)
			}
			obj, ok := o.(*types.TypeName)
			if !ok || obj.Pos() != spec.Name.Pos() {
				m.e.addf(spec.Name.Pos(), "//actor:generate on %s, which is also declared at %s", spec.Name.Name, m.e.where(o.Pos()))
				continue
			}
			if u := obj.Type(); !isIface && !types.IsInterface(u) {
				m.e.addf(spec.Name.Pos(), "//actor:generate on %s, which is %s, not an interface", spec.Name.Name, kindOf(u))
				continue
			}
			out = append(out, ifaceDecl{spec: spec, obj: obj, directives: di})
		}
	}
	return out
}

// kindOf describes a non-interface type for messages.
func kindOf(t types.Type) string {
	prefix := ""
	if _, ok := t.(*types.Alias); ok {
		prefix = "an alias of "
	}
	switch types.Unalias(t).Underlying().(type) {
	case *types.Struct:
		return prefix + "a struct type"
	case *types.Signature:
		return prefix + "a func type"
	case *types.Map:
		return prefix + "a map type"
	case *types.Slice, *types.Array:
		return prefix + "a slice or array type"
	case *types.Chan:
		return prefix + "a channel type"
	case *types.Pointer:
		return prefix + "a pointer type"
	}
	return prefix + "a basic type"
}

// actor models one //actor:generate interface; it returns nil after
// reporting errors.
func (m *modeller) actor(t ifaceDecl) *actorModel {
	name, obj := t.spec.Name.Name, t.obj
	a := &actorModel{name: name, pos: t.spec.Name.Pos(), directives: t.directives, tpNames: map[*types.TypeName]string{}}
	switch tt := obj.Type().(type) {
	case *types.Named:
		a.typeParams = tparams(tt.TypeParams())
	case *types.Alias:
		a.typeParams = tparams(tt.TypeParams())
	}
	iface, ok := types.Unalias(obj.Type()).Underlying().(*types.Interface)
	if !ok {
		m.e.addf(a.pos, "//actor:generate on %s, which is not an interface", name)
		return nil
	}
	if !iface.IsMethodSet() {
		m.e.addf(a.pos, "%s is a constraint interface (it has a type set), not a method set: it cannot be an actor", name)
		return nil
	}
	if iface.NumMethods() == 0 {
		m.e.addf(a.pos, "%s has no methods: an actor interface needs at least one", name)
		return nil
	}
	before := len(m.e.list)
	for i := range iface.NumMethods() {
		if mm := m.method(a, iface.Method(i)); mm != nil {
			a.methods = append(a.methods, mm)
		}
	}
	if len(m.e.list) > before {
		return nil
	}
	return a
}

func tparams(l *types.TypeParamList) []*types.TypeParam {
	out := make([]*types.TypeParam, l.Len())
	for i := range out {
		out[i] = l.At(i)
	}
	return out
}

// inPackage reports whether pos is in one of the package's own files.
func (m *modeller) inPackage(pos token.Pos) bool {
	f := m.fset.File(pos)
	if f == nil || isOutput(m.fset, pos) {
		return false
	}
	return slices.Contains(m.pkg.CompiledGoFiles, f.Name()) || slices.Contains(m.pkg.GoFiles, f.Name())
}

// method models and checks one method of an actor interface.
func (m *modeller) method(a *actorModel, fn *types.Func) *methodModel {
	sig := fn.Signature()
	qual := a.name + "." + fn.Name()
	pos := fn.Origin().Pos()
	if !m.inPackage(pos) {
		pos = a.pos
		if fn.Pkg() != nil && fn.Pkg() != m.pkg.Types {
			qual += " (from package " + fn.Pkg().Path() + ")"
		} else {
			qual += " (embedded)"
		}
	}
	mm := &methodModel{name: fn.Name(), pos: pos, sig: sig, variadic: sig.Variadic()}
	ok := true
	bad := func(format string, args ...any) {
		ok = false
		m.e.addf(pos, qual+": "+format, args...)
	}
	if !fn.Exported() {
		bad("unexported method: actor methods must be exported")
		return nil
	}
	if f, af := m.fileOf(pos), m.fileOf(a.pos); f != nil && af != nil && f != af && m.constrained(f) && !m.constrained(af) {
		bad("declared in %s, which has build constraints, while %s is declared in %s, which has none: the method set would depend on the build (declare %s in a file with the same constraints)",
			filepath.Base(m.fset.File(f.Pos()).Name()), a.name, filepath.Base(m.fset.File(af.Pos()).Name()), a.name)
	}
	if fn.Name() == "Ref" || fn.Name() == "Actor" {
		bad("method %s collides with the %s method that every %sRef has; rename it", fn.Name(), fn.Name(), a.name)
	}
	var md directive.Method
	var paramExprs, resultExprs []ast.Expr
	if field := m.methods[fn.Origin().Pos()]; field != nil && m.inPackage(pos) {
		if ft, ok := field.Type.(*ast.FuncType); ok {
			paramExprs, resultExprs = fieldTypes(ft.Params), fieldTypes(ft.Results)
			mm.file = m.fileOf(field.Pos())
		}
		if p, done := m.parsed[field]; done {
			md = *p
		} else {
			var derrs []directive.Error
			md, derrs = directive.ParseMethod(field.Doc)
			m.directiveErrs(derrs)
			for _, c := range md.Used {
				m.used[c] = true
			}
			m.parsed[field] = &md
		}
		if field.Doc != nil {
			mm.doc = docLines(field.Doc.Text())
		}
	}
	params, results := sig.Params(), sig.Results()
	if params.Len() == 0 || !isContext(params.At(0).Type()) || (sig.Variadic() && params.Len() == 1) {
		bad("the first parameter must be a context.Context")
	} else {
		mm.ctxType = params.At(0).Type()
	}
	n := results.Len()
	hasErr := n > 0 && types.Identical(results.At(n-1).Type(), types.Universe.Lookup("error").Type())
	switch {
	case md.Tell && n > 0 && !(n == 1 && hasErr):
		m.e.addf(md.TellPos, "%s: //actor:tell on a method with results other than a single error (a tell has no reply)", qual)
		ok = false
	case n > 0 && !hasErr:
		bad("an ask (a method with results) must return error as its last result")
	case md.AskPos.IsValid() && n == 0:
		m.e.addf(md.AskPos, "%s: //actor:ask on a method without results: it has no reply to wait for (add an error result)", qual)
		ok = false
	}
	if !ok {
		return nil
	}
	mm.tell = n == 0 || md.Tell
	mm.tellErr = md.Tell && n == 1
	mm.timeout = md.AskTimeout
	for i := 1; i < params.Len(); i++ {
		v := params.At(i)
		pt := v.Type()
		mm.params = append(mm.params, &param{orig: v.Name(), typ: pt, expr: exprAt(paramExprs, i, params.Len())})
	}
	for i := 0; i < n-1; i++ {
		v := results.At(i)
		mm.results = append(mm.results, &result{field: v.Name(), typ: v.Type(), expr: exprAt(resultExprs, i, n)})
	}
	return mm
}

// fieldTypes returns the type expression of each entry of a parameter or
// result list: a field declaring several names gives one per name.
func fieldTypes(l *ast.FieldList) []ast.Expr {
	if l == nil {
		return nil
	}
	var out []ast.Expr
	for _, f := range l.List {
		for range max(1, len(f.Names)) {
			out = append(out, f.Type)
		}
	}
	return out
}

// exprAt returns exprs[i] when exprs has one expression for each of the n
// entries of the tuple, else nil.
func exprAt(exprs []ast.Expr, i, n int) ast.Expr {
	if len(exprs) != n {
		return nil
	}
	return exprs[i]
}

// constrained reports whether f has build constraints (a //go:build line
// or a GOOS/GOARCH file name).
func (m *modeller) constrained(f *ast.File) bool {
	name, _ := outputFor(filepath.Base(m.fset.File(f.Pos()).Name()), f)
	return name != OutputFile
}

// fileOf returns the package file holding pos.
func (m *modeller) fileOf(pos token.Pos) *ast.File {
	for _, f := range m.pkg.Syntax {
		if f.FileStart <= pos && pos < f.FileEnd {
			return f
		}
	}
	return nil
}

// isContext reports whether t is context.Context (or an alias of it).
func isContext(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

// docLines splits a doc comment's text (directives already removed) into
// lines, without the trailing empty line.
func docLines(text string) []string {
	text = strings.TrimRight(text, "\n")
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

// names assigns every generated identifier: package-level names (checking
// collisions), import names, type parameter names, locals and fields.
func (m *modeller) names(pm *pkgModel) {
	scope := m.pkg.Types.Scope()
	declared := func(name string) types.Object {
		o := scope.Lookup(name)
		if o == nil || isOutput(m.fset, o.Pos()) {
			return nil
		}
		return o
	}
	gen := map[string]origin{}
	claim := func(name string, o origin) {
		if prev, dup := gen[name]; dup {
			m.e.addf(o.pos, "generated name %s for %s collides with the one generated for %s at %s", name, o.what, prev.what, m.e.where(prev.pos))
			m.e.addf(prev.pos, "generated name %s for %s collides with the one generated for %s at %s", name, prev.what, o.what, m.e.where(o.pos))
			return
		}
		gen[name] = o
		if d := declared(name); d != nil {
			m.e.addf(o.pos, "generated name %s for %s collides with %s declared at %s; rename one of them", name, o.what, name, m.e.where(d.Pos()))
			m.e.addf(d.Pos(), "%s is declared here and also generated for %s at %s; rename one of them", name, o.what, m.e.where(o.pos))
		}
	}
	for _, a := range pm.actors {
		base := a.name
		if !token.IsExported(a.name) {
			a.spawn = "spawn" + upperFirst(a.name)
		} else {
			a.spawn = "Spawn" + a.name
		}
		a.ref, a.message = base+"Ref", base+"Message"
		a.refOf = a.ref + "Of"
		a.dispatch = "dispatch" + upperFirst(a.name)
		what := "interface " + a.name
		claim(a.ref, origin{what, a.pos})
		claim(a.refOf, origin{what, a.pos})
		claim(a.message, origin{what, a.pos})
		claim(a.spawn, origin{what, a.pos})
		claim(a.dispatch, origin{what, a.pos})
		for _, mm := range a.methods {
			mm.msg = base + mm.name + "Msg"
			w := "method " + a.name + "." + mm.name
			claim(mm.msg, origin{w, mm.pos})
			if !mm.tell {
				mm.reply = base + mm.name + "Reply"
				claim(mm.reply, origin{w, mm.pos})
			}
		}
	}

	// Names no import may take: everything declared at package level (in
	// the user's files and generated), predeclared names, generated locals.
	pkgNames := newScope(nil)
	pkgNames.add(universeNames()...)
	pkgNames.add(generatedLocals()...)
	for _, n := range scope.Names() {
		if declared(n) != nil {
			pkgNames.add(n)
		}
	}
	for n := range gen {
		pkgNames.add(n)
	}
	// And those declared in files other builds include, so that the names
	// do not depend on GOOS, GOARCH or tags.
	pkgNames.add(ignoredNames(m.pkg.Name, m.pkg.IgnoredFiles)...)
	// Imports: the runtime, context and time first, then every package the
	// signatures reference, by path.
	paths := map[string]*types.Package{}
	for _, a := range pm.actors {
		in := &inspector{pkg: m.pkg.Types, pkgs: paths}
		for _, tp := range a.typeParams {
			in.typ(tp.Constraint())
		}
		if in.problem != "" {
			m.e.addf(a.pos, "%s: %s", a.name, in.problem)
		}
		for _, mm := range a.methods {
			in.problem = ""
			in.signature(mm.sig)
			if in.problem != "" {
				m.e.addf(mm.pos, "%s.%s: %s", a.name, mm.name, in.problem)
				if in.problem == invalidProblem {
					for _, te := range typeErrors(m.fset, m.pkg) {
						m.e.addf(te.Pos, "%s", te.Msg)
					}
					importErrors(m.e, m.e.dir, m.pkg)
				}
			}
		}
	}
	// Packages named in array lengths written as the source spells them.
	for _, a := range pm.actors {
		for _, mm := range a.methods {
			for _, x := range mm.exprs() {
				lengthPackages(m.pkg.Types, mm.file, x, paths)
			}
		}
	}
	// The user's own import names come first: those of the files declaring
	// the actors, then those of the other files, by file name.
	userNames := m.importNames(pm)
	imports := newScope(pkgNames)
	add := func(path, pkgName string) {
		pm.imports = append(pm.imports, importName{path, imports.fresh(cmp.Or(userNames[path], pkgName)), pkgName})
	}
	add(RuntimePath, "runtime")
	add("context", "context")
	add("time", "time")
	sorted := make([]string, 0, len(paths))
	for p := range paths {
		if p != RuntimePath && p != "context" && p != "time" {
			sorted = append(sorted, p)
		}
	}
	slices.Sort(sorted)
	for _, p := range sorted {
		add(p, paths[p].Name())
	}

	for _, a := range pm.actors {
		// Type parameters avoid imports, predeclared names, generated
		// names and locals; imports keep their names.
		tps := newScope(imports)
		for _, tp := range a.typeParams {
			a.tpNames[tp.Obj()] = tps.fresh(tp.Obj().Name())
		}
		for _, mm := range a.methods {
			methodNames(mm, tps, bodyNames(pm, a, mm))
		}
		assignSlots(a)
	}
}

// bodyNames returns the names the body of mm's ref method refers to: its
// parameters must not shadow them.
func bodyNames(pm *pkgModel, a *actorModel, mm *methodModel) []string {
	names := []string{"r", "ctx", a.message, pm.importName(RuntimePath)}
	if !mm.tell {
		names = append(names, "rep", "err", "nil", mm.reply)
		if mm.timeout > 0 {
			names = append(names, "cancel", pm.importName("time"))
		}
	}
	for _, n := range a.tpNames {
		names = append(names, n)
	}
	return names
}

// importName returns the name the output gives the import of path.
func (pm *pkgModel) importName(path string) string {
	for _, im := range pm.imports {
		if im.path == path {
			return im.name
		}
	}
	return ""
}

// exprs returns the source expressions of the method's parameter and result
// types that are known.
func (mm *methodModel) exprs() []ast.Expr {
	var out []ast.Expr
	for _, p := range mm.params {
		if p.expr != nil {
			out = append(out, p.expr)
		}
	}
	for _, r := range mm.results {
		if r.expr != nil {
			out = append(out, r.expr)
		}
	}
	return out
}

// lengthPackages adds to paths the packages whose constants the array
// lengths in x refer to (as typeWriter.constExpr writes them).
func lengthPackages(pkg *types.Package, file *ast.File, x ast.Expr, paths map[string]*types.Package) {
	ast.Inspect(x, func(n ast.Node) bool {
		at, ok := n.(*ast.ArrayType)
		if !ok || at.Len == nil {
			return true
		}
		ast.Inspect(at.Len, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && pkg.Scope().Lookup(id.Name) == nil {
					if p := importedAs(pkg, file, id.Name); p != nil {
						paths[p.Path()] = p
					}
				}
				return false
			}
			return true
		})
		return true
	})
}

// importNames returns the names the package's files give their imports,
// by path: the name in the first file that names it, taking the files that
// declare actors first (in the order of the actors' names), then the others
// by file name. Blank and dot imports give no name.
func (m *modeller) importNames(pm *pkgModel) map[string]string {
	var files []*ast.File
	for _, a := range pm.actors {
		if f := m.fileOf(a.pos); f != nil && !slices.Contains(files, f) {
			files = append(files, f)
		}
	}
	rest := slices.Clone(m.pkg.Syntax)
	slices.SortFunc(rest, func(a, b *ast.File) int {
		return strings.Compare(m.fset.File(a.Pos()).Name(), m.fset.File(b.Pos()).Name())
	})
	for _, f := range rest {
		if f != nil && !slices.Contains(files, f) && !isOutput(m.fset, f.Pos()) {
			files = append(files, f)
		}
	}
	names := map[string]string{}
	for _, f := range files {
		for _, spec := range f.Imports {
			path, err := strconv.Unquote(spec.Path.Value)
			if err != nil || spec.Name == nil || spec.Name.Name == "_" || spec.Name.Name == "." {
				continue
			}
			if _, done := names[path]; !done {
				names[path] = spec.Name.Name
			}
		}
	}
	return names
}

// methodNames names a method's locals (parameters of the Ref method and
// results in the dispatch), message fields and reply fields.
func methodNames(mm *methodModel, parent *scope, body []string) {
	// A parameter keeps its name unless the ref method's body refers to
	// the same name for something else.
	locals := newScope(nil)
	locals.add(body...)
	fields := newScope(nil)
	fields.add("Message") // the message struct's method
	for i, p := range mm.params {
		idx := strconv.Itoa(i + 1)
		switch {
		case p.orig == "" || p.orig == "_":
			p.local = locals.fresh("arg" + idx)
		case locals.has(p.orig):
			p.local = locals.fresh(p.orig + "Arg")
		default:
			p.local = locals.fresh(p.orig)
		}
		f := exportName(p.orig)
		if f == "" {
			f = "Arg" + idx
		}
		p.field = fields.fresh(f)
	}
	replyFields := newScope(nil)
	replyFields.add("Err")
	// The dispatch's result locals avoid every name in view there, such as
	// the imports and type parameters it writes after declaring them.
	results := newScope(parent)
	for i, r := range mm.results {
		idx := strconv.Itoa(i)
		f := exportName(r.field)
		if f == "" {
			f = "R" + idx
		}
		r.field = replyFields.fresh(f)
		r.local = results.fresh("r" + idx)
	}
}

// assignSlots lays out a's message union: each parameter gets a slot, the k-th parameter of a
// type in a method the k-th slot of that type. Slots are numbered in the order of first need,
// over the methods in their sorted order, so the layout is deterministic.
func assignSlots(a *actorModel) {
	byType := map[string][]*slot{}
	for _, mm := range a.methods {
		used := map[string]int{}
		for _, p := range mm.params {
			key := types.TypeString(p.typ, (*types.Package).Path)
			k := used[key]
			used[key]++
			if k == len(byType[key]) {
				sl := &slot{name: "a" + strconv.Itoa(len(a.slots)), typ: p.typ, expr: p.expr, file: mm.file}
				a.slots = append(a.slots, sl)
				byType[key] = append(byType[key], sl)
			}
			p.slot = byType[key][k].name
		}
	}
	a.tag = "uint8"
	if len(a.methods) > 255 {
		a.tag = "uint16"
	}
}
