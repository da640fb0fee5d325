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

var severityIcon = map[verdict.Severity]string{verdict.SeverityBlock: "⛔", verdict.SeverityWarn: "⚠️"}

// mdBudget says how much of a verdict one Markdown rendering shows.
type mdBudget struct {
	// groups is how many groups of findings are shown, riskiest first;
	// the rest are counted.
	groups int
	// passed lists the passing changes and drift (up to max each).
	passed bool
	// max caps the passing changes listed and a group's members.
	max int
	// cut says the comment limit left something out: the rendering
	// says what, and where the whole report is.
	cut bool
}

// mdWriter renders one Markdown report into a builder, so renderMarkdown
// can measure it against the comment limit.
type mdWriter struct {
	b      strings.Builder
	v      *verdict.Verdict
	o      Options
	budget mdBudget
	groups []verdict.Group
	// shown counts the groups shown so far, against budget.groups.
	shown int
	// units is the comment's length so far (CommentLength); past limit
	// the rendering stops and over is set: it does not fit.
	units, limit int
	over         bool
	// pre holds, per stack ("" for one change), what every rendering of
	// the same verdict shares: computed once, not once per try.
	pre map[string]*mdShared
}

// mdShared is the part of a change's section that does not depend on the
// budget.
type mdShared struct {
	causes []verdict.Cause
	graph  string
}

func (m *mdWriter) p(format string, args ...any) {
	if m.over {
		return
	}
	line := fmt.Sprintf(format+"\n", args...)
	n := CommentLength(line)
	if m.units+n > m.limit {
		m.over = true
		return
	}
	m.units += n
	m.b.WriteString(line)
}

func renderMarkdown(w io.Writer, v *verdict.Verdict, o Options) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(fitMarkdown(v, o)); err != nil {
		return err
	}
	return bw.Flush()
}

// fitMarkdown renders v whole when it fits the comment limit, and
// otherwise with as many groups of findings as fit, riskiest first (the
// findings are in that order), the passing changes left out, and a line
// that counts what was left out and names the full report.
func fitMarkdown(v *verdict.Verdict, o Options) string {
	groups := verdict.Groups(v.Findings)
	limit := o.commentLimit()
	pre := map[string]*mdShared{}
	// A rendering stops as soon as it is over the limit, so each costs
	// at most the limit, whatever the size of the plan.
	render := func(b mdBudget) (string, bool) {
		m := &mdWriter{v: v, o: o, budget: b, groups: groups, limit: limit, pre: pre}
		m.render()
		return m.b.String(), !m.over
	}
	if full, ok := render(mdBudget{groups: o.max(), passed: true, max: o.max()}); ok {
		return full
	}
	// The largest number of groups that fits: each rendering with fewer
	// groups is no longer, so a binary search finds it.
	lo, hi := 0, min(len(groups), o.max())
	best, ok := render(mdBudget{groups: 0, max: o.max(), cut: true})
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if s, fits := render(mdBudget{groups: mid, max: o.max(), cut: true}); fits {
			lo, best, ok = mid, s, true
		} else {
			hi = mid - 1
		}
	}
	if ok {
		return best
	}
	// Not even the headline and the approval fit (a limit of a few
	// hundred characters): the headline alone, cut to the limit.
	return cutToLimit(MarkdownMarker+"\n### "+decisionIcon[v.Decision]+" rehearse: **"+strings.ToUpper(string(v.Decision))+"** — "+mdEscape(Headline(v))+"\n", limit)
}

func (m *mdWriter) render() {
	v := m.v
	m.p("%s", MarkdownMarker)
	if len(v.Stacks) > 0 {
		m.stacks()
	} else {
		m.p("### %s rehearse: **%s** — %s", decisionIcon[v.Decision], strings.ToUpper(string(v.Decision)), mdEscape(Headline(v)))
		m.p("")
		workspace := ""
		if v.Workspace != "" {
			workspace = " · Workspace: " + mdEscape(v.Workspace)
		}
		m.p("Origin: %s · Source: %s%s · Fingerprint: %s", mdEscape(originLine(v)), mdEscape(sourceLine(v)), workspace, mdCode(v.Fingerprint))
		m.notes(v.Notes)
		if line := verdict.RollbackLine(v.Rollback); line != "" {
			m.p("")
			m.p("**%s**", mdEscape(line))
		}
		m.body("", v, m.groups)
	}
	m.leftOut()
	m.approve()
	m.p("")
	m.p("<sub>change %s · rehearse %s</sub>", mdCode(v.Fingerprint), mdEscape(m.o.version()))
}

func (m *mdWriter) notes(notes []string) {
	for _, n := range notes {
		m.p("")
		m.p("> %s", mdEscape(n))
	}
}

// stacks renders a many-stack verdict: the summary over all stacks, a
// table of the stacks, the total blast radius, then each stack's section,
// strongest first.
func (m *mdWriter) stacks() {
	v := m.v
	m.p("### %s rehearse: **%s** — %s", decisionIcon[v.Decision], strings.ToUpper(string(v.Decision)), mdEscape(StacksHeadline(v)))
	m.p("")
	m.p("Origin: %s · Fingerprint: %s (all %d stacks: an approval binds the whole set)", mdEscape(originLine(v)), mdCode(v.Fingerprint), len(v.Stacks))
	m.notes(v.Notes)
	m.p("")
	m.p("| Stack | Decision | Findings | Blast radius | Fingerprint |")
	m.p("|---|---|---|---|---|")
	for _, s := range v.Stacks {
		m.p("| %s | %s %s | %d | %s | %s |", mdCode(s.Name), decisionIcon[s.Decision], s.Decision, s.Findings, mdEscape(actionCounts(&s.Blast)), mdCode(s.Fingerprint))
	}
	m.p("")
	m.p("Blast radius, all stacks: %s", mdEscape(actionCounts(&v.Blast)))
	for _, e := range envCounts(&v.Blast) {
		m.p("- %s", mdEscape(e))
	}
	var whole []verdict.Group
	for _, g := range m.groups {
		if g.Findings[0].Stack == "" {
			whole = append(whole, g)
		}
	}
	if len(whole) > 0 {
		wv := wholeChange(v)
		first := m.shown
		m.table(whole)
		m.risk(&wv, whole, first)
	}
	for _, s := range v.Stacks {
		sv := v.StackView(s.Name)
		var gs []verdict.Group
		for _, g := range m.groups {
			if g.Findings[0].Stack == s.Name {
				gs = append(gs, g)
			}
		}
		m.p("")
		m.p("#### %s %s — **%s**: %s", decisionIcon[sv.Decision], mdCode(s.Name), strings.ToUpper(string(sv.Decision)), mdEscape(Headline(&sv)))
		m.p("")
		workspace := ""
		if sv.Workspace != "" {
			workspace = " · Workspace: " + mdEscape(sv.Workspace)
		}
		m.p("Source: %s%s · Fingerprint: %s", mdEscape(sourceLine(&sv)), workspace, mdCode(s.Fingerprint))
		m.notes(sv.Notes)
		m.body(s.Name, &sv, gs)
	}
}

// body renders one change: root causes, the graph, the findings table,
// the risk assessment, the passing changes and the blast radius.
func (m *mdWriter) body(stack string, v *verdict.Verdict, groups []verdict.Group) {
	first := m.shown
	sh := m.pre[stack]
	if sh == nil {
		sh = &mdShared{causes: verdict.RootCauses(v.Findings), graph: mermaidGraph(groups)}
		m.pre[stack] = sh
	}
	if causes := sh.causes; len(causes) > 0 {
		m.p("")
		m.p("<b>Root causes</b>, to question first:")
		m.p("")
		for i := range causes {
			if i >= maxCauses {
				m.p("- … and %d more", len(causes)-i)
				break
			}
			m.p("- %s", mdEscape(CauseLine(&causes[i])))
		}
		m.p("")
		m.p("<sub>%s</sub>", mdEscape(causeCaveat))
	}
	if g := sh.graph; g != "" {
		m.p("")
		m.p("```mermaid")
		m.p("%s", strings.TrimSuffix(g, "\n"))
		m.p("```")
	}
	if len(groups) > 0 {
		m.table(groups)
		m.risk(v, groups, first)
	}
	if m.budget.passed {
		m.listed(v.Passed, "passing changes")
		m.listed(v.Drift, "changes made outside Terraform (drift, not part of this change)")
	}
	m.p("")
	m.p("<details><summary>Blast radius</summary>")
	m.p("")
	m.p("- %s", mdEscape(actionCounts(&v.Blast)))
	for _, e := range envCounts(&v.Blast) {
		m.p("- %s", mdEscape(e))
	}
	m.p("")
	m.p("</details>")
}

// table lists groups of findings, one row each, as far as the budget
// goes.
func (m *mdWriter) table(groups []verdict.Group) {
	m.p("")
	m.p("| | Rule | Address | Action | Environment | Finding |")
	m.p("|---|---|---|---|---|---|")
	for i := range groups {
		if m.over {
			return
		}
		if m.shown+i >= m.budget.groups {
			if !m.budget.cut {
				m.p("")
				m.p("… and %d more findings (see the JSON report).", countFindings(groups[i:]))
			}
			break
		}
		g := &groups[i]
		f := g.Findings[0]
		icon := severityIcon[f.Severity]
		if f.Approval != nil {
			icon = "✅"
		}
		addr := mdCode(orWhole(f.Address))
		msg := mdEscape(f.Message)
		if len(g.Findings) > 1 {
			addr = fmt.Sprintf("%d × %s", len(g.Findings), mdCode(g.Addresses))
			if g.Cause != "" {
				msg += " — " + mdEscape(g.Cause)
			}
		}
		m.p("| %s | %s | %s | %s | %s | %s |", icon, mdEscape(f.Rule), addr, mdEscape(string(f.Action)), mdEscape(f.Environment), msg)
	}
}

// risk lists each shown group with its evidence, recoverability, rollback
// plan and ids; a group's members are listed in a nested <details>.
func (m *mdWriter) risk(v *verdict.Verdict, groups []verdict.Group, first int) {
	m.p("")
	m.p("<details><summary>Risk assessment</summary>")
	m.p("")
	for i := range groups {
		if first+i >= m.budget.groups || m.over {
			break
		}
		m.shown++
		g := &groups[i]
		f := g.Findings[0]
		if len(g.Findings) == 1 {
			m.p("#### %s %s", mdCode(orWhole(f.Address)), mdEscape(string(f.Action)))
		} else {
			m.p("#### %d × %s %s", len(g.Findings), mdCode(g.Addresses), mdEscape(string(f.Action)))
		}
		m.p("")
		m.p("- %s", mdEscape(f.Message))
		if l := f.Location; l != nil {
			m.p("- Defined at %s", mdCode(fmt.Sprintf("%s:%d", l.File, l.Line)))
		}
		for _, e := range f.Evidence {
			m.p("- %s", mdEscape(e))
		}
		blast := "this resource only"
		if len(f.Dependents) > 0 {
			blast = fmt.Sprintf("referenced by %d: %s", len(f.Dependents), mdEscape(strings.Join(f.Dependents, ", ")))
		}
		if f.Address == "" {
			blast = mdEscape(actionCounts(&v.Blast))
		}
		m.p("- Blast radius: %s", blast)
		if f.Recoverability != "" {
			hints := ""
			if len(f.Hints) > 0 {
				hints = " — " + mdEscape(strings.Join(f.Hints, "; "))
			}
			m.p("- Recoverability: %s%s", mdEscape(f.Recoverability), hints)
		}
		if a := f.Approval; a != nil {
			m.p("- Approved by %s (%s): %s", mdEscape(a.By), mdEscape(a.At), mdEscape(a.Reason))
			m.p("- Rollback plan: %s", mdEscape(a.Rollback))
		} else {
			m.p("- Rollback plan: none recorded")
		}
		for _, a := range f.VoidApprovals {
			m.p("- Void approval by %s: %s", mdEscape(a.By), mdEscape(voidReason(&a, v.Fingerprint)))
		}
		if len(g.Findings) == 1 {
			m.p("- Finding id: %s", mdCode(f.ID))
		} else {
			m.members(g)
		}
		m.p("")
	}
	m.p("</details>")
}

// members lists a group's findings, each address with its id.
func (m *mdWriter) members(g *verdict.Group) {
	m.p("")
	m.p("<details><summary>%d findings</summary>", len(g.Findings))
	m.p("")
	for i, f := range g.Findings {
		if i >= m.budget.max {
			m.p("- … and %d more (see the JSON report)", len(g.Findings)-i)
			break
		}
		m.p("- %s — %s", mdCode(f.Address), mdCode(f.ID))
	}
	m.p("")
	m.p("</details>")
}

func (m *mdWriter) listed(ls []verdict.Listed, what string) {
	if len(ls) == 0 {
		return
	}
	m.p("")
	m.p("<details><summary>%d %s</summary>", len(ls), what)
	m.p("")
	for i, l := range ls {
		if m.over {
			return
		}
		if i >= m.budget.max {
			m.p("- … and %d more", len(ls)-i)
			break
		}
		note := ""
		if l.Note != "" {
			note = " — " + mdEscape(l.Note)
		}
		m.p("- %s %s%s", mdEscape(string(l.Action)), mdCode(l.Address), note)
	}
	m.p("")
	m.p("</details>")
}

// leftOut says what the comment limit left out, and where the whole
// report is.
func (m *mdWriter) leftOut() {
	if !m.budget.cut {
		return
	}
	v := m.v
	shownFindings := countFindings(m.groups[:min(m.shown, len(m.groups))])
	var parts []string
	if n := len(v.Findings) - shownFindings; n > 0 {
		parts = append(parts, fmt.Sprintf("%s of %s findings (%s of %s groups)", verdict.Thousands(int64(n)), verdict.Thousands(int64(len(v.Findings))), verdict.Thousands(int64(len(m.groups)-m.shown)), verdict.Thousands(int64(len(m.groups)))))
	}
	if n := len(v.Passed); n > 0 {
		parts = append(parts, verdict.Thousands(int64(n))+" passing changes")
	}
	if n := len(v.Drift); n > 0 {
		parts = append(parts, verdict.Thousands(int64(n))+" drifted resources")
	}
	where := "run with `--output json=rehearse.json` and keep it as a CI artifact for the full report"
	if m.o.FullReport != "" {
		where = "the full report is the JSON artifact " + mdCode(m.o.FullReport)
	}
	m.p("")
	m.p("<b>Left out to fit the comment limit of %s characters:</b> %s; %s.", verdict.Thousands(int64(m.o.commentLimit())), strings.Join(parts, ", "), where)
}

// maxApproveFlags is how many --finding flags the approval command spells
// out; past that, a jq line over the JSON report makes them.
const maxApproveFlags = 12

// approve ends the comment with the command that approves the blocking
// findings, once reviewed.
func (m *mdWriter) approve() {
	var ids []string
	for i := range m.v.Findings {
		if f := &m.v.Findings[i]; f.Effective() == verdict.SeverityBlock {
			ids = append(ids, f.ID)
		}
	}
	if len(ids) == 0 {
		return
	}
	inputs := termSafe(m.o.ApproveArgs)
	if inputs == "" {
		inputs = "PLAN.json"
	}
	var cmd string
	if len(ids) <= maxApproveFlags {
		cmd = "rehearse approve " + inputs + " --finding " + strings.Join(ids, " --finding ") + ` \` + "\n" +
			`  --by YOU@example.com --reason "why it may go" --rollback "how to undo it"`
	} else {
		report := m.o.FullReport
		if report == "" {
			report = "rehearse.json"
		}
		cmd = "rehearse approve " + inputs + ` \` + "\n" +
			`  $(jq -r '.findings[] | select(.severity == "block" and .approval == null) | "--finding " + .id' ` + shellQuote(report) + `) \` + "\n" +
			`  --by YOU@example.com --reason "why it may go" --rollback "how to undo it"`
	}
	fence := "```"
	for strings.Contains(cmd, fence) {
		fence += "`"
	}
	m.p("")
	m.p("<b>To approve the %d blocking %s</b> once reviewed, for exactly this change (add <code>--sign-key KEY</code> when the policy names signers):", len(ids), plural("finding", len(ids)))
	m.p("")
	m.p("%ssh", fence)
	m.p("%s", cmd)
	m.p("%s", fence)
}

func countFindings(gs []verdict.Group) int {
	n := 0
	for _, g := range gs {
		n += len(g.Findings)
	}
	return n
}

func orWhole(addr string) string {
	if addr == "" {
		return "(whole change)"
	}
	return addr
}

// shellQuote quotes a word for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
