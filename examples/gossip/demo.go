package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/actorgen/actorgen/examples/gossip/game"
	"github.com/actorgen/actorgen/examples/gossip/relay"
	"github.com/actorgen/actorgen/examples/internal/observehttp"
	"github.com/actorgen/actorgen/runtime"
)

// demoConfig is the demo's script and settings.
type demoConfig struct {
	Servers  []string
	BootDown time.Duration // the relay is down at boot for this long
	Up       time.Duration // then it runs this long in each cycle
	Down     time.Duration // and is down this long
	Cycles   int           // kill/restart cycles; the last one closes the relay normally
	Every    time.Duration // each server broadcasts this often
	Server   game.Config   // the servers' settings (Name, URL, Key, Inbox are filled in)

	// Listen opens the relay's listener, on the same address every time;
	// URL is where the servers dial it, with Server.HTTPClient.
	Listen func() (net.Listener, error)
	URL    string

	// Observe, if not empty, is where the live view of the actors is served (-observe).
	Observe string
}

// defaultDemo is the demo of `go run ./examples/gossip -demo`: about 19s, on
// addr.
func defaultDemo(addr string) demoConfig {
	return demoConfig{
		Servers:  []string{"server-a", "server-b"},
		BootDown: time.Second,
		Up:       3 * time.Second,
		Down:     2 * time.Second,
		Cycles:   3,
		Every:    700 * time.Millisecond,
		Server: game.Config{
			DialTimeout:  time.Second,
			TetherMax:    3,
			TetherPeriod: 2 * time.Second,
			Keeper:       runtime.KeeperSchedule{First: 200 * time.Millisecond, Sweep: 400 * time.Millisecond, MaxSweep: 1600 * time.Millisecond, Jitter: 0.1},
		},
		Listen: func() (net.Listener, error) { return net.Listen("tcp", addr) },
		URL:    "ws://" + addr + "/",
	}
}

// demoStats counts what happened to the servers' broadcasts.
type demoStats struct {
	Accepted    atomic.Int64 // broadcasts the relay accepted
	Refused     atomic.Int64 // broadcasts that failed because the link was down (game.ErrLinkDown)
	Unconfirmed atomic.Int64 // broadcasts sent whose answer never came (game.ErrUnconfirmed)
	Failed      atomic.Int64 // broadcasts that failed otherwise
	Delivered   atomic.Int64 // messages that reached an inbox
	WorstFast   atomic.Int64 // the longest a Refused broadcast took, in nanoseconds
}

// fast records that a broadcast failed at once with the link down after d.
func (s *demoStats) fast(d time.Duration) {
	s.Refused.Add(1)
	for {
		w := s.WorstFast.Load()
		if int64(d) <= w || s.WorstFast.CompareAndSwap(w, int64(d)) {
			return
		}
	}
}

// runDemo runs the demo, printing its timeline to w.
func runDemo(ctx context.Context, w io.Writer, dc demoConfig) (*demoStats, error) {
	tl := newTimeline(w)
	stats := &demoStats{}
	opts := []runtime.SystemOption{runtime.WithLogger(slog.New(slog.DiscardHandler)), runtime.WithEventHook(tl.runtimeEvent)}
	if dc.Observe != "" {
		opts = append(opts, runtime.WithMetrics(runtime.MetricsOptions{}))
	}
	sys := runtime.NewSystem(opts...)
	defer func() { _ = sys.Shutdown(context.Background()) }()

	tl.text(intro(dc))
	if dc.Observe != "" {
		view, err := observehttp.Start(dc.Observe, sys, slog.New(slog.DiscardHandler))
		if err != nil {
			return stats, fmt.Errorf("gossip demo: %w", err)
		}
		defer func() { _ = view.Close() }() // the demo's outcome does not depend on it
		tl.text(fmt.Sprintf("Live view of the actors: %s (open it now: the demo takes about 19 seconds)\n", view.URL))
	}
	tl.phase(phaseBoot)
	tl.printf("relay", "down; starting %d game servers anyway", len(dc.Servers))
	keys := make(map[string][]byte, len(dc.Servers))
	chats := make([]game.ChatRef, len(dc.Servers))
	for i, name := range dc.Servers {
		key, err := relay.ParseKey("the demo key of "+name, relay.NewKey())
		if err != nil {
			return stats, err
		}
		keys[name] = key
		cfg := dc.Server
		cfg.Name, cfg.URL, cfg.Key = name, dc.URL, key
		cfg.OnEvent = tl.gameEvent
		cfg.Inbox = func(*runtime.Context) game.Inbox { return &printInbox{tl: tl, server: name, stats: stats} }
		c, err := game.Start(sys, cfg)
		if err != nil {
			return stats, err
		}
		chats[i] = c
	}

	chatCtx, stopChat := context.WithCancel(ctx)
	var chatting sync.WaitGroup
	for i, c := range chats {
		chatting.Go(func() { chatter(chatCtx, tl, stats, dc.Servers[i], c, dc.Every) })
	}
	defer chatting.Wait()
	defer stopChat()

	var rs *relay.Server
	defer func() {
		if rs != nil {
			rs.Kill()
		}
	}()
	wait := func(d time.Duration) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("gossip demo: %w", ctx.Err())
		}
	}
	up := func() error {
		ln, err := dc.Listen()
		if err != nil {
			return fmt.Errorf("gossip demo: relay listen: %w", err)
		}
		if rs, err = relay.Serve(ln, relay.Config{Keys: keys, Logger: slog.New(slog.DiscardHandler)}); err != nil {
			return err
		}
		tl.printf("relay", "UP on %s", rs.Addr())
		return nil
	}

	if err := wait(dc.BootDown); err != nil {
		return stats, err
	}
	tl.phase(phaseUp)
	if err := up(); err != nil {
		return stats, err
	}
	for i := range dc.Cycles {
		if err := wait(dc.Up); err != nil {
			return stats, err
		}
		if i == dc.Cycles-1 {
			tl.phase(phaseClosed)
			tl.printf("relay", "CLOSING normally: every connection gets status 1000")
			rs.Close()
		} else {
			tl.phase(phaseKilled)
			tl.printf("relay", "KILLED: connections dropped without a close frame")
			rs.Kill()
		}
		rs = nil
		if err := wait(dc.Down); err != nil {
			return stats, err
		}
		tl.phase(phaseBack)
		if err := up(); err != nil {
			return stats, err
		}
	}
	if err := wait(dc.Up); err != nil {
		return stats, err
	}
	stopChat()
	chatting.Wait()
	for i, c := range chats {
		octx, cancel := context.WithTimeout(ctx, time.Second)
		names, err := c.Online(octx)
		cancel()
		if err != nil {
			tl.printf(dc.Servers[i], "online: %v", err)
			continue
		}
		tl.printf(dc.Servers[i], "online: %v", names)
	}
	if err := sys.Shutdown(ctx); err != nil {
		return stats, fmt.Errorf("gossip demo: shutdown: %w", err)
	}
	rs.Close()
	rs = nil
	tl.mu.Lock()
	faults, cuts, retries, beyond := tl.faults, tl.cuts, tl.retries, tl.beyond
	tl.mu.Unlock()
	tl.text(fmt.Sprintf("\n== Summary (+%.1fs)\n"+
		"  link faults %d, tether cuts %d, keeper retries %d, faults beyond a tether %d\n"+
		"  broadcasts: %d accepted by the relay, %d delivered to the other server, %d failed fast with the link down (worst %v), %d unconfirmed, %d failed otherwise\n",
		time.Since(tl.start).Seconds(), faults, cuts, retries, beyond,
		stats.Accepted.Load(), stats.Delivered.Load(), stats.Refused.Load(), time.Duration(stats.WorstFast.Load()).Round(time.Microsecond),
		stats.Unconfirmed.Load(), stats.Failed.Load()))
	return stats, tl.Err()
}

// chatter broadcasts a numbered line every interval until ctx ends, and
// prints the calls that fail.
func chatter(ctx context.Context, tl *timeline, stats *demoStats, name string, c game.ChatRef, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		start := time.Now()
		err := c.Broadcast(cctx, "gossip", fmt.Sprintf("hello #%d from %s", n, name))
		took := time.Since(start)
		cancel()
		switch {
		case err == nil:
			stats.Accepted.Add(1)
		case errors.Is(err, game.ErrUnconfirmed):
			stats.Unconfirmed.Add(1)
			tl.add(entry{who: name, key: "unconfirmed", one: fmt.Sprintf("broadcast #%d unconfirmed after %v: %v", n, took.Round(time.Millisecond), brief(err)),
				many: "broadcasts unconfirmed (sent, the relay's ok lost)", detail: fmt.Sprintf("#%d", n)})
		case errors.Is(err, game.ErrLinkDown):
			stats.fast(took)
			tl.add(entry{who: name, key: "fast", one: fmt.Sprintf("broadcast #%d failed fast, in %v: %v", n, took.Round(time.Microsecond), brief(err)),
				many: "broadcasts failed fast with the link down", detail: fmt.Sprintf("#%d in %v", n, took.Round(time.Microsecond))})
		case ctx.Err() != nil:
			return
		default:
			stats.Failed.Add(1)
			tl.printf(name, "broadcast #%d failed after %v: %v", n, took.Round(time.Millisecond), brief(err))
		}
	}
}

// printInbox is the demo's game code for incoming messages: it prints them.
type printInbox struct {
	tl     *timeline
	server string
	stats  *demoStats
}

func (p *printInbox) Message(_ context.Context, m game.Message) {
	p.stats.Delivered.Add(1)
	num := m.Text
	if f := strings.Fields(m.Text); len(f) > 1 {
		num = f[1]
	}
	p.tl.add(entry{who: p.server, key: "msg " + m.From, one: fmt.Sprintf("<- %s on #%s: %q", m.From, m.Channel, m.Text),
		many: "<- messages from " + m.From, detail: num})
}

func (p *printInbox) Presence(_ context.Context, server string, online bool) {
	if online {
		p.tl.add(entry{who: p.server, key: "joined " + server, one: server + " joined the relay"})
	} else {
		p.tl.add(entry{who: p.server, key: "left " + server, one: server + " left the relay"})
	}
}

// intro is what the demo prints first: the script, the supervision tree and
// a legend.
func intro(dc demoConfig) string {
	var b strings.Builder
	total := dc.BootDown + time.Duration(dc.Cycles)*(dc.Up+dc.Down) + dc.Up
	fmt.Fprintf(&b, "gossip demo: a relay and %d game servers (%s) in one process, about %v.\n", len(dc.Servers), strings.Join(dc.Servers, ", "), total.Round(time.Second))
	fmt.Fprintf(&b, "The relay is down for %v at boot, then up %v and down %v, %d times: killed, killed, closed normally.\n", dc.BootDown, dc.Up, dc.Down, dc.Cycles)
	fmt.Fprintf(&b, "Each server broadcasts every %v. Each phase below lists its events by server, repeats folded (×N).\n\n", dc.Every)
	b.WriteString("Supervision tree of each game server (here for " + dc.Servers[0] + "):\n")
	n := dc.Servers[0]
	for _, l := range [][2]string{
		{"/" + n, "Chat: what game code calls; fails a call at once while the link is down"},
		{"├── inbox", "Inbox: game code's handler for the others' messages (outside the tether)"},
		{"├── tether", fmt.Sprintf("a tether: cut after more than %d link faults in %v; empty at boot", dc.Server.TetherMax, dc.Server.TetherPeriod)},
		{"│   └── link", "Link: the websocket to the relay; policy reset with backoff 100ms..1s"},
		{"└── keeper", fmt.Sprintf("a keeper: starts the link in the tether (first %v, then %v doubling to %v)", dc.Server.Keeper.First, dc.Server.Keeper.Sweep, dc.Server.Keeper.MaxSweep)},
	} {
		fmt.Fprintf(&b, "  %-16s %s\n", l[0], l[1])
	}
	b.WriteString(`
Legend:
  fault     the link panicked: its connection broke, or a redial failed; its policy resets it
            after a backoff, and a reset redials
  escalate  the link's faults went over the tether's intensity: the link hands the fault up
  tether    a supervisor that starts empty; cut, it stops the link and stays up, empty, and the
            fault goes no higher: Chat, the inbox and the keeper never see it
  keeper    starts the link inside the tether on its own schedule until it stays up; a failed
            start is no fault
`)
	return b.String()
}

// relayAddr checks that the relay can listen on addr and returns it, with
// the port chosen if addr's is 0.
func relayAddr(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("gossip demo: relay address: %w", err)
	}
	a := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", fmt.Errorf("gossip demo: relay address: %w", err)
	}
	return a, nil
}
