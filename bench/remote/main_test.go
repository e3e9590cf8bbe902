package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRunPrintsTheTables(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-rounds", "1", "-asks", "200", "-tells", "500", "-node-death=false"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ask latency p50", "asks per second, 64 callers", "tells per second", "handler panics", "no node serves it", "link down", "Codec"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("no %q in\n%s", want, out.String())
		}
	}
}
