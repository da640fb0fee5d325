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
	if len(v.Stacks) > 0 {
		t.stacks(v, o)
		return t.w.Flush()
	}
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
	if line := verdict.RollbackLine(v.Rollback); line != "" {
		t.line("%s", termSafe(line))
	}
	t.body(v, o)
	return t.w.Flush()
}

// stacks renders a many-stack verdict: the decision and summary over all
// stacks, one line per stack, the total blast radius, then each stack's
// section, strongest first.
func (t *textWriter) stacks(v *verdict.Verdict, o Options) {
	head := fmt.Sprintf("%-6s %s", strings.ToUpper(string(v.Decision)), termSafe(StacksHeadline(v)))
	t.line("%s", t.paint(ansiBold+decisionColor(v.Decision), head))
	t.line("%s", t.paint(ansiDim, fmt.Sprintf("origin: %s · fingerprint: %s (all %d stacks: an approval binds the whole set)", termSafe(originLine(v)), v.Fingerprint, len(v.Stacks))))
	for _, n := range v.Notes {
		t.line("note: %s", termSafe(n))
	}
	width := 0
	for _, s := range v.Stacks {
		width = max(width, len(termSafe(s.Name)))
	}
	t.line("")
	for _, s := range v.Stacks {
		mark := fmt.Sprintf("%-5s", s.Decision)
		t.line("  %s %-*s  %s · %s", t.paint(decisionColor(s.Decision), mark), width, termSafe(s.Name), termSafe(stackLine(&s)), s.Fingerprint)
	}
	if whole := wholeChange(v); len(whole.Findings) > 0 {
		t.sections(&whole, o)
	}
	t.line("")
	t.line("blast radius, all stacks: %s", actionCounts(&v.Blast))
	for _, e := range envCounts(&v.Blast) {
		t.line("  %s", termSafe(e))
	}
	for _, s := range v.Stacks {
		sv := v.StackView(s.Name)
		t.line("")
		t.line("%s", t.paint(ansiBold+decisionColor(sv.Decision), fmt.Sprintf("── %s: %s ── %s", termSafe(s.Name), strings.ToUpper(string(sv.Decision)), termSafe(Headline(&sv)))))
		meta := "source: " + termSafe(sourceLine(&sv))
		if sv.Workspace != "" {
			meta += " · workspace: " + termSafe(sv.Workspace)
		}
		t.line("%s", t.paint(ansiDim, meta+" · fingerprint: "+s.Fingerprint))
		for _, n := range sv.Notes {
			t.line("note: %s", termSafe(n))
		}
		t.body(&sv, o)
	}
}

// body renders the root causes, findings by severity, the passing
// changes and the blast radius of one change.
func (t *textWriter) body(v *verdict.Verdict, o Options) {
	t.causes(v)
	t.sections(v, o)
	t.passed(v, o.max())
	t.line("")
	t.line("blast radius: %s", actionCounts(&v.Blast))
	for _, e := range envCounts(&v.Blast) {
		t.line("  %s", termSafe(e))
	}
}

// causes lists the replaces that force others, so the one change to
// question is read first.
func (t *textWriter) causes(v *verdict.Verdict) {
	causes := verdict.RootCauses(v.Findings)
	if len(causes) == 0 {
		return
	}
	t.line("")
	t.line("%s", t.paint(ansiBold, fmt.Sprintf("ROOT CAUSES (%d)", len(causes))))
	for i := range causes {
		if i >= maxCauses {
			t.line("  … and %d more", len(causes)-i)
			break
		}
		t.line("  %s", termSafe(CauseLine(&causes[i])))
	}
	t.line("%s", t.paint(ansiDim, "  "+causeCaveat))
}

// sections renders the findings, blocking first, groups of alike findings
// as one.
func (t *textWriter) sections(v *verdict.Verdict, o Options) {
	max := o.max()
	shown := 0
	for _, sev := range []verdict.Severity{verdict.SeverityBlock, verdict.SeverityWarn} {
		var group []verdict.Finding
		for i := range v.Findings {
			if v.Findings[i].Severity == sev {
				group = append(group, v.Findings[i])
			}
		}
		if len(group) == 0 {
			continue
		}
		t.line("")
		t.line("%s", t.paint(ansiBold+decisionColor(verdict.Decision(sev)), fmt.Sprintf("%s (%d)", strings.ToUpper(string(sev)), len(group))))
		groups := verdict.Groups(group)
		for i := range groups {
			if shown >= max {
				left := 0
				for _, g := range groups[i:] {
					left += len(g.Findings)
				}
				t.line("  … and %d more %s findings (use --format json for all)", left, sev)
				break
			}
			shown++
			if g := &groups[i]; len(g.Findings) == 1 {
				t.finding(g.Findings[0])
			} else {
				t.group(g)
			}
		}
	}
}

// group renders alike findings as one: the label, what the first says,
// and every member's id.
func (t *textWriter) group(g *verdict.Group) {
	f := g.Findings[0]
	mark := "!"
	if f.Severity == verdict.SeverityBlock {
		mark = "✖"
	}
	if f.Approval != nil {
		mark = "✔"
	}
	t.line("  %s %s%s", mark, t.paint(ansiBold, termSafe(g.Label())), tagText(f))
	t.line("    %s", termSafe(f.Message))
	if f.Recoverability != "" {
		t.line("    recoverability: %s", termSafe(f.Recoverability))
	}
	ids := g.IDs()
	if len(ids) > maxGroupIDs {
		ids = append(ids[:maxGroupIDs:maxGroupIDs], fmt.Sprintf("… and %d more (--format json)", len(g.Findings)-maxGroupIDs))
	}
	t.line("    %s", t.paint(ansiDim, "rule "+f.Rule+" · ids "+strings.Join(ids, ", ")))
}

// maxGroupIDs caps the ids a group lists in text.
const maxGroupIDs = 12

func tagText(f *verdict.Finding) string {
	var tags []string
	if f.Environment != "" {
		tags = append(tags, f.Environment)
	}
	if f.Kind != "" {
		tags = append(tags, string(f.Class)+" "+f.Kind)
	}
	if len(tags) == 0 {
		return ""
	}
	return "  [" + termSafe(strings.Join(tags, ", ")) + "]"
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
	t.line("  %s %s  %s%s", mark, t.paint(ansiBold, termSafe(addr)), f.Action, tagText(f))
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
