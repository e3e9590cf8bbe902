package gen

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"
)

// OutputFile is the name of the file written in each package for the
// interfaces declared in files without build constraints. The interfaces of
// a file with constraints (netlink_linux.go, or one with a //go:build line)
// go to a file of their own that carries them: netlink_linux.actor_gen.go.
const OutputFile = "actor_gen.go"

// BuildTag is the build tag that excludes generated files while loading: every
// output starts with //go:build !actorgen and Generate loads with -tags=actorgen,
// so a stale or broken actor_gen.go never takes part in type checking.
const BuildTag = "actorgen"

const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
	packages.NeedSyntax | packages.NeedTypes | packages.NeedImports

// loaded is the result of the single packages.Load of a run.
type loaded struct {
	fset *token.FileSet
	pkgs []*packages.Package // sorted by PkgPath, no duplicates
}

// load runs one packages.Load over all patterns, with the actorgen tag added
// to the user's tags. Package-list errors are added to e; parse and type errors
// are kept on the packages for the model to judge (see typeErrors).
func load(ctx context.Context, cfg Config, dir string, e *errs) (*loaded, error) {
	patterns := cfg.Patterns
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	tags := append([]string{BuildTag}, cfg.Tags...)
	for _, t := range cfg.Tags {
		if t == "" || strings.ContainsAny(t, ", \t\n\"'") {
			return nil, fmt.Errorf("gen: invalid build tag %q", t)
		}
	}
	fset := token.NewFileSet()
	pcfg := &packages.Config{
		Context:    ctx,
		Mode:       loadMode,
		Dir:        dir,
		Fset:       fset,
		BuildFlags: []string{"-tags=" + strings.Join(tags, ",")},
		Logf:       nil,
	}
	logf(cfg, "loading %s with -tags=%s", strings.Join(patterns, " "), strings.Join(tags, ","))
	pkgs, err := packages.Load(pcfg, patterns...)
	if err != nil {
		return nil, fmt.Errorf("gen: loading packages: %w", err)
	}
	e.fset = fset
	if len(pkgs) == 0 {
		return nil, noPackages(dir, patterns)
	}
	seen := map[string]bool{}
	var out []*packages.Package
	for _, p := range pkgs {
		if seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		for _, pe := range p.Errors {
			switch pe.Kind {
			case packages.TypeError:
				// Judged later against the interfaces we generate.
			case packages.ParseError:
				pos := parsePos(pe.Pos)
				if isOutputName(filepath.Base(pos.Filename)) {
					continue // a broken actor_gen.go is about to be replaced
				}
				e.addPosition(pos, pe.Msg)
			default:
				if strings.Contains(pe.Msg, "build constraints exclude all Go files") {
					// Nothing to generate under this configuration; the
					// outputs of others are left alone.
					logf(cfg, "skipping %s: %s", cmp.Or(p.PkgPath, p.ID), pe.Msg)
					continue
				}
				if strings.HasPrefix(pe.Msg, "# ") {
					// The go command's own compile of the package (for
					// export data) failed: the type check from source
					// reports the same problems, judged later.
					logf(cfg, "%s: the go command could not compile the package without its generated code (expected); type errors are judged from source", p.PkgPath)
					continue
				}
				e.addPosition(parsePos(pe.Pos), "package "+cmp.Or(p.PkgPath, p.ID)+": "+pe.Msg)
			}
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *packages.Package) int { return strings.Compare(a.PkgPath+" "+a.ID, b.PkgPath+" "+b.ID) })
	return &loaded{fset: fset, pkgs: out}, nil
}

// ErrNoPackages is returned (wrapped) when the patterns match no package, or
// when there is no module to load them from.
var ErrNoPackages = errors.New("no packages to generate")

// noPackages explains an empty load: outside a module, or patterns that
// match nothing.
func noPackages(dir string, patterns []string) error {
	for d := dir; ; d = filepath.Dir(d) {
		if fileExists(filepath.Join(d, "go.mod")) || fileExists(filepath.Join(d, "go.work")) {
			break
		}
		if filepath.Dir(d) == d {
			return fmt.Errorf("gen: %w: %s is not inside a Go module (no go.mod here or in any parent directory); create one with go mod init MODULE", ErrNoPackages, dir)
		}
	}
	return fmt.Errorf("gen: %w: %s matched no packages", ErrNoPackages, strings.Join(patterns, " "))
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// importErrors reports the go command's errors about the packages p
// imports directly, such as a missing dependency, with the go command's
// hint ("to add it: go get ..."), at the import. Like type errors, they are
// reported when an interface's signature does not type-check.
func importErrors(e *errs, dir string, p *packages.Package) {
	paths := make([]string, 0, len(p.Imports))
	for path := range p.Imports {
		paths = append(paths, path)
	}
	slices.Sort(paths)
	for _, path := range paths {
		for _, pe := range p.Imports[path].Errors {
			if pe.Kind != packages.ListError || strings.HasPrefix(pe.Msg, "# ") {
				continue // a compile error of the import is judged by its own load
			}
			pos := parsePos(pe.Pos)
			if pos.Filename != "" && !filepath.IsAbs(pos.Filename) {
				pos.Filename = filepath.Join(dir, pos.Filename)
			}
			if filepath.Base(pos.Filename) == "" || isOutputName(filepath.Base(pos.Filename)) {
				continue
			}
			e.addPosition(pos, strings.ReplaceAll(pe.Msg, ":\n\t", ": "))
		}
	}
}

// parsePos parses the "file:line:col" (or "file:line", or "-") form used by
// packages.Error.
func parsePos(s string) token.Position {
	var p token.Position
	if s == "" || s == "-" {
		return p
	}
	rest := s
	nums := []int{}
	for range 2 {
		i := strings.LastIndexByte(rest, ':')
		if i < 0 {
			break
		}
		n, err := strconv.Atoi(rest[i+1:])
		if err != nil {
			break
		}
		nums = append([]int{n}, nums...)
		rest = rest[:i]
	}
	p.Filename = rest
	if len(nums) > 0 {
		p.Line = nums[0]
	}
	if len(nums) > 1 {
		p.Column = nums[1]
	}
	return p
}

// isOutput reports whether the file holding pos is one of our outputs.
func isOutput(fset *token.FileSet, pos token.Pos) bool {
	f := fset.File(pos)
	return f != nil && isOutputName(filepath.Base(f.Name()))
}

// typeErrors returns the package's type errors that do not come from an
// actor_gen.go file.
func typeErrors(fset *token.FileSet, p *packages.Package) []types.Error {
	var out []types.Error
	for _, te := range p.TypeErrors {
		if te.Fset != nil && te.Fset != fset {
			continue
		}
		if isOutput(fset, te.Pos) {
			continue
		}
		out = append(out, te)
	}
	return out
}

// relPath returns name relative to dir (with ../ when it is outside), as
// the go command writes positions.
func relPath(dir, name string) string {
	if dir == "" || name == "" || !filepath.IsAbs(name) {
		return name
	}
	r, err := filepath.Rel(dir, name)
	if err != nil {
		return name
	}
	return r
}
