package gen

import (
	"go/ast"
	"go/build"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// outputSuffix ends the name of the output for the interfaces of one
// constrained file: netlink_linux.go gives netlink_linux.actor_gen.go. The go
// command reads a file name's GOOS and GOARCH suffix up to the first dot, so
// the output inherits the file name's constraint as well.
const outputSuffix = ".actor_gen.go"

// isOutputName reports whether a file's base name is one the generator
// writes: actor_gen.go or NAME.actor_gen.go.
func isOutputName(base string) bool {
	return base == OutputFile || strings.HasSuffix(base, outputSuffix) && len(base) > len(outputSuffix)
}

// outputFor returns the name of the output for the interfaces of source
// file src (a base name), and the build expression of the output. An
// unconstrained file's interfaces go to actor_gen.go.
func outputFor(src string, f *ast.File) (name string, expr constraint.Expr) {
	not := &constraint.NotExpr{X: &constraint.TagExpr{Tag: BuildTag}}
	fileExpr := buildExpr(f)
	if fileExpr == nil && !nameConstrained(src) {
		return OutputFile, not
	}
	name = strings.TrimSuffix(src, ".go") + outputSuffix
	if fileExpr == nil {
		return name, not
	}
	return name, &constraint.AndExpr{X: not, Y: fileExpr}
}

// buildExpr returns the build constraint of f: its //go:build line, or the
// conjunction of its // +build lines, or nil.
func buildExpr(f *ast.File) constraint.Expr {
	var plus constraint.Expr
	for _, g := range f.Comments {
		if g.Pos() >= f.Package {
			break
		}
		for _, c := range g.List {
			switch {
			case constraint.IsGoBuild(c.Text):
				if x, err := constraint.Parse(c.Text); err == nil {
					return x
				}
			case constraint.IsPlusBuild(c.Text):
				if x, err := constraint.Parse(c.Text); err == nil {
					if plus == nil {
						plus = x
					} else {
						plus = &constraint.AndExpr{X: plus, Y: x}
					}
				}
			}
		}
	}
	return plus
}

// nameConstrained reports whether a file name has a GOOS or GOARCH suffix
// (x_linux.go, x_arm64.go, x_windows_386.go): the go command's own rule,
// asked of go/build for two configurations that share neither GOOS nor
// GOARCH, so that no list of known values is kept here.
func nameConstrained(name string) bool {
	open := func(string) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("package p\n")), nil }
	for _, c := range [...][2]string{{"linux", "amd64"}, {"windows", "arm64"}} {
		ctx := build.Context{GOOS: c[0], GOARCH: c[1], Compiler: "gc", OpenFile: open}
		if ok, err := ctx.MatchFile(".", name); err != nil || !ok {
			return true
		}
	}
	return false
}

// ignoredNames returns the package-level names declared in the package's
// files that the current build configuration leaves out (other GOOS, GOARCH
// or tags), skipping the generator's own outputs and files of another
// package. Reserving them keeps the generated names the same under every
// configuration.
func ignoredNames(pkgName string, files []string) []string {
	var names []string
	fset := token.NewFileSet()
	for _, path := range files {
		if !strings.HasSuffix(path, ".go") || isOutputName(filepath.Base(path)) {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil || f.Name.Name != pkgName {
			continue
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names = append(names, d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						names = append(names, s.Name.Name)
					case *ast.ValueSpec:
						for _, n := range s.Names {
							names = append(names, n.Name)
						}
					}
				}
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
