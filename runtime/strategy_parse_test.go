package runtime

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestParseDecisionAndOverflow(t *testing.T) {
	for _, d := range []Decision{Stop, StopAll, Reset, ResetAll, Resume, Escalate} {
		got, ok := ParseDecision(d.String())
		assert.True(t, ok, d.String())
		assert.Equal(t, d, got)
	}
	assert.Len(t, DecisionNames(), int(Escalate)+1)
	_, ok := ParseDecision("Stop")
	assert.False(t, ok, "spellings are lower case")
	for _, o := range []Overflow{OverflowBlock, OverflowDrop, OverflowFail} {
		got, ok := ParseOverflow(o.String())
		assert.True(t, ok, o.String())
		assert.Equal(t, o, got)
	}
	assert.Equal(t, []string{"block", "drop", "fail"}, OverflowNames())
	_, ok = ParseOverflow("")
	assert.False(t, ok)
}

func TestValidateJitterNeedsDelay(t *testing.T) {
	assert.ErrorIs(t, Strategy{Jitter: 0.5}.Validate(), ErrInvalidOption)
	assert.NoError(t, Strategy{Jitter: 0.5, Delay: time.Second}.Validate())
	assert.NoError(t, Strategy{Jitter: 0.5, BackoffMin: time.Second, BackoffMax: time.Second}.Validate())
}
