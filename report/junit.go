package report

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/rehearse-dev/rehearse/verdict"
)

// JUnit XML as CI systems read it (GitLab, Jenkins, Azure, the JUnit
// reporters of GitHub Actions): one testcase per finding, a failure for
// each unapproved block, properties and system-out for the rest.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name       string           `xml:"name,attr"`
	Classname  string           `xml:"classname,attr"`
	Properties *junitProperties `xml:"properties,omitempty"`
	Failure    *junitFailure    `xml:"failure,omitempty"`
	SystemOut  string           `xml:"system-out,omitempty"`
}

type junitProperties struct {
	Property []junitProperty `xml:"property"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func renderJUnit(w io.Writer, v *verdict.Verdict, _ Options) error {
	suite := junitSuite{
		Name: xmlSafe("rehearse: " + sourceLine(v)),
		Properties: []junitProperty{
			{"decision", string(v.Decision)},
			{"summary", xmlSafe(Headline(v))},
			{"origin", string(v.Origin.Origin)},
			{"origin.decided_by", xmlSafe(v.Origin.DecidedBy)},
			{"fingerprint", v.Fingerprint},
		},
		SystemOut: xmlLines(
			strings.ToUpper(string(v.Decision))+": "+Headline(v),
			"origin: "+originLine(v),
			"fingerprint: "+v.Fingerprint),
	}
	if v.Workspace != "" {
		suite.Properties = append(suite.Properties, junitProperty{"workspace", xmlSafe(v.Workspace)})
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
		suite.Cases = append(suite.Cases, junitCase{Name: "no destructive changes", Classname: "rehearse"})
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{Name: "rehearse", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}

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

func junitFinding(v *verdict.Verdict, f *verdict.Finding) junitCase {
	name := orWhole(f.Address)
	if f.Action != "" {
		name += " " + string(f.Action)
	}
	c := junitCase{
		Name:      xmlSafe(name),
		Classname: xmlSafe("rehearse." + f.Rule),
		Properties: &junitProperties{[]junitProperty{
			{"finding", f.ID},
			{"severity", string(f.Severity)},
		}},
	}
	prop := func(k, val string) {
		if val != "" {
			c.Properties.Property = append(c.Properties.Property, junitProperty{k, xmlSafe(val)})
		}
	}
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
		c.Failure = &junitFailure{Message: xmlSafe(f.Message), Type: xmlSafe(f.Rule), Text: details}
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
	return xmlLines(lines...)
}

// xmlLines joins lines made safe one by one, so the newlines between them
// stay newlines while any inside a value are spelled out.
func xmlLines(lines ...string) string {
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
