package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/rehearse-dev/rehearse/verdict"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiGreen  = "\x1b[32m"
	ansiDim    = "\x1b[2m"
)

type textWriter struct {
	w     *bufio.Writer
	color bool
	// fingerprint is the verdict's, for why an approval is void.
	fingerprint string
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

func decisionColor(d verdict.Decision) string {
	switch d {
	case verdict.Block:
		return ansiRed
	case verdict.Warn:
		return ansiYellow
	}
	return ansiGreen
}

func renderText(w io.Writer, v *verdict.Verdict, o Options) error {
	t := &textWriter{w: bufio.NewWriterSize(w, 64<<10), color: o.Color, fingerprint: v.Fingerprint}
	head := fmt.Sprintf("%-6s %s", strings.ToUpper(string(v.Decision)), termSafe(Headline(v)))
	t.line("%s", t.paint(ansiBold+decisionColor(v.Decision), head))
	meta := fmt.Sprintf("origin: %s · source: %s", termSafe(originLine(v)), termSafe(sourceLine(v)))
	if v.Workspace != "" {
		meta += " · workspace: " + termSafe(v.Workspace)
	}
	t.line("%s", t.paint(ansiDim, meta+" · fingerprint: "+v.Fingerprint))
	for _, n := range v.Notes {
		t.line("note: %s", termSafe(n))
	}
	max := o.max()
	shown := 0
	for _, sev := range []verdict.Severity{verdict.SeverityBlock, verdict.SeverityWarn} {
		var group []*verdict.Finding
		for i := range v.Findings {
			if v.Findings[i].Severity == sev {
				group = append(group, &v.Findings[i])
			}
		}
		if len(group) == 0 {
			continue
		}
		t.line("")
		t.line("%s", t.paint(ansiBold+decisionColor(verdict.Decision(sev)), fmt.Sprintf("%s (%d)", strings.ToUpper(string(sev)), len(group))))
		for i, f := range group {
			if shown >= max {
				t.line("  … and %d more %s findings (use --format json for all)", len(group)-i, sev)
				break
			}
			shown++
			t.finding(f)
		}
	}
	t.passed(v, max)
	t.line("")
	t.line("blast radius: %s", actionCounts(&v.Blast))
	for _, e := range envCounts(&v.Blast) {
		t.line("  %s", termSafe(e))
	}
	return t.w.Flush()
}

func (t *textWriter) finding(f *verdict.Finding) {
	mark := "!"
	if f.Severity == verdict.SeverityBlock {
		mark = "✖"
	}
	if f.Approval != nil {
		mark = "✔"
	}
	addr := f.Address
	if addr == "" {
		addr = "(whole change)"
	}
	var tags []string
	if f.Environment != "" {
		tags = append(tags, f.Environment)
	}
	if f.Kind != "" {
		tags = append(tags, string(f.Class)+" "+f.Kind)
	}
	tagText := ""
	if len(tags) > 0 {
		tagText = "  [" + termSafe(strings.Join(tags, ", ")) + "]"
	}
	t.line("  %s %s  %s%s", mark, t.paint(ansiBold, termSafe(addr)), f.Action, tagText)
	t.line("    %s", termSafe(f.Message))
	if l := f.Location; l != nil {
		t.line("    at %s:%d", termSafe(l.File), l.Line)
	}
	for _, e := range f.Evidence {
		t.line("    · %s", termSafe(e))
	}
	if f.Recoverability != "" {
		t.line("    recoverability: %s", termSafe(f.Recoverability))
		for _, h := range f.Hints {
			t.line("      - %s", termSafe(h))
		}
	}
	if len(f.Dependents) > 0 {
		t.line("    referenced by: %s", termSafe(strings.Join(f.Dependents, ", ")))
	}
	if a := f.Approval; a != nil {
		t.line("    approved by %s at %s: %s; rollback: %s", termSafe(a.By), termSafe(a.At), termSafe(a.Reason), termSafe(a.Rollback))
	}
	for _, a := range f.VoidApprovals {
		t.line("    void approval by %s: %s", termSafe(a.By), termSafe(voidReason(&a, t.fingerprint)))
	}
	t.line("    %s", t.paint(ansiDim, "rule "+f.Rule+" · id "+f.ID))
}

func (t *textWriter) passed(v *verdict.Verdict, max int) {
	if len(v.Passed) == 0 && len(v.Drift) == 0 {
		return
	}
	if len(v.Passed) > 0 {
		t.line("")
		t.line("%s", t.paint(ansiBold+ansiGreen, fmt.Sprintf("PASS (%d listed)", len(v.Passed))))
		for i, p := range v.Passed {
			if i >= max {
				t.line("  … and %d more", len(v.Passed)-i)
				break
			}
			t.listed(p)
		}
	}
	if len(v.Drift) > 0 {
		t.line("")
		t.line("DRIFT (%d, changed outside Terraform; not part of this change)", len(v.Drift))
		for i, p := range v.Drift {
			if i >= max {
				t.line("  … and %d more", len(v.Drift)-i)
				break
			}
			t.listed(p)
		}
	}
}

func (t *textWriter) listed(p verdict.Listed) {
	s := fmt.Sprintf("  %-2s %s  %s", actionSymbol(p.Action), termSafe(p.Address), p.Action)
	if p.Note != "" {
		s += "  " + termSafe(p.Note)
	}
	t.line("%s", s)
}
