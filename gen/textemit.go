package gen

import (
	"bytes"
	"fmt"
	"go/doc/comment"
	"go/types"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// textEmitter writes one actor's declarations directly in gofmt's layout,
// without building and formatting a syntax tree: gofmt dominated the cost
// of emitting. It is the fast path of emitActor; the jennifer rendering,
// formatted with go/format, is the reference it is checked against in tests
// (TestTextEmitterMatchesReference), and the path taken for actors whose
// signatures hold types that gofmt spreads over several lines (struct and
// interface literals with members), which the text emitter declines.
type textEmitter struct {
	pm       *pkgModel
	a        *actorModel
	names    map[string]string // import path → name in the file
	used     map[string]bool   // import paths used
	b        bytes.Buffer
	declined bool
}

// emitText writes the actor's declarations; ok is false when it declines.
func emitText(pm *pkgModel, a *actorModel) (src []byte, used map[string]bool, ok bool) {
	t := &textEmitter{pm: pm, a: a, names: map[string]string{}, used: map[string]bool{RuntimePath: true, "context": true}}
	for _, im := range pm.imports {
		t.names[im.path] = im.name
	}
	t.emit()
	if t.declined {
		return nil, nil, false
	}
	return t.b.Bytes(), t.used, true
}

func (t *textEmitter) p(format string, args ...any) { fmt.Fprintf(&t.b, format, args...) }

// w writes strings; cheaper than p on the per-method paths.
func (t *textEmitter) w(parts ...string) {
	for _, s := range parts {
		t.b.WriteString(s)
	}
}

// q qualifies a name of package path.
func (t *textEmitter) q(path, name string) string {
	t.used[path] = true
	return t.names[path] + "." + name
}

func (t *textEmitter) rt(name string) string { return t.q(RuntimePath, name) }

// typ writes a type on one line, or declines.
func (t *textEmitter) typ(ty types.Type) string {
	switch ty := ty.(type) {
	case *types.Basic:
		if ty.Kind() == types.UnsafePointer {
			return t.q("unsafe", "Pointer")
		}
		return ty.Name()
	case *types.Named:
		return t.object(ty.Obj(), ty.TypeArgs())
	case *types.Alias:
		return t.object(ty.Obj(), ty.TypeArgs())
	case *types.TypeParam:
		if n, ok := t.a.tpNames[ty.Obj()]; ok {
			return n
		}
		return ty.Obj().Name()
	case *types.Pointer:
		return "*" + t.typ(ty.Elem())
	case *types.Slice:
		return "[]" + t.typ(ty.Elem())
	case *types.Array:
		return "[" + strconv.FormatInt(ty.Len(), 10) + "]" + t.typ(ty.Elem())
	case *types.Map:
		return "map[" + t.typ(ty.Key()) + "]" + t.typ(ty.Elem())
	case *types.Chan:
		elem := t.typ(ty.Elem())
		switch ty.Dir() {
		case types.SendOnly:
			return "chan<- " + elem
		case types.RecvOnly:
			return "<-chan " + elem
		}
		if c, ok := ty.Elem().(*types.Chan); ok && c.Dir() == types.RecvOnly {
			return "chan (" + elem + ")"
		}
		return "chan " + elem
	case *types.Signature:
		return "func" + t.signature(ty)
	case *types.Struct:
		if ty.NumFields() == 0 {
			return "struct{}"
		}
	case *types.Interface:
		if ty.NumEmbeddeds() == 0 && ty.NumExplicitMethods() == 0 {
			return "interface{}"
		}
		if ty.IsImplicit() && ty.NumEmbeddeds() == 1 {
			return t.typ(ty.EmbeddedType(0))
		}
	case *types.Union:
		terms := make([]string, ty.Len())
		for i := range terms {
			term := ty.Term(i)
			terms[i] = t.typ(term.Type())
			if term.Tilde() {
				terms[i] = "~" + terms[i]
			}
		}
		return strings.Join(terms, " | ")
	}
	t.declined = true
	return "_"
}

func (t *textEmitter) object(obj *types.TypeName, args *types.TypeList) string {
	var s string
	switch p := obj.Pkg(); {
	case p == nil || p.Path() == t.pm.pkg.PkgPath:
		s = obj.Name()
	default:
		s = t.q(p.Path(), obj.Name())
	}
	if args != nil && args.Len() > 0 {
		list := make([]string, args.Len())
		for i := range list {
			list[i] = t.typ(args.At(i))
		}
		s += "[" + strings.Join(list, ", ") + "]"
	}
	return s
}

// signature writes "(params) results" without names.
func (t *textEmitter) signature(sig *types.Signature) string {
	params := make([]string, sig.Params().Len())
	for i := range params {
		pt := sig.Params().At(i).Type()
		if s, ok := pt.(*types.Slice); ok && sig.Variadic() && i == len(params)-1 {
			params[i] = "..." + t.typ(s.Elem())
			continue
		}
		params[i] = t.typ(pt)
	}
	results := make([]string, sig.Results().Len())
	for i := range results {
		results[i] = t.typ(sig.Results().At(i).Type())
	}
	return "(" + strings.Join(params, ", ") + ")" + resultText(results)
}

func resultText(rs []string) string {
	switch len(rs) {
	case 0:
		return ""
	case 1:
		return " " + rs[0]
	}
	return " (" + strings.Join(rs, ", ") + ")"
}

// tparams is "[K comparable, V any]" or "".
func (t *textEmitter) tparams() string {
	if len(t.a.typeParams) == 0 {
		return ""
	}
	list := make([]string, len(t.a.typeParams))
	for i, tp := range t.a.typeParams {
		list[i] = t.a.tpNames[tp.Obj()] + " " + t.constraint(tp)
	}
	return "[" + strings.Join(list, ", ") + "]"
}

func (t *textEmitter) constraint(tp *types.TypeParam) string {
	if it, ok := tp.Constraint().(*types.Interface); ok && it.IsImplicit() && it.NumEmbeddeds() == 1 {
		return t.typ(it.EmbeddedType(0))
	}
	return t.typ(tp.Constraint())
}

// inst is name instantiated with the actor's type parameters.
func (t *textEmitter) inst(name string) string {
	if len(t.a.typeParams) == 0 {
		return name
	}
	list := make([]string, len(t.a.typeParams))
	for i, tp := range t.a.typeParams {
		list[i] = t.a.tpNames[tp.Obj()]
	}
	return name + "[" + strings.Join(list, ", ") + "]"
}

// fields writes struct fields aligned as gofmt does: names padded to the
// longest (in runes) plus one.
func (t *textEmitter) fields(names, typs []string) {
	width := 0
	for _, n := range names {
		width = max(width, utf8.RuneCountInString(n))
	}
	for i, n := range names {
		t.w("\t", n, strings.Repeat(" ", width-utf8.RuneCountInString(n)+1), typs[i], "\n")
	}
}

func (t *textEmitter) structDecl(name string, names, typs []string) {
	if len(names) == 0 {
		t.w("type ", name, t.tparams(), " struct{}\n")
		return
	}
	t.w("type ", name, t.tparams(), " struct {\n")
	t.fields(names, typs)
	t.w("}\n")
}

func (t *textEmitter) emit() {
	a := t.a
	msgs := make([]string, len(a.methods))
	for i, m := range a.methods {
		msgs[i] = m.msg
	}
	t.p("// %s is a message to %s %s actor: %s.\n", a.message, article(a.name), a.name, orList(msgs))
	t.p("type %s%s interface {\n\t%s()\n}\n", a.message, t.tparams(), a.marker)
	for _, m := range a.methods {
		t.messages(m)
	}
	t.p("\n// %s is a reference to %s %s actor. It implements %s by sending messages to the actor's mailbox.\n", a.ref, article(a.name), a.name, a.name)
	t.p("type %s%s struct {\n\tactor %s[%s]\n}\n\n", a.ref, t.tparams(), t.rt("Actor"), t.inst(a.message))
	if len(a.typeParams) == 0 {
		t.p("var _ %s = %s{}\n", a.name, a.ref)
	} else {
		t.p("func _%s() {\n\tvar _ %s = %s{}\n}\n", t.tparams(), t.inst(a.name), t.inst(a.ref))
	}
	t.p("\n// Ref returns the untyped handle: path, Stop, Done and Err.\n")
	t.p("func (r %s) Ref() %s {\n\treturn r.actor.Ref()\n}\n", t.inst(a.ref), t.rt("Ref"))
	t.p("\n// Actor returns the typed handle, to send %s values directly.\n", a.message)
	t.p("func (r %s) Actor() %s[%s] {\n\treturn r.actor\n}\n", t.inst(a.ref), t.rt("Actor"), t.inst(a.message))
	for _, m := range a.methods {
		t.refMethod(m)
	}
	t.spawn()
	t.dispatch()
}

func (t *textEmitter) messages(m *methodModel) {
	a := t.a
	t.w("\n// ", m.msg, " carries the arguments of ", a.name, ".", m.name, ".\n")
	names := make([]string, len(m.params))
	typs := make([]string, len(m.params))
	for i, p := range m.params {
		names[i], typs[i] = p.field, t.typ(p.typ)
	}
	t.structDecl(m.msg, names, typs)
	t.w("\nfunc (", t.inst(m.msg), ") ", a.marker, "() {}\n")
	if m.tell {
		return
	}
	t.w("\n// ", m.reply, " carries the results of ", a.name, ".", m.name, ".\n")
	names, typs = names[:0], typs[:0]
	for _, r := range m.results {
		names, typs = append(names, r.field), append(typs, t.typ(r.typ))
	}
	t.structDecl(m.reply, append(names, "Err"), append(typs, "error"))
}

// docComment writes a doc comment as gofmt reformats doc comments (see
// go/printer's formatDocComment).
func (t *textEmitter) docComment(lines []string) {
	var text strings.Builder
	for _, l := range lines {
		text.WriteString(strings.TrimRight(l, " "))
		text.WriteByte('\n')
	}
	var p comment.Parser
	var pr comment.Printer
	out := string(pr.Comment(p.Parse(text.String())))
	for out != "" {
		var line string
		line, out, _ = strings.Cut(out, "\n")
		switch {
		case line == "":
			t.p("//\n")
		case strings.HasPrefix(line, "\t"):
			t.p("//%s\n", line)
		default:
			t.p("// %s\n", line)
		}
	}
}

func (t *textEmitter) refMethod(m *methodModel) {
	a := t.a
	t.p("\n")
	switch {
	case len(m.doc) > 0:
		t.docComment(m.doc)
	case m.tell:
		t.w("// ", m.name, " sends ", a.name, ".", m.name, " to the actor without waiting for it to be handled.\n")
	default:
		t.w("// ", m.name, " sends ", a.name, ".", m.name, " to the actor and waits for its reply.\n")
	}
	params := []string{"ctx " + t.typ(m.ctxType)}
	values := make([]string, 0, len(m.params))
	for i, p := range m.params {
		ty := p.typ
		prefix := ""
		if m.variadic && i == len(m.params)-1 {
			ty, prefix = p.typ.(*types.Slice).Elem(), "..."
		}
		params = append(params, p.local+" "+prefix+t.typ(ty))
		values = append(values, p.field+": "+p.local)
	}
	msg := t.inst(m.msg) + "{" + strings.Join(values, ", ") + "}"
	var results []string
	for _, r := range m.results {
		results = append(results, t.typ(r.typ))
	}
	if !m.tell || m.tellErr {
		results = append(results, "error")
	}
	t.w("func (r ", t.inst(a.ref), ") ", m.name, "(", strings.Join(params, ", "), ")", resultText(results), " {\n")
	switch {
	case m.tell && m.tellErr:
		t.w("\treturn r.actor.Tell(ctx, ", msg, ")\n")
	case m.tell:
		t.w("\t_ = r.actor.Tell(ctx, ", msg, ")\n")
	default:
		if m.timeout > 0 {
			t.p("\tctx, cancel := %s(ctx, %s)\n\tdefer cancel()\n", t.rt("WithDefaultTimeout"), t.duration(m.timeout, false))
		}
		var onErr, onOK []string
		for _, r := range m.results {
			onErr = append(onErr, "rep."+r.field)
			onOK = append(onOK, "rep."+r.field)
		}
		t.w("\trep, err := ", t.rt("Ask"), "[", t.inst(a.message), ", ", t.inst(m.reply), "](ctx, r.actor, ", msg, ")\n")
		t.w("\tif err != nil {\n\t\treturn ", strings.Join(append(onErr, "err"), ", "), "\n\t}\n")
		t.w("\treturn ", strings.Join(append(onOK, "rep.Err"), ", "), "\n")
	}
	t.w("}\n")
}

// duration writes d as durationCode does; gofmt puts spaces around the *
// in a composite literal's values but not in call arguments.
func (t *textEmitter) duration(d time.Duration, spaced bool) string {
	n, unit := durationParts(d)
	name := t.q("time", unit)
	switch {
	case n == 1:
		return name
	case spaced:
		return strconv.FormatInt(n, 10) + " * " + name
	}
	return strconv.FormatInt(n, 10) + "*" + name
}

func (t *textEmitter) spawn() {
	a := t.a
	t.p("\n// %s starts %s %s actor named name under parent (a *runtime.System, an actor's\n", a.spawn, article(a.name), a.name)
	t.p("// *runtime.Context or a *runtime.Tether). factory builds the state at start and again on every\n")
	t.p("// Reset. The directives' settings come first in opts, so options passed here override them.\n")
	t.p("func %s%s(parent %s, name string, factory func(*%s) %s, opts ...%s) (%s, error) {\n",
		a.spawn, t.tparams(), t.rt("Parent"), t.rt("Context"), t.inst(a.name), t.rt("Option"), t.inst(a.ref))
	var defaults []string
	if s := a.directives.Supervise; s != nil {
		fields := []string{"Decision: " + t.rt(decisionName(s.Decision))}
		if s.Delay > 0 {
			fields = append(fields, "Delay: "+t.duration(s.Delay, true))
		}
		if s.BackoffMin > 0 || s.BackoffMax > 0 {
			fields = append(fields, "BackoffMin: "+t.duration(s.BackoffMin, true), "BackoffMax: "+t.duration(s.BackoffMax, true))
		}
		if s.HasJitter {
			fields = append(fields, fmt.Sprintf("Jitter: %#v", s.Jitter))
		}
		if s.HasResetAfter {
			fields = append(fields, "ResetAfter: "+t.duration(s.ResetAfter, true))
		}
		if s.HasMax {
			fields = append(fields, fmt.Sprintf("MaxFaults: %d", s.MaxFaults), "Period: "+t.duration(s.Period, true))
		}
		defaults = append(defaults, fmt.Sprintf("%s(%s{%s})", t.rt("WithPolicy"), t.rt("Strategy"), strings.Join(fields, ", ")))
	}
	if mb := a.directives.Mailbox; mb != nil {
		defaults = append(defaults, fmt.Sprintf("%s(%d, %s)", t.rt("WithMailbox"), mb.Size, t.rt(overflowName(mb.Overflow))))
	}
	if len(defaults) > 0 {
		t.p("\topts = append([]%s{\n", t.rt("Option"))
		for _, d := range defaults {
			t.p("\t\t%s,\n", d)
		}
		t.p("\t}, opts...)\n")
	}
	t.p("\ta, err := %s(parent, name, factory, %s, opts...)\n", t.rt("Spawn"), t.inst(a.dispatch))
	t.p("\tif err != nil {\n\t\treturn %s{}, err\n\t}\n", t.inst(a.ref))
	t.p("\treturn %s{actor: a}, nil\n}\n", t.inst(a.ref))
}

func (t *textEmitter) dispatch() {
	a := t.a
	uses := false
	for _, m := range a.methods {
		uses = uses || len(m.params) > 0
	}
	t.p("\n// %s calls the state's method for one message.\n", a.dispatch)
	t.p("func %s%s(ctx %s, ac *%s, s %s, m %s) {\n", a.dispatch, t.tparams(), t.q("context", "Context"), t.rt("Context"), t.inst(a.name), t.inst(a.message))
	if uses {
		t.p("\tswitch m := m.(type) {\n")
	} else {
		t.p("\tswitch m.(type) {\n")
	}
	for _, m := range a.methods {
		args := []string{"ctx"}
		for i, p := range m.params {
			arg := "m." + p.field
			if m.variadic && i == len(m.params)-1 {
				arg += "..."
			}
			args = append(args, arg)
		}
		call := "s." + m.name + "(" + strings.Join(args, ", ") + ")"
		t.w("\tcase ", t.inst(m.msg), ":\n")
		switch {
		case m.tellErr:
			t.p("\t\tif err := %s; err != nil {\n", call)
			t.p("\t\t\tac.Logger().Warn(%q, %q, %q, %q, err)\n\t\t}\n", "actorgen: tell returned an error", "method", a.name+"."+m.name, "err")
		case m.tell:
			t.w("\t\t", call, "\n")
		default:
			var lhs, rep []string
			for _, r := range m.results {
				lhs = append(lhs, r.local)
				rep = append(rep, r.field+": "+r.local)
			}
			t.w("\t\t", strings.Join(append(lhs, "err"), ", "), " := ", call, "\n")
			t.w("\t\t", t.rt("Reply"), "(ac, ", t.inst(m.reply), "{", strings.Join(append(rep, "Err: err"), ", "), "})\n")
		}
	}
	t.p("\t}\n}\n")
}
