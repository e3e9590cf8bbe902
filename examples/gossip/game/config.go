package game

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/actorgen/actorgen/examples/gossip/relay"
	"github.com/actorgen/actorgen/runtime"
)

// Config configures a game server. Name, URL, Key and Inbox are required;
// zero durations take the defaults below.
type Config struct {
	// Name is the server's name on the relay (see relay.ValidName).
	Name string
	// URL is the relay's websocket URL, such as "wss://relay.example:4000/"
	// or, on one machine, "ws://127.0.0.1:4000/".
	URL string
	// Key is this server's own key, which the relay knows by Name (at least
	// relay.MinKeyLen bytes). It never crosses the wire: the server proves
	// that it holds it (see relay.Proof).
	Key []byte
	// Inbox builds game code's Inbox. It is called at start and again if the
	// inbox actor is reset.
	Inbox func(*runtime.Context) Inbox

	// HTTPClient dials the relay. Default http.DefaultClient. For a wss://
	// relay whose certificate the system does not trust, give it a
	// Transport whose TLSClientConfig has the relay's CA in RootCAs.
	HTTPClient *http.Client
	// DialTimeout bounds a connection attempt: dial, hello and welcome.
	// Default 2s.
	DialTimeout time.Duration
	// WriteTimeout bounds writing one frame to the relay. Default 5s.
	WriteTimeout time.Duration
	// TetherMax and TetherPeriod are the tether's intensity: more than
	// TetherMax link faults within TetherPeriod cut the tether. Default 3 in
	// 10s.
	TetherMax    int
	TetherPeriod time.Duration
	// Keeper is when the keeper tries to start the link. Default: first try
	// after 200ms, then every 500ms doubling up to 4s, jitter 0.1. After the
	// relay refuses the hello, the keeper waits at least MaxSweep before it
	// tries again (runtime.RetryAfter): one dial per MaxSweep.
	Keeper runtime.KeeperSchedule
	// LinkOptions are passed to SpawnLink after the Link directives' defaults
	// (a reset with backoff 100ms..1s), so they override them.
	LinkOptions []runtime.Option
	// OnEvent, if set, is called when the link comes up (from then on,
	// Chat's calls reach it), when its connection ends and when the relay
	// refuses the hello. It runs on the goroutines of the server's actors
	// (the root, the link and its reader, the keeper): keep it fast.
	OnEvent func(Event)
}

// EventKind says what an Event reports.
type EventKind uint8

const (
	// LinkUp: the relay welcomed the server; Event.Names is who is online.
	LinkUp EventKind = iota + 1
	// LinkDown: the connection ended; Event.Err says how.
	LinkDown
	// LinkRefused: the relay refused the hello; Event.Err says why (it
	// matches ErrRefused, and ErrNameTaken for a duplicate name). The server
	// does not dial again for Config.Keeper.MaxSweep.
	LinkRefused
)

func (k EventKind) String() string {
	switch k {
	case LinkUp:
		return "link up"
	case LinkDown:
		return "link down"
	case LinkRefused:
		return "link refused"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is something that happened to a server's link.
type Event struct {
	Server string
	Kind   EventKind
	Names  []string // for LinkUp
	Err    error    // for LinkDown and LinkRefused
}

func (c Config) withDefaults() (Config, error) {
	var errs []error
	if err := relay.ValidName("Config.Name", c.Name); err != nil {
		errs = append(errs, err)
	}
	if u, err := url.Parse(c.URL); err != nil {
		errs = append(errs, fmt.Errorf("bad Config.URL: %w", err))
	} else if u.Scheme != "ws" && u.Scheme != "wss" || u.Host == "" {
		errs = append(errs, fmt.Errorf("bad Config.URL %q: want ws://host:port/ or wss://", c.URL))
	}
	if len(c.Key) < relay.MinKeyLen {
		errs = append(errs, fmt.Errorf("bad Config.Key: %d bytes, want at least %d", len(c.Key), relay.MinKeyLen))
	}
	if c.Inbox == nil {
		errs = append(errs, errors.New("bad Config.Inbox: nil"))
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{{"DialTimeout", c.DialTimeout}, {"WriteTimeout", c.WriteTimeout}, {"TetherPeriod", c.TetherPeriod}} {
		if d.d < 0 {
			errs = append(errs, fmt.Errorf("bad Config.%s: %v is negative", d.name, d.d))
		}
	}
	if c.TetherMax < 0 {
		errs = append(errs, fmt.Errorf("bad Config.TetherMax: %d is negative", c.TetherMax))
	}
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("gossip: bad config: %w", err)
	}
	if c.HTTPClient == nil {
		c.HTTPClient = http.DefaultClient
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = 2 * time.Second
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = 5 * time.Second
	}
	if c.TetherMax == 0 {
		c.TetherMax = 3
	}
	if c.TetherPeriod == 0 {
		c.TetherPeriod = 10 * time.Second
	}
	if c.Keeper == (runtime.KeeperSchedule{}) {
		c.Keeper = runtime.KeeperSchedule{First: 200 * time.Millisecond, Sweep: 500 * time.Millisecond, MaxSweep: 4 * time.Second, Jitter: 0.1}
	}
	return c, nil
}

func (c *Config) emit(e Event) {
	if c.OnEvent != nil {
		e.Server = c.Name
		c.OnEvent(e)
	}
}
