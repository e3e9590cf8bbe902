package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/actorgen/actorgen/examples/gossip/game"
	"github.com/actorgen/actorgen/runtime"
)

// timeline prints one line per event, with the time since the demo began:
//
//	+1.20s server-a  link up, online: server-a server-b
type timeline struct {
	start time.Time
	mu    sync.Mutex
	w     io.Writer
	err   error // the first write error
}

func newTimeline(w io.Writer) *timeline { return &timeline{start: time.Now(), w: w} }

// printf prints one line about who.
func (tl *timeline) printf(who, format string, args ...any) {
	line := fmt.Sprintf("+%5.2fs %-9s %s\n", time.Since(tl.start).Seconds(), who, fmt.Sprintf(format, args...))
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if _, err := io.WriteString(tl.w, line); err != nil && tl.err == nil {
		tl.err = fmt.Errorf("gossip demo: writing the timeline: %w", err)
	}
}

// Err returns the first error writing the timeline.
func (tl *timeline) Err() error {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return tl.err
}

// runtimeEvent prints the runtime events that tell the tether story: the
// link's faults and decisions, the tether cut, the keeper's starts and
// retries. It is the system's event hook.
func (tl *timeline) runtimeEvent(e runtime.Event) {
	server, actor := splitPath(e.Path)
	switch {
	case e.Kind == runtime.EventFault && actor == "tether/link":
		tl.printf(server, "fault in the link: %s", brief(e.Err))
	case e.Kind == runtime.EventDecision && actor == "tether/link":
		if e.Decision == runtime.Escalate {
			tl.printf(server, "tether intensity exceeded: the link escalates to the tether")
			return
		}
		tl.printf(server, "link policy: %s after %v (a reset redials)", e.Decision, e.Delay.Round(time.Millisecond))
	case e.Kind == runtime.EventTetherCut:
		tl.printf(server, "TETHER CUT: link stopped, the tether stays up empty, the fault goes no higher")
	case e.Kind == runtime.EventKeeperRetry:
		tl.printf(server, "keeper: start failed (%s), retry in %v", brief(e.Err), e.Delay.Round(time.Millisecond))
	case e.Kind == runtime.EventKeeperStart:
		tl.printf(server, "keeper: started %s", e.Child)
	case e.Kind == runtime.EventStopped && actor == "tether/link":
		tl.printf(server, "link stopped: %s", brief(e.Err))
	case e.Kind == runtime.EventEscalate && actor == "tether":
		// The decision line above and the cut line below tell it.
	case e.Kind == runtime.EventFault || e.Kind == runtime.EventEscalate:
		// Anything else faulting would be news: print it in full.
		tl.printf(server, "%s", e)
	}
}

// gameEvent prints the link's own events.
func (tl *timeline) gameEvent(e game.Event) {
	switch e.Kind {
	case game.LinkUp:
		tl.printf(e.Server, "LINK UP, online: %s", strings.Join(e.Names, " "))
	case game.LinkDown:
		var ce websocket.CloseError
		if errors.As(e.Err, &ce) {
			tl.printf(e.Server, "link down: the relay closed it with status %d (%s)", int(ce.Code), ce.Reason)
			return
		}
		tl.printf(e.Server, "link down: %s", brief(e.Err))
	}
}

// splitPath splits "/server-a/tether/link" into "server-a" and "tether/link".
func splitPath(p string) (first, rest string) {
	first, rest, _ = strings.Cut(strings.TrimPrefix(p, "/"), "/")
	return first, rest
}

// brief shortens the long chains of wrapped errors that dials produce to
// their first and last parts.
func brief(err error) string {
	if err == nil {
		return "<nil>"
	}
	if errors.Is(err, runtime.ErrStopped) && err.Error() == runtime.ErrStopped.Error() {
		return "stopped normally"
	}
	parts := strings.Split(err.Error(), ": ")
	if len(parts) <= 3 {
		return err.Error()
	}
	return parts[0] + ": " + parts[1] + ": …: " + parts[len(parts)-1]
}
