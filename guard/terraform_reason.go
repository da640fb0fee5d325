package guard

import (
	"fmt"
	"github.com/rehearse-dev/rehearse/internal/textsafe"
	"strings"
	"unicode"

	"github.com/rehearse-dev/rehearse/verdict"
)

// maxNamed bounds how many addresses one answer names: enough for the
// agent to see what would go, short enough to stay one paragraph.
const maxNamed = 24

// denial is the one paragraph an agent gets for a blocked plan: what
// would be destroyed, where, and the exact approval a human must give.
func (j *Judged) denial(cmd string) string {
	blocking := j.findings(verdict.SeverityBlock)
	var onResources, whole []*verdict.Finding
	for _, f := range blocking {
		if f.Address == "" {
			whole = append(whole, f)
		} else {
			onResources = append(onResources, f)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "denied by rehearse: %s would ", printable(cmd))
	switch {
	case len(onResources) > 0:
		b.WriteString(summary(onResources[0]))
		if n := len(onResources) - 1; n > 0 {
			fmt.Fprintf(&b, "; %d more resource%s blocked: %s", n, plural(n), addresses(onResources[1:]))
		}
		b.WriteString(".")
		for _, f := range whole {
			fmt.Fprintf(&b, " Also: %s.", printable(f.Message))
		}
	case len(whole) > 0:
		fmt.Fprintf(&b, "be held: %s.", printable(whole[0].Message))
		for _, f := range whole[1:] {
			fmt.Fprintf(&b, " Also: %s.", printable(f.Message))
		}
	default: // cannot happen for a block; say so rather than nothing
		b.WriteString("be blocked by the policy.")
	}
	if n := len(j.findings(verdict.SeverityWarn)); n > 0 {
		verb := "warns"
		if n > 1 {
			verb = "warn"
		}
		fmt.Fprintf(&b, " (%d more finding%s only %s.)", n, plural(n), verb)
	}
	b.WriteString(" ")
	j.approvalHint(&b, blocking)
	b.WriteString(" Do not retry the command or work around it (another command, a -target, editing the state) until then; tell the user what it would do.")
	return b.String()
}

// warning is the text of an ask: what needs a human's eye, not approval.
func (j *Judged) warning(cmd string) string {
	warns := j.findings(verdict.SeverityWarn)
	var b strings.Builder
	fmt.Fprintf(&b, "rehearse warns: %s would ", printable(cmd))
	if len(warns) > 0 {
		b.WriteString(summary(warns[0]))
		if n := len(warns) - 1; n > 0 {
			fmt.Fprintf(&b, "; %d more warning%s: %s", n, plural(n), addresses(warns[1:]))
		}
	}
	fmt.Fprintf(&b, " (change %s). A person should confirm it.", j.Verdict.Fingerprint)
	return b.String()
}

// passing is the reason given with an allow: what was judged.
func (j *Judged) passing(cmd string) string {
	v := &j.Verdict
	approved := 0
	for i := range v.Findings {
		if v.Findings[i].Approval != nil {
			approved++
		}
	}
	s := fmt.Sprintf("rehearse: %s passes (%s)", printable(cmd), counts(v))
	if approved > 0 {
		s += fmt.Sprintf("; %d finding%s approved for change %s", approved, plural(approved), v.Fingerprint)
	}
	return s
}

// approvalHint says who must approve what, with the command to do it.
func (j *Judged) approvalHint(b *strings.Builder, blocking []*verdict.Finding) {
	fmt.Fprintf(b, "A human must approve this exact change (fingerprint %s): rehearse approve --dir %s", j.Verdict.Fingerprint, shellQuote(j.Dir))
	if j.PolicyFile != "" {
		fmt.Fprintf(b, " --policy %s", shellQuote(j.PolicyFile))
	}
	for _, a := range j.PlanArgs {
		b.WriteString(" " + shellQuote(a))
	}
	if j.Verdict.Origin.Origin == verdict.OriginAI {
		b.WriteString(" --origin ai")
	}
	for _, f := range blocking {
		fmt.Fprintf(b, " --finding %s", f.ID)
	}
	fmt.Fprintf(b, " --approvals %s --by NAME --reason TEXT --rollback TEXT", shellQuote(j.ApprovalsFile))
	if j.Signed {
		b.WriteString(" --sign-key KEY (the policy takes only signed approvals)")
	}
	b.WriteString(", then the command may run as it is.")
}

// findings returns the findings that still count at severity s: those
// on a resource first, in the verdict's order, then those on the whole
// change (blast radius, a weakened policy).
func (j *Judged) findings(s verdict.Severity) []*verdict.Finding {
	var out, whole []*verdict.Finding
	for i := range j.Verdict.Findings {
		switch f := &j.Verdict.Findings[i]; {
		case f.Effective() != s:
		case f.Address == "":
			whole = append(whole, f)
		default:
			out = append(out, f)
		}
	}
	return append(out, whole...)
}

// summary says one finding in a clause: "destroy terraform_data.db
// (data-bearing data (policy) is destroyed in protected environment prod)".
func summary(f *verdict.Finding) string {
	what := printable(f.Message)
	if len(f.ReplacePaths) > 0 {
		var paths []string
		for _, p := range f.ReplacePaths {
			paths = append(paths, printable(p.Path))
		}
		what += "; " + strings.Join(paths, ", ") + " forces replacement"
	}
	if f.Address == "" {
		return "be held: " + what
	}
	return fmt.Sprintf("%s %s (%s)", verb(f), printable(f.Address), what)
}

func verb(f *verdict.Finding) string {
	switch f.Action {
	case "delete":
		return "destroy"
	case "replace":
		return "replace"
	case "":
		return "change"
	}
	return string(f.Action)
}

// addresses names findings, at most maxNamed of them.
func addresses(fs []*verdict.Finding) string {
	var names []string
	for i, f := range fs {
		if i == maxNamed {
			names = append(names, fmt.Sprintf("and %d more", len(fs)-i))
			break
		}
		names = append(names, printable(f.Address))
	}
	return strings.Join(names, ", ")
}

// counts sums the plan's actions: "2 to create, 1 to update".
func counts(v *verdict.Verdict) string {
	var parts []string
	for _, k := range []struct{ action, word string }{{"create", "create"}, {"update", "update"}, {"replace", "replace"}, {"delete", "destroy"}} {
		if n := v.Blast.Actions[k.action]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", n, k.word))
		}
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// printable makes text from a plan or a command inert and one line.
func printable(s string) string { return textsafe.Line(s) }

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r == '=' || r == ':' || r == ',' || r == '@' || r == '+' || unicode.IsLetter(r) || unicode.IsDigit(r))
	}) < 0 {
		return printable(s)
	}
	return "'" + strings.ReplaceAll(printable(s), "'", `'\''`) + "'"
}
