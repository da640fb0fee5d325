package scenarios_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/internal/golden"
	"github.com/rehearse-dev/rehearse/internal/textsafe"
	"github.com/rehearse-dev/rehearse/report"
	"github.com/rehearse-dev/rehearse/scenarios"
	"github.com/rehearse-dev/rehearse/verdict"
)

func sampleRegression() *scenarios.Regression {
	exp := &scenarios.Expect{Decision: verdict.Block, Findings: []scenarios.ExpectedFinding{{Address: "aws_db.x", Action: change.Replace, Rule: "protected-destroy"}}}
	act := &scenarios.Expect{Decision: verdict.Pass}
	return &scenarios.Regression{Shard: "1/2", Took: 1234 * time.Millisecond, Results: []scenarios.Result{
		{Name: "a", File: "lib/a/scenario.yaml", Input: "plan", Status: scenarios.Regressed, Expected: exp, Actual: act, Took: 20 * time.Millisecond,
			Diff: []scenarios.Difference{{Kind: "decision", Expected: "block", Actual: "pass"}, {Kind: "missing", Expected: "aws_db.x replace [protected-destroy]"}}},
		{Name: "b", File: "lib/b/scenario.yaml", Input: "dir", Status: scenarios.Errored, Reason: "terraform: not found"},
		{Name: "c", File: "lib/c/scenario.yaml", Input: "containers", Status: scenarios.Skipped, Reason: "docker unavailable: dial"},
		{Name: "d", File: "lib/d/scenario.yaml", Input: "plan", Status: scenarios.OK, Expected: exp, Actual: exp},
	}}
}

// TestRenderRegression pins the text (plain and coloured), JSON and JUnit
// of a regression run, and the expectation part of a replay, in
// testdata/render.golden.
func TestRenderRegression(t *testing.T) {
	t.Parallel()
	g := sampleRegression()
	var all bytes.Buffer
	for _, f := range []report.Format{report.Text, report.JSON, report.JUnit} {
		for _, c := range []bool{false, true} {
			if err := scenarios.RenderRegression(&all, f, g, report.Options{Color: c}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range g.Results {
		if err := scenarios.RenderExpectation(&all, &g.Results[i], report.Options{Color: true}); err != nil {
			t.Fatal(err)
		}
	}
	golden.Check(t, "testdata/render.golden", all.Bytes())
	for _, f := range []report.Format{report.Markdown, report.SARIF} {
		if err := scenarios.RenderRegression(io.Discard, f, g, report.Options{}); err == nil {
			t.Errorf("%s: a regression run is not one change, want an error", f)
		}
	}
}

// TestRegressionInert renders a regression run whose scenario names,
// files, inputs, reasons and findings are hostile, as text and JUnit:
// nothing a terminal would act on comes out, and the XML is well-formed.
func TestRegressionInert(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"\x1b[2Jx", "\x1b]8;;http://e\x07t", "a\nb\tc\r", "\u202eexe", "\u200b", "\xff\xc0", "<b>&'\"", "\x00"} {
		exp := &scenarios.Expect{Decision: verdict.Block, Findings: []scenarios.ExpectedFinding{{Address: s, Action: change.Replace}}}
		act := &scenarios.Expect{Decision: verdict.Pass}
		g := &scenarios.Regression{Shard: "1/2", Results: []scenarios.Result{
			{Name: s, File: s, Input: s, Status: scenarios.Regressed, Expected: exp, Actual: act,
				Diff: []scenarios.Difference{{Kind: "decision", Expected: s, Actual: "pass"}, {Kind: "missing", Expected: s}}},
			{Name: s, File: s, Status: scenarios.Errored, Reason: s},
			{Name: s, File: s, Status: scenarios.Skipped, Reason: s + ": docker"},
			{Name: s, File: s, Status: scenarios.OK, Expected: exp, Actual: exp},
		}}
		for _, f := range []report.Format{report.Text, report.JUnit} {
			var buf bytes.Buffer
			if err := scenarios.RenderRegression(&buf, f, g, report.Options{}); err != nil {
				t.Fatal(err)
			}
			if i := strings.IndexFunc(buf.String(), func(r rune) bool { return r != '\n' && textsafe.Hidden(r) }); i >= 0 {
				t.Errorf("%q as %s: hidden character at %d:\n%s", s, f, i, buf.String())
			}
			if f == report.JUnit {
				dec := xml.NewDecoder(&buf)
				for {
					if _, err := dec.Token(); err == io.EOF {
						break
					} else if err != nil {
						t.Fatalf("%q: not well-formed XML: %v", s, err)
					}
				}
			}
		}
	}
}
