// Package runner runs the workloads on the implementations in interleaved rounds, takes medians
// and prints them as Markdown tables with ratios to the goroutine + channel baseline.
package runner

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/actorgen/actorgen/bench/workload"
)

// Baseline is the name of the implementation every ratio is taken against.
const Baseline = "chan"

// Config says what to run.
type Config struct {
	Rounds int
	Sizes  workload.Sizes
	Impls  []workload.Impl // in table order; must include the Baseline
	Kinds  []workload.Kind // in table order
	// Progress, when not nil, gets one line per run.
	Progress io.Writer
}

// Stats are the medians over the rounds of one workload on one implementation.
type Stats struct {
	NsPerOp       float64
	AllocsPerOp   float64
	BytesPerActor float64 // spawn only
	Leftover      int     // spawn only: the most goroutines left over in any round
	Rounds        int
}

// Report holds the medians of every workload on every implementation.
type Report struct {
	Config Config
	Stats  map[workload.Kind]map[string]Stats
}

// Run runs cfg.Rounds rounds. In each round every workload runs once on every implementation,
// and the order of the implementations rotates from round to round, so that none is always first
// after a GC-heavy neighbour.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Rounds < 1 {
		return nil, fmt.Errorf("runner: rounds=%d: need at least 1", cfg.Rounds)
	}
	if err := cfg.Sizes.Validate(); err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	if !slices.ContainsFunc(cfg.Impls, func(i workload.Impl) bool { return i.Name == Baseline }) {
		return nil, fmt.Errorf("runner: the baseline %q is not among the implementations", Baseline)
	}
	if len(cfg.Kinds) == 0 {
		return nil, fmt.Errorf("runner: no workload selected")
	}
	samples := map[workload.Kind]map[string][]workload.Result{}
	for _, k := range cfg.Kinds {
		samples[k] = map[string][]workload.Result{}
	}
	n := len(cfg.Impls)
	for round := range cfg.Rounds {
		for _, k := range cfg.Kinds {
			for i := range n {
				impl := cfg.Impls[(i+round)%n]
				res, err := workload.Run(ctx, impl, k, cfg.Sizes)
				if err != nil {
					return nil, fmt.Errorf("runner: round %d: %w", round+1, err)
				}
				samples[k][impl.Name] = append(samples[k][impl.Name], res)
				if cfg.Progress != nil {
					fmt.Fprintf(cfg.Progress, "round %d/%d %-7s %-12s %10.1f ns/op %8.2f allocs/op\n",
						round+1, cfg.Rounds, k, impl.Name, res.NsPerOp(), res.AllocsPerOp())
				}
			}
		}
	}
	rep := &Report{Config: cfg, Stats: map[workload.Kind]map[string]Stats{}}
	for k, byImpl := range samples {
		rep.Stats[k] = map[string]Stats{}
		for name, rs := range byImpl {
			rep.Stats[k][name] = summarize(rs)
		}
	}
	return rep, nil
}

func summarize(rs []workload.Result) Stats {
	st := Stats{Rounds: len(rs)}
	ns := make([]float64, len(rs))
	allocs := make([]float64, len(rs))
	bytes := make([]float64, len(rs))
	for i, r := range rs {
		ns[i], allocs[i], bytes[i] = r.NsPerOp(), r.AllocsPerOp(), r.BytesPerActor
		st.Leftover = max(st.Leftover, r.Leftover)
	}
	st.NsPerOp, st.AllocsPerOp, st.BytesPerActor = Median(ns), Median(allocs), Median(bytes)
	return st
}

// Median returns the median of xs (the mean of the middle two for an even count), 0 for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// Header describes where the figures come from.
type Header struct {
	CPU       string // model name
	NumCPU    int
	MaxProcs  int
	GoVersion string
	GOOS      string
	GOARCH    string
}

// title is the column title of a messaging workload.
func title(k workload.Kind, sz workload.Sizes) string {
	switch k {
	case workload.Tell1:
		return "tell 1→1"
	case workload.Tell2:
		return "tell 2→1"
	case workload.Ask:
		return "ask round trip"
	case workload.AskCtx:
		return "ask, cancellable ctx"
	case workload.Fanout:
		return fmt.Sprintf("fanout %d×%d", sz.FanoutActors, sz.FanoutMsgs)
	}
	return string(k)
}

// Markdown writes the header and the tables.
func (r *Report) Markdown(w io.Writer, h Header) error {
	var b strings.Builder
	cfg := r.Config
	sz := cfg.Sizes
	fmt.Fprintf(&b, "Medians of %d interleaved rounds. Machine: %s, %d CPUs (GOMAXPROCS %d), %s/%s, %s.\n",
		cfg.Rounds, h.CPU, h.NumCPU, h.MaxProcs, h.GOOS, h.GOARCH, h.GoVersion)
	fmt.Fprintf(&b, "Sizes: tell %d messages, ask %d round trips, fanout %d actors × %d messages, spawn %d actors.\n",
		sz.Tell, sz.Ask, sz.FanoutActors, sz.FanoutMsgs, sz.Spawn)

	var msgKinds []workload.Kind
	for _, k := range cfg.Kinds {
		if k != workload.Spawn {
			msgKinds = append(msgKinds, k)
		}
	}
	if len(msgKinds) > 0 {
		b.WriteString("\nTime per message (× the goroutine + channel baseline) and heap allocations per message:\n\n")
		b.WriteString("| implementation |")
		for _, k := range msgKinds {
			fmt.Fprintf(&b, " %s |", title(k, sz))
		}
		b.WriteString("\n| --- |" + strings.Repeat(" ---: |", len(msgKinds)) + "\n")
		for _, impl := range cfg.Impls {
			fmt.Fprintf(&b, "| %s |", impl.Label)
			for _, k := range msgKinds {
				st := r.Stats[k][impl.Name]
				fmt.Fprintf(&b, " %s ns (%s), %s allocs |", ns(st.NsPerOp), r.ratio(k, st), num(st.AllocsPerOp))
			}
			b.WriteString("\n")
		}
	}
	if slices.Contains(cfg.Kinds, workload.Spawn) {
		fmt.Fprintf(&b, "\nSpawning %d idle actors, then waking each once and stopping them all:\n\n", sz.Spawn)
		b.WriteString("| implementation | time per spawn | × chan | bytes per idle actor | allocs per spawn | goroutines left after stop |\n")
		b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: |\n")
		for _, impl := range cfg.Impls {
			st := r.Stats[workload.Spawn][impl.Name]
			fmt.Fprintf(&b, "| %s | %s ns | %s | %s | %s | %d |\n", impl.Label, ns(st.NsPerOp),
				r.ratio(workload.Spawn, st), strconv.FormatFloat(st.BytesPerActor, 'f', 0, 64), num(st.AllocsPerOp), st.Leftover)
		}
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("runner: write table: %w", err)
	}
	return nil
}

func (r *Report) ratio(k workload.Kind, st Stats) string {
	base := r.Stats[k][Baseline].NsPerOp
	if base <= 0 {
		return "×–"
	}
	r2 := st.NsPerOp / base
	if r2 < 0.1 {
		return "×" + strconv.FormatFloat(r2, 'f', 3, 64)
	}
	return "×" + strconv.FormatFloat(r2, 'f', 2, 64)
}

// ns formats nanoseconds: one decimal below 100, none above.
func ns(v float64) string {
	if v < 100 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// num formats an allocation count: two decimals below 10, one above.
func num(v float64) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}
