package gen

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// bigPackage is a module with one package of ifaces interfaces of methods
// methods each, mixing asks, tells, imported types and directives.
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

// BenchmarkGenerate measures a package of 200 interfaces × 10 methods:
// load-ms is the packages.Load (the baseline every generator pays), emit-ms
// the modelling, checking, rendering and gofmt added by actorgen, and
// emit/load-% their ratio, to see where the time of a run goes (the target
// is set against other generators: see genbench). "unchanged" loads the
// same sources every time (the go command's cache has the package's export
// data); "edited" changes a comment before each iteration, as after an edit
// of the interfaces, the usual reason to regenerate.
func BenchmarkGenerate(b *testing.B) {
	for _, edited := range []bool{false, true} {
		name := "unchanged"
		if edited {
			name = "edited"
		}
		b.Run(name, func(b *testing.B) { benchGenerate(b, edited) })
	}
}

func benchGenerate(b *testing.B, edited bool) {
	dir := b.TempDir()
	files := bigPackage(200, 10)
	writeTree(b, dir, files)
	cfg := Config{Dir: dir}
	var loadTime, emitTime time.Duration
	var size int
	iter := 0
	for b.Loop() {
		if edited {
			b.StopTimer()
			iter++
			writeTree(b, dir, map[string]string{"big.go": files["big.go"] + fmt.Sprintf("// edit %d %d\n", iter, time.Now().UnixNano())})
			b.StartTimer()
		}
		e := &errs{dir: dir}
		start := time.Now()
		ld, err := load(context.Background(), cfg, dir, e)
		require.NoError(b, err)
		loadTime += time.Since(start)

		start = time.Now()
		pm := buildPackage(e, ld.fset, ld.pkgs[0])
		require.Empty(b, e.list)
		src, err := emit(pm, pm.outputs[0])
		require.NoError(b, err)
		emitTime += time.Since(start)
		size = len(src)
	}
	n := float64(b.N)
	b.ReportMetric(float64(loadTime.Microseconds())/1000/n, "load-ms/op")
	b.ReportMetric(float64(emitTime.Microseconds())/1000/n, "emit-ms/op")
	b.ReportMetric(100*float64(emitTime)/float64(loadTime), "emit/load-%")
	b.ReportMetric(float64(size), "output-bytes")
}
