package scenarios

import (
	"fmt"
	"io"

	"github.com/rehearse-dev/rehearse/report"
)

// regressJUnit writes a regression run as report's JUnit model: one
// testsuite, one testcase per scenario. A regressed scenario is a failure
// carrying the expected-vs-actual diff, one that could not run an error,
// and a container scenario without Docker is skipped with the reason, so a
// scheduler never counts it as passed.
func regressJUnit(w io.Writer, g *Regression) error {
	name := "rehearse regress"
	if g.Shard != "" {
		name += " (shard " + g.Shard + ")"
	}
	suite := report.JUnitSuite{
		Name: name, Tests: len(g.Results), Time: report.JUnitSeconds(g.Took),
		Failures: g.Count(Regressed), Errors: g.Count(Errored), Skipped: g.Count(Skipped),
	}
	safe := report.TermSafe
	for i := range g.Results {
		r := &g.Results[i]
		c := report.JUnitCase{Name: safe(r.Name), Classname: "rehearse.scenarios", File: safe(r.File), Time: report.JUnitSeconds(r.Took)}
		if r.Input != "" {
			c.Classname += "." + safe(r.Input)
		}
		switch r.Status {
		case Regressed:
			lines := []string{"expected: " + expectLine(r.Expected), "actual:   " + expectLine(r.Actual)}
			for _, d := range r.Diff {
				lines = append(lines, d.String())
			}
			c.Failure = &report.JUnitProblem{Message: firstDiff(r), Type: "regression", Text: report.JUnitLines(append(lines, "")...)}
		case Errored:
			c.Error = &report.JUnitProblem{Message: safe(r.Reason), Type: "cannot-run", Text: safe(r.Reason)}
		case Skipped:
			c.Skipped = &report.JUnitSkip{Message: safe(r.Reason)}
		default:
			c.SystemOut = safe("verdict " + expectLine(r.Actual) + " as expected")
		}
		suite.Cases = append(suite.Cases, c)
	}
	return report.WriteJUnit(w, &report.JUnitSuites{
		Name: name, Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Skipped: suite.Skipped,
		Time: suite.Time, Suites: []report.JUnitSuite{suite},
	})
}

func firstDiff(r *Result) string {
	if len(r.Diff) == 0 {
		return "the verdict differs from the expectation"
	}
	msg := report.TermSafe(r.Diff[0].String())
	if len(r.Diff) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(r.Diff)-1)
	}
	return msg
}
