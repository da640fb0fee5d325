package scenarios

import (
	"fmt"
	"sort"

	"github.com/rehearse-dev/rehearse/verdict"
)

// Difference is one way a verdict differs from the expectation.
type Difference struct {
	// Kind is "decision", "missing" (expected, not found) or "unexpected"
	// (found, not expected).
	Kind     string `json:"kind"`
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
}

// String renders the difference as one line of a diff: "-" for what was
// expected and is not there, "+" for what is there and was not expected.
func (d Difference) String() string {
	switch d.Kind {
	case "decision":
		return fmt.Sprintf("decision: expected %s, got %s", d.Expected, d.Actual)
	case "missing":
		return "- finding expected, not given: " + d.Expected
	}
	return "+ finding given, not expected: " + d.Actual
}

// Actual is a verdict's decision and findings in the shape of an
// expectation, with every finding's rule: what Record writes.
func Actual(v *verdict.Verdict) *Expect {
	e := &Expect{Decision: v.Decision, Findings: []ExpectedFinding{}}
	for _, f := range v.Findings {
		e.Findings = append(e.Findings, ExpectedFinding{Address: f.Address, Action: f.Action, Rule: f.Rule})
	}
	sort.SliceStable(e.Findings, func(i, j int) bool { return less(e.Findings[i], e.Findings[j]) })
	return e
}

func less(a, b ExpectedFinding) bool {
	if a.Address != b.Address {
		return a.Address < b.Address
	}
	if a.Action != b.Action {
		return a.Action < b.Action
	}
	return a.Rule < b.Rule
}

// Compare lists the differences between an expectation and a verdict. The
// expected findings must be exactly the verdict's findings: a finding that
// appears is as much a change of behaviour as one that goes. An expected
// finding without a rule matches any rule on its address and action.
func Compare(e *Expect, v *verdict.Verdict) []Difference {
	var diff []Difference
	if e.Decision != v.Decision {
		diff = append(diff, Difference{Kind: "decision", Expected: string(e.Decision), Actual: string(v.Decision)})
	}
	actual := Actual(v).Findings
	used := make([]bool, len(actual))
	// Expectations naming a rule are the more specific: match them first
	// so a rule-less one cannot take their finding.
	expected := append([]ExpectedFinding(nil), e.Findings...)
	sort.SliceStable(expected, func(i, j int) bool { return expected[i].Rule != "" && expected[j].Rule == "" })
	var missing []ExpectedFinding
	for _, want := range expected {
		found := false
		for i, got := range actual {
			if !used[i] && matches(want, got) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			missing = append(missing, want)
		}
	}
	sort.SliceStable(missing, func(i, j int) bool { return less(missing[i], missing[j]) })
	for _, m := range missing {
		diff = append(diff, Difference{Kind: "missing", Expected: m.String()})
	}
	for i, got := range actual {
		if !used[i] {
			diff = append(diff, Difference{Kind: "unexpected", Actual: got.String()})
		}
	}
	return diff
}

func matches(want, got ExpectedFinding) bool {
	return want.Address == got.Address &&
		(want.Action == "" || want.Action == got.Action) &&
		(want.Rule == "" || want.Rule == got.Rule)
}
