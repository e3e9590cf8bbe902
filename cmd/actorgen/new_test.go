package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// files lists the names in dir, sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// goModWith writes a go.mod of module example.com/m requiring paths.
func goModWith(t *testing.T, paths ...string) {
	t.Helper()
	gomod := "module example.com/m\n\ngo 1.24\n"
	for _, p := range paths {
		gomod += "\nrequire " + p + " v1.0.0\n"
	}
	write(t, "go.mod", gomod)
}

func TestNewWritesScaffold(t *testing.T) {
	t.Chdir(t.TempDir())
	goModWith(t, "github.com/actorgen/actorgen", "go.uber.org/goleak")
	// The flag may follow NAME; the directory is created; its name gives
	// the package name.
	r := runCmd(t, "new", "Counter", "-dir", "my-counter")
	require.Equal(t, exitOK, r.code, r.stderr)
	dir := "my-counter"
	assert.Equal(t, "wrote my-counter/counter.go\nwrote my-counter/counter_state.go\nwrote my-counter/counter_test.go\n", r.stdout)
	assert.Equal(t, "actorgen: next, in my-counter: go generate, then go test\n", r.stderr)
	assert.Equal(t, []string{"counter.go", "counter_state.go", "counter_test.go"}, files(t, dir))
	iface := read(t, filepath.Join(dir, "counter.go"))
	assert.True(t, strings.HasPrefix(iface, "package mycounter\n"))
	assert.Contains(t, iface, "//go:generate go tool actorgen\n")
	assert.Contains(t, read(t, filepath.Join(dir, "counter_test.go")), "goleak.VerifyTestMain(m)")

	// A second actor in the same package reuses the package name and leaves
	// out the go:generate line and the TestMain that the package has now.
	r = runCmd(t, "new", "-dir", dir, "Book")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "actorgen: next, in my-counter: go generate, then go test\n", r.stderr)
	book := read(t, filepath.Join(dir, "book.go"))
	assert.True(t, strings.HasPrefix(book, "package mycounter\n"))
	assert.NotContains(t, book, "go:generate")
	assert.NotContains(t, read(t, filepath.Join(dir, "book_test.go")), "TestMain")
}

func TestNewPackageFromFiles(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	goModWith(t, "github.com/actorgen/actorgen", "go.uber.org/goleak")
	write(t, "doc.go", "// Package shop sells.\npackage shop\n")
	write(t, "ignored.go", "//go:build ignore\n\npackage main\n")
	write(t, "x_test.go", "package shop_test\n\nfunc TestMain() {}\n")
	r := runCmd(t, "new", "Cart")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "wrote cart.go\nwrote cart_state.go\nwrote cart_test.go\n", r.stdout)
	assert.True(t, strings.HasPrefix(read(t, "cart.go"), "package shop\n"))
	// TestMain of the external test package does not count.
	assert.Contains(t, read(t, "cart_test.go"), "func TestMain(m *testing.M)")
}

// TestNewUsesWhatTheModuleHas: the test of the scaffold needs only the
// standard library and the runtime; goleak only when the module has it, and
// a missing runtime or module is named with the command that adds it.
func TestNewUsesWhatTheModuleHas(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	goModWith(t, "github.com/stretchr/testify")
	write(t, "doc.go", "package shop\n")
	r := runCmd(t, "new", "Cart")
	require.Equal(t, exitOK, r.code, r.stderr)
	test := read(t, "cart_test.go")
	assert.NotContains(t, test, "goleak")
	assert.NotContains(t, test, "testify")
	assert.Equal(t, "actorgen: the scaffold imports github.com/actorgen/actorgen/runtime, which your module does not require yet: run go get github.com/actorgen/actorgen/runtime\n"+
		"actorgen: next, in .: go generate, then go test\n", r.stderr)

	t.Chdir(t.TempDir())
	r = runCmd(t, "new", "Cart", "-dir", "shop")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "actorgen: shop is not in a Go module: run go mod init, then go get github.com/actorgen/actorgen/runtime\n")
}

func TestNewRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write(t, "counter_state.go", "package p\n")
	write(t, "counter_test.go", "package p\n")
	r := runCmd(t, "new", "Counter")
	assert.Equal(t, exitFail, r.code)
	assert.Empty(t, r.stdout)
	assert.Equal(t, "actorgen: new: refusing to overwrite counter_state.go, counter_test.go: nothing written\n", r.stderr)
	assert.Equal(t, []string{"counter_state.go", "counter_test.go"}, files(t, dir))
	assert.Equal(t, "package p\n", read(t, "counter_state.go"))
}

func TestNewRefusesClashes(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write(t, "a.go", "package p\n\ntype Counter struct{}\n\nfunc newCounterState() {}\n\nvar CounterRef int\n\nfunc (Counter) Add() {}\n")
	write(t, "a_test.go", "package p\n\nfunc TestCounterAddThenTotal() {}\n")
	r := runCmd(t, "new", "Counter")
	assert.Equal(t, exitFail, r.code)
	assert.Equal(t, "actorgen: new: the package already declares "+
		"CounterRef (declared at a.go:7:5; actorgen generates it), "+
		"Counter (declared at a.go:3:6), "+
		"newCounterState (declared at a.go:5:6), "+
		"TestCounterAddThenTotal (declared at a_test.go:3:6): nothing written\n", r.stderr)
	assert.Equal(t, []string{"a.go", "a_test.go"}, files(t, dir))
}

func TestNewPackageErrors(t *testing.T) {
	t.Run("conflicting packages", func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		write(t, "a.go", "package a\n")
		write(t, "b.go", "package b\n")
		r := runCmd(t, "new", "Counter")
		assert.Equal(t, exitFail, r.code)
		assert.Equal(t, "actorgen: new: a.go has package a and b.go has package b: cannot tell which package to write\n", r.stderr)
		assert.Equal(t, []string{"a.go", "b.go"}, files(t, dir))
	})
	t.Run("unparsable file", func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		write(t, "a.go", "packag a\n")
		r := runCmd(t, "new", "Counter")
		assert.Equal(t, exitFail, r.code)
		assert.Equal(t, "actorgen: new: reading the package in .: a.go:1:1: expected 'package', found packag\n", r.stderr)
	})
	t.Run("directory name is no package name", func(t *testing.T) {
		t.Chdir(t.TempDir())
		for _, d := range []string{"123", "type", "--"} {
			r := runCmd(t, "new", "Counter", "-dir", d)
			assert.Equal(t, exitFail, r.code, d)
			assert.Equal(t, "actorgen: new: no .go files in the directory and its name \""+d+"\" does not make a package name: add a .go file with a package clause first\n", r.stderr, d)
			assert.NoDirExists(t, d)
		}
	})
	t.Run("dir is a file", func(t *testing.T) {
		t.Chdir(t.TempDir())
		write(t, "f", "")
		r := runCmd(t, "new", "Counter", "-dir", "f")
		assert.Equal(t, exitFail, r.code)
		assert.Equal(t, "actorgen: new: open f: not a directory\n", r.stderr)
	})
}
