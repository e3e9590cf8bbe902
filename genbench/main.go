// Command genbench times whole runs of actorgen, github.com/matryer/moq and
// go.uber.org/mock's mockgen on the same package of 200 interfaces × 10
// methods, in interleaved rounds of one run of each, and prints the medians.
//
// It is a module of its own so that moq and mockgen (tool dependencies in
// its go.mod) never reach actorgen's module. Run it from this directory,
// outside the workspace:
//
//	GOWORK=off go run . -rounds 7
//
// Each tool is built once, then every round runs each of them as a user
// would, from the package's directory, after removing every tool's output:
// actorgen (load, check, generate, write actor_gen.go), moq for all 200
// interfaces in one call, and mockgen in package mode (type-checked, as
// actorgen and moq) and in source mode (parsing one file, no types). With
// -edited, the interfaces' file changes before every run, so each tool
// pays for recompiling the package, as after an edit.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"time"
)

func main() {
	rounds := flag.Int("rounds", 7, "interleaved rounds of one run of each tool (after one warm-up round)")
	edited := flag.Bool("edited", false, "change the interfaces' file before every run")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *rounds, *edited); err != nil {
		fmt.Fprintln(os.Stderr, "genbench:", err)
		os.Exit(1)
	}
}

// tool is one generator and how to run it on the package.
type tool struct {
	name   string
	args   func(bin string) []string // the command line, from the package directory
	output string                    // removed before every run, relative to the package
}

func tools(ifaces int) []tool {
	names := make([]string, ifaces)
	for i := range names {
		names[i] = fmt.Sprintf("Svc%d", i)
	}
	return []tool{
		{"actorgen", func(bin string) []string { return []string{filepath.Join(bin, "actorgen")} }, "actor_gen.go"},
		{"moq", func(bin string) []string {
			return append([]string{filepath.Join(bin, "moq"), "-out", "moq_test.go", "."}, names...)
		}, "moq_test.go"},
		{"mockgen (package mode)", func(bin string) []string {
			return []string{filepath.Join(bin, "mockgen"), "-destination", "mocks/package.go", "-package", "mocks", ".", strings.Join(names, ",")}
		}, "mocks/package.go"},
		{"mockgen -source", func(bin string) []string {
			return []string{filepath.Join(bin, "mockgen"), "-source", "big.go", "-destination", "mocks/source.go", "-package", "mocks"}
		}, "mocks/source.go"},
	}
}

func run(ctx context.Context, w io.Writer, rounds int, edited bool) error {
	const ifaces, methods = 200, 10
	work, err := os.MkdirTemp("", "genbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin, pkg := filepath.Join(work, "bin"), filepath.Join(work, "big")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin+string(filepath.Separator),
		"github.com/actorgen/actorgen/cmd/actorgen", "github.com/matryer/moq", "go.uber.org/mock/mockgen")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the tools: %v\n%s", err, out)
	}
	src := bigPackage(ifaces, methods)
	for name, data := range src {
		if err := writeFile(filepath.Join(pkg, name), data); err != nil {
			return err
		}
	}
	env := append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	ts := tools(ifaces)
	times := make([][]time.Duration, len(ts))
	edits := 0
	for r := range rounds + 1 {
		for k := range ts {
			i := (k + r) % len(ts) // rotate the order between rounds
			t := ts[i]
			for _, o := range ts { // every run sees the same sources: no tool's output
				if err := os.Remove(filepath.Join(pkg, o.output)); err != nil && !os.IsNotExist(err) {
					return err
				}
			}
			if edited {
				edits++
				if err := writeFile(filepath.Join(pkg, "big.go"), src["big.go"]+fmt.Sprintf("\n// edit %d\n", edits)); err != nil {
					return err
				}
			}
			args := t.args(bin)
			cmd := exec.CommandContext(ctx, args[0], args[1:]...)
			cmd.Dir, cmd.Env = pkg, env
			start := time.Now()
			out, err := cmd.CombinedOutput()
			d := time.Since(start)
			if err != nil {
				return fmt.Errorf("%s: %v\n%s", t.name, err, out)
			}
			if _, err := os.Stat(filepath.Join(pkg, t.output)); err != nil {
				return fmt.Errorf("%s wrote no %s: %v", t.name, t.output, err)
			}
			if r > 0 { // round 0 warms the build cache
				times[i] = append(times[i], d)
			}
		}
	}

	sources := "unchanged sources (the go command's cache holds the package's export data)"
	if edited {
		sources = "the interfaces' file edited before every run (the package is recompiled)"
	}
	fmt.Fprintf(w, "Whole runs on one package of %d interfaces × %d methods; %s.\n", ifaces, methods, sources)
	fmt.Fprintf(w, "Medians of %d interleaved rounds. Machine: %s, %d CPUs (GOMAXPROCS %d), %s/%s, %s.\n\n",
		rounds, cpuModel(), goruntime.NumCPU(), goruntime.GOMAXPROCS(0), goruntime.GOOS, goruntime.GOARCH, goruntime.Version())
	fmt.Fprintln(w, "| tool | median | min | max | × actorgen |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: |")
	base := median(times[0])
	for i, t := range ts {
		m := median(times[i])
		fmt.Fprintf(w, "| %s | %s | %s | %s | ×%.2f |\n", t.name, ms(m), ms(slices.Min(times[i])), ms(slices.Max(times[i])), float64(m)/float64(base))
	}
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }

// cpuModel returns the CPU's model name on Linux, else GOARCH.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return goruntime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return goruntime.GOARCH
}

func writeFile(path, data string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(data), 0o644)
}

// bigPackage is the package of gen's BenchmarkGenerate: ifaces interfaces
// of methods methods each, mixing asks, tells, imported types and
// directives (which moq and mockgen ignore).
func bigPackage(ifaces, methods int) map[string]string {
	var b strings.Builder
	b.WriteString("package big\n\nimport (\n\t\"context\"\n\t\"net/http\"\n\t\"time\"\n)\n\n")
	for i := range ifaces {
		fmt.Fprintf(&b, "// Svc%d is interface %d.\n//\n//actor:generate\n//actor:supervise reset backoff=10ms..1s max=5/1m\ntype Svc%d interface {\n", i, i, i)
		for j := range methods {
			switch j % 3 {
			case 0:
				fmt.Fprintf(&b, "\tGet%d(ctx context.Context, key string, r *http.Request) (int, error)\n", j)
			case 1:
				fmt.Fprintf(&b, "\t//actor:tell\n\tPut%d(ctx context.Context, key string, d time.Duration)\n", j)
			default:
				fmt.Fprintf(&b, "\t//actor:ask timeout=2s\n\tScan%d(ctx context.Context, keys ...string) ([]string, bool, error)\n", j)
			}
		}
		b.WriteString("}\n\n")
	}
	return map[string]string{"go.mod": "module example.com/big\n\ngo 1.26.0\n", "big.go": b.String()}
}
