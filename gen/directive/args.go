package directive

import (
	"go/token"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The words of the grammar. They are functions, not variables, so that no
// caller can change them.
func decisions() []string {
	return []string{"stop", "stop-all", "reset", "reset-all", "resume", "escalate"}
}
func superviseKeys() []string { return []string{"delay", "backoff", "jitter", "reset-after", "max"} }
func mailboxKeys() []string   { return []string{"size", "overflow"} }
func overflows() []string     { return []string{"block", "drop", "fail"} }
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
		return "block|drop|fail"
	}
	return "VALUE"
}

// parseSupervise parses the arguments of //actor:supervise.
func parseSupervise(l *line) (*Supervise, []Error) {
	if len(l.args) == 0 {
		return nil, []Error{l.errorf(l.pos, "%ssupervise needs a decision: %s", Prefix, orList(decisions()))}
	}
	var (
		errs []Error
		s    = &Supervise{}
		from = 1
		dec  = l.args[0]
	)
	switch {
	case slices.Contains(decisions(), dec.text):
		s.Decision = dec.text
	case dec.hasEq:
		// A key=value word where the decision belongs: the decision is missing.
		errs = append(errs, l.errorf(dec.pos, "%ssupervise needs a decision before %q: %s", Prefix, dec.text, orList(decisions())))
		from = 0
	default:
		if sg, ok := suggest(dec.text, decisions()); ok {
			errs = append(errs, l.errorf(dec.pos, "unknown decision %q in %ssupervise (did you mean %s?)", dec.text, Prefix, sg))
		} else {
			errs = append(errs, l.errorf(dec.pos, "unknown decision %q in %ssupervise (want %s)", dec.text, Prefix, orList(decisions())))
		}
	}
	got, e := l.keyArgs(from, superviseKeys())
	errs = append(errs, e...)

	delay, hasDelay := got["delay"]
	backoff, hasBackoff := got["backoff"]
	if hasDelay {
		if d, err := l.positiveDuration(delay.val, delay.valPos, "delay"); err != nil {
			errs = append(errs, *err)
		} else {
			s.Delay = d
		}
	}
	if hasBackoff {
		errs = append(errs, l.backoff(backoff, s)...)
	}
	if hasDelay && hasBackoff {
		later := max(delay.pos, backoff.pos)
		errs = append(errs, l.errorf(later, "delay and backoff cannot be used together in %ssupervise (choose a fixed delay or a backoff)", Prefix))
	}
	if a, ok := got["jitter"]; ok {
		s.HasJitter = true
		j, err := strconv.ParseFloat(a.val, 64)
		switch {
		case err != nil:
			errs = append(errs, l.errorf(a.valPos, "bad jitter %q: want a fraction between 0 and 1, such as 0.2", a.val))
		case !(j >= 0 && j <= 1): // also rejects NaN
			errs = append(errs, l.errorf(a.valPos, "jitter %s is outside [0,1]", a.val))
		case !hasDelay && !hasBackoff:
			errs = append(errs, l.errorf(a.pos, "jitter without delay or backoff in %ssupervise (jitter is a fraction of the delay)", Prefix))
		default:
			s.Jitter = j
		}
	}
	if a, ok := got["reset-after"]; ok {
		s.HasResetAfter = true
		if d, err := l.positiveDuration(a.val, a.valPos, "reset-after"); err != nil {
			errs = append(errs, *err)
		} else {
			s.ResetAfter = d
		}
		if !hasBackoff {
			errs = append(errs, l.errorf(a.pos, "reset-after without backoff in %ssupervise (it clears the backoff count)", Prefix))
		}
	}
	if a, ok := got["max"]; ok {
		s.HasMax = true
		errs = append(errs, l.intensity(a, s)...)
	}
	return s, errs
}

// backoff parses backoff=MIN..MAX into s.
func (l *line) backoff(a arg, s *Supervise) []Error {
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
	if dlo > dhi {
		return []Error{l.errorf(a.valPos, "backoff minimum %s is greater than maximum %s", lo, hi)}
	}
	s.BackoffMin, s.BackoffMax = dlo, dhi
	return nil
}

// intensity parses max=N/PERIOD into s.
func (l *line) intensity(a arg, s *Supervise) []Error {
	ns, ps, ok := strings.Cut(a.val, "/")
	if !ok {
		return []Error{l.errorf(a.valPos, "bad max %q: want N/PERIOD, such as 10/1m", a.val)}
	}
	var errs []Error
	n, err := strconv.Atoi(ns)
	switch {
	case err != nil:
		errs = append(errs, l.errorf(a.valPos, "bad max count %q: want a whole number of faults", ns))
	case n < 0:
		errs = append(errs, l.errorf(a.valPos, "max count %d is negative", n))
	default:
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
		switch {
		case slices.Contains(overflows(), a.val):
			m.Overflow = a.val
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
