package report

import (
	"encoding/xml"
	"fmt"
	"io"

	"github.com/rehearse-dev/rehearse/scenarios"
)

// JUnit XML of a regression run: one testsuite, one testcase per scenario.
// A regressed scenario is a failure carrying the expected-vs-actual diff,
// one that could not run an error, and a container scenario without Docker
// is skipped with the reason, so a scheduler never counts it as passed.

type regressSuites struct {
	XMLName  xml.Name       `xml:"testsuites"`
	Name     string         `xml:"name,attr"`
	Tests    int            `xml:"tests,attr"`
	Failures int            `xml:"failures,attr"`
	Errors   int            `xml:"errors,attr"`
	Skipped  int            `xml:"skipped,attr"`
	Time     string         `xml:"time,attr"`
	Suites   []regressSuite `xml:"testsuite"`
}

type regressSuite struct {
	Name     string        `xml:"name,attr"`
	Tests    int           `xml:"tests,attr"`
	Failures int           `xml:"failures,attr"`
	Errors   int           `xml:"errors,attr"`
	Skipped  int           `xml:"skipped,attr"`
	Time     string        `xml:"time,attr"`
	Cases    []regressCase `xml:"testcase"`
}

type regressCase struct {
	Name      string          `xml:"name,attr"`
	Classname string          `xml:"classname,attr"`
	File      string          `xml:"file,attr,omitempty"`
	Time      string          `xml:"time,attr"`
	Failure   *regressProblem `xml:"failure,omitempty"`
	Error     *regressProblem `xml:"error,omitempty"`
	Skipped   *regressSkip    `xml:"skipped,omitempty"`
	SystemOut string          `xml:"system-out,omitempty"`
}

type regressProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type regressSkip struct {
	Message string `xml:"message,attr"`
}

func regressJUnit(w io.Writer, g *scenarios.Regression) error {
	name := "rehearse regress"
	if g.Shard != "" {
		name += " (shard " + g.Shard + ")"
	}
	suite := regressSuite{
		Name: name, Tests: len(g.Results), Time: seconds(g.Took.Seconds()),
		Failures: g.Count(scenarios.Regressed), Errors: g.Count(scenarios.Errored), Skipped: g.Count(scenarios.Skipped),
	}
	for i := range g.Results {
		r := &g.Results[i]
		c := regressCase{Name: xmlSafe(r.Name), Classname: "rehearse.scenarios", File: xmlSafe(r.File), Time: seconds(r.Took.Seconds())}
		if r.Input != "" {
			c.Classname += "." + xmlSafe(r.Input)
		}
		switch r.Status {
		case scenarios.Regressed:
			lines := []string{"expected: " + expectLine(r.Expected), "actual:   " + expectLine(r.Actual)}
			for _, d := range r.Diff {
				lines = append(lines, d.String())
			}
			c.Failure = &regressProblem{Message: firstDiff(r), Type: "regression", Text: xmlLines(append(lines, "")...)}
		case scenarios.Errored:
			c.Error = &regressProblem{Message: xmlSafe(r.Reason), Type: "cannot-run", Text: xmlSafe(r.Reason)}
		case scenarios.Skipped:
			c.Skipped = &regressSkip{Message: xmlSafe(r.Reason)}
		default:
			c.SystemOut = xmlSafe("verdict " + expectLine(r.Actual) + " as expected")
		}
		suite.Cases = append(suite.Cases, c)
	}
	doc := regressSuites{
		Name: name, Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Skipped: suite.Skipped,
		Time: suite.Time, Suites: []regressSuite{suite},
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func firstDiff(r *scenarios.Result) string {
	if len(r.Diff) == 0 {
		return "the verdict differs from the expectation"
	}
	msg := xmlSafe(r.Diff[0].String())
	if len(r.Diff) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(r.Diff)-1)
	}
	return msg
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }
