package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/actorgen/actorgen/examples/gossip/game"
	"github.com/actorgen/actorgen/runtime"
)

// Phase titles. The demo's script starts some; the events start the others:
// the first tether cut after a kill, and the first keeper retry after it.
const (
	phaseBoot    = "Boot with the relay down"
	phaseUp      = "Link up"
	phaseKilled  = "Relay killed: the links fault, reset with backoff, escalate"
	phaseCut     = "Tether cut: the links stop, the servers stay up, calls fail fast"
	phaseRetries = "Keeper retries"
	phaseBack    = "Back up"
	phaseClosed  = "Relay closed normally (status 1000): the links stop, no fault"
)

// entry is one event of a phase. Entries of one actor with the same key are
// folded into one line: one when alone, many ×N: details otherwise.
type entry struct {
	at     time.Duration
	who    string
	key    string
	one    string
	many   string
	detail string
}

// timeline tells the demo's story: a heading per phase, then the phase's
// events grouped by server, repeats folded into counts.
type timeline struct {
	start time.Time
	mu    sync.Mutex
	w     io.Writer
	err   error // the first write error
	n     int   // phases so far
	title string
	buf   []entry

	faults, cuts, retries, beyond int
}

func newTimeline(w io.Writer) *timeline { return &timeline{start: time.Now(), w: w} }

func (tl *timeline) writeLocked(s string) {
	if _, err := io.WriteString(tl.w, s); err != nil && tl.err == nil {
		tl.err = fmt.Errorf("gossip demo: writing the story: %w", err)
	}
}

// Err returns the first error writing the story.
func (tl *timeline) Err() error {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return tl.err
}

// text prints s as it is, after the events buffered so far.
func (tl *timeline) text(s string) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.flushLocked()
	tl.writeLocked(s)
}

// phase ends the current phase, printing its events, and heads the next.
func (tl *timeline) phase(title string) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.phaseLocked(title)
}

func (tl *timeline) phaseLocked(title string) {
	tl.flushLocked()
	tl.n++
	tl.title = title
	tl.writeLocked(fmt.Sprintf("\n== %d. %s (+%.1fs)\n", tl.n, title, time.Since(tl.start).Seconds()))
}

// add records e in the current phase; a tether cut or a keeper retry may
// start the next phase first.
func (tl *timeline) add(e entry) {
	e.at = time.Since(tl.start)
	if e.many == "" {
		e.many = e.one
	}
	tl.mu.Lock()
	defer tl.mu.Unlock()
	switch {
	case e.key == "cut" && tl.title == phaseKilled:
		tl.phaseLocked(phaseCut)
	case e.key == "retry" && tl.title == phaseCut:
		tl.phaseLocked(phaseRetries)
	}
	tl.buf = append(tl.buf, e)
}

// printf records a line that is never folded with another.
func (tl *timeline) printf(who, format string, args ...any) {
	tl.add(entry{who: who, key: fmt.Sprint(time.Now().UnixNano()), one: fmt.Sprintf(format, args...)})
}

// flushLocked prints the buffered events: the actors in order of their first
// event, and for each its lines in order of first occurrence, folded.
func (tl *timeline) flushLocked() {
	type line struct {
		first   entry
		n       int
		details []string
	}
	var whos []string
	lines := map[string][]*line{}
	for _, e := range tl.buf {
		if _, ok := lines[e.who]; !ok {
			whos = append(whos, e.who)
			lines[e.who] = nil
		}
		var l *line
		for _, x := range lines[e.who] {
			if x.first.key == e.key {
				l = x
			}
		}
		if l == nil {
			l = &line{first: e}
			lines[e.who] = append(lines[e.who], l)
		}
		l.n++
		if e.detail != "" {
			l.details = append(l.details, e.detail)
		}
	}
	tl.buf = tl.buf[:0]
	relayFirst := func(who string) int {
		if who == "relay" {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(whos, func(a, b string) int {
		return cmp.Or(cmp.Compare(relayFirst(a), relayFirst(b)), cmp.Compare(a, b))
	})
	for _, who := range whos {
		for _, l := range lines[who] {
			text := l.first.one
			if l.n > 1 {
				text = fmt.Sprintf("%s ×%d", l.first.many, l.n)
				if len(l.details) > 0 {
					text += ": " + foldDetails(l.details)
				}
			}
			tl.writeLocked(fmt.Sprintf("  %7s %-9s %s\n", fmt.Sprintf("+%.2fs", l.first.at.Seconds()), who, text))
		}
	}
}

// foldDetails lists details, or their first three and the last.
func foldDetails(d []string) string {
	if len(d) <= 4 {
		return strings.Join(d, ", ")
	}
	return strings.Join(d[:3], ", ") + ", …, " + d[len(d)-1]
}

// runtimeEvent records the runtime events that tell the tether story: the
// link's faults and decisions, the tether cut, the keeper's starts and
// retries. It is the system's event hook.
func (tl *timeline) runtimeEvent(e runtime.Event) {
	server, actor := splitPath(e.Path)
	switch {
	case e.Kind == runtime.EventFault && actor == "tether/link":
		tl.mu.Lock()
		tl.faults++
		tl.mu.Unlock()
		tl.add(entry{who: server, key: "fault", one: "fault in the link: " + brief(e.Err), many: "fault in the link", detail: lastPart(e.Err)})
	case e.Kind == runtime.EventDecision && actor == "tether/link":
		if e.Decision == runtime.Escalate {
			tl.add(entry{who: server, key: "escalate", one: "ESCALATE: the tether's intensity is exceeded, the link hands its fault to the tether"})
			return
		}
		d := e.Delay.Round(time.Millisecond).String()
		tl.add(entry{who: server, key: "policy", one: "link policy: " + e.Decision.String() + " after " + d + " (a reset redials)",
			many: "link policy: " + e.Decision.String() + " (a reset redials)", detail: "after " + d})
	case e.Kind == runtime.EventTetherCut:
		tl.mu.Lock()
		tl.cuts++
		tl.mu.Unlock()
		tl.add(entry{who: server, key: "cut", one: "TETHER CUT: the link is stopped; the tether stays up, empty; the fault goes no higher"})
	case e.Kind == runtime.EventKeeperRetry:
		tl.mu.Lock()
		tl.retries++
		tl.mu.Unlock()
		d := e.Delay.Round(time.Millisecond).String()
		tl.add(entry{who: server, key: "retry", one: "keeper: start failed (" + brief(e.Err) + "), retry in " + d,
			many: "keeper: start failed (" + lastPart(e.Err) + "), retries", detail: "in " + d})
	case e.Kind == runtime.EventKeeperStart:
		// The LINK UP line tells it.
	case e.Kind == runtime.EventStopped && actor == "tether/link":
		if errors.Is(e.Err, runtime.ErrTetherCut) {
			return // the TETHER CUT line tells it
		}
		tl.add(entry{who: server, key: "stopped", one: "link stopped: " + brief(e.Err)})
	case e.Kind == runtime.EventEscalate && actor == "tether":
		// The escalate and cut lines tell it.
	case e.Kind == runtime.EventFault || e.Kind == runtime.EventEscalate:
		// Anything else faulting would be news: print it in full.
		tl.mu.Lock()
		tl.beyond++
		tl.mu.Unlock()
		tl.printf(server, "%s", e)
	}
}

// gameEvent records the link's own events.
func (tl *timeline) gameEvent(e game.Event) {
	switch e.Kind {
	case game.LinkUp:
		tl.add(entry{who: e.Server, key: "up", one: "LINK UP (the keeper started it), online: " + strings.Join(e.Names, " ")})
	case game.LinkDown:
		if ce, ok := errors.AsType[websocket.CloseError](e.Err); ok {
			tl.add(entry{who: e.Server, key: "down", one: fmt.Sprintf("link down: the relay closed it with status %d (%s)", int(ce.Code), ce.Reason)})
			return
		}
		tl.add(entry{who: e.Server, key: "down", one: "link down: " + brief(e.Err)})
	case game.LinkRefused:
		tl.add(entry{who: e.Server, key: "refused", one: "LINK REFUSED (permanent): " + brief(e.Err)})
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

// lastPart is the last part of err's chain: "EOF", "connection refused".
func lastPart(err error) string {
	if err == nil {
		return "<nil>"
	}
	parts := strings.Split(err.Error(), ": ")
	return parts[len(parts)-1]
}
