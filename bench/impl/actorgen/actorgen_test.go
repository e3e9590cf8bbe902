package actorgen_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/actorgen/actorgen/bench/impl/actorgen"
	"github.com/actorgen/actorgen/bench/workload/workloadtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestWorkloads(t *testing.T) { workloadtest.Run(t, actorgen.Impl()) }
