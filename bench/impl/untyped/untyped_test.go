package untyped_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/actorgen/actorgen/bench/impl/untyped"
	"github.com/actorgen/actorgen/bench/workload/workloadtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestWorkloads(t *testing.T) { workloadtest.Run(t, untyped.Impl()) }
