package actors

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
)

// ErrChaos is wrapped by the panic values that Chaos injects.
var ErrChaos = errors.New("chaos: injected fault")

// Chaos makes a fraction of the calls to Maybe panic, to exercise supervision.
// It is safe for concurrent use; a nil *Chaos never panics.
type Chaos struct {
	p   float64
	mu  sync.Mutex
	rng *rand.Rand
}

// NewChaos returns a Chaos that panics with probability p, in [0, 1], drawing
// from src; tests pass a seeded source (rand.NewPCG) to be deterministic.
func NewChaos(p float64, src rand.Source) (*Chaos, error) {
	if !(p >= 0 && p <= 1) { // also rejects NaN
		return nil, fmt.Errorf("chaos: probability %v: must be between 0 and 1", p)
	}
	if src == nil {
		return nil, errors.New("chaos: nil random source")
	}
	return &Chaos{p: p, rng: rand.New(src)}, nil
}

// Probability returns the fraction of calls that panic.
func (c *Chaos) Probability() float64 {
	if c == nil {
		return 0
	}
	return c.p
}

// Maybe panics, with probability Probability, with an error wrapping ErrChaos
// that names where.
func (c *Chaos) Maybe(where string) {
	if c == nil || c.p == 0 {
		return
	}
	c.mu.Lock()
	hit := c.rng.Float64() < c.p
	c.mu.Unlock()
	if hit {
		panic(fmt.Errorf("%s: %w", where, ErrChaos))
	}
}
