package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/actorgen/actorgen/gen"
)

// Exit codes.
const (
	exitOK    = 0 // success
	exitFail  = 1 // generation errors, or -check found out-of-date files
	exitUsage = 2 // bad command line
)

const usageText = `usage: actorgen [-tags T] [-check] [-v] [packages]
       actorgen -version
       actorgen new NAME [-dir D]

actorgen writes actor_gen.go in each package (go list patterns, default ".")
that has interfaces annotated with //actor:generate. Run it from go generate:

	//go:generate go tool actorgen

actorgen new NAME writes a scaffold for actor NAME (an annotated interface,
its state and a test) into the package in -dir (default ".").

Exit status: 0 ok; 1 errors in the sources, or -check found files out of
date; 2 bad command line.

Flags:
`

// run is the whole command: it parses args, does the work and returns the
// exit code. Output goes to stdout, diagnostics to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "new" {
		return runNew(ctx, args[1:], stdout, stderr)
	}
	flags := flag.NewFlagSet("actorgen", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var (
		showVersion = flags.Bool("version", false, "print the version of actorgen and exit")
		tags        = flags.String("tags", "", "comma-separated build `tags` to load the packages with")
		check       = flags.Bool("check", false, "write nothing; list the files that would change and exit 1 if any (for CI)")
		verbose     = flags.Bool("v", false, "print progress to stderr")
	)
	if code, done := parseFlags(flags, usageText, args, stdout, stderr); done {
		return code
	}
	if *showVersion {
		if flags.NArg() > 0 {
			return usageError(stderr, "-version takes no arguments")
		}
		info, _ := debug.ReadBuildInfo()
		fmt.Fprintln(stdout, "actorgen", version(info))
		return exitOK
	}
	tagList, err := parseTags(*tags)
	if err != nil {
		return usageError(stderr, err.Error())
	}
	cfg := gen.Config{Patterns: flags.Args(), Tags: tagList, Check: *check}
	if *verbose {
		cfg.Log = func(format string, a ...any) {
			fmt.Fprintf(stderr, "actorgen: "+format+"\n", a...)
		}
	}
	res, err := gen.Generate(ctx, cfg)
	if err != nil {
		var list gen.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				fmt.Fprintln(stderr, e.Error())
			}
		} else {
			fmt.Fprintln(stderr, "actorgen:", err)
		}
		return exitFail
	}
	if *check {
		for _, f := range res.Changed {
			fmt.Fprintln(stdout, relative(f))
		}
		if n := len(res.Changed); n > 0 {
			fmt.Fprintf(stderr, "actorgen: %d generated %s out of date; run go generate\n", n, plural(n, "file is", "files are"))
			return exitFail
		}
	}
	if *verbose {
		fmt.Fprintf(stderr, "actorgen: %d changed, %d unchanged\n", len(res.Changed), len(res.Unchanged))
	}
	return exitOK
}

// parseFlags parses args with flags, which must write to stderr. On -h it
// prints text and the flags to stdout; on a bad flag, after flag's message,
// to stderr. done tells whether the command is to exit now, with code.
func parseFlags(flags *flag.FlagSet, text string, args []string, stdout, stderr io.Writer) (code int, done bool) {
	flags.Usage = func() {} // printed below
	err := flags.Parse(args)
	if err == nil {
		return exitOK, false
	}
	code, w := exitUsage, stderr
	if errors.Is(err, flag.ErrHelp) {
		code, w = exitOK, stdout
	}
	flags.SetOutput(w)
	fmt.Fprint(w, text)
	flags.PrintDefaults()
	return code, true
}

// usageError prints msg and a hint to stderr and returns exitUsage.
func usageError(stderr io.Writer, msg string) int {
	fmt.Fprintf(stderr, "actorgen: %s\nRun 'actorgen -h' for usage.\n", msg)
	return exitUsage
}

// parseTags splits a -tags value: tags separated by commas (or, as the go
// command also accepts, spaces).
func parseTags(s string) ([]string, error) {
	var tags []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if !validTag(t) {
			return nil, fmt.Errorf("bad build tag %q in -tags: tags are letters, digits, '_' and '.'", t)
		}
		tags = append(tags, t)
	}
	return tags, nil
}

func validTag(t string) bool {
	for _, r := range t {
		ok := r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !ok {
			return false
		}
	}
	return t != ""
}

// modulePath is the module actorgen is built from.
const modulePath = "github.com/actorgen/actorgen"

// version returns the version of the actorgen module in info: the main
// module's when actorgen was built by go install or go run pkg@version, the
// dependency's when it runs as a tool of another module (go tool actorgen).
// It is "(devel)" for a local checkout (or a replacement by a directory) and
// when build information is missing.
func version(info *debug.BuildInfo) string {
	const devel = "(devel)"
	if info == nil {
		return devel
	}
	mods := append([]*debug.Module{&info.Main}, info.Deps...)
	for _, m := range mods {
		if m == nil || m.Path != modulePath {
			continue
		}
		if r := m.Replace; r != nil {
			if r.Version == "" {
				return devel
			}
			return r.Version
		}
		if m.Version == "" {
			return devel
		}
		return m.Version
	}
	return devel
}

// relative shortens path to be relative to the working directory when it is
// inside it.
func relative(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
