package scenarios

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rehearse-dev/rehearse/report"
)

// RegressSchema names the JSON form of a regression result.
const RegressSchema = "rehearse.regress/v1"

// Rendering lives here rather than in report: report renders one verdict
// and must not depend on what runs scenarios (the planners, the sandbox,
// Docker). It borrows report's formats, options, escaper and JUnit writer.

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiGreen  = "\x1b[32m"
)

// RenderRegression writes the result of `rehearse regress` in text (a
// table, then the differences of every scenario that did not match), JSON
// or JUnit. Markdown and SARIF describe one change and are refused.
func RenderRegression(w io.Writer, f report.Format, g *Regression, o report.Options) error {
	switch f {
	case report.Text:
		return regressText(w, g, o)
	case report.JSON:
		return regressJSON(w, g)
	case report.JUnit:
		return regressJUnit(w, g)
	}
	return fmt.Errorf("a regression result is written as text, json or junit, not %s", f)
}

// RenderExpectation writes the expected-vs-actual part of a replay, after
// the verdict: "matches" or the differences, one per line.
func RenderExpectation(w io.Writer, r *Result, o report.Options) error {
	t := &textWriter{w: bufio.NewWriter(w), color: o.Color}
	t.line("")
	t.line("%s", t.paint(ansiBold, "expected vs actual ("+report.TermSafe(r.File)+")"))
	if r.Expected != nil {
		t.line("  expected: %s", report.TermSafe(expectLine(r.Expected)))
	}
	if r.Actual != nil {
		t.line("  actual:   %s", report.TermSafe(expectLine(r.Actual)))
	}
	switch r.Status {
	case OK:
		t.line("  %s", t.paint(ansiGreen, "MATCH: the verdict is the one expected"))
	case Regressed:
		t.line("  %s", t.paint(ansiRed, fmt.Sprintf("MISMATCH: %d difference(s)", len(r.Diff))))
		for _, d := range r.Diff {
			t.line("    %s", t.paint(diffColor(d), report.TermSafe(d.String())))
		}
	default:
		t.line("  %s: %s", strings.ToUpper(string(r.Status)), report.TermSafe(r.Reason))
	}
	return t.w.Flush()
}

type textWriter struct {
	w     *bufio.Writer
	color bool
}

func (t *textWriter) paint(code, s string) string {
	if !t.color {
		return s
	}
	return code + s + ansiReset
}

func (t *textWriter) line(format string, args ...any) {
	fmt.Fprintf(t.w, format+"\n", args...)
}

func expectLine(e *Expect) string {
	if len(e.Findings) == 0 {
		return string(e.Decision) + ", no findings"
	}
	var fs []string
	for _, f := range e.Findings {
		fs = append(fs, f.String())
	}
	return fmt.Sprintf("%s, %d finding(s): %s", e.Decision, len(e.Findings), strings.Join(fs, "; "))
}

func diffColor(d Difference) string {
	if d.Kind == "unexpected" {
		return ansiGreen
	}
	return ansiRed
}

func statusText(r *Result) string {
	switch r.Status {
	case OK:
		return "ok"
	case Regressed:
		return "REGRESSED"
	case Errored:
		return "ERROR: " + r.Reason
	}
	// The full reason follows the table, once for all the scenarios it
	// skipped.
	short, _, _ := strings.Cut(r.Reason, ":")
	return "skipped (" + short + ")"
}

func statusColor(s Status) string {
	switch s {
	case OK:
		return ansiGreen
	case Skipped:
		return ansiYellow
	}
	return ansiRed
}

func regressText(w io.Writer, g *Regression, o report.Options) error {
	t := &textWriter{w: bufio.NewWriter(w), color: o.Color}
	nameW, inW := len("SCENARIO"), len("INPUT")
	for _, r := range g.Results {
		nameW, inW = max(nameW, len(r.Name)), max(inW, len(r.Input))
	}
	row := func(name, input, exp, act, status string) string {
		return fmt.Sprintf("%-*s  %-*s  %-8s  %-8s  %s", nameW, name, inW, input, exp, act, status)
	}
	t.line("%s", t.paint(ansiBold, strings.TrimRight(row("SCENARIO", "INPUT", "EXPECTED", "ACTUAL", "RESULT"), " ")))
	for i := range g.Results {
		r := &g.Results[i]
		exp, act := "-", "-"
		if r.Expected != nil {
			exp = string(r.Expected.Decision)
		}
		if r.Actual != nil {
			act = string(r.Actual.Decision)
		}
		input := r.Input
		if input == "" {
			input = "-"
		}
		line := row(report.TermSafe(r.Name), report.TermSafe(input), exp, act, "")
		t.line("%s%s", line, t.paint(statusColor(r.Status), report.TermSafe(statusText(r))))
	}
	for i := range g.Results {
		r := &g.Results[i]
		if r.Status != Regressed {
			continue
		}
		t.line("")
		t.line("%s", t.paint(ansiBold, fmt.Sprintf("%s (%s): expected vs actual", report.TermSafe(r.Name), report.TermSafe(r.File))))
		for _, d := range r.Diff {
			t.line("  %s", t.paint(diffColor(d), report.TermSafe(d.String())))
		}
	}
	var reasons []string
	skipped := map[string]int{}
	for _, r := range g.Results {
		if r.Status == Skipped {
			if skipped[r.Reason] == 0 {
				reasons = append(reasons, r.Reason)
			}
			skipped[r.Reason]++
		}
	}
	if len(reasons) > 0 {
		t.line("")
	}
	for _, reason := range reasons {
		t.line("%s", t.paint(ansiYellow, fmt.Sprintf("%d skipped, not passed: %s", skipped[reason], report.TermSafe(reason))))
	}
	t.line("")
	shard := ""
	if g.Shard != "" {
		shard = " (shard " + g.Shard + ")"
	}
	t.line("%d scenario(s)%s: %d ok, %d regressed, %d error(s), %d skipped · %s",
		len(g.Results), shard, g.Count(OK), g.Count(Regressed),
		g.Count(Errored), g.Count(Skipped), g.Took.Round(10*time.Millisecond))
	return t.w.Flush()
}

type regressDoc struct {
	Schema   string         `json:"schema"`
	Shard    string         `json:"shard,omitempty"`
	Summary  map[string]int `json:"summary"`
	Duration float64        `json:"duration_seconds"`
	Results  []Result       `json:"results"`
}

func regressJSON(w io.Writer, g *Regression) error {
	doc := regressDoc{
		Schema: RegressSchema, Shard: g.Shard, Duration: g.Took.Seconds(), Results: g.Results,
		Summary: map[string]int{
			"total": len(g.Results),
			"ok":    g.Count(OK), "regressed": g.Count(Regressed),
			"error": g.Count(Errored), "skipped": g.Count(Skipped),
		},
	}
	if doc.Results == nil {
		doc.Results = []Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
