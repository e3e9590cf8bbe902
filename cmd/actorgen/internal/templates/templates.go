// Package templates holds the embedded scaffolds that `actorgen new NAME`
// writes: an annotated actor interface, the state that implements it, and a
// test that spawns the actor once `go generate` has run.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"go/format"
	"go/token"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"
)

//go:embed scaffold/*.tmpl
var scaffoldFS embed.FS

// Data is what a scaffold is made from.
type Data struct {
	// Package is the package clause of the files.
	Package string
	// Name is the actor's interface name: an exported Go identifier
	// without underscores, such as Counter.
	Name string
	// GoGenerate adds a //go:generate go tool actorgen directive (leave it
	// out when the package has one already).
	GoGenerate bool
	// TestMain adds a TestMain that checks for leaked goroutines with
	// go.uber.org/goleak (leave it out when the package's tests have a
	// TestMain already, or the module does not require goleak). Otherwise
	// the test uses only the standard library and the runtime.
	TestMain bool
	// InModule and HasRuntime tell that a go.mod governs the directory and
	// that it requires the actorgen module (so the runtime import
	// resolves); Render does not use them.
	InModule, HasRuntime bool
}

// File is one rendered scaffold file.
type File struct {
	Name    string // base name, such as counter.go
	Content []byte // gofmt-formatted source
}

// CheckName reports whether name can name an actor: an exported Go
// identifier without underscores (file names are made from it).
func CheckName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty actor name: want an exported Go identifier such as Counter")
	case !token.IsIdentifier(name):
		return fmt.Errorf("actor name %q is not a Go identifier: want an exported identifier such as Counter", name)
	case !token.IsExported(name):
		return fmt.Errorf("actor name %q is not exported: want an identifier starting with an upper-case letter, such as %s", name, upperFirst(name))
	case strings.ContainsRune(name, '_'):
		return fmt.Errorf("actor name %q contains '_': want MixedCaps, such as %s", name, strings.ReplaceAll(name, "_", ""))
	}
	return nil
}

// CheckPackage reports whether pkg can be a package clause.
func CheckPackage(pkg string) error {
	if !token.IsIdentifier(pkg) || pkg == "_" {
		return fmt.Errorf("package name %q is not a Go identifier", pkg)
	}
	return nil
}

// Render renders the scaffold for d: the interface file, the state file and
// the test file, in that order, named after d.Name (Counter gives
// counter.go, counter_state.go and counter_test.go).
func Render(d Data) ([]File, error) {
	if err := CheckName(d.Name); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	if err := CheckPackage(d.Package); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	v := view{
		Data:        d,
		File:        strings.ToLower(d.Name),
		State:       lowerInitial(d.Name) + "State",
		Constructor: "new" + d.Name + "State",
	}
	parts := []struct{ tmpl, suffix string }{
		{"interface.go.tmpl", ".go"},
		{"state.go.tmpl", "_state.go"},
		{"test.go.tmpl", "_test.go"},
	}
	files := make([]File, 0, len(parts))
	for _, p := range parts {
		name := v.File + p.suffix
		src, err := render(p.tmpl, v)
		if err != nil {
			return nil, fmt.Errorf("templates: %s: %w", name, err)
		}
		files = append(files, File{Name: name, Content: src})
	}
	return files, nil
}

// view is Data plus the names derived from it, for the templates.
type view struct {
	Data
	File        string // lower-case base of the file names
	State       string // the state type
	Constructor string // the state's constructor
}

func render(name string, v view) ([]byte, error) {
	t, err := template.ParseFS(scaffoldFS, "scaffold/"+name)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return nil, err
	}
	src, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting: %w", err)
	}
	return src, nil
}

// lowerInitial lowers the leading capitals of an exported name the way Go
// names unexported things: Counter→counter, URLParser→urlParser, URL→url,
// HTTP2Conn→http2Conn.
func lowerInitial(name string) string {
	runes := []rune(name)
	n := 0
	for n < len(runes) && unicode.IsUpper(runes[n]) {
		n++
	}
	if n > 1 && n < len(runes) && unicode.IsLower(runes[n]) {
		n-- // keep the capital that starts the next word: URLParser→urlParser
	}
	for i := range n {
		runes[i] = unicode.ToLower(runes[i])
	}
	return string(runes)
}

func upperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}
