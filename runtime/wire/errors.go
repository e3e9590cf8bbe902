package wire

import (
	"errors"
	"iter"
)

// Sentinels lists the sentinel errors a generated codec knows by identity: each as its ID (the
// package path, a dot and the variable's name, "example.com/contacts.ErrNotFound") and its value.
// Generated code passes a function that yields them, so that no table is kept in a variable.
type Sentinels = iter.Seq2[string, error]

// RemoteError is an error that crossed the wire: Error returns the text the peer's error had.
// Is lists the sentinels of ours that the peer's error matched (errors.Is), so that errors.Is
// holds on this side too.
type RemoteError struct {
	Text string
	Is   []error
}

// Error returns the peer's error text.
func (e *RemoteError) Error() string { return e.Text }

// Unwrap returns the sentinels the peer's error matched.
func (e *RemoteError) Unwrap() []error { return e.Is }

// The fields of an error's body.
const (
	errText     = 1
	errSentinel = 2
)

// AppendError appends err as a length-prefixed body: its text, and the ID of every sentinel of
// known that it matches with errors.Is (a RemoteError passed on keeps the sentinels it carries).
// A nil err is an empty body.
func AppendError(b []byte, err error, known Sentinels) []byte {
	start := len(b)
	b = Begin(b)
	if err == nil {
		return End(b, start)
	}
	b = AppendTag(b, errText, Bytes)
	b = AppendString(b, err.Error())
	if known != nil {
		for id, s := range known {
			if errors.Is(err, s) {
				b = AppendTag(b, errSentinel, Bytes)
				b = AppendString(b, id)
			}
		}
	}
	return End(b, start)
}

// Error reads an error that AppendError wrote. A sentinel the peer named that known does not
// have is dropped (its text stays). An empty body is a nil error. When the error is exactly one known sentinel with that
// sentinel's text, Error returns the sentinel itself, so that err == ErrNotFound holds too;
// otherwise a *RemoteError.
func (d *Decoder) Error(t Type, known Sentinels) (error, error) {
	body, err := d.Body(t)
	if err != nil {
		return nil, err
	}
	if body.Done() {
		return nil, nil
	}
	var (
		text  string
		is    []error
		named int
	)
	for !body.Done() {
		num, ft, err := body.Tag()
		if err != nil {
			return nil, err
		}
		switch num {
		case errText:
			if text, err = body.String(ft); err != nil {
				return nil, Field("error.text", err)
			}
		case errSentinel:
			id, err := body.String(ft)
			if err != nil {
				return nil, Field("error.sentinel", err)
			}
			named++
			if s := lookup(known, id); s != nil {
				is = append(is, s)
			}
		default:
			if err := body.Skip(ft); err != nil {
				return nil, err
			}
		}
	}
	if named == 1 && len(is) == 1 && is[0].Error() == text {
		return is[0], nil
	}
	return &RemoteError{Text: text, Is: is}, nil
}

func lookup(known Sentinels, id string) error {
	if known == nil {
		return nil
	}
	for k, s := range known {
		if k == id {
			return s
		}
	}
	return nil
}

// NoSentinels is a Sentinels with none.
func NoSentinels(func(string, error) bool) {}
