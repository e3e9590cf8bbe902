package gen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"go/token"
	"go/types"
	"hash/fnv"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// SchemaFile is the file written beside actor_gen.go for a package with //actor:remote
// interfaces: the wire schema that later runs, and actorgen -check, compare the interfaces with.
const SchemaFile = "actor_schema.txt"

// schemaHeader starts every schema file; a file without it is not ours and is never overwritten.
const schemaHeader = "# actorgen wire schema v1"

// schemaFile is the content of an actor_schema.txt.
type schemaFile struct {
	methods map[string]*schemaMethod // by "Iface.Method"
	structs map[string]*schemaStruct // by key
	lines   map[string]int           // the line of each method and struct entry, when read
}

type schemaMethod struct {
	name, kind string
	fp         uint32
	msg, reply string
}

type schemaStruct struct {
	key    string
	fields map[string]*schemaField
}

type schemaField struct {
	name    string
	num     uint32
	desc    string
	removed bool // no longer in the struct: kept so that a field of that name keeps its type
}

// readSchema reads the schema file of dir; it returns nil when there is none.
func readSchema(dir string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(dir, SchemaFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	return data, nil
}

// schemaError is a problem at a line of a schema file.
type schemaError struct {
	line int
	msg  string
}

func (e *schemaError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func lineErr(n int, format string, args ...any) error {
	return &schemaError{line: n, msg: fmt.Sprintf(format, args...)}
}

// parseSchema parses a schema file; its errors are *schemaError, which name the line and what
// is wrong with it.
func parseSchema(data []byte) (*schemaFile, error) {
	s := &schemaFile{methods: map[string]*schemaMethod{}, structs: map[string]*schemaStruct{}, lines: map[string]int{}}
	if !bytes.HasPrefix(data, []byte(schemaHeader+"\n")) && !bytes.HasPrefix(data, []byte(schemaHeader+":")) {
		return nil, lineErr(1, "it does not start with %q, so it was not written by actorgen (rename or remove it)", schemaHeader)
	}
	var cur *schemaStruct
	fieldLines := map[*schemaField]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	n := 1
	for ; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "\t") {
			if cur == nil {
				return nil, lineErr(n, "a field (a tab-indented line) outside a struct entry: fields follow a struct KEY line")
			}
			words := strings.SplitN(line[1:], " ", 3)
			if len(words) != 3 {
				return nil, lineErr(n, "want a field as NAME NUMBER TYPE, not %q", line[1:])
			}
			f := &schemaField{name: words[0], desc: words[2]}
			if f.removed = strings.HasPrefix(f.name, "-"); f.removed {
				f.name = f.name[1:]
			}
			if f.name == "" {
				return nil, lineErr(n, "a field with no name: want NAME NUMBER TYPE, not %q", line[1:])
			}
			num, err := strconv.ParseUint(words[1], 10, 32)
			if err != nil {
				return nil, lineErr(n, "field %s: bad number %q: want a decimal number below 2^32", f.name, words[1])
			}
			f.num = uint32(num)
			if old := cur.fields[f.name]; old != nil {
				return nil, lineErr(n, "field %s of struct %s again: it is at line %d too", f.name, cur.key, fieldLines[old])
			}
			cur.fields[f.name] = f
			fieldLines[f] = n
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		switch word {
		case "method":
			w := strings.Fields(rest)
			if len(w) < 4 || len(w) > 5 {
				return nil, lineErr(n, "want method IFACE.METHOD ask|tell FINGERPRINT MSG [REPLY], not %q", line)
			}
			if w[1] != "ask" && w[1] != "tell" {
				return nil, lineErr(n, "method %s: bad kind %q: want ask or tell", w[0], w[1])
			}
			fp, err := strconv.ParseUint(w[2], 16, 32)
			if err != nil {
				return nil, lineErr(n, "bad fingerprint %q: want 8 hex digits", w[2])
			}
			m := &schemaMethod{name: w[0], kind: w[1], fp: uint32(fp), msg: w[3]}
			if len(w) == 5 {
				m.reply = w[4]
			}
			if _, dup := s.methods[m.name]; dup {
				return nil, lineErr(n, "method %s again: it is at line %d too", m.name, s.lines[m.name])
			}
			s.methods[m.name] = m
			s.lines[m.name] = n
			cur = nil
		case "struct":
			if rest == "" {
				return nil, lineErr(n, "a struct entry with no key: want struct KEY")
			}
			if _, dup := s.structs[rest]; dup {
				return nil, lineErr(n, "struct %s again: it is at line %d too", rest, s.lines[rest])
			}
			cur = &schemaStruct{key: rest, fields: map[string]*schemaField{}}
			s.structs[rest] = cur
			s.lines[rest] = n
		default:
			return nil, lineErr(n, "%q is not an entry: want a method or struct line, or a tab-indented field", line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, lineErr(n, "%v", err) // the line it could not read
	}
	return s, nil
}

// render writes the schema file, sorted, so that the same schema gives the same bytes.
func (s *schemaFile) render(pkgPath string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s: the //actor:remote interfaces of package %s.\n", schemaHeader, pkgPath)
	b.WriteString("# Written by actorgen, which compares the interfaces with it on every run and refuses\n")
	b.WriteString("# incompatible changes; commit it with actor_gen.go. See docs/remote.md.\n\n")
	for _, name := range slices.Sorted(maps.Keys(s.methods)) {
		m := s.methods[name]
		fmt.Fprintf(&b, "method %s %s %08x %s", m.name, m.kind, m.fp, m.msg)
		if m.reply != "" {
			b.WriteString(" " + m.reply)
		}
		b.WriteByte('\n')
	}
	for _, k := range slices.Sorted(maps.Keys(s.structs)) {
		b.WriteString("\n" + s.structs[k].text(true))
	}
	return b.Bytes()
}

// text is the struct's entry: its fields by name, with the removed ones when all is set.
func (st *schemaStruct) text(all bool) string {
	var b strings.Builder
	b.WriteString("struct " + st.key + "\n")
	for _, name := range slices.Sorted(maps.Keys(st.fields)) {
		f := st.fields[name]
		if f.removed && !all {
			continue
		}
		mark := ""
		if f.removed {
			mark = "-"
		}
		fmt.Fprintf(&b, "\t%s%s %d %s\n", mark, f.name, f.num, f.desc)
	}
	return b.String()
}

// newSchemaStruct is the entry of a wireStruct.
func newSchemaStruct(s *wireStruct) *schemaStruct {
	st := &schemaStruct{key: s.key, fields: map[string]*schemaField{}}
	for _, f := range s.fields {
		st.fields[f.name] = &schemaField{name: f.name, num: f.num, desc: f.desc}
	}
	return st
}

// schema builds the package's schema from the model, compares it with the old one (reporting
// every incompatible change at the source) and sets every method's fingerprint.
func (m *modeller) schema(c *codecModel) {
	dir := packageDir(m.pkg)
	data, err := readSchema(dir)
	if err != nil {
		m.e.addPosition(positionOf(filepath.Join(dir, SchemaFile)), err.Error())
		return
	}
	if data != nil {
		old, err := parseSchema(data)
		if err != nil {
			p := positionOf(filepath.Join(dir, SchemaFile))
			msg := err.Error()
			if se, ok := errors.AsType[*schemaError](err); ok {
				p.Line, msg = se.line, se.msg
			}
			m.e.addPosition(p, fmt.Sprintf("%s: %s", SchemaFile, msg))
			return
		}
		c.old = old
	}
	s := &schemaFile{methods: map[string]*schemaMethod{}, structs: map[string]*schemaStruct{}}
	all := map[string]*wireStruct{}
	for _, rm := range c.methods {
		all[rm.msg.key] = rm.msg
		if rm.reply != nil {
			all[rm.reply.key] = rm.reply
		}
	}
	for _, st := range c.structs {
		all[st.key] = st
	}
	for k, ws := range all {
		s.structs[k] = newSchemaStruct(ws)
	}
	users := map[string][]string{} // struct key → the methods that reach it
	for _, rm := range c.methods {
		reach := c.reach(rm)
		for _, k := range reach {
			users[k] = append(users[k], rm.qual())
		}
		sm := &schemaMethod{name: rm.qual(), kind: rm.kind(), msg: rm.msg.key}
		if rm.reply != nil {
			sm.reply = rm.reply.key
		}
		var text strings.Builder
		fmt.Fprintf(&text, "method %s %s\n", sm.name, sm.kind)
		for _, k := range reach {
			text.WriteString(s.structs[k].text(false))
		}
		h := fnv.New32a()
		h.Write([]byte(text.String()))
		sm.fp = h.Sum32()
		if c.old != nil {
			if om := c.old.methods[sm.name]; om != nil {
				if om.kind != sm.kind {
					m.e.addf(rm.m.pos, "%s is %s %s, and %s records %s %s: a peer built from the recorded schema would %s (to make the change anyway, delete the method's line from %s and regenerate: peers of the old schema then get an error for it)",
						sm.name, article(sm.kind), sm.kind, SchemaFile, article(om.kind), om.kind, kindBreak(om.kind), SchemaFile)
				} else {
					sm.fp = om.fp // additive changes keep the method's fingerprint
				}
			}
		}
		s.methods[sm.name] = sm
	}
	if c.old != nil {
		for k, st := range s.structs {
			ost := c.old.structs[k]
			if ost == nil {
				continue
			}
			for name, of := range ost.fields {
				nf := st.fields[name]
				if nf == nil {
					if !of.removed {
						of = &schemaField{name: of.name, num: of.num, desc: of.desc, removed: true}
					}
					st.fields[name] = of
					continue
				}
				if nf.desc != of.desc {
					was := "records it as " + of.desc
					if of.removed {
						was = "records it as " + of.desc + ", a field since removed"
					}
					methods := users[k]
					slices.Sort(methods)
					list := andList(methods)
					m.e.addf(fieldPos(all[k], name), "%s.%s has type %s, and %s %s: peers built from the recorded schema would misread it in %s. To make the change anyway, delete the field's line and the method lines of %s from %s and regenerate: peers of the old schema then get an error for %s",
						structName(all[k].display), name, nf.desc, SchemaFile, was, list, list, SchemaFile, plural(len(methods), "it", "them"))
				}
			}
		}
	}
	c.schema = s
	for _, rm := range c.methods {
		rm.fingerprint = s.methods[rm.qual()].fp
	}
}

func fieldPos(ws *wireStruct, name string) token.Pos {
	for _, f := range ws.fields {
		if f.name == name {
			return f.pos
		}
	}
	return token.NoPos
}

// kindBreak says what goes wrong when a method's kind changes from was.
func kindBreak(was string) string {
	if was == "ask" {
		return "wait for a reply that never comes"
	}
	return "send a request without waiting for the reply"
}

// reach returns the keys of the structs a method's messages reach (its message and reply
// included), sorted.
func (c *codecModel) reach(rm *remoteMethod) []string {
	seen := map[string]bool{}
	var walkType func(t types.Type)
	walk := func(s *wireStruct) {}
	walk = func(s *wireStruct) {
		if seen[s.key] {
			return
		}
		seen[s.key] = true
		for _, f := range s.fields {
			walkType(f.typ)
		}
	}
	walkType = func(t types.Type) {
		t = types.Unalias(t)
		if s := c.byKey[key(t)]; s != nil {
			walk(s)
			return
		}
		switch u := t.Underlying().(type) {
		case *types.Slice:
			walkType(u.Elem())
		case *types.Array:
			walkType(u.Elem())
		case *types.Map:
			walkType(u.Key())
			walkType(u.Elem())
		case *types.Pointer:
			walkType(u.Elem())
		}
	}
	walk(rm.msg)
	if rm.reply != nil {
		walk(rm.reply)
	}
	return slices.Sorted(maps.Keys(seen))
}

// schemaOutput plans the schema file of a package: written for a package with a codec, removed
// (when it is ours) from one without.
func schemaOutput(po pkgOutputs) (*output, error) {
	path := filepath.Join(po.dir, SchemaFile)
	old, exists, err := readOld(path)
	if err != nil {
		return nil, err
	}
	if po.model == nil || po.model.codec == nil {
		if exists && bytes.HasPrefix(old, []byte(schemaHeader)) {
			return &output{path: path, exists: true, old: old}, nil
		}
		return nil, nil
	}
	return &output{path: path, content: po.model.codec.schema.render(po.pkg.PkgPath), old: old, exists: exists}, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// andList joins names as "a", "a and b", "a, b and c".
func andList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
