package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/rehearse-dev/rehearse/verdict"
)

// MarkdownMarker is the first line of every Markdown report: hidden when
// rendered, stable, so a CI job can find and update its own PR comment.
const MarkdownMarker = "<!-- rehearse:verdict -->"

var decisionIcon = map[verdict.Decision]string{verdict.Block: "⛔", verdict.Warn: "⚠️", verdict.Pass: "✅"}

func renderMarkdown(w io.Writer, v *verdict.Verdict, o Options) error {
	b := bufio.NewWriterSize(w, 64<<10)
	p := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	p("%s", MarkdownMarker)
	p("### %s rehearse: **%s** — %s", decisionIcon[v.Decision], strings.ToUpper(string(v.Decision)), mdEscape(Headline(v)))
	p("")
	workspace := ""
	if v.Workspace != "" {
		workspace = " · Workspace: " + mdEscape(v.Workspace)
	}
	p("Origin: %s · Source: %s%s · Fingerprint: %s", mdEscape(originLine(v)), mdEscape(sourceLine(v)), workspace, mdCode(v.Fingerprint))
	for _, n := range v.Notes {
		p("")
		p("> %s", mdEscape(n))
	}
	max := o.max()
	if len(v.Findings) > 0 {
		p("")
		p("| | Rule | Address | Action | Environment | Finding |")
		p("|---|---|---|---|---|---|")
		for i := range v.Findings {
			if i >= max {
				p("")
				p("… and %d more findings (see the JSON report).", len(v.Findings)-i)
				break
			}
			f := &v.Findings[i]
			icon := map[verdict.Severity]string{verdict.SeverityBlock: "⛔", verdict.SeverityWarn: "⚠️"}[f.Severity]
			if f.Approval != nil {
				icon = "✅"
			}
			p("| %s | %s | %s | %s | %s | %s |", icon, mdEscape(f.Rule), mdCode(orWhole(f.Address)), mdEscape(string(f.Action)), mdEscape(f.Environment), mdEscape(f.Message))
		}
		riskAssessment(p, v, max)
	}
	if len(v.Passed) > 0 {
		p("")
		p("<details><summary>%d passing changes</summary>", len(v.Passed))
		p("")
		for i, l := range v.Passed {
			if i >= max {
				p("- … and %d more", len(v.Passed)-i)
				break
			}
			note := ""
			if l.Note != "" {
				note = " — " + mdEscape(l.Note)
			}
			p("- %s %s%s", mdEscape(string(l.Action)), mdCode(l.Address), note)
		}
		p("")
		p("</details>")
	}
	p("")
	p("<details><summary>Blast radius</summary>")
	p("")
	p("- %s", mdEscape(actionCounts(&v.Blast)))
	for _, e := range envCounts(&v.Blast) {
		p("- %s", mdEscape(e))
	}
	p("")
	p("</details>")
	return b.Flush()
}

// riskAssessment lists each destructive finding with its blast radius,
// recoverability and rollback plan.
func riskAssessment(p func(string, ...any), v *verdict.Verdict, max int) {
	p("")
	p("<details><summary>Risk assessment</summary>")
	p("")
	for i := range v.Findings {
		if i >= max {
			p("… and %d more.", len(v.Findings)-i)
			break
		}
		f := &v.Findings[i]
		p("#### %s %s", mdCode(orWhole(f.Address)), mdEscape(string(f.Action)))
		p("")
		p("- %s", mdEscape(f.Message))
		if l := f.Location; l != nil {
			p("- Defined at %s", mdCode(fmt.Sprintf("%s:%d", l.File, l.Line)))
		}
		for _, e := range f.Evidence {
			p("- %s", mdEscape(e))
		}
		blast := "this resource only"
		if len(f.Dependents) > 0 {
			blast = fmt.Sprintf("referenced by %d: %s", len(f.Dependents), mdEscape(strings.Join(f.Dependents, ", ")))
		}
		if f.Address == "" {
			blast = mdEscape(actionCounts(&v.Blast))
		}
		p("- Blast radius: %s", blast)
		if f.Recoverability != "" {
			hints := ""
			if len(f.Hints) > 0 {
				hints = " — " + mdEscape(strings.Join(f.Hints, "; "))
			}
			p("- Recoverability: %s%s", mdEscape(f.Recoverability), hints)
		}
		if a := f.Approval; a != nil {
			p("- Approved by %s (%s): %s", mdEscape(a.By), mdEscape(a.At), mdEscape(a.Reason))
			p("- Rollback plan: %s", mdEscape(a.Rollback))
		} else {
			p("- Rollback plan: none recorded")
		}
		for _, a := range f.VoidApprovals {
			p("- Void approval by %s: %s", mdEscape(a.By), mdEscape(voidReason(&a, v.Fingerprint)))
		}
		p("- Finding id: %s", mdCode(f.ID))
		p("")
	}
	p("</details>")
}

func orWhole(addr string) string {
	if addr == "" {
		return "(whole change)"
	}
	return addr
}
