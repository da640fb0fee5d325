package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/verdict"
)

// Headline is the one-line summary every format leads with, e.g.
// "1 environment root replaced, 2 data-bearing resources destroyed · 14 of
// 420 managed resources affected (3.3%)".
func Headline(v *verdict.Verdict) string {
	type key struct {
		class verdict.Class
		act   change.Action
	}
	counts := map[key]int{}
	lost := 0
	for i := range v.Findings {
		f := &v.Findings[i]
		if f.Rule == verdict.RuleObservedDataLoss {
			lost++
		}
		if f.Action.Destructive() {
			counts[key{f.Class, f.Action}]++
		}
	}
	var parts []string
	for _, c := range []verdict.Class{verdict.EnvironmentRoot, verdict.DataBearing, ""} {
		for _, a := range []change.Action{change.Replace, change.Delete} {
			n := counts[key{c, a}]
			if n == 0 {
				continue
			}
			noun := map[verdict.Class]string{verdict.EnvironmentRoot: "environment root", verdict.DataBearing: "data-bearing resource", "": "other resource"}[c]
			verb := map[change.Action]string{change.Replace: "replaced", change.Delete: "destroyed"}[a]
			parts = append(parts, fmt.Sprintf("%d %s %s", n, plural(noun, n), verb))
		}
	}
	if lost > 0 {
		parts = append(parts, fmt.Sprintf("data lost in %d %s", lost, plural("service", lost)))
	}
	if len(parts) == 0 {
		parts = append(parts, "no destructive changes")
	}
	b := &v.Blast
	var scope string
	if b.Managed >= 0 {
		share := 0.0
		if b.Managed > 0 {
			share = 100 * float64(b.Affected) / float64(b.Managed)
		}
		scope = fmt.Sprintf("%d of %d managed resources affected (%.1f%%)", b.Affected, b.Managed, share)
	} else {
		scope = fmt.Sprintf("%d existing resources affected", b.Affected)
	}
	return strings.Join(parts, ", ") + " · " + scope
}

func plural(noun string, n int) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// actionCounts renders the per-action counts: the usual ones in a fixed
// order, then any other the verdict counts (invoke, deferred…) by name, so
// a count the report does not know yet is still shown.
func actionCounts(b *verdict.Blast) string {
	order := []string{"create", "update", "replace", "delete", "read", "forget", "no-op", "moved", "imported"}
	var rest []string
	for a := range b.Actions {
		if !slices.Contains(order, a) {
			rest = append(rest, a)
		}
	}
	sort.Strings(rest)
	var parts []string
	for _, a := range append(order, rest...) {
		if n := b.Actions[a]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", TermSafe(a), n))
		}
	}
	if len(parts) == 0 {
		return "no resources"
	}
	return strings.Join(parts, ", ")
}

// envCounts renders the per-environment counts, sorted by name.
func envCounts(b *verdict.Blast) []string {
	names := make([]string, 0, len(b.Envs))
	for n := range b.Envs {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		e := b.Envs[n]
		s := fmt.Sprintf("%s: %d changed, %d deleted or replaced", n, e.Changed, e.Destructive)
		if e.Protected {
			s += " (protected)"
		}
		out = append(out, s)
	}
	return out
}

func originLine(v *verdict.Verdict) string {
	return fmt.Sprintf("%s (%s)", v.Origin.Origin, v.Origin.DecidedBy)
}

func sourceLine(v *verdict.Verdict) string {
	s := v.Source
	var parts []string
	if s.File != "" {
		parts = append(parts, s.File)
	}
	tool := s.Tool
	if s.ToolVersion != "" {
		tool += " " + s.ToolVersion
	}
	if s.Document != "" {
		// "cloudformation change set fix-rounding on stack orders-prod"
		tool = strings.TrimSpace(tool + " " + s.Document)
	}
	if tool != "" {
		parts = append(parts, tool)
	}
	if s.FormatVersion != "" {
		parts = append(parts, "plan format "+s.FormatVersion)
	}
	parts = append(parts, string(s.Kind))
	return strings.Join(parts, ", ")
}

func actionSymbol(a change.Action) string {
	switch a {
	case change.Create:
		return "+"
	case change.Update:
		return "~"
	case change.Delete:
		return "-"
	case change.Replace:
		return "±"
	case change.Read:
		return "<="
	case change.Forget:
		return "."
	}
	return " "
}

// voidReason says why an approval does not count: the reason the approvals
// check gave, or that it names another change.
func voidReason(a *verdict.Approval, fingerprint string) string {
	if a.Void != "" && a.Fingerprint == fingerprint {
		return a.Void
	}
	return "it was given for another change (" + a.Fingerprint + ")"
}
