// Package remotetest is an //actor:remote interface and its implementation, for the tests of
// package remote and of the NATS transport.
package remotetest

//go:generate go run github.com/actorgen/actorgen/cmd/actorgen

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/actorgen/actorgen/runtime"
)

// ErrNotFound is a sentinel that keeps its identity across the wire.
var ErrNotFound = errors.New("not found")

// Counter is an actor to call across nodes.
//
//actor:generate
//actor:remote
type Counter interface {
	// Add adds n and returns the sum.
	Add(ctx context.Context, n int) (int, error)
	// Find returns ErrNotFound, wrapped, for any key but "k".
	Find(ctx context.Context, key string) (string, error)
	// Fail panics with text.
	Fail(ctx context.Context, text string) error
	// Sleep waits d (or until ctx is done), then returns.
	Sleep(ctx context.Context, d time.Duration) error
	// Note is a tell: it appends s to the notes.
	//
	//actor:tell
	Note(ctx context.Context, s string)
	// Notes returns the notes, in the order they came.
	Notes(ctx context.Context) ([]string, error)
	// Me returns a ref to the actor itself.
	Me(ctx context.Context) (Counter, error)
	// Forward asks other to Add n.
	Forward(ctx context.Context, other Counter, n int) (int, error)
	// Size returns len(b).
	Size(ctx context.Context, b []byte) (int, error)
	// Bump is a tell that counts its calls.
	//
	//actor:tell
	Bump(ctx context.Context, b []byte)
	// Count returns how many Bumps came.
	Count(ctx context.Context) (int, error)
	// Card is a message of four strings, for the codec's benchmark.
	Card(ctx context.Context, name, email, phone, note string) (int, error)
}

// State is the implementation: a plain struct.
type State struct {
	Self  CounterRef
	sum   int
	notes []string
	bumps int
}

// New is the factory of a Counter.
func New(ac *runtime.Context) Counter {
	self, _ := CounterRefOf(ac.Self())
	return &State{Self: self}
}

func (s *State) Add(ctx context.Context, n int) (int, error) {
	s.sum += n
	return s.sum, nil
}

func (s *State) Find(ctx context.Context, key string) (string, error) {
	if key == "k" {
		return "v", nil
	}
	return "", errors.Join(errors.New("find "+key), ErrNotFound)
}

func (s *State) Fail(ctx context.Context, text string) error { panic(text) }

func (s *State) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *State) Note(ctx context.Context, text string) { s.notes = append(s.notes, text) }

func (s *State) Notes(ctx context.Context) ([]string, error) {
	return append([]string(nil), s.notes...), nil
}

func (s *State) Me(ctx context.Context) (Counter, error) { return s.Self, nil }

func (s *State) Forward(ctx context.Context, other Counter, n int) (int, error) {
	return other.Add(ctx, n)
}

func (s *State) Size(ctx context.Context, b []byte) (int, error) {
	return len(b), nil
}

// Joined returns the notes as one string, for tests.
func Joined(notes []string) string { return strings.Join(notes, ",") }

func (s *State) Bump(ctx context.Context, b []byte)     { s.bumps++ }
func (s *State) Count(ctx context.Context) (int, error) { return s.bumps, nil }
func (s *State) Card(ctx context.Context, name, email, phone, note string) (int, error) {
	return len(name) + len(email) + len(phone) + len(note), nil
}
