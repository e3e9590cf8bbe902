package gen

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"
)

// typeWriter turns go/types types into jennifer code for a file of package
// pkg. Types of other packages are qualified with jen.Qual (jennifer keeps
// the imports used); aliases are kept as aliases; type parameters are
// renamed through tpNames. The first type that cannot be written in pkg is kept in problem.
type typeWriter struct {
	pkg     *types.Package
	tpNames map[*types.TypeName]string
	problem string
	file    *ast.File // the file of the source expressions given to typx
}

func newTypeWriter(pkg *types.Package, tpNames map[*types.TypeName]string) *typeWriter {
	return &typeWriter{pkg: pkg, tpNames: tpNames}
}

// fail keeps problem if it is the first, and writes a placeholder.
func (w *typeWriter) fail(problem string) *jen.Statement {
	if w.problem == "" {
		w.problem = problem
	}
	return jen.Id("_")
}

// The checks typeWriter and inspector share: each returns why something
// cannot be written in package pkg, or "".

// objectProblem checks a reference to a declared type.
func objectProblem(pkg *types.Package, obj *types.TypeName) string {
	switch p := obj.Pkg(); {
	case p == nil: // error, comparable, any
	case obj.Parent() != nil && obj.Parent() != p.Scope():
		return fmt.Sprintf("type %s is declared inside a function and cannot be named at package level", obj.Name())
	case p.Path() != pkg.Path() && !obj.Exported():
		return fmt.Sprintf("type %s.%s is unexported and cannot be named in package %s", p.Name(), obj.Name(), pkg.Name())
	}
	return ""
}

// foreignPackage returns obj's package when it is not pkg (nor the universe).
func foreignPackage(pkg *types.Package, obj types.Object) *types.Package {
	if p := obj.Pkg(); p != nil && p.Path() != pkg.Path() {
		return p
	}
	return nil
}

// memberProblem checks a struct field or an interface method (what says
// which): another package's unexported one cannot be written.
func memberProblem(pkg *types.Package, what string, obj types.Object) string {
	if p := foreignPackage(pkg, obj); p != nil && !obj.Exported() {
		return fmt.Sprintf("%s %s of package %s is unexported and cannot be written in package %s", what, obj.Name(), p.Name(), pkg.Name())
	}
	return ""
}

// invalidProblem is the problem of a type that does not type-check.
const invalidProblem = "a parameter or result type does not type-check"

// typeArgExprs returns the type arguments of an instantiation as spelled.
func typeArgExprs(x ast.Expr) []ast.Expr {
	switch x := x.(type) {
	case *ast.IndexExpr:
		return []ast.Expr{x.Index}
	case *ast.IndexListExpr:
		return x.Indices
	}
	return nil
}

// constExpr writes a constant expression of the source (an array length)
// if every name in it means the same in the generated file: a constant or
// type of this package, a predeclared name the package does not redeclare
// (uintptr, len), or a constant, type or builtin (unsafe.Sizeof) of a
// package the file imports. It reports false for anything else: the length
// is then written as a number.
func (w *typeWriter) constExpr(x ast.Expr) (jen.Code, bool) {
	switch x := x.(type) {
	case *ast.BasicLit:
		return jen.Op(x.Value), true
	case *ast.ParenExpr:
		c, ok := w.constExpr(x.X)
		return jen.Parens(c), ok
	case *ast.UnaryExpr:
		c, ok := w.constExpr(x.X)
		return jen.Op(x.Op.String()).Add(c), ok
	case *ast.BinaryExpr:
		l, ok1 := w.constExpr(x.X)
		r, ok2 := w.constExpr(x.Y)
		return jen.Add(l).Op(x.Op.String()).Add(r), ok1 && ok2
	case *ast.CallExpr: // len("abc"), unsafe.Sizeof(uintptr(0)), T(3)
		if x.Ellipsis.IsValid() {
			return nil, false
		}
		fun, ok := w.constExpr(x.Fun)
		args := make([]jen.Code, len(x.Args))
		for i, a := range x.Args {
			var okArg bool
			args[i], okArg = w.constExpr(a)
			ok = ok && okArg
		}
		return jen.Add(fun).Call(args...), ok
	case *ast.Ident:
		switch o := w.pkg.Scope().Lookup(x.Name); o.(type) {
		case *types.Const, *types.TypeName:
			return jen.Id(x.Name), true
		case nil:
			if types.Universe.Lookup(x.Name) != nil {
				return jen.Id(x.Name), true
			}
		}
	case *ast.SelectorExpr:
		id, ok := x.X.(*ast.Ident)
		if !ok || w.pkg.Scope().Lookup(id.Name) != nil {
			return nil, false
		}
		if p := importedAs(w.pkg, w.file, id.Name); p != nil && token.IsExported(x.Sel.Name) {
			switch p.Scope().Lookup(x.Sel.Name).(type) {
			case *types.Const, *types.TypeName, *types.Builtin:
				return jen.Qual(p.Path(), x.Sel.Name), true
			}
		}
	}
	return nil, false
}

// importedAs returns the package that file, a file of pkg, imports under
// name.
func importedAs(pkg *types.Package, file *ast.File, name string) *types.Package {
	if file == nil {
		return nil
	}
	for _, spec := range file.Imports {
		path, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			continue
		}
		for _, p := range pkg.Imports() {
			if p.Path() != path {
				continue
			}
			if spec.Name != nil && spec.Name.Name == name || spec.Name == nil && p.Name() == name {
				return p
			}
		}
	}
	return nil
}

// object writes a reference to a declared type (named type or alias); args
// are the type arguments as spelled, when known.
func (w *typeWriter) object(obj *types.TypeName, args *types.TypeList, argExprs []ast.Expr) *jen.Statement {
	if problem := objectProblem(w.pkg, obj); problem != "" {
		return w.fail(problem)
	}
	s := jen.Id(obj.Name())
	if p := foreignPackage(w.pkg, obj); p != nil {
		s = jen.Qual(p.Path(), obj.Name())
	}
	if args != nil && args.Len() > 0 {
		codes := make([]jen.Code, args.Len())
		for i := range codes {
			codes[i] = w.typx(args.At(i), exprAt(argExprs, i, len(codes)))
		}
		s = s.Types(codes...)
	}
	return s
}

func (w *typeWriter) list(at func(int) types.Type, n int) []jen.Code {
	out := make([]jen.Code, n)
	for i := range n {
		out[i] = w.typ(at(i))
	}
	return out
}

// typ writes t.
func (w *typeWriter) typ(t types.Type) *jen.Statement { return w.typx(t, nil) }

// typx writes t, which the source spells x (nil when unknown): the length
// of an array is written as the source's expression when that means the
// same in the generated file ([frameSize]byte, [binary.MaxVarintLen64]byte),
// so that it follows the build configuration as the source does.
func (w *typeWriter) typx(t types.Type, x ast.Expr) *jen.Statement {
	for {
		p, ok := x.(*ast.ParenExpr)
		if !ok {
			break
		}
		x = p.X
	}
	switch t := t.(type) {
	case *types.Basic:
		switch t.Kind() {
		case types.Invalid:
			return w.fail(invalidProblem)
		case types.UnsafePointer:
			return jen.Qual("unsafe", "Pointer")
		}
		return jen.Id(t.Name())
	case *types.Named:
		return w.object(t.Obj(), t.TypeArgs(), typeArgExprs(x))
	case *types.Alias:
		return w.object(t.Obj(), t.TypeArgs(), typeArgExprs(x))
	case *types.TypeParam:
		if n, ok := w.tpNames[t.Obj()]; ok {
			return jen.Id(n)
		}
		return jen.Id(t.Obj().Name())
	case *types.Pointer:
		var elem ast.Expr
		if s, ok := x.(*ast.StarExpr); ok {
			elem = s.X
		}
		return jen.Op("*").Add(w.typx(t.Elem(), elem))
	case *types.Slice:
		var elem ast.Expr
		switch x := x.(type) {
		case *ast.ArrayType:
			if x.Len == nil {
				elem = x.Elt
			}
		case *ast.Ellipsis: // a variadic parameter's message field
			elem = x.Elt
		}
		return jen.Index().Add(w.typx(t.Elem(), elem))
	case *types.Array:
		n, elem := jen.Code(jen.Lit(int(t.Len()))), ast.Expr(nil)
		if at, ok := x.(*ast.ArrayType); ok && at.Len != nil {
			elem = at.Elt
			if c, ok := w.constExpr(at.Len); ok {
				n = c
			}
		}
		return jen.Index(n).Add(w.typx(t.Elem(), elem))
	case *types.Map:
		var key, elem ast.Expr
		if m, ok := x.(*ast.MapType); ok {
			key, elem = m.Key, m.Value
		}
		return jen.Map(w.typx(t.Key(), key)).Add(w.typx(t.Elem(), elem))
	case *types.Chan:
		return w.chanType(t)
	case *types.Signature:
		return jen.Func().Add(w.signature(t))
	case *types.Struct:
		return w.structType(t)
	case *types.Interface:
		return w.interfaceType(t)
	case *types.Union:
		return w.union(t)
	default:
		return w.fail(fmt.Sprintf("unsupported type %s", t))
	}
}

func (w *typeWriter) chanType(t *types.Chan) *jen.Statement {
	elem := w.typ(t.Elem())
	switch t.Dir() {
	case types.SendOnly:
		return jen.Chan().Op("<-").Add(elem)
	case types.RecvOnly:
		return jen.Op("<-").Chan().Add(elem)
	}
	// chan <-chan T would parse as chan<- (chan T): parenthesise.
	if c, ok := t.Elem().(*types.Chan); ok && c.Dir() == types.RecvOnly {
		return jen.Chan().Parens(elem)
	}
	return jen.Chan().Add(elem)
}

// signature writes the parameters and results of a func type or method,
// without names.
func (w *typeWriter) signature(sig *types.Signature) *jen.Statement {
	params := make([]jen.Code, sig.Params().Len())
	for i := range params {
		pt := sig.Params().At(i).Type()
		if sig.Variadic() && i == len(params)-1 {
			if s, ok := pt.(*types.Slice); ok {
				params[i] = jen.Op("...").Add(w.typ(s.Elem()))
				continue
			}
		}
		params[i] = w.typ(pt)
	}
	s := jen.Params(params...)
	switch n := sig.Results().Len(); n {
	case 0:
	case 1:
		s.Add(w.typ(sig.Results().At(0).Type()))
	default:
		s.Params(w.list(func(i int) types.Type { return sig.Results().At(i).Type() }, n)...)
	}
	return s
}

func (w *typeWriter) structType(t *types.Struct) *jen.Statement {
	fields := make([]jen.Code, t.NumFields())
	for i := range fields {
		f := t.Field(i)
		if problem := memberProblem(w.pkg, "struct field", f); problem != "" {
			return w.fail(problem)
		}
		var s *jen.Statement
		if f.Embedded() {
			s = w.typ(f.Type())
		} else {
			s = jen.Id(f.Name()).Add(w.typ(f.Type()))
		}
		switch tag := t.Tag(i); {
		case tag == "":
		case strings.Contains(tag, "`"):
			s.Lit(tag)
		default:
			s.Id("`" + tag + "`") // a raw string, as written by hand
		}
		fields[i] = s
	}
	return jen.Struct(fields...)
}

func (w *typeWriter) interfaceType(t *types.Interface) *jen.Statement {
	var items []jen.Code
	for i := range t.NumEmbeddeds() {
		items = append(items, w.typ(t.EmbeddedType(i)))
	}
	for i := range t.NumExplicitMethods() {
		m := t.ExplicitMethod(i)
		if problem := memberProblem(w.pkg, "method", m); problem != "" {
			return w.fail(problem)
		}
		items = append(items, jen.Id(m.Name()).Add(w.signature(m.Signature())))
	}
	return jen.Interface(items...)
}

func (w *typeWriter) union(t *types.Union) *jen.Statement {
	s := &jen.Statement{}
	for i := range t.Len() {
		term := t.Term(i)
		if i > 0 {
			s.Op("|")
		}
		if term.Tilde() {
			s.Op("~")
		}
		s.Add(w.typ(term.Type()))
	}
	return s
}

// constraint writes a type parameter's constraint: an implicit interface
// ([T ~int | ~string]) as its single term list, any other as a type.
func (w *typeWriter) constraint(tp *types.TypeParam) *jen.Statement {
	if it, ok := tp.Constraint().(*types.Interface); ok && it.IsImplicit() && it.NumEmbeddeds() == 1 {
		return w.typ(it.EmbeddedType(0))
	}
	return w.typ(tp.Constraint())
}

// inspector walks types as typeWriter writes them, without building code:
// it records the packages they reference and the first type that cannot be
// written in pkg (the checks typeWriter makes, shared above).
type inspector struct {
	pkg     *types.Package
	pkgs    map[string]*types.Package
	problem string
}

// fail keeps problem if it is the first.
func (in *inspector) fail(problem string) {
	if in.problem == "" {
		in.problem = problem
	}
}

func (in *inspector) object(obj *types.TypeName, args *types.TypeList) {
	if problem := objectProblem(in.pkg, obj); problem != "" {
		in.fail(problem)
	} else if p := foreignPackage(in.pkg, obj); p != nil {
		in.pkgs[p.Path()] = p
	}
	if args != nil {
		for i := range args.Len() {
			in.typ(args.At(i))
		}
	}
}

func (in *inspector) typ(t types.Type) {
	switch t := t.(type) {
	case *types.Basic:
		switch t.Kind() {
		case types.Invalid:
			in.fail(invalidProblem)
		case types.UnsafePointer:
			in.pkgs["unsafe"] = types.Unsafe
		}
	case *types.Named:
		in.object(t.Obj(), t.TypeArgs())
	case *types.Alias:
		in.object(t.Obj(), t.TypeArgs())
	case *types.TypeParam:
	case *types.Pointer:
		in.typ(t.Elem())
	case *types.Slice:
		in.typ(t.Elem())
	case *types.Array:
		in.typ(t.Elem())
	case *types.Map:
		in.typ(t.Key())
		in.typ(t.Elem())
	case *types.Chan:
		in.typ(t.Elem())
	case *types.Signature:
		in.signature(t)
	case *types.Struct:
		for i := range t.NumFields() {
			f := t.Field(i)
			in.fail(memberProblem(in.pkg, "struct field", f))
			in.typ(f.Type())
		}
	case *types.Interface:
		for i := range t.NumEmbeddeds() {
			in.typ(t.EmbeddedType(i))
		}
		for i := range t.NumExplicitMethods() {
			m := t.ExplicitMethod(i)
			in.fail(memberProblem(in.pkg, "method", m))
			in.signature(m.Signature())
		}
	case *types.Union:
		for i := range t.Len() {
			in.typ(t.Term(i).Type())
		}
	default:
		in.fail(fmt.Sprintf("unsupported type %s", t))
	}
}

func (in *inspector) signature(sig *types.Signature) {
	for i := range sig.Params().Len() {
		in.typ(sig.Params().At(i).Type())
	}
	for i := range sig.Results().Len() {
		in.typ(sig.Results().At(i).Type())
	}
}
