package main

import (
	"bytes"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// protoactor-go's dead-letter throttle starts a goroutine at the first dead letter (its remote's
// shutdown makes some) that ends by itself a second later (DeadLetterThrottleInterval), after
// goleak has stopped retrying: that goroutine alone is ignored. Nothing of hollywood is.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"))
}

func TestRunPrintsTheTable(t *testing.T) {
	var out, errs bytes.Buffer
	if err := run([]string{"-rounds", "1", "-asks", "64"}, &out, &errs); err != nil {
		t.Fatalf("%v\n%s", err, errs.String())
	}
	got := out.String()
	for _, want := range []string{
		"Machine: ", "GOMAXPROCS", "go1.",
		"| figure | raw nats.go request-reply | actorgen remote (NATS) | hollywood remote (DRPC) | protoactor-go remote (gRPC) |",
		"| ask latency p50 (1 caller) |", "| ask latency p99 (1 caller) |",
		"| asks per second, 1 caller |", "| asks per second, 64 callers |",
	} {
		if !strings.Contains(got, want) {
			t.Fatalf("no %q in\n%s", want, got)
		}
	}
}

func TestRunRefusesUnboundedSizes(t *testing.T) {
	for _, args := range [][]string{{"-rounds", "0"}, {"-asks", "63"}, {"-asks", "1000001"}, {"extra"}} {
		var out, errs bytes.Buffer
		if err := run(args, &out, &errs); err == nil {
			t.Errorf("run(%q) = nil, want an error", args)
		}
	}
}
