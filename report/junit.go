package report

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rehearse-dev/rehearse/verdict"
)

// JUnit XML as CI systems read it (GitLab, Jenkins, Azure, the JUnit
// reporters of GitHub Actions). One model and one writer serve both the
// verdict of a change (one testcase per finding, a failure for each
// unapproved block) and a regression run (scenarios.RenderRegression: one
// testcase per scenario), so both read the same in a CI system. Optional
// attributes (time, file, the top-level skipped count) are left out when
// empty: a verdict has no durations, so its report stays byte-identical.

// JUnitSuites is a JUnit document. Its strings are written as they are:
// the builder makes untrusted text safe with TermSafe or JUnitLines.
type JUnitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr,omitempty"`
	Time     string       `xml:"time,attr,omitempty"`
	Suites   []JUnitSuite `xml:"testsuite"`
}

// JUnitSuite is one testsuite.
type JUnitSuite struct {
	Name       string           `xml:"name,attr"`
	Tests      int              `xml:"tests,attr"`
	Failures   int              `xml:"failures,attr"`
	Errors     int              `xml:"errors,attr"`
	Skipped    int              `xml:"skipped,attr"`
	Time       string           `xml:"time,attr,omitempty"`
	Properties *JUnitProperties `xml:"properties,omitempty"`
	Cases      []JUnitCase      `xml:"testcase"`
	SystemOut  string           `xml:"system-out,omitempty"`
}

// JUnitProperty is a name and a value, of a suite or a case.
type JUnitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// JUnitCase is one testcase: passed, or with a failure (the check found
// something), an error (it could not run) or a skip (it did not run).
type JUnitCase struct {
	Name       string           `xml:"name,attr"`
	Classname  string           `xml:"classname,attr"`
	File       string           `xml:"file,attr,omitempty"`
	Time       string           `xml:"time,attr,omitempty"`
	Properties *JUnitProperties `xml:"properties,omitempty"`
	Failure    *JUnitProblem    `xml:"failure,omitempty"`
	Error      *JUnitProblem    `xml:"error,omitempty"`
	Skipped    *JUnitSkip       `xml:"skipped,omitempty"`
	SystemOut  string           `xml:"system-out,omitempty"`
}

// JUnitProperties are a suite's or a case's properties.
type JUnitProperties struct {
	Property []JUnitProperty `xml:"property"`
}

// JUnitProblem is a failure or an error: a one-line message, a type and
// the details.
type JUnitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnitSkip says why a case did not run.
type JUnitSkip struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes doc as indented XML with its header and a final
// newline.
func WriteJUnit(w io.Writer, doc *JUnitSuites) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(xml.Header)
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	bw.WriteString("\n")
	return bw.Flush()
}

// JUnitSeconds is how a JUnit time attribute spells a duration.
func JUnitSeconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func renderJUnit(w io.Writer, v *verdict.Verdict, _ Options) error {
	suite := JUnitSuite{
		Name: xmlSafe("rehearse: " + sourceLine(v)),
		Properties: &JUnitProperties{[]JUnitProperty{
			{"decision", string(v.Decision)},
			{"summary", xmlSafe(Headline(v))},
			{"origin", string(v.Origin.Origin)},
			{"origin.decided_by", xmlSafe(v.Origin.DecidedBy)},
			{"fingerprint", v.Fingerprint},
		}},
		SystemOut: JUnitLines(
			strings.ToUpper(string(v.Decision))+": "+Headline(v),
			"origin: "+originLine(v),
			"fingerprint: "+v.Fingerprint),
	}
	if v.Workspace != "" {
		suite.Properties.Property = append(suite.Properties.Property, JUnitProperty{"workspace", xmlSafe(v.Workspace)})
	}
	for i := range v.Findings {
		c := junitFinding(v, &v.Findings[i])
		if c.Failure != nil {
			suite.Failures++
		}
		suite.Cases = append(suite.Cases, c)
	}
	if len(v.Findings) == 0 {
		// A suite with no testcase reads as "nothing ran" in most CI
		// systems; a passing case says the check ran and found nothing.
		suite.Cases = append(suite.Cases, JUnitCase{Name: "no destructive changes", Classname: "rehearse"})
	}
	suite.Tests = len(suite.Cases)
	return WriteJUnit(w, &JUnitSuites{Name: "rehearse", Tests: suite.Tests, Failures: suite.Failures, Suites: []JUnitSuite{suite}})
}

func junitFinding(v *verdict.Verdict, f *verdict.Finding) JUnitCase {
	name := orWhole(f.Address)
	if f.Action != "" {
		name += " " + string(f.Action)
	}
	if f.Stack != "" {
		// One address can be in two stacks: the stack keeps the cases apart.
		name = f.Stack + ": " + name
	}
	c := JUnitCase{
		Name:      xmlSafe(name),
		Classname: xmlSafe("rehearse." + f.Rule),
		Properties: &JUnitProperties{[]JUnitProperty{
			{"finding", f.ID},
			{"severity", string(f.Severity)},
		}},
	}
	prop := func(k, val string) {
		if val != "" {
			c.Properties.Property = append(c.Properties.Property, JUnitProperty{k, xmlSafe(val)})
		}
	}
	prop("stack", f.Stack)
	prop("environment", f.Environment)
	prop("recoverability", f.Recoverability)
	details := junitDetails(v, f)
	switch {
	case f.Approval != nil:
		a := f.Approval
		prop("approved_by", a.By)
		prop("approved_at", a.At)
		prop("rollback", a.Rollback)
		c.SystemOut = details
	case f.Severity == verdict.SeverityBlock:
		c.Failure = &JUnitProblem{Message: xmlSafe(f.Message), Type: xmlSafe(f.Rule), Text: details}
	default:
		c.SystemOut = details
	}
	for _, a := range f.VoidApprovals {
		prop("void_approval", fmt.Sprintf("by %s: %s", a.By, voidReason(&a, v.Fingerprint)))
	}
	return c
}

// junitDetails is the body of a failure or system-out: the same facts the
// text report gives for the finding.
func junitDetails(v *verdict.Verdict, f *verdict.Finding) string {
	var lines []string
	status := strings.ToUpper(string(f.Severity))
	if f.Approval != nil {
		status = "APPROVED " + status
	}
	lines = append(lines, status+": "+f.Message)
	for _, e := range f.Evidence {
		lines = append(lines, "  · "+e)
	}
	if f.Recoverability != "" {
		lines = append(lines, "recoverability: "+f.Recoverability)
		for _, h := range f.Hints {
			lines = append(lines, "  - "+h)
		}
	}
	if len(f.Dependents) > 0 {
		lines = append(lines, "referenced by: "+strings.Join(f.Dependents, ", "))
	}
	if a := f.Approval; a != nil {
		lines = append(lines, fmt.Sprintf("approved by %s at %s: %s", a.By, a.At, a.Reason), "rollback plan: "+a.Rollback)
	} else {
		lines = append(lines, "rollback plan: none recorded")
	}
	for _, a := range f.VoidApprovals {
		lines = append(lines, fmt.Sprintf("void approval by %s: %s", a.By, voidReason(&a, v.Fingerprint)))
	}
	lines = append(lines, "origin: "+originLine(v), "rule "+f.Rule+" · id "+f.ID)
	return JUnitLines(lines...)
}

// JUnitLines joins lines made safe one by one, so the newlines between
// them stay newlines while any inside a value are spelled out: the text of
// a failure or of system-out.
func JUnitLines(lines ...string) string {
	for i, l := range lines {
		lines[i] = xmlSafe(l)
	}
	return strings.Join(lines, "\n")
}

// xmlSafe makes a string representable in XML 1.0, which has no escape for
// most control characters: encoding/xml would silently turn them into
// U+FFFD. TermSafe spells out every character XML cannot carry (control
// characters, surrogates, which only invalid UTF-8 can hold, U+FFFE and
// U+FFFF), and tabs and line breaks too, so a hostile name stays visible
// and cannot drive a terminal that prints the CI log. Quotes, < and & are
// left to encoding/xml.
func xmlSafe(s string) string { return termSafe(s) }
