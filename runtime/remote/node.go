package remote

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/actorgen/actorgen/runtime"
)

// Config configures a Node.
type Config struct {
	// Name is the node's name, unique in its cluster: letters, digits, '_' and '-'.
	Name string
	// Cluster names the cluster (default "local"); Prefix begins every subject (default "ag").
	Cluster, Prefix string
	// Transport carries the messages (required).
	Transport Transport
	// Heartbeat is how often the node says it is alive (default DefaultHeartbeat); a peer is
	// declared down when none of its heartbeats came for DownAfter (default 3 heartbeats).
	Heartbeat, DownAfter time.Duration
	// Logger gets what goes wrong on the serving side (default slog.Default()).
	Logger *slog.Logger
	// Propagator, if not nil, carries a caller's trace context to the serving node in the
	// headers of asks and tells (agotel.Propagator: only when the trace is sampled).
	Propagator Propagator
}

// DefaultHeartbeat is how often a node publishes its heartbeat unless Config says otherwise.
const DefaultHeartbeat = time.Second

// Node is one process's (or one system's) place in a cluster: it serves the actors exported on
// it and dials actors on other nodes. Make one with NewNode (or the NATS module's Start), and
// Close it when done.
type Node struct {
	name        string
	t           Transport
	heartbeat   time.Duration
	downAfter   time.Duration
	log         *slog.Logger
	prop        Propagator
	incarnation uint64

	base  string // prefix.cluster.
	self  string // prefix.cluster.name.
	unsub []func()

	mu       sync.Mutex
	closed   bool
	exports  map[string]*export // by path tokens, and + childrenKey for exported children
	bindings map[string]bound   // by interface (path.Name), for the refs inside messages
	peers    map[string]*peer
	watching map[string]bool // by path tokens: the exported actors whose stop is published

	rmu       sync.RWMutex
	resolvers map[string]*resolver // by sender: see resolverFor

	stop     chan struct{}
	asks     context.Context // the parent of the asks being served: cancelled by Close
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	bufs     sync.Pool // *[]byte request and reply buffers
	decoders sync.Pool // *wire.Decoder
	served   sync.Pool // *served
	servers  servers
	tells    tellWindow // packs tells told in quick succession
}

// export is an exported actor, or an actor whose children are exported.
type export struct {
	ref       runtime.Ref
	b         bound
	children  bool
	allowStop bool
}

// NewNode starts a node on cfg.Transport: it subscribes to its subjects and to the cluster's
// heartbeats, and starts its own.
func NewNode(cfg Config) (*Node, error) {
	if cfg.Transport == nil {
		return nil, errors.New("remote: Config.Transport is nil")
	}
	if cfg.Cluster == "" {
		cfg.Cluster = "local"
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "ag"
	}
	for _, c := range []struct{ what, v string }{{"node", cfg.Name}, {"cluster", cfg.Cluster}, {"prefix", cfg.Prefix}} {
		if err := validNode(c.what, c.v); err != nil {
			return nil, err
		}
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = DefaultHeartbeat
	}
	if cfg.DownAfter <= 0 {
		cfg.DownAfter = 3 * cfg.Heartbeat
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	var inc [8]byte
	_, _ = rand.Read(inc[:])
	n := &Node{
		name: cfg.Name, t: cfg.Transport, heartbeat: cfg.Heartbeat, downAfter: cfg.DownAfter,
		log: cfg.Logger.With("node", cfg.Name), prop: cfg.Propagator, incarnation: binary.LittleEndian.Uint64(inc[:]) | 1,
		base: cfg.Prefix + "." + cfg.Cluster + ".", exports: map[string]*export{},
		bindings: map[string]bound{}, peers: map[string]*peer{}, watching: map[string]bool{},
		stop: make(chan struct{}), resolvers: map[string]*resolver{},
	}
	n.asks, n.cancel = context.WithCancel(context.Background())
	n.self = n.base + n.name + "."
	u, err := n.t.Subscribe(n.self+">", n.handle)
	if err != nil {
		return nil, fmt.Errorf("remote: node %s: subscribe: %w", n.name, err)
	}
	n.unsub = append(n.unsub, u)
	u, err = n.t.Subscribe(n.base+"hb.*", n.heard)
	if err != nil {
		n.unsub[0]()
		return nil, fmt.Errorf("remote: node %s: subscribe to heartbeats: %w", n.name, err)
	}
	n.unsub = append(n.unsub, u)
	n.wg.Add(1)
	go n.beat()
	return n, nil
}

// Name returns the node's name.
func (n *Node) Name() string { return n.name }

// Close stops the node: its heartbeats, its subscriptions and its watches. Calls in flight to
// other nodes fail with ErrUnconfirmed; the asks it is serving see their ctx cancelled, since
// nobody would get their answer; the exported actors are not stopped (they are the
// application's). Close is idempotent.
func (n *Node) Close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	peers := n.peers
	n.peers = map[string]*peer{}
	n.mu.Unlock()
	n.closeTells()
	close(n.stop)
	n.cancel()
	n.closeServers()
	for _, u := range n.unsub {
		u()
	}
	for _, p := range peers {
		p.down(fmt.Errorf("%w: node %s closed", ErrUnconfirmed, n.name), true)
	}
	n.wg.Wait()
	return nil
}

func (n *Node) getBuf() *[]byte {
	if b, ok := n.bufs.Get().(*[]byte); ok {
		*b = (*b)[:0]
		return b
	}
	b := make([]byte, 0, 256)
	return &b
}

func (n *Node) putBuf(b *[]byte) {
	if cap(*b) <= 64<<10 {
		n.bufs.Put(b)
	}
}

// register remembers b for the refs of its interface that arrive in messages.
func (n *Node) register(b bound) {
	n.mu.Lock()
	n.bindings[b.iface()] = b
	n.mu.Unlock()
}

// Register makes the node know the interface of b, so that refs of it that arrive in messages
// become working remote refs. Serving or dialing an interface registers it.
func Register[M any](n *Node, b Binding[M]) error {
	_, err := bindingOf(n, b)
	return err
}

// bindingOf returns the node's binding of b's interface, made and registered the first time.
func bindingOf[M any](n *Node, b Binding[M]) (*binding[M], error) {
	if n == nil {
		return nil, errors.New("remote: nil node")
	}
	if b == nil {
		return nil, errors.New("remote: nil binding")
	}
	ifc := b.Interface()
	n.mu.Lock()
	x, ok := n.bindings[ifc].(*binding[M])
	n.mu.Unlock()
	if ok {
		return x, nil
	}
	bb, err := newBinding(b)
	if err != nil {
		return nil, err
	}
	n.register(bb)
	return bb, nil
}

// ServeOption changes how an actor is exported.
type ServeOption func(*export)

// AllowStop lets callers on other nodes stop the exported actor with Ref.Stop; without it a
// remote Stop fails with ErrRefused.
func AllowStop() ServeOption { return func(e *export) { e.allowStop = true } }

// Serve exports the actor a, of the interface b describes, on n: from now on other nodes reach
// it at its path. Nothing else is reachable: only the actors exported one by one, and the
// children of those exported with ServeChildren.
func Serve[M any](n *Node, b Binding[M], a runtime.Actor[M], opts ...ServeOption) error {
	bb, err := bindingOf(n, b)
	if err != nil {
		return err
	}
	return n.serve(bb, a.Ref(), false, opts)
}

// ServeChildren exports the children of the actor parent whose messages are of type M, as
// they are spawned: a call to /parent/name reaches the child named name if it is a b actor.
// The parent itself is not exported.
func ServeChildren[M any](n *Node, b Binding[M], parent runtime.Ref, opts ...ServeOption) error {
	bb, err := bindingOf(n, b)
	if err != nil {
		return err
	}
	return n.serve(bb, parent, true, opts)
}

func (n *Node) serve(b bound, ref runtime.Ref, children bool, opts []ServeOption) error {
	if ref.IsZero() || ref.IsRemote() {
		return fmt.Errorf("remote: serve %s: only a local actor can be exported", ref.Path())
	}
	if !children && !b.accepts(ref) {
		return fmt.Errorf("remote: serve %s: not a %s actor", ref.Path(), b.name())
	}
	e := &export{ref: ref, b: b, children: children}
	for _, o := range opts {
		if o != nil {
			o(e)
		}
	}
	n.register(b)
	key, err := pathTokens(ref.Path())
	if err != nil {
		return fmt.Errorf("remote: serve %s: %w", ref.Path(), err)
	}
	if children {
		key += childrenKey
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return fmt.Errorf("remote: serve %s: node %s is closed", ref.Path(), n.name)
	}
	n.exports[key] = e
	return nil
}

// childrenKey ends the key of an export of children in Node.exports: no path token holds '*'.
const childrenKey = ".*"

// Unserve withdraws the export of the actor at path (or of its children, with children set).
func (n *Node) Unserve(path string, children bool) {
	key, err := pathTokens(path)
	if err != nil {
		return // nothing can have been exported there
	}
	if children {
		key += childrenKey
	}
	n.mu.Lock()
	delete(n.exports, key)
	n.mu.Unlock()
}

// lookup finds the exported actor at the path of a subject's tokens ("directory.alice"):
// exported itself, or a child of an actor whose children are. It allocates nothing for an
// actor exported itself or a child whose name is a plain token.
func (n *Node) lookup(tokens string) (*export, runtime.Ref, bool) {
	n.mu.Lock()
	e, ok := n.exports[tokens]
	var pe *export
	i := strings.LastIndexByte(tokens, '.')
	if !ok && i > 0 {
		pe = n.exports[tokens[:i]+childrenKey] // a key of up to 32 bytes is made on the stack
	}
	n.mu.Unlock()
	if ok {
		return e, e.ref, true
	}
	if pe == nil {
		return nil, runtime.Ref{}, false
	}
	name, ok := tokenName(tokens[i+1:])
	if !ok {
		return nil, runtime.Ref{}, false
	}
	child, ok := runtime.ChildOf(pe.ref, name)
	if !ok || !pe.b.accepts(child) {
		return nil, runtime.Ref{}, false
	}
	return pe, child, true
}

// lookupPath is lookup by an actor's path.
func (n *Node) lookupPath(path string) (*export, runtime.Ref, bool) {
	tokens, err := pathTokens(path)
	if err != nil {
		return nil, runtime.Ref{}, false
	}
	return n.lookup(tokens)
}

// subject returns the subject of kind for the actor at path on node, with tail after it
// (Type.Method for a call).
func (n *Node) subject(node, kind, mid, tokens string) string {
	var b strings.Builder
	b.Grow(len(n.base) + len(node) + len(kind) + len(mid) + len(tokens) + 4)
	b.WriteString(n.base)
	b.WriteString(node)
	b.WriteByte('.')
	b.WriteString(kind)
	b.WriteByte('.')
	if mid != "" {
		b.WriteString(mid)
		b.WriteByte('.')
	}
	b.WriteString(tokens)
	return b.String()
}
