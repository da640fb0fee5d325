package report

import (
	"fmt"
	"strings"

	"github.com/rehearse-dev/rehearse/verdict"
)

// StacksHeadline is the summary line of a many-stack verdict: how many
// stacks decide what, then Headline over all of them, e.g. "2 stacks: 1
// block, 1 pass · 1 environment root replaced · 7 of 40 managed resources
// affected (17.5%)".
func StacksHeadline(v *verdict.Verdict) string {
	counts := map[verdict.Decision]int{}
	for _, s := range v.Stacks {
		counts[s.Decision]++
	}
	var parts []string
	for _, d := range []verdict.Decision{verdict.Block, verdict.Warn, verdict.Pass} {
		if n := counts[d]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, d))
		}
	}
	return fmt.Sprintf("%d stacks: %s · %s", len(v.Stacks), strings.Join(parts, ", "), Headline(v))
}

// stackLine is one stack in a line: its findings and blast radius.
func stackLine(s *verdict.Stack) string {
	b := &s.Blast
	scope := fmt.Sprintf("%d existing affected", b.Affected)
	if b.Managed >= 0 {
		scope = fmt.Sprintf("%d of %d managed affected", b.Affected, b.Managed)
	}
	return fmt.Sprintf("%d %s · %d deleted or replaced, %s", s.Findings, plural("finding", s.Findings), b.Destructive, scope)
}

// wholeChange is the part of a many-stack verdict that belongs to no one
// stack: findings about the whole set, such as a weakened policy.
func wholeChange(v *verdict.Verdict) verdict.Verdict {
	out := verdict.Verdict{Schema: v.Schema, Decision: v.Decision, Fingerprint: v.Fingerprint, Findings: []verdict.Finding{}}
	for _, f := range v.Findings {
		if f.Stack == "" {
			out.Findings = append(out.Findings, f)
		}
	}
	return out
}

// maxCauses caps the root causes a report lists.
const maxCauses = 10

// causeCaveat says how the chains were found, and what they cannot say.
const causeCaveat = "(chains inferred from the configuration's references: a forcing value unknown until apply, or equal to a new value of the replaced resource it refers to; the plan does not say which attribute refers to which resource)"

// CauseLine is a root cause in one line: aws_eks_cluster.env replaced →
// forces 6 × aws_eks_node_group.ng[0..5] replaced.
func CauseLine(c *verdict.Cause) string {
	s := c.Root.Addresses + " " + verdict.ActionVerb(c.Root.Findings[0].Action)
	for _, level := range c.Levels {
		var names []string
		for i, g := range level {
			if i == 3 {
				names = append(names, fmt.Sprintf("and %d more", len(level)-i))
				break
			}
			if len(g.Findings) > 1 {
				names = append(names, fmt.Sprintf("%d × %s", len(g.Findings), g.Addresses))
			} else {
				names = append(names, g.Addresses)
			}
		}
		s += " → forces " + strings.Join(names, ", ")
	}
	if len(c.Levels) > 1 {
		s += fmt.Sprintf(" (%d in all)", c.Forced())
	}
	return s
}
