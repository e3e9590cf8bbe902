package agnats_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	agnats "github.com/actorgen/actorgen/nats"
	"github.com/actorgen/actorgen/runtime/remote"
	rtest "github.com/actorgen/actorgen/runtime/remote/remotetest"
)

// selfSigned returns a TLS certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "actorgen test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestSecurityPassesThrough: a server that wants TLS and a user's password serves nodes that
// are given them through Config.Options, and a node with the wrong password never gets a link
// (its calls fail at once with ErrLinkDown) without taking its system down.
func TestSecurityPassesThrough(t *testing.T) {
	cert, pool := selfSigned(t)
	ns := startServerWith(t, server.Options{Port: -1, Username: "books", Password: "s3cret", TLS: true, TLSTimeout: 2,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}})
	url := ns.ClientURL()
	secure := func(name, password string) agnats.Config {
		c := cfg(name, url)
		c.Options = []nats.Option{nats.UserInfo("books", password), nats.Secure(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})}
		return c
	}
	sys := newSystem(t)
	srv, cli := startNodes(t, sys, newSystem(t), secure("srv", "s3cret"), secure("cli", "s3cret"))
	_, far := serveCounter(t, sys, srv, cli, "c")
	bad := newSystem(t)
	ctx := context.Background()
	for i := 1; i <= 100; i++ { // over TLS, through the node's coalescing writes
		if n, err := far.Add(ctx, 1); err != nil || n != i {
			t.Fatalf("ask %d over TLS with a password: %d %v", i, n, err)
		}
	}

	intruder, err := agnats.Start(bad, secure("intruder", "wrong"))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // a few of the keeper's redials
	if intruder.Up() {
		t.Fatal("a node with the wrong password has a link")
	}
	theirs, err := rtest.DialCounter(intruder.Node, "srv", "/c")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := theirs.Add(ctx, 1); !errors.Is(err, remote.ErrLinkDown) {
		t.Fatalf("a call from the node without a link: %v", err)
	}
	if n, err := far.Add(ctx, 0); err != nil || n != 100 {
		t.Fatalf("the served actor after the intruder's tries: %d %v", n, err)
	}
}
