package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/mod/modfile"

	"github.com/actorgen/actorgen/cmd/actorgen/internal/templates"
)

const newUsageText = `usage: actorgen new NAME [-dir D]

Writes a scaffold for the actor NAME (an exported Go identifier such as
Counter) into the package in directory D (default "."; created if needed):
NAME.go (the annotated interface), NAME_state.go (its implementation) and
NAME_test.go (a test), with NAME in lower case. The package name is taken
from the .go files already in D, or else from D's name. Existing files are
never overwritten. Then run go generate and go test.

Flags:
`

// runNew is `actorgen new`.
func runNew(_ context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("actorgen new", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dir := flags.String("dir", ".", "the package `directory` to write into")
	// Flags may come before or after NAME.
	var positional []string
	for rest := args; ; {
		if code, done := parseFlags(flags, newUsageText, rest, stdout, stderr); done {
			return code
		}
		if flags.NArg() == 0 {
			break
		}
		positional = append(positional, flags.Arg(0))
		rest = flags.Args()[1:]
	}
	switch len(positional) {
	case 0:
		return usageError(stderr, "new: missing actor NAME (usage: actorgen new NAME [-dir D])")
	case 1:
	default:
		return usageError(stderr, fmt.Sprintf("new: want one actor NAME, got %d: %s", len(positional), strings.Join(positional, " ")))
	}
	name := positional[0]
	if err := templates.CheckName(name); err != nil {
		return usageError(stderr, "new: "+err.Error())
	}
	written, data, err := scaffold(*dir, name)
	if err != nil {
		fmt.Fprintln(stderr, "actorgen: new:", err)
		return exitFail
	}
	for _, f := range written {
		fmt.Fprintln(stdout, "wrote", relative(f))
	}
	switch {
	case !data.InModule:
		fmt.Fprintf(stderr, "actorgen: %s is not in a Go module: run go mod init, then go get %s\n", relative(*dir), runtimePath)
	case !data.HasRuntime:
		fmt.Fprintf(stderr, "actorgen: the scaffold imports %s, which your module does not require yet: run go get %s\n", runtimePath, runtimePath)
	}
	fmt.Fprintf(stderr, "actorgen: next, in %s: go generate, then go test\n", relative(*dir))
	return exitOK
}

// Modules the scaffold may use.
const (
	runtimePath = modulePath + "/runtime"
	goleakPath  = "go.uber.org/goleak"
)

// moduleRequires returns the module paths that the go.mod governing dir
// requires (and its own path), or nil outside a module.
func moduleRequires(dir string) (map[string]bool, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for d := abs; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if errors.Is(err, fs.ErrNotExist) {
			if filepath.Dir(d) == d {
				return nil, nil
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		mf, err := modfile.ParseLax(filepath.Join(d, "go.mod"), data, nil)
		if err != nil {
			return nil, err
		}
		reqs := map[string]bool{}
		if mf.Module != nil {
			reqs[mf.Module.Mod.Path] = true
		}
		for _, r := range mf.Require {
			reqs[r.Mod.Path] = true
		}
		return reqs, nil
	}
}

// scaffold writes the scaffold of actor name into dir and returns the paths
// written and the data the scaffold was made from. It writes nothing when a
// file exists already or the package declares a name the scaffold needs.
func scaffold(dir, name string) ([]string, templates.Data, error) {
	pkg, err := inspectPackage(dir)
	if err != nil {
		return nil, templates.Data{}, err
	}
	reqs, err := moduleRequires(dir)
	if err != nil {
		return nil, templates.Data{}, err
	}
	data := templates.Data{
		Package:    pkg.name,
		Name:       name,
		GoGenerate: !pkg.hasGoGenerate,
		TestMain:   !pkg.hasTestMain && reqs[goleakPath],
		HasRuntime: reqs[modulePath],
		InModule:   reqs != nil,
	}
	files, err := templates.Render(data)
	if err != nil {
		return nil, templates.Data{}, err
	}
	var exist []string
	for _, f := range files {
		p := filepath.Join(dir, f.Name)
		if _, err := os.Lstat(p); err == nil {
			exist = append(exist, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, templates.Data{}, err
		}
	}
	if len(exist) > 0 {
		return nil, templates.Data{}, fmt.Errorf("refusing to overwrite %s: nothing written", strings.Join(exist, ", "))
	}
	if err := pkg.checkClashes(name, files); err != nil {
		return nil, templates.Data{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, templates.Data{}, err
	}
	var written []string
	for _, f := range files {
		p := filepath.Join(dir, f.Name)
		if err := writeNew(p, f.Content); err != nil {
			for _, w := range written {
				os.Remove(w)
			}
			return nil, templates.Data{}, err
		}
		written = append(written, p)
	}
	return written, data, nil
}

// writeNew creates path with content, failing if it exists.
func writeNew(path string, content []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("refusing to overwrite %s: nothing written", path)
		}
		return err
	}
	if _, err := f.Write(content); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// pkgInfo is what the scaffold needs to know about the target package.
type pkgInfo struct {
	name          string
	hasGoGenerate bool                 // a //go:generate line mentions actorgen
	hasTestMain   bool                 // an in-package test declares TestMain
	declared      map[string]token.Pos // top-level names of the package and its in-package tests
	fset          *token.FileSet
}

// inspectPackage reads the .go files of dir: the package name (from the
// files, or else from the directory's name), whether a go:generate line for
// actorgen exists, and the top-level names declared. A missing dir is an
// empty package.
func inspectPackage(dir string) (*pkgInfo, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	info := &pkgInfo{declared: map[string]token.Pos{}, fset: token.NewFileSet()}
	var nameFrom string // the file the package name came from
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasPrefix(e.Name(), ".") || strings.HasPrefix(e.Name(), "_") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		f, err := parser.ParseFile(info.fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("reading the package in %s: %w", dir, err)
		}
		if ignored(f) {
			continue
		}
		pkgName := f.Name.Name
		isTest := strings.HasSuffix(e.Name(), "_test.go")
		if isTest && strings.HasSuffix(pkgName, "_test") {
			continue // an external test package: its names do not clash
		}
		if !isTest {
			if info.name == "" {
				info.name, nameFrom = pkgName, e.Name()
			} else if pkgName != info.name {
				return nil, fmt.Errorf("%s has package %s and %s has package %s: cannot tell which package to write", nameFrom, info.name, e.Name(), pkgName)
			}
		}
		info.scan(f, isTest)
	}
	if info.name == "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, err
		}
		info.name, err = packageNameFromDir(filepath.Base(abs))
		if err != nil {
			return nil, err
		}
	}
	return info, nil
}

// ignored reports whether f is excluded from every build by //go:build ignore.
func ignored(f *ast.File) bool {
	for _, g := range f.Comments {
		if g.Pos() > f.Package {
			break
		}
		for _, c := range g.List {
			if strings.TrimSpace(c.Text) == "//go:build ignore" {
				return true
			}
		}
	}
	return false
}

// scan records f's top-level names, go:generate lines and TestMain.
func (p *pkgInfo) scan(f *ast.File, isTest bool) {
	for _, g := range f.Comments {
		for _, c := range g.List {
			if strings.HasPrefix(c.Text, "//go:generate ") && strings.Contains(c.Text, "actorgen") {
				p.hasGoGenerate = true
			}
		}
	}
	for name, pos := range topLevel(f) {
		if _, seen := p.declared[name]; !seen {
			p.declared[name] = pos
		}
		if isTest && name == "TestMain" {
			p.hasTestMain = true
		}
	}
}

// topLevel returns the package-level names f declares (not methods).
func topLevel(f *ast.File) map[string]token.Pos {
	names := map[string]token.Pos{}
	add := func(id *ast.Ident) {
		if id != nil && id.Name != "_" && id.Name != "init" {
			names[id.Name] = id.Pos()
		}
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				add(d.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					add(s.Name)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						add(n)
					}
				}
			}
		}
	}
	return names
}

// checkClashes fails if a scaffold file declares a name the package already
// has, or that the generator will declare (NAMERef, SpawnNAME).
func (p *pkgInfo) checkClashes(name string, files []templates.File) error {
	var clashes []string
	for _, n := range []string{name + "Ref", "Spawn" + name} {
		if pos, ok := p.declared[n]; ok {
			clashes = append(clashes, fmt.Sprintf("%s (declared at %s; actorgen generates it)", n, p.fset.Position(pos)))
		}
	}
	for _, f := range files {
		parsed, err := parser.ParseFile(token.NewFileSet(), f.Name, f.Content, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("scaffold %s does not parse: %w", f.Name, err)
		}
		names := topLevel(parsed)
		sorted := make([]string, 0, len(names))
		for n := range names {
			sorted = append(sorted, n)
		}
		slices.Sort(sorted)
		for _, n := range sorted {
			if pos, ok := p.declared[n]; ok {
				clashes = append(clashes, fmt.Sprintf("%s (declared at %s)", n, p.fset.Position(pos)))
			}
		}
	}
	if len(clashes) > 0 {
		return fmt.Errorf("the package already declares %s: nothing written", strings.Join(clashes, ", "))
	}
	return nil
}

// packageNameFromDir makes a package name from a directory name: lower
// case, letters and digits only ("my-actors" gives "myactors").
func packageNameFromDir(base string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	name := b.String()
	if err := templates.CheckPackage(name); err != nil { // also rejects keywords
		return "", fmt.Errorf("no .go files in the directory and its name %q does not make a package name: add a .go file with a package clause first", base)
	}
	return name, nil
}
