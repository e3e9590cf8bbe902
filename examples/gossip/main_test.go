package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actorgen/actorgen/examples/gossip/internal/pipenet"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDemo runs the whole demo, with its real schedule, over the in-memory
// network in a synctest bubble (so it takes no real time), and checks that
// the timeline tells the story in order for each server.
func TestDemo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := &pipenet.Network{}
		dc := defaultDemo("unused")
		dc.Listen = func() (net.Listener, error) { return n.Listen() }
		dc.URL = "ws://relay/"
		dc.Server.HTTPClient = n.HTTPClient()
		var out bytes.Buffer
		stats, err := runDemo(context.Background(), &out, dc)
		require.NoError(t, err)
		timeline := out.String()

		story := []string{
			"keeper: start failed", // down at boot
			"LINK UP",
			"<- server-",
			"fault in the link: actor /SERVER/tether/link: actor fault: …: EOF", // killed
			"link policy: reset after 100ms (a reset redials)",
			"fault in the link: actor /SERVER/tether/link: actor fault: …: connection refused",
			"link policy: reset after 200ms",
			"link policy: reset after 400ms",
			"tether intensity exceeded: the link escalates to the tether",
			"TETHER CUT",
			"broadcast #", // calls fail at once
			"keeper: start failed",
			"LINK UP", // relay back
			"<- server-",
			"TETHER CUT", // second kill
			"LINK UP",
			"<- server-",
			"link down: the relay closed it with status 1000 (relay: shutting down)", // closed normally
			"link stopped: stopped normally",
			"keeper: start failed",
			"LINK UP",
			"<- server-",
			"online: [server-a server-b]",
		}
		for _, server := range []string{"server-a", "server-b"} {
			lines := linesOf(timeline, server)
			at := 0
			for _, want := range story {
				want = strings.ReplaceAll(want, "SERVER", server)
				for at < len(lines) && !strings.Contains(lines[at], want) {
					at++
				}
				if !assert.Less(t, at, len(lines), "%s: %q missing or out of order in:\n%s", server, want, timeline) {
					break
				}
				at++
			}
		}
		assert.Contains(t, timeline, "relay     KILLED")
		assert.Contains(t, timeline, "relay     CLOSING normally")
		assert.Contains(t, timeline, "demo      done:")
		assert.Regexp(t, `broadcast #\d+ failed in 0s: gossip: link to relay is down`, timeline, "calls fail at once")
		assert.NotContains(t, timeline, "escalate (", "no fault beyond the tether")

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

func linesOf(timeline, server string) []string {
	var out []string
	for _, l := range strings.Split(timeline, "\n") {
		if strings.Contains(l, " "+server+" ") {
			out = append(out, l)
		}
	}
	return out
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
	} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, tc.status, run(tc.args, &stdout, &stderr), "%v", tc.args)
		assert.Contains(t, stderr.String(), tc.stderr, "%v", tc.args)
	}
}
