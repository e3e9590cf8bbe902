package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	agnats "github.com/actorgen/actorgen/nats"

	"github.com/actorgen/actorgen/examples/contacts/service"
)

// open starts the service as -role says: in one process (the default), as the books node
// (the directory, the books and the database, served over NATS), or as the front (the HTTP
// API, calling the books node over NATS). A front without -nats starts an embedded NATS server
// on -nats-listen and prints its URL for the books node. stop stops that server.
func open(ctx context.Context, o options, cfg service.Config, stdout io.Writer, log *slog.Logger) (svc *service.Service, stop func(), err error) {
	stop = func() {}
	switch o.role {
	case "":
		svc, err = service.Open(ctx, cfg)
		return svc, stop, err
	case "books":
		if o.natsURL == "" {
			return nil, stop, fmt.Errorf("-role books needs -nats, the URL of the front's NATS server")
		}
		svc, err = service.OpenBooks(ctx, cfg, agnats.Config{URL: o.natsURL})
		return svc, stop, err
	case "front":
		url := o.natsURL
		if url == "" {
			ns, err := embedded(o.natsListen)
			if err != nil {
				return nil, stop, err
			}
			stop = func() { ns.Shutdown(); ns.WaitForShutdown() }
			url = ns.ClientURL()
			fmt.Fprintf(stdout, "contacts: embedded NATS server on %s; start the books with -role books -nats %s\n", url, url)
		}
		svc, err = service.OpenFront(cfg, "front", agnats.Config{URL: url})
		if err != nil {
			stop()
		}
		return svc, stop, err
	}
	return nil, stop, fmt.Errorf("-role %q: want front, books or nothing", o.role)
}

// embedded starts a NATS server on addr, loopback only unless addr says otherwise.
func embedded(addr string) (*server.Server, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("-nats-listen %q: %w", addr, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return nil, fmt.Errorf("-nats-listen %q: %w", addr, err)
	}
	if p == 0 {
		p = -1 // the server's "random port"
	}
	ns, err := server.NewServer(&server.Options{Host: host, Port: p, NoLog: true, NoSigs: true})
	if err != nil {
		return nil, fmt.Errorf("embedded NATS server: %w", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(5 * time.Second) {
		ns.Shutdown()
		return nil, fmt.Errorf("embedded NATS server on %s: not ready after 5s", addr)
	}
	return ns, nil
}
