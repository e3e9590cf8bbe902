package runtime

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// recorder collects the events a system reports, in order.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) hook(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

// of returns the events about the actor at path, as short strings such as "fault" or
// "decision reset".
func (r *recorder) of(path string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		if e.Path != path {
			continue
		}
		s := e.Kind.String()
		if e.Kind == EventDecision {
			s += " " + e.Decision.String()
		}
		out = append(out, s)
	}
	return out
}

// kind returns the events of kind k about the actor at path.
func (r *recorder) kind(path string, k EventKind) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Event
	for _, e := range r.events {
		if e.Path == path && e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// newSystem returns a silent system whose events go to the returned recorder. The system is
// shut down when the test ends, and the shutdown must succeed.
func newSystem(t *testing.T) (*System, *recorder) {
	t.Helper()
	rec := &recorder{}
	sys := NewSystem(WithLogger(slog.New(slog.DiscardHandler)), WithEventHook(rec.hook))
	t.Cleanup(func() {
		require.NoError(t, sys.Shutdown(context.Background()))
	})
	return sys, rec
}

// journal is a log of what actors did, shared by a test and its actors.
type journal struct {
	mu    sync.Mutex
	lines []string
}

func (j *journal) add(format string, args ...any) {
	j.mu.Lock()
	j.lines = append(j.lines, fmt.Sprintf(format, args...))
	j.mu.Unlock()
}

func (j *journal) get() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]string(nil), j.lines...)
}

// counter is a state that counts and records what it handles.
type counter struct {
	n    int
	seen []int
}

// handleCount adds msg to the state; a negative msg panics with an error.
func handleCount(_ context.Context, ac *Context, s *counter, msg int) {
	if msg < 0 {
		panic(fmt.Errorf("bad message %d", msg))
	}
	s.n += msg
	s.seen = append(s.seen, msg)
	Reply(ac, s.n)
}

func newCounter(*Context) *counter { return &counter{} }

// askInt asks a for the reply to msg, for actors that answer with an int.
func askInt(t *testing.T, a Actor[int], msg int) int {
	t.Helper()
	v, err := Ask[int, int](t.Context(), a, msg)
	require.NoError(t, err)
	return v
}

// quiet is the option of a logger that drops everything.
func quiet() SystemOption { return WithLogger(slog.New(slog.DiscardHandler)) }

// step is the message of a probe actor: it waits for gate if there is one, then panics if boom
// is set, and otherwise records that it was handled and replies with id.
type step struct {
	id   int
	gate <-chan struct{}
	boom bool
}

// probe is a state that records its life in a journal: "name start" when the factory builds
// it, "name got ID" and "name boom ID" for messages, "name reset" (OnReset) and "name stop
// [IDs]" (OnStop, with the ids of the messages left queued).
type probe struct {
	j    *journal
	name string
}

func (p *probe) OnReset(*Context) { p.j.add("%s reset", p.name) }

func (p *probe) OnStop(ac *Context) {
	var ids []int
	for _, m := range ac.Mailbox() {
		ids = append(ids, m.(step).id)
	}
	p.j.add("%s stop %v", p.name, ids)
}

func handleStep(_ context.Context, ac *Context, p *probe, m step) {
	if m.gate != nil {
		<-m.gate
	}
	if m.boom {
		p.j.add("%s boom %d", p.name, m.id)
		panic(fmt.Errorf("boom %d", m.id))
	}
	p.j.add("%s got %d", p.name, m.id)
	Reply(ac, m.id)
}

// spawnProbe spawns a probe named name under parent. setup, if not nil, runs in the factory
// after the journal line (to spawn children, say).
func spawnProbe(parent Parent, name string, j *journal, setup func(*Context), opts ...Option) (Actor[step], error) {
	return Spawn(parent, name, func(ac *Context) *probe {
		j.add("%s start", name)
		if setup != nil {
			setup(ac)
		}
		return &probe{j: j, name: name}
	}, handleStep, opts...)
}

// mustProbe is spawnProbe for spawns that must succeed.
func mustProbe(t *testing.T, parent Parent, name string, j *journal, setup func(*Context), opts ...Option) Actor[step] {
	t.Helper()
	a, err := spawnProbe(parent, name, j, setup, opts...)
	require.NoError(t, err)
	return a
}

// tell sends m to a and requires that it was accepted.
func tell[M any](t *testing.T, a Actor[M], m M) {
	t.Helper()
	require.NoError(t, a.Tell(t.Context(), m))
}

// requireDone requires that r has stopped (call it after synctest.Wait).
func requireDone(t *testing.T, r Ref) {
	t.Helper()
	select {
	case <-r.Done():
	default:
		require.Failf(t, "actor still running", "%s has not stopped", r.Path())
	}
}

// requireRunning requires that r has not stopped.
func requireRunning(t *testing.T, r Ref) {
	t.Helper()
	select {
	case <-r.Done():
		require.Failf(t, "actor stopped", "%s stopped: %v", r.Path(), r.Err())
	default:
	}
	require.NoError(t, r.Err())
}

func itoa(i int) string { return strconv.Itoa(i) }
