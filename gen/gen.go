package gen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Config says what Generate loads and how it reports.
type Config struct {
	Dir      string                           // directory to load from ("" = current)
	Patterns []string                         // go list patterns; empty means "."
	Tags     []string                         // build tags, added to the actorgen tag
	Check    bool                             // write nothing; Result lists the files that would change
	Log      func(format string, args ...any) // verbose progress; nil = quiet
}

// Result lists the output files Generate considered.
type Result struct {
	Changed   []string // files written or removed (with Check: that would be), sorted
	Unchanged []string // files already up to date, sorted
}

// output is one planned change: content nil means remove the file. old is
// the file's content when it exists.
type output struct {
	path    string
	content []byte
	old     []byte
	exists  bool
}

// Generate loads all packages matched by cfg.Patterns in one packages.Load
// and writes actor_gen.go in each package that has //actor:generate
// interfaces, removing an actor_gen.go of ours from packages that no longer
// have any. On any problem in the sources it writes nothing and returns an
// ErrorList with every problem found; other failures (the go command cannot
// run, a file cannot be written) are returned wrapped.
func Generate(ctx context.Context, cfg Config) (Result, error) {
	outs, err := plan(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	return apply(cfg, outs)
}

// plan loads, models and emits, returning the outputs of every loaded
// package with a decision: write, remove, or (content equal) leave.
func plan(ctx context.Context, cfg Config) ([]output, error) {
	dir, err := absDir(cfg.Dir)
	if err != nil {
		return nil, err
	}
	e := &errs{dir: dir}
	ld, err := load(ctx, cfg, dir, e)
	if err != nil {
		return nil, err
	}
	var pkgs []pkgOutputs
	for _, p := range ld.pkgs {
		if p.Types == nil {
			continue
		}
		pm := buildPackage(e, ld.fset, p)
		pkgs = append(pkgs, pkgOutputs{pkg: p, model: pm, dir: packageDir(p)})
	}
	if len(e.list) > 0 {
		return nil, e.list.sort()
	}
	return emitAll(cfg, e, pkgs)
}

// pkgOutputs is a loaded package, its model (nil when it has no actor) and
// its directory.
type pkgOutputs struct {
	pkg   *packages.Package
	model *pkgModel
	dir   string
}

// emitAll renders every model and plans the removal of our outputs that no
// longer have a source: actor_gen.go in a package without unconstrained
// actors, NAME.actor_gen.go when NAME.go is gone or declares none. An output
// whose NAME.go the current build leaves out (another GOOS, GOARCH or tags)
// is left alone, so a run under any configuration leaves the others' files.
func emitAll(cfg Config, e *errs, pkgs []pkgOutputs) ([]output, error) {
	var outs []output
	seen := map[string]bool{}
	for _, po := range pkgs {
		if po.dir == "" || seen[po.dir] {
			continue
		}
		seen[po.dir] = true
		planned := map[string]*outFile{}
		if po.model != nil {
			for _, o := range po.model.outputs {
				planned[o.name] = o
			}
		}
		names, err := existingOutputs(po.dir)
		if err != nil {
			return nil, err
		}
		for name := range planned {
			names = append(names, name)
		}
		slices.Sort(names)
		names = slices.Compact(names)
		for _, name := range names {
			path := filepath.Join(po.dir, name)
			o := planned[name]
			if o == nil && name != OutputFile && otherBuild(po.pkg, name) {
				logf(cfg, "%s: leaving %s: its source is not part of this build", po.pkg.PkgPath, name)
				continue
			}
			old, exists, err := readOld(path)
			if err != nil {
				return nil, err
			}
			ours := bytes.HasPrefix(old, []byte(Header+"\n"))
			if o == nil {
				if ours {
					outs = append(outs, output{path: path})
				}
				continue
			}
			src, err := emit(po.model, o)
			if err != nil {
				e.addPosition(positionOf(path), fmt.Sprintf("package %s: %v", po.pkg.PkgPath, err))
				continue
			}
			if exists && !ours {
				e.addPosition(positionOf(path), "refusing to overwrite "+name+": it does not start with \""+Header+"\" (rename or remove it)")
				continue
			}
			logf(cfg, "%s: %d actor(s) in %s", po.pkg.PkgPath, len(o.actors), name)
			outs = append(outs, output{path: path, content: src, old: old, exists: exists})
		}
		if so, err := schemaOutput(po); err != nil {
			return nil, err
		} else if so != nil {
			outs = append(outs, *so)
		}
	}
	if len(e.list) > 0 {
		return nil, e.list.sort()
	}
	slices.SortFunc(outs, func(a, b output) int { return strings.Compare(a.path, b.path) })
	return outs, nil
}

// existingOutputs lists the files in dir whose names are those of outputs.
func existingOutputs(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	var names []string
	for _, ent := range ents {
		if !ent.IsDir() && isOutputName(ent.Name()) {
			names = append(names, ent.Name())
		}
	}
	return names, nil
}

// otherBuild reports whether the source of output NAME.actor_gen.go,
// NAME.go, is a file of the package that the current build leaves out.
func otherBuild(p *packages.Package, output string) bool {
	src := strings.TrimSuffix(output, outputSuffix) + ".go"
	return slices.ContainsFunc(p.IgnoredFiles, func(f string) bool { return filepath.Base(f) == src })
}

func positionOf(path string) (p token.Position) {
	p.Filename = path
	return p
}

// readOld returns the content of the file at path and whether it exists.
func readOld(path string) ([]byte, bool, error) {
	old, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("gen: %w", err)
	}
	return old, true, nil
}

// apply writes (or, with Check, only compares) the planned outputs.
func apply(cfg Config, outs []output) (Result, error) {
	var res Result
	for _, o := range outs {
		if o.content == nil {
			res.Changed = append(res.Changed, o.path)
			if !cfg.Check {
				if err := os.Remove(o.path); err != nil {
					return res, fmt.Errorf("gen: removing stale output: %w", err)
				}
				logf(cfg, "removed %s", o.path)
			}
			continue
		}
		if o.exists && bytes.Equal(o.old, o.content) {
			res.Unchanged = append(res.Unchanged, o.path)
			continue
		}
		res.Changed = append(res.Changed, o.path)
		if !cfg.Check {
			if err := writeFile(o.path, o.content); err != nil {
				return res, err
			}
			logf(cfg, "wrote %s", o.path)
		}
	}
	return res, nil
}

func logf(cfg Config, format string, args ...any) {
	if cfg.Log != nil {
		cfg.Log(format, args...)
	}
}

// writeFile replaces path's content atomically (temp file and rename).
func writeFile(path string, content []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".actor_gen-*.go.tmp")
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return fmt.Errorf("gen: writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("gen: writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("gen: writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("gen: writing %s: %w", path, err)
	}
	return nil
}

func absDir(dir string) (string, error) {
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("gen: %w", err)
	}
	return abs, nil
}
