// Package agnats runs actorgen's remote actors on NATS: Start makes a node, a runtime subtree
// whose connection to the NATS server lives in a tether and is dialed, and redialed with
// backoff, by a keeper, so that a server that is down at boot or goes away is contained and
// retried and never takes the application down. The node is a *remote.Node: generated ServeX
// and DialX take it. Its import path is github.com/actorgen/actorgen/nats; the package is
// called agnats so that it sits next to nats.go's nats. See docs/remote.md.
package agnats

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/actorgen/actorgen/runtime"
	"github.com/actorgen/actorgen/runtime/remote"
)

// Config configures a node.
type Config struct {
	// Name is the node's name in its cluster (letters, digits, '_', '-'); Cluster and Prefix
	// are the first tokens of its subjects (default "local" and "ag"): see docs/remote.md.
	Name, Cluster, Prefix string
	// URL is the NATS server, or a comma-separated list (default nats.DefaultURL).
	URL string
	// Options go to nats.Connect after the node's own, so security passes through:
	// nats.UserInfo, nats.Token, nats.Nkey or nats.UserCredentials, nats.Secure or
	// nats.ClientCert and nats.RootCAs... Options that change reconnection are overridden
	// where the node depends on them (the reconnect buffer stays off).
	Options []nats.Option
	// Heartbeat and DownAfter: see remote.Config (1 s and 3 s by default).
	Heartbeat, DownAfter time.Duration
	// LinkGrace is how long nats.go may try to reconnect a dropped connection before the
	// connection actor gives up, faults, and the keeper dials afresh (default 2 s). Calls fail
	// with remote.ErrLinkDown from the moment the connection drops.
	LinkGrace time.Duration
	// DialTimeout bounds one dial (default 2 s).
	DialTimeout time.Duration
	// Keeper is the redial schedule (default: first at once, then 100 ms doubling to 30 s,
	// jitter 0.2). TetherMax faults within TetherPeriod cut the tether (default 3 in 10 s).
	Keeper       runtime.KeeperSchedule
	TetherMax    int
	TetherPeriod time.Duration
	// Logger is the node's logger (default slog.Default()).
	Logger *slog.Logger
	// Propagator carries a caller's trace context in NATS headers: see remote.Config
	// (agotel.Propagator sends it only when the trace is sampled).
	Propagator remote.Propagator
}

func (c Config) withDefaults() Config {
	if c.URL == "" {
		c.URL = nats.DefaultURL
	}
	if c.LinkGrace <= 0 {
		c.LinkGrace = 2 * time.Second
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = 2 * time.Second
	}
	if c.Keeper == (runtime.KeeperSchedule{}) {
		c.Keeper = runtime.KeeperSchedule{Sweep: 100 * time.Millisecond, MaxSweep: 30 * time.Second, Jitter: 0.2}
	}
	if c.TetherMax <= 0 {
		c.TetherMax = 3
	}
	if c.TetherPeriod <= 0 {
		c.TetherPeriod = 10 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Node is a node on NATS: a *remote.Node (serve and dial with it) and the actor that owns it.
type Node struct {
	*remote.Node
	ref  runtime.Ref
	link *link
}

// Ref returns the node's actor, the root of its subtree: stop it to stop the node.
func (n *Node) Ref() runtime.Ref { return n.ref }

// Up reports whether the link to the NATS server is up.
func (n *Node) Up() bool {
	_, err := n.link.current()
	return err == nil
}

// The node's subtree, under parent:
//
//	/name              the node: owns the remote.Node, closes it when it stops
//	/name/tether       a runtime.Tether
//	/name/tether/conn  the connection actor: owns the *nats.Conn while it is up
//	/name/keeper       dials, and redials on its schedule when the connection goes
type nodeState struct {
	cfg  Config
	rn   *remote.Node
	link *link
}

// Start starts a node named cfg.Name under parent. It does not wait for the NATS server: the
// keeper dials it at once and again on its schedule, and calls fail with remote.ErrLinkDown
// until the link is up.
func Start(parent runtime.Parent, cfg Config) (*Node, error) {
	cfg = cfg.withDefaults()
	l := newLink()
	rn, err := remote.NewNode(remote.Config{Name: cfg.Name, Cluster: cfg.Cluster, Prefix: cfg.Prefix, Transport: l,
		Heartbeat: cfg.Heartbeat, DownAfter: cfg.DownAfter, Logger: cfg.Logger, Propagator: cfg.Propagator})
	if err != nil {
		return nil, err
	}
	st := &nodeState{cfg: cfg, rn: rn, link: l}
	a, err := runtime.Spawn(parent, cfg.Name, func(*runtime.Context) *nodeState { return st }, handleNode)
	if err != nil {
		_ = rn.Close()
		l.close()
		return nil, fmt.Errorf("agnats: start node %s: %w", cfg.Name, err)
	}
	return &Node{Node: rn, ref: a.Ref(), link: l}, nil
}

// nodeMsg is the node actor's message: it has none of its own.
type nodeMsg struct{}

func handleNode(context.Context, *runtime.Context, *nodeState, nodeMsg) {}

// OnStart spawns the tether and the keeper. A failure is a fault at start.
func (s *nodeState) OnStart(ac *runtime.Context) {
	t, err := runtime.SpawnTether(ac, "tether", s.cfg.TetherMax, s.cfg.TetherPeriod)
	if err != nil {
		panic(fmt.Errorf("agnats: %s: spawn tether: %w", s.cfg.Name, err))
	}
	if _, err := runtime.SpawnKeeper(ac, "keeper", t, s.dial, s.cfg.Keeper); err != nil {
		panic(fmt.Errorf("agnats: %s: spawn keeper: %w", s.cfg.Name, err))
	}
}

// OnStop closes the remote node and the link, after the children (the connection) stopped.
func (s *nodeState) OnStop(*runtime.Context) {
	s.link.close()
	_ = s.rn.Close()
}

// connEvent is what nats.go's callbacks tell the connection actor.
type connEvent struct {
	kind    byte // 'd' disconnected, 'r' reconnected, 'c' closed, 'g' the grace period ended
	err     error
	version uint64 // for 'g': the disconnection it was for
}

type connState struct {
	cfg     Config
	link    *link
	nc      *nats.Conn
	version uint64
	lost    uint64 // counts disconnections; a grace check is for one
	self    runtime.Actor[connEvent]
	timer   *time.Timer
}

// dial is the keeper's start function: connect, then spawn the connection actor in the tether.
// A failed dial costs the tether nothing.
func (s *nodeState) dial(ctx context.Context, t *runtime.Tether) (runtime.Ref, error) {
	events := make(chan connEvent, 16)
	send := func(e connEvent) {
		select {
		case events <- e:
		default:
		}
	}
	opts := []nats.Option{
		nats.Name("actorgen " + s.cfg.Name),
		nats.Timeout(s.cfg.DialTimeout),
		nats.NoCallbacksAfterClientClose(),
	}
	// Writes coalesce (see wconn), unless the options bring a dialer of their own.
	var given nats.Options
	for _, o := range s.cfg.Options {
		_ = o(&given)
	}
	if given.CustomDialer == nil {
		d := given.Dialer
		if d == nil {
			d = &net.Dialer{Timeout: s.cfg.DialTimeout}
		}
		opts = append(opts, nats.SetCustomDialer(dialer{d}))
	}
	opts = append(opts, s.cfg.Options...)
	opts = append(opts,
		nats.ReconnectBufSize(-1), // never buffer: a call fails at once while the link is down
		nats.RetryOnFailedConnect(false),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(100*time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { send(connEvent{kind: 'd', err: err}) }),
		nats.ReconnectHandler(func(*nats.Conn) { send(connEvent{kind: 'r'}) }),
		nats.ClosedHandler(func(*nats.Conn) { send(connEvent{kind: 'c'}) }),
	)
	nc, err := nats.Connect(s.cfg.URL, opts...)
	if err != nil {
		return runtime.Ref{}, fmt.Errorf("agnats: %s: dial %s: %w", s.cfg.Name, s.cfg.URL, err)
	}
	cs := &connState{cfg: s.cfg, link: s.link, nc: nc}
	a, err := runtime.Spawn(t, "conn", func(ac *runtime.Context) *connState { return cs }, handleConn)
	if err != nil {
		nc.Close()
		return runtime.Ref{}, err
	}
	// Forward nats.go's callbacks to the actor until it stops.
	go func() {
		for {
			select {
			case e := <-events:
				if a.Tell(context.Background(), e) != nil {
					return
				}
			case <-a.Ref().Done():
				return
			}
		}
	}()
	return a.Ref(), nil
}

// OnStart puts the connection on the link.
func (c *connState) OnStart(ac *runtime.Context) {
	c.self, _ = runtime.Self[connEvent](ac)
	v, err := c.link.up(c.nc)
	if err != nil {
		c.nc.Close()
		panic(err)
	}
	c.version = v
	ac.Logger().Info("agnats: link up", "url", c.nc.ConnectedUrlRedacted())
}

// OnStop takes the connection off the link and closes it.
func (c *connState) OnStop(ac *runtime.Context) {
	if c.timer != nil {
		c.timer.Stop()
	}
	c.link.down(c.version, errors.New("the connection actor stopped"))
	c.nc.Close()
}

// handleConn handles nats.go's events: a drop takes the link down at once and starts the
// grace period; a reconnection within it brings the link back; a close, or a grace period
// that ends without one, is a fault, and the keeper redials.
func handleConn(ctx context.Context, ac *runtime.Context, c *connState, e connEvent) {
	switch e.kind {
	case 'd':
		c.lost++
		why := fmt.Errorf("disconnected from %s", c.cfg.URL)
		if e.err != nil {
			why = fmt.Errorf("disconnected: %w", e.err)
		}
		c.link.down(c.version, why)
		lost, self := c.lost, c.self
		if c.timer != nil {
			c.timer.Stop()
		}
		c.timer = time.AfterFunc(c.cfg.LinkGrace, func() { _ = self.Tell(context.Background(), connEvent{kind: 'g', version: lost}) })
	case 'r':
		c.lost++ // a pending grace check is void
		c.link.resume(c.version, c.nc)
	case 'g':
		if e.version == c.lost && !c.nc.IsConnected() {
			panic(fmt.Errorf("agnats: the link was down for longer than %v", c.cfg.LinkGrace))
		}
	case 'c':
		panic(errors.New("agnats: the connection closed"))
	}
}
