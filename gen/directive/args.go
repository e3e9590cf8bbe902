package directive

import (
	"go/token"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/actorgen/actorgen/runtime"
)

// The words of the grammar. They are functions, not variables, so that no
// caller can change them.
// Decision and overflow spellings are the runtime's own.
func decisions() []string     { return runtime.DecisionNames() }
func superviseKeys() []string { return []string{"delay", "backoff", "jitter", "reset-after", "max"} }
func mailboxKeys() []string   { return []string{"size", "overflow"} }
func overflows() []string     { return runtime.OverflowNames() }
func askKeys() []string       { return []string{"timeout"} }

// keyArgs checks that every argument of l from index from on is a key=value
// word with a known key given once. It returns the accepted arguments by
// key and the errors found.
func (l *line) keyArgs(from int, keys []string) (map[string]arg, []Error) {
	var (
		errs []Error
		got  = map[string]arg{}
	)
	for _, a := range l.args[from:] {
		switch {
		case !slices.Contains(keys, a.key):
			errs = append(errs, l.unknownKey(a, keys))
		case !a.hasEq || a.val == "":
			errs = append(errs, l.errorf(a.pos, "missing value for %s in %s%s (want %s=%s)", a.key, Prefix, l.name, a.key, placeholder(a.key)))
		default:
			if _, dup := got[a.key]; dup {
				errs = append(errs, l.errorf(a.pos, "duplicate key %s in %s%s", a.key, Prefix, l.name))
				continue
			}
			got[a.key] = a
		}
	}
	return got, errs
}

// unknownKey reports a's key as unknown for l.
func (l *line) unknownKey(a arg, keys []string) Error {
	if !a.hasEq {
		if s, ok := suggest(a.key, keys); ok {
			return l.errorf(a.pos, "unexpected argument %q in %s%s (did you mean %s=%s?)", a.text, Prefix, l.name, s, placeholder(s))
		}
		return l.errorf(a.pos, "unexpected argument %q in %s%s (want key=value with key %s)", a.text, Prefix, l.name, orList(keys))
	}
	if s, ok := suggest(a.key, keys); ok {
		return l.errorf(a.pos, "unknown key %q in %s%s (did you mean %s?)", a.key, Prefix, l.name, s)
	}
	return l.errorf(a.pos, "unknown key %q in %s%s (want %s)", a.key, Prefix, l.name, orList(keys))
}

// placeholder names the kind of value key takes, for messages.
func placeholder(key string) string {
	switch key {
	case "delay", "reset-after", "timeout":
		return "DURATION"
	case "backoff":
		return "MIN..MAX"
	case "jitter":
		return "FRACTION"
	case "max":
		return "N/PERIOD"
	case "size":
		return "N"
	case "overflow":
		return strings.Join(overflows(), "|")
	}
	return "VALUE"
}

// parseSupervise parses the arguments of //actor:supervise into a
// runtime.Strategy, or returns nil and the errors. The words are checked here (a known decision and keys,
// well-formed values, positive durations); what the values mean together
// is judged by Strategy.Validate, reported at the key it names.
func parseSupervise(l *line) (*runtime.Strategy, []Error) {
	if len(l.args) == 0 {
		return nil, []Error{l.errorf(l.pos, "%ssupervise needs a decision: %s", Prefix, orList(decisions()))}
	}
	var (
		errs []Error
		s    = &runtime.Strategy{}
		from = 1
		dec  = l.args[0]
	)
	if d, ok := runtime.ParseDecision(dec.text); ok {
		s.Decision = d
	} else if dec.hasEq {
		// A key=value word where the decision belongs: the decision is missing.
		errs = append(errs, l.errorf(dec.pos, "%ssupervise needs a decision before %q: %s", Prefix, dec.text, orList(decisions())))
		from = 0
	} else if sg, ok := suggest(dec.text, decisions()); ok {
		errs = append(errs, l.errorf(dec.pos, "unknown decision %q in %ssupervise (did you mean %s?)", dec.text, Prefix, sg))
	} else {
		errs = append(errs, l.errorf(dec.pos, "unknown decision %q in %ssupervise (want %s)", dec.text, Prefix, orList(decisions())))
	}
	got, e := l.keyArgs(from, superviseKeys())
	errs = append(errs, e...)

	if a, ok := got["delay"]; ok {
		if d, err := l.positiveDuration(a.val, a.valPos, "delay"); err != nil {
			errs = append(errs, *err)
		} else {
			s.Delay = d
		}
	}
	if a, ok := got["backoff"]; ok {
		errs = append(errs, l.backoff(a, s)...)
	}
	if a, ok := got["jitter"]; ok {
		j, err := strconv.ParseFloat(a.val, 64)
		if err != nil {
			errs = append(errs, l.errorf(a.valPos, "bad jitter %q: want a fraction between 0 and 1, such as 0.2", a.val))
		} else {
			s.Jitter = j
		}
	}
	if a, ok := got["reset-after"]; ok {
		if d, err := l.positiveDuration(a.val, a.valPos, "reset-after"); err != nil {
			errs = append(errs, *err)
		} else {
			s.ResetAfter = d
		}
	}
	if a, ok := got["max"]; ok {
		errs = append(errs, l.intensity(a, s)...)
	}
	if len(errs) == 0 {
		if err := s.Validate(); err != nil {
			errs = append(errs, l.errorf(l.strategyPos(err, got), "invalid %ssupervise: %s", Prefix,
				strings.TrimSuffix(err.Error(), ": "+runtime.ErrInvalidOption.Error())))
		}
	}
	if len(errs) > 0 {
		return nil, errs // only a valid strategy is returned
	}
	return s, nil
}

// strategyPos returns where the //actor:supervise argument behind a
// Strategy.Validate error is: the value of the key setting the field that
// the error names, or the key when the problem is the key's presence.
func (l *line) strategyPos(err error, got map[string]arg) token.Pos {
	msg := err.Error()
	field, _, _ := strings.Cut(strings.TrimPrefix(msg, "Strategy."), ":")
	key := map[string]string{
		"Delay": "delay", "BackoffMin": "backoff", "BackoffMax": "backoff", "Jitter": "jitter",
		"ResetAfter": "reset-after", "MaxFaults": "max", "Period": "max",
	}[field]
	a, ok := got[key]
	switch {
	case !ok:
		return l.pos
	case key == "delay":
		if b, ok := got["backoff"]; ok { // the later of two words that exclude each other
			return max(a.pos, b.pos)
		}
	case strings.Contains(msg, "without"):
		return a.pos
	}
	return a.valPos
}

// backoff parses backoff=MIN..MAX into s.
func (l *line) backoff(a arg, s *runtime.Strategy) []Error {
	lo, hi, ok := strings.Cut(a.val, "..")
	if !ok {
		return []Error{l.errorf(a.valPos, "bad backoff %q: want MIN..MAX, such as 100ms..10s", a.val)}
	}
	hiPos := offset(a.valPos, len(lo)+2)
	var errs []Error
	dlo, elo := l.positiveDuration(lo, a.valPos, "backoff minimum")
	if elo != nil {
		errs = append(errs, *elo)
	}
	dhi, ehi := l.positiveDuration(hi, hiPos, "backoff maximum")
	if ehi != nil {
		errs = append(errs, *ehi)
	}
	if errs != nil {
		return errs
	}
	s.BackoffMin, s.BackoffMax = dlo, dhi
	return nil
}

// intensity parses max=N/PERIOD into s.
func (l *line) intensity(a arg, s *runtime.Strategy) []Error {
	ns, ps, ok := strings.Cut(a.val, "/")
	if !ok {
		return []Error{l.errorf(a.valPos, "bad max %q: want N/PERIOD, such as 10/1m", a.val)}
	}
	var errs []Error
	n, err := strconv.Atoi(ns)
	if err != nil {
		errs = append(errs, l.errorf(a.valPos, "bad max count %q: want a whole number of faults", ns))
	} else {
		s.MaxFaults = n
	}
	if d, e := l.positiveDuration(ps, offset(a.valPos, len(ns)+1), "max period"); e != nil {
		errs = append(errs, *e)
	} else {
		s.Period = d
	}
	return errs
}

// parseMailbox parses the arguments of //actor:mailbox.
func parseMailbox(l *line) (*Mailbox, []Error) {
	got, errs := l.keyArgs(0, mailboxKeys())
	m := &Mailbox{}
	if a, ok := got["size"]; ok {
		n, err := strconv.Atoi(a.val)
		switch {
		case err != nil:
			errs = append(errs, l.errorf(a.valPos, "bad mailbox size %q: want a positive whole number", a.val))
		case n <= 0:
			errs = append(errs, l.errorf(a.valPos, "mailbox size %d must be positive", n))
		default:
			m.Size = n
		}
	} else if !hasKey(l.args, "size") {
		errs = append(errs, l.errorf(l.pos, "%smailbox needs size=N", Prefix))
	}
	if a, ok := got["overflow"]; ok {
		switch o, ok := runtime.ParseOverflow(a.val); {
		case ok:
			m.Overflow = o
		default:
			if sg, ok := suggest(a.val, overflows()); ok {
				errs = append(errs, l.errorf(a.valPos, "unknown overflow %q (did you mean %s?)", a.val, sg))
			} else {
				errs = append(errs, l.errorf(a.valPos, "unknown overflow %q (want %s)", a.val, orList(overflows())))
			}
		}
	}
	return m, errs
}

// parseAsk parses the arguments of //actor:ask.
func parseAsk(l *line) (time.Duration, []Error) {
	got, errs := l.keyArgs(0, askKeys())
	a, ok := got["timeout"]
	if !ok {
		if len(errs) == 0 { // a misspelled key was already reported
			errs = append(errs, l.errorf(l.pos, "%sask needs timeout=DURATION (asks are the default; the directive only sets a timeout)", Prefix))
		}
		return 0, errs
	}
	d, err := l.positiveDuration(a.val, a.valPos, "ask timeout")
	if err != nil {
		return 0, append(errs, *err)
	}
	return d, errs
}

// positiveDuration parses s, a duration that must be positive.
func (l *line) positiveDuration(s string, pos token.Pos, what string) (time.Duration, *Error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		e := l.errorf(pos, "bad %s %q: want a duration such as 100ms, 2s or 1m", what, s)
		return 0, &e
	}
	if d <= 0 {
		e := l.errorf(pos, "%s must be positive, got %s", what, s)
		return 0, &e
	}
	return d, nil
}

// hasKey reports whether an argument has key k (even if rejected).
func hasKey(args []arg, k string) bool {
	for _, a := range args {
		if a.key == k {
			return true
		}
	}
	return false
}

// orList renders list as "a, b or c".
func orList(list []string) string {
	if len(list) == 1 {
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " or " + list[len(list)-1]
}
