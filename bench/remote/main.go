// Command remote measures actorgen's remote actors on NATS against raw nats.go on the same
// in-process nats-server (127.0.0.1, TCP loopback), in one run: ask latency p50 and p99 with one
// caller, ask throughput with 1 and 64 callers against request-reply with the same 64-byte
// payload, tells per second against publish, the time to answer each failure, and the codec's
// encode+decode of a message of four strings. Each figure is the median over interleaved rounds.
//
// Usage:
//
//	cd bench && go run ./remote [-rounds 5] [-asks 20000] [-tells 200000]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	goruntime "runtime"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/actorgen/actorgen/bench/internal/calls"
	"github.com/actorgen/actorgen/bench/runner"
	agnats "github.com/actorgen/actorgen/nats"
	"github.com/actorgen/actorgen/runtime"
	"github.com/actorgen/actorgen/runtime/remote"
	rtest "github.com/actorgen/actorgen/runtime/remote/remotetest"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type sizes struct {
	rounds, asks, tells int
	nodeDeath           bool
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("remote", flag.ContinueOnError)
	var s sizes
	fs.IntVar(&s.rounds, "rounds", 5, "interleaved rounds; each figure is their median")
	fs.IntVar(&s.asks, "asks", 20000, "asks per latency and throughput measurement")
	fs.IntVar(&s.tells, "tells", 200000, "tells per throughput measurement")
	fs.BoolVar(&s.nodeDeath, "node-death", true, "measure a node's death with asks in flight (takes DownAfter, 3 s, per round)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if s.rounds < 1 || s.asks < 64 || s.tells < 1 {
		return errors.New("remote: -rounds ≥ 1, -asks ≥ 64, -tells ≥ 1")
	}
	e, err := newEnv()
	if err != nil {
		return err
	}
	defer e.close()
	return e.report(ctx, s, out)
}

// env is the server, the raw nats.go responder and the two actorgen nodes.
type env struct {
	ns        *server.Server
	rawSrv    *nats.Conn
	rawCli    *nats.Conn
	sys, csys *runtime.System
	srv, cli  *agnats.Node
	c         rtest.CounterRef
	r         rtest.CounterRef
}

const payload = 64

func newEnv() (*env, error) {
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		return nil, err
	}
	go ns.Start()
	if !ns.ReadyForConnections(5 * time.Second) {
		return nil, errors.New("nats-server not ready")
	}
	e := &env{ns: ns}
	if e.rawSrv, err = nats.Connect(ns.ClientURL()); err != nil {
		e.close()
		return nil, err
	}
	if e.rawCli, err = nats.Connect(ns.ClientURL()); err != nil {
		e.close()
		return nil, err
	}
	reply := make([]byte, 8)
	if _, err := e.rawSrv.Subscribe("raw.ask", func(m *nats.Msg) { _ = m.Respond(reply) }); err != nil {
		e.close()
		return nil, err
	}
	_ = e.rawSrv.Flush()
	quiet := slog.New(slog.DiscardHandler)
	e.sys = runtime.NewSystem(runtime.WithLogger(quiet))
	e.csys = runtime.NewSystem(runtime.WithLogger(quiet))
	if e.srv, err = agnats.Start(e.sys, agnats.Config{Name: "srv", URL: ns.ClientURL(), Logger: quiet}); err != nil {
		e.close()
		return nil, err
	}
	if e.cli, err = agnats.Start(e.csys, agnats.Config{Name: "cli", URL: ns.ClientURL(), Logger: quiet}); err != nil {
		e.close()
		return nil, err
	}
	for range 500 {
		if e.srv.Up() && e.cli.Up() {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if e.c, err = rtest.SpawnCounter(e.sys, "c", rtest.New); err != nil {
		e.close()
		return nil, err
	}
	if err := rtest.ServeCounter(e.srv.Node, e.c); err != nil {
		e.close()
		return nil, err
	}
	if e.r, err = rtest.DialCounter(e.cli.Node, "srv", "/c"); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

func (e *env) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if e.csys != nil {
		_ = e.csys.Shutdown(ctx)
	}
	if e.sys != nil {
		_ = e.sys.Shutdown(ctx)
	}
	if e.rawCli != nil {
		e.rawCli.Close()
	}
	if e.rawSrv != nil {
		e.rawSrv.Close()
	}
	e.ns.Shutdown()
	e.ns.WaitForShutdown()
}

type figures map[string][]float64

func (f figures) add(k string, v float64) { f[k] = append(f[k], v) }

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func (e *env) report(ctx context.Context, s sizes, out io.Writer) error {
	body := make([]byte, payload)
	rawAsk := func() error { _, err := e.rawCli.Request("raw.ask", body, 5*time.Second); return err }
	agAsk := func() error { _, err := e.r.Size(ctx, body); return err }
	f := figures{}
	for range s.rounds {
		for _, c := range []struct {
			name string
			call func() error
		}{{"raw", rawAsk}, {"actorgen", agAsk}} {
			ds, err := calls.Latencies(s.asks, c.call)
			if err != nil {
				return fmt.Errorf("%s latency: %w", c.name, err)
			}
			f.add(c.name+" p50", float64(ds[len(ds)/2].Nanoseconds()))
			f.add(c.name+" p99", float64(ds[len(ds)*99/100].Nanoseconds()))
			for _, callers := range []int{1, 64} {
				tp, err := calls.Throughput(s.asks, callers, c.call)
				if err != nil {
					return fmt.Errorf("%s throughput: %w", c.name, err)
				}
				f.add(fmt.Sprintf("%s tp%d", c.name, callers), tp)
			}
		}
		rt, err := e.rawTellRate(s.tells, body)
		if err != nil {
			return err
		}
		f.add("raw tells", rt)
		at, err := e.tellRate(ctx, s.tells, body)
		if err != nil {
			return err
		}
		f.add("actorgen tells", at)
		if err := e.failures(ctx, f, s.nodeDeath); err != nil {
			return err
		}
	}
	res := testing.Benchmark(func(b *testing.B) {
		m := rtest.CounterCardMsg{Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+44 20 7946 0000", Note: "first programmer"}
		buf := make([]byte, 0, 128)
		var got rtest.CounterCardMsg
		b.ReportAllocs()
		for b.Loop() {
			buf, _ = m.AppendBinary(buf[:0])
			_ = got.UnmarshalBinary(buf)
		}
	})
	cardBytes, _ := rtest.CounterCardMsg{Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+44 20 7946 0000", Note: "first programmer"}.MarshalBinary()

	us := func(k string) string { return fmt.Sprintf("%.1f µs", median(f[k])/1e3) }
	ks := func(k string) string { return fmt.Sprintf("%.1f k/s", median(f[k])/1e3) }
	ratio := func(a, b string) string { return fmt.Sprintf("×%.2f", median(f[a])/median(f[b])) }
	fmt.Fprintf(out, "Medians of %d interleaved rounds. Machine: %s, %d CPUs (GOMAXPROCS %d), %s/%s, %s. nats-server in process, TCP loopback, %d-byte payload.\n\n",
		s.rounds, runner.CPUModel(), goruntime.NumCPU(), goruntime.GOMAXPROCS(0), goruntime.GOOS, goruntime.GOARCH, goruntime.Version(), payload)
	fmt.Fprintln(out, "| figure | raw nats.go | actorgen remote | actorgen ÷ raw |")
	fmt.Fprintln(out, "| --- | ---: | ---: | ---: |")
	fmt.Fprintf(out, "| ask latency p50 (1 caller) | %s | %s | %s |\n", us("raw p50"), us("actorgen p50"), ratio("actorgen p50", "raw p50"))
	fmt.Fprintf(out, "| ask latency p99 (1 caller) | %s | %s | %s |\n", us("raw p99"), us("actorgen p99"), ratio("actorgen p99", "raw p99"))
	fmt.Fprintf(out, "| asks per second, 1 caller | %s | %s | %s |\n", ks("raw tp1"), ks("actorgen tp1"), ratio("actorgen tp1", "raw tp1"))
	fmt.Fprintf(out, "| asks per second, 64 callers | %s | %s | %s |\n", ks("raw tp64"), ks("actorgen tp64"), ratio("actorgen tp64", "raw tp64"))
	fmt.Fprintf(out, "| tells per second (publish), 1 sender | %s | %s | %s |\n", ks("raw tells"), ks("actorgen tells"), ratio("actorgen tells", "raw tells"))
	fmt.Fprintln(out)
	fmt.Fprintln(out, "Time until the remote caller has its answer (peers measured here: 2 s timeouts, see docs/remote.md):")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| situation | actorgen |")
	fmt.Fprintln(out, "| --- | ---: |")
	for _, k := range []string{"handler panics", "actor stopped", "not exported", "no node serves it", "link down"} {
		fmt.Fprintf(out, "| %s | %s |\n", k, us(k))
	}
	if s.nodeDeath {
		fmt.Fprintf(out, "| node dies, asks in flight (heartbeat 1 s, down after 3 s) | %.2f s |\n", median(f["node dies"])/1e9)
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "Codec: encode+decode of a message of four strings (%d bytes): %d ns, %d allocs.\n", len(cardBytes), res.NsPerOp(), res.AllocsPerOp())
	return nil
}

// rawTellRate publishes n messages to a subscriber that counts them and returns messages per
// second until the last arrived.
func (e *env) rawTellRate(n int, body []byte) (float64, error) {
	got := make(chan struct{})
	count := 0
	sub, err := e.rawSrv.Subscribe("raw.tell", func(*nats.Msg) {
		count++
		if count == n {
			close(got)
		}
	})
	if err != nil {
		return 0, err
	}
	defer sub.Unsubscribe()
	_ = sub.SetPendingLimits(-1, -1)
	_ = e.rawSrv.Flush()
	start := time.Now()
	for range n {
		if err := e.rawCli.Publish("raw.tell", body); err != nil {
			return 0, err
		}
	}
	select {
	case <-got:
	case <-time.After(30 * time.Second):
		return 0, fmt.Errorf("raw tells: %d of %d arrived", count, n)
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// tellRate sends n remote tells and returns tells per second until the actor counted them all.
func (e *env) tellRate(ctx context.Context, n int, body []byte) (float64, error) {
	before, err := e.r.Count(ctx)
	if err != nil {
		return 0, err
	}
	a := e.r.Actor()
	msg := rtest.CounterBumpMsg{B: body}.Message()
	start := time.Now()
	for range n {
		if err := a.Tell(ctx, msg); err != nil {
			return 0, err
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := e.r.Count(ctx)
		if err != nil {
			return 0, err
		}
		if c-before >= n {
			break
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("tells: %d of %d arrived", c-before, n)
		}
		time.Sleep(100 * time.Microsecond)
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// failures times the answer to each failure row.
func (e *env) failures(ctx context.Context, f figures, nodeDeath bool) error {
	timeIt := func(k string, want error, call func() error) error {
		start := time.Now()
		err := call()
		d := time.Since(start)
		if !errors.Is(err, want) {
			return fmt.Errorf("%s: %v, want %v", k, err, want)
		}
		f.add(k, float64(d.Nanoseconds()))
		return nil
	}
	victim, err := rtest.SpawnCounter(e.sys, "", rtest.New)
	if err != nil {
		return err
	}
	_ = rtest.ServeCounter(e.srv.Node, victim)
	v, _ := rtest.DialCounter(e.cli.Node, "srv", victim.Ref().Path())
	if err := timeIt("handler panics", runtime.ErrFault, func() error { return v.Fail(ctx, "boom") }); err != nil {
		return err
	}
	if err := timeIt("actor stopped", runtime.ErrStopped, func() error { _, err := v.Add(ctx, 1); return err }); err != nil {
		return err
	}
	hidden, _ := rtest.DialCounter(e.cli.Node, "srv", "/hidden")
	if err := timeIt("not exported", remote.ErrUnknownActor, func() error { _, err := hidden.Add(ctx, 1); return err }); err != nil {
		return err
	}
	ghost, _ := rtest.DialCounter(e.cli.Node, "ghost", "/c")
	if err := timeIt("no node serves it", remote.ErrUnreachable, func() error { _, err := ghost.Add(ctx, 1); return err }); err != nil {
		return err
	}
	// The link down: a third node whose server is gone.
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		return err
	}
	go ns.Start()
	if !ns.ReadyForConnections(5 * time.Second) {
		return errors.New("second nats-server not ready")
	}
	sys := runtime.NewSystem(runtime.WithLogger(slog.New(slog.DiscardHandler)))
	defer sys.Shutdown(ctx)
	lone, err := agnats.Start(sys, agnats.Config{Name: "lone", URL: ns.ClientURL(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	for range 500 {
		if lone.Up() {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	ns.Shutdown()
	ns.WaitForShutdown()
	for range 500 {
		if !lone.Up() {
			break
		}
		time.Sleep(time.Millisecond)
	}
	lr, _ := rtest.DialCounter(lone.Node, "srv", "/c")
	if err := timeIt("link down", remote.ErrLinkDown, func() error { _, err := lr.Add(ctx, 1); return err }); err != nil {
		return err
	}
	if !nodeDeath {
		return nil
	}
	// A node dies with an ask in flight: a third node serves an actor, then stops.
	dsys := runtime.NewSystem(runtime.WithLogger(slog.New(slog.DiscardHandler)))
	defer dsys.Shutdown(ctx)
	dn, err := agnats.Start(dsys, agnats.Config{Name: "doomed", URL: e.ns.ClientURL(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	for range 500 {
		if dn.Up() {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	dc, _ := rtest.SpawnCounter(dsys, "d", rtest.New)
	_ = rtest.ServeCounter(dn.Node, dc)
	dr, _ := rtest.DialCounter(e.cli.Node, "doomed", "/d")
	if _, err := dr.Add(ctx, 1); err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- dr.Sleep(ctx, time.Minute) }()
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	_ = dn.Ref().Stop(ctx)
	err = <-errc
	d := time.Since(start)
	if !errors.Is(err, remote.ErrNodeDown) {
		return fmt.Errorf("node dies: %v", err)
	}
	f.add("node dies", float64(d.Nanoseconds()))
	return nil
}
