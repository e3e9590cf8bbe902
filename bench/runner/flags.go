package runner

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/actorgen/actorgen/bench/workload"
)

// ParseSizes reads a comma-separated list of workload sizes over def, such as
// "tell=1000000,ask=100000,fanout=10000x100,spawn=100000"; entries left out keep def's value.
// Underscores may group digits (1_000_000).
func ParseSizes(s string, def workload.Sizes) (workload.Sizes, error) {
	sz := def
	if strings.TrimSpace(s) == "" {
		return sz, nil
	}
	for entry := range strings.SplitSeq(s, ",") {
		entry = strings.TrimSpace(entry)
		key, val, ok := strings.Cut(entry, "=")
		if !ok {
			return def, fmt.Errorf("-n %q: entry %q: want key=value", s, entry)
		}
		var err error
		switch key {
		case "tell":
			sz.Tell, err = count(val)
		case "ask":
			sz.Ask, err = count(val)
		case "spawn":
			sz.Spawn, err = count(val)
		case "fanout":
			a, m, ok := strings.Cut(val, "x")
			if !ok {
				err = fmt.Errorf("want ACTORSxMESSAGES, such as 10000x100")
				break
			}
			if sz.FanoutActors, err = count(a); err == nil {
				sz.FanoutMsgs, err = count(m)
			}
		default:
			err = fmt.Errorf("unknown key %q (want tell, ask, fanout or spawn)", key)
		}
		if err != nil {
			return def, fmt.Errorf("-n %q: entry %q: %w", s, entry, err)
		}
	}
	if err := sz.Validate(); err != nil {
		return def, fmt.Errorf("-n %q: %w", s, err)
	}
	return sz, nil
}

func count(s string) (int, error) {
	n, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 0)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q is not a positive whole number", s)
	}
	return int(n), nil
}

// Select picks the implementations and workloads that a comma-separated -only list names; an
// empty list, or one that names no implementation (no workload), selects all of them. The
// baseline is kept whatever the list says, since every ratio needs it. Order follows impls and
// workload.Kinds.
func Select(only string, impls []workload.Impl) ([]workload.Impl, []workload.Kind, error) {
	kinds := workload.Kinds()
	var wantImpl, wantKind []string
	if strings.TrimSpace(only) != "" {
		for name := range strings.SplitSeq(only, ",") {
			name = strings.TrimSpace(name)
			switch {
			case slices.ContainsFunc(impls, func(i workload.Impl) bool { return i.Name == name }):
				wantImpl = append(wantImpl, name)
			case slices.Contains(kinds, workload.Kind(name)):
				wantKind = append(wantKind, name)
			default:
				return nil, nil, fmt.Errorf("-only %q: %q is neither an implementation (%s) nor a workload (%s)",
					only, name, strings.Join(implNames(impls), ", "), joinKinds(kinds))
			}
		}
	}
	var selImpls []workload.Impl
	for _, i := range impls {
		if len(wantImpl) == 0 || i.Name == Baseline || slices.Contains(wantImpl, i.Name) {
			selImpls = append(selImpls, i)
		}
	}
	var selKinds []workload.Kind
	for _, k := range kinds {
		if len(wantKind) == 0 || slices.Contains(wantKind, string(k)) {
			selKinds = append(selKinds, k)
		}
	}
	return selImpls, selKinds, nil
}

func implNames(impls []workload.Impl) []string {
	names := make([]string, len(impls))
	for i, impl := range impls {
		names[i] = impl.Name
	}
	return names
}

func joinKinds(kinds []workload.Kind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
