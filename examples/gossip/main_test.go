package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actorgen/actorgen/examples/gossip/internal/pipenet"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDemo runs the whole demo, with its real schedule, over the in-memory
// network in a synctest bubble (so it takes no real time), and checks the
// structure of its story: the tree and the legend, the phases in order, each
// server's events in them, repeats folded, and the summary.
func TestDemo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := &pipenet.Network{}
		dc := defaultDemo("unused")
		dc.Listen = func() (net.Listener, error) { return n.Listen() }
		dc.URL = "ws://relay/"
		dc.Server.HTTPClient = n.HTTPClient()
		var out bytes.Buffer
		start := time.Now()
		stats, err := runDemo(context.Background(), &out, dc)
		require.NoError(t, err)
		assert.Less(t, time.Since(start), 25*time.Second, "the demo's own schedule")
		story := out.String()

		for _, want := range []string{"Supervision tree", "/server-a", "├── tether", "│   └── link", "└── keeper", "Legend:", "  tether ", "  keeper ", "  escalate "} {
			assert.Contains(t, story, want)
		}
		// The phases, in order, and what each must tell for both servers.
		phases := []struct {
			title string
			each  []string
		}{
			{phaseBoot, []string{"keeper: start failed", "failed fast"}},
			{phaseUp, []string{"LINK UP", "<- messages from server-"}},
			{phaseKilled, []string{"link down", "fault in the link ×", "link policy: reset (a reset redials) ×3: after 100ms, after 200ms, after 400ms"}},
			{phaseCut, []string{"TETHER CUT"}},
			{phaseRetries, []string{"keeper: start failed"}},
			{phaseBack, []string{"LINK UP", "<- messages from server-"}},
			{phaseKilled, []string{"link down"}},
			{phaseCut, []string{"TETHER CUT"}},
			{phaseRetries, []string{"keeper: start failed"}},
			{phaseBack, []string{"LINK UP"}},
			{phaseClosed, []string{"link down: the relay closed it with status 1000 (relay: shutting down)", "link stopped: stopped normally"}},
			{phaseBack, []string{"LINK UP", "online: [server-a server-b]"}},
		}
		sections := strings.Split(story, "\n== ")
		require.Len(t, sections, 1+len(phases)+1, "intro, phases, summary:\n%s", story)
		for i, ph := range phases {
			sec := sections[1+i]
			require.True(t, strings.HasPrefix(sec, fmt.Sprintf("%d. %s (+", i+1, ph.title)), "phase %d: %q", i+1, firstLine(sec))
			for _, server := range dc.Servers {
				lines := linesOf(sec, server)
				for _, want := range ph.each {
					assert.True(t, slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, want) }),
						"phase %d (%s), %s: %q missing in:\n%s", i+1, ph.title, server, want, sec)
				}
				// Folded: no kind of event twice in a phase for a server.
				seen := map[string]bool{}
				for _, l := range lines {
					kind := eventKind(l)
					assert.False(t, seen[kind], "phase %d, %s: %q not folded:\n%s", i+1, server, kind, sec)
					seen[kind] = true
				}
			}
		}
		summary := sections[len(sections)-1]
		assert.Regexp(t, `^Summary \(\+19\.0s\)\n  link faults \d+, tether cuts 4, keeper retries \d+, faults beyond a tether 0\n`, summary)
		assert.Regexp(t, `broadcasts: \d+ accepted by the relay, \d+ delivered to the other server, \d+ failed fast with the link down \(worst 0s\), \d+ unconfirmed, 0 failed otherwise`, summary)
		assert.Less(t, strings.Count(story, "\n"), 140, "the story stays short:\n%s", story)

		assert.Positive(t, stats.Accepted.Load())
		assert.Positive(t, stats.Refused.Load())
		assert.Zero(t, stats.Failed.Load())
		// The relay passes a broadcast to the servers connected at the time:
		// one sent while the other server is still reconnecting reaches no
		// one. One whose ok was lost in a kill may have been delivered.
		assert.Positive(t, stats.Delivered.Load())
		assert.LessOrEqual(t, stats.Delivered.Load(), stats.Accepted.Load()+stats.Unconfirmed.Load())
	})
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// eventKind is a story line without its time, server and details: what
// folding keys on, roughly.
func eventKind(line string) string {
	f := strings.Fields(line)
	if len(f) < 3 {
		return line
	}
	k := strings.Join(f[2:], " ")
	if i := strings.IndexAny(k, ":×#"); i > 0 {
		k = k[:i]
	}
	return k
}

func TestRunFlags(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		status int
		stderr string
	}{
		{nil, 2, "usage: gossip -demo"},
		{[]string{"extra"}, 2, "usage: gossip -demo"},
		{[]string{"-demo", "extra"}, 2, "usage: gossip -demo"},
		{[]string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"-h"}, 0, "-demo"},
		{[]string{"-demo", "-addr", "127.0.0.1:99999"}, 1, "gossip demo: relay address: listen tcp: address 99999: invalid port"},
		{[]string{"-h"}, 0, "-observe"},
		{[]string{"-demo", "-observe", ":99999"}, 1, "gossip demo: observe: listen tcp: address 99999: invalid port"},
	} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, tc.status, run(tc.args, &stdout, &stderr), "%v", tc.args)
		assert.Contains(t, stderr.String(), tc.stderr, "%v", tc.args)
	}
}

// linesOf returns the lines of the story about server.
func linesOf(story, server string) []string {
	var out []string
	for _, l := range strings.Split(story, "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[1] == server {
			out = append(out, l)
		}
	}
	return out
}
