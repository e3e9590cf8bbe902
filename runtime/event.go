package runtime

import (
	"fmt"
	"log/slog"
	"time"
)

// EventKind says what an Event reports.
type EventKind uint8

const (
	// EventStarted: the actor was spawned and its state built.
	EventStarted EventKind = iota + 1
	// EventFault: the actor faulted; Err is the *FaultError.
	EventFault
	// EventEscalate: a child escalated a fault to the actor; Child is its path.
	EventEscalate
	// EventDecision: the policy decided; Decision and Delay say what.
	EventDecision
	// EventReset: the actor's state was rebuilt after a fault; Err is the fault.
	EventReset
	// EventStopped: the actor stopped; Err is its reason (ErrStopped for a normal stop).
	EventStopped
	// EventTetherCut: the tether stopped all its children; Child is the one that faulted.
	EventTetherCut
	// EventKeeperStart: the keeper started its child; Child is its path.
	EventKeeperStart
	// EventKeeperRetry: the keeper's start failed with Err; it tries again after Delay.
	EventKeeperRetry
)

var eventNames = [...]string{"", "started", "fault", "escalate", "decision", "reset", "stopped", "tether cut", "keeper start", "keeper retry"}

func (k EventKind) String() string {
	if int(k) < len(eventNames) && k != 0 {
		return eventNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

func (k EventKind) level() slog.Level {
	switch k {
	case EventFault:
		return slog.LevelError
	case EventEscalate, EventTetherCut:
		return slog.LevelWarn
	case EventDecision, EventReset, EventKeeperRetry:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}

// Event is something that happened to an actor, for logs, tests and dashboards.
type Event struct {
	Kind     EventKind
	Path     string        // the actor the event is about
	Child    string        // the child concerned, for EventEscalate, EventTetherCut, EventKeeperStart
	Err      error         // the fault or stop reason, when there is one
	Decision Decision      // for EventDecision
	Delay    time.Duration // for EventDecision and EventKeeperRetry
	Time     time.Time     // when it happened; set only for an event hook and subscribers
}

// String describes the event in one line.
func (e Event) String() string {
	s := e.Path + ": " + e.Kind.String()
	if e.Kind == EventDecision {
		s += " " + e.Decision.String()
	}
	if e.Delay > 0 {
		s += fmt.Sprintf(" after %v", e.Delay)
	}
	if e.Child != "" {
		s += " (" + e.Child + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}
