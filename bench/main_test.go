package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actorgen/actorgen/bench/internal/protoenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestProtobufConflictSetting checks the init-order trick: this test binary links both hollywood
// and protoactor-go, whose actor.proto registrations would have panicked at init without it.
func TestProtobufConflictSetting(t *testing.T) {
	assert.Equal(t, "ignore", os.Getenv(protoenv.Var))
}

// small runs every workload on every implementation at test sizes: -race friendly and fast.
const small = "tell=2000,ask=300,fanout=50x20,spawn=500"

func TestRunPrintsTheTable(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-rounds", "1", "-n", small, "-v"}, &out, &errOut))
	md := out.String()
	assert.Contains(t, md, "Medians of 1 interleaved rounds. Machine: ")
	assert.Contains(t, md, "Sizes: tell 2000 messages, ask 300 round trips, fanout 50 actors × 20 messages, spawn 500 actors.")
	for _, impl := range impls() {
		assert.Equal(t, 2, strings.Count(md, "| "+impl.Label+" |"), "%s: one row in each table", impl.Name)
	}
	assert.Equal(t, len(impls())*6, strings.Count(errOut.String(), "round 1/1"), "-v: one line per run")
}

func TestRunOnly(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-rounds", "1", "-n", small, "-only", "mutex,ask"}, &out, &errOut))
	md := out.String()
	assert.Contains(t, md, "| implementation | ask round trip |")
	assert.Contains(t, md, "| goroutine + chan(64) (baseline) |")
	assert.Contains(t, md, "| mutex-protected struct (floor) |")
	assert.NotContains(t, md, "hollywood")
	assert.NotContains(t, md, "time per spawn")
	assert.Empty(t, errOut.String())
}

func TestRunBadFlags(t *testing.T) {
	for args, msg := range map[string]string{
		"-rounds 0":      "rounds=0",
		"-n tell=x":      `-n "tell=x": entry "tell=x": "x" is not a positive whole number`,
		"-only erlang":   `-only "erlang": "erlang" is neither an implementation`,
		"-rounds 1 more": `unexpected arguments ["more"]`,
		"-frobnicate":    "flag provided but not defined: -frobnicate",
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), strings.Fields(args), &out, &errOut)
		require.Error(t, err, args)
		assert.Contains(t, err.Error()+errOut.String(), msg, args)
		assert.Empty(t, out.String(), args)
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-h"}, &out, &errOut)
	require.ErrorIs(t, err, flag.ErrHelp)
	assert.Contains(t, errOut.String(), "-only")
}
