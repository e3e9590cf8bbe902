package runner

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestModelName(t *testing.T) {
	info := "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Test CPU @ 2.00GHz\n\nprocessor\t: 1\nmodel name\t: Test CPU @ 2.00GHz\n"
	assert.Equal(t, "Test CPU @ 2.00GHz", modelName([]byte(info)))
	assert.Equal(t, "unknown CPU", modelName([]byte("processor : 0\n")))
	assert.NotEmpty(t, CPUModel())
	assert.Positive(t, Machine().NumCPU)
}
