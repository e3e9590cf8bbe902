package runtime

import "slices"

// ParseDecision returns the Decision that name spells, as the //actor:supervise directive and
// Decision.String spell them: "stop", "stop-all", "reset", "reset-all", "resume" or "escalate".
func ParseDecision(name string) (Decision, bool) {
	i := slices.Index(decisionNames[:], name)
	return Decision(max(i, 0)), i >= 0
}

// DecisionNames returns the spellings of the decisions, in the order of their values.
func DecisionNames() []string { return slices.Clone(decisionNames[:]) }

// ParseOverflow returns the Overflow that name spells, as the //actor:mailbox directive and
// Overflow.String spell them: "block", "drop" or "fail".
func ParseOverflow(name string) (Overflow, bool) {
	i := slices.Index(overflowNames[:], name)
	return Overflow(max(i, 0)), i >= 0
}

// OverflowNames returns the spellings of the overflow modes, in the order of their values.
func OverflowNames() []string { return slices.Clone(overflowNames[:]) }
