package verdict

import (
	"fmt"

	"github.com/rehearse-dev/rehearse/change"
)

// destructive judges a delete, a replace or observed data loss. The
// strongest rule that holds decides, whatever else is true: a protected
// data-bearing resource or environment root blocks even when its replace
// looks spurious or its delete looks like a rename, and those notes stay as
// evidence and hints. deferred is why terraform deferred the change to a
// later plan, "" for a planned one: a deferred change is judged like a
// planned one, with the reason as evidence.
func (e *evaluator) destructive(r *change.Resource, pl placement, deferred string) Finding {
	entry, catalogued := e.cat.Classify(r)
	protected := pl.Protected
	config := change.ConfigAddress(r.Address)
	f := Finding{
		Address: r.Address, Type: r.Type, Action: r.Action, ReplaceOrder: r.ReplaceOrder,
		Environment: pl.Env, EnvironmentSource: pl.source(), Protected: protected,
		Dependents:   e.set.Dependents[config],
		ReplacePaths: replacePaths(r),
	}
	if loc, ok := e.set.Locations[config]; ok {
		f.Location = &loc
	}
	if catalogued {
		f.Class, f.Kind = entry.Class, entry.Kind
	}
	f.Recoverability, f.Hints = recoverability(r, entry, catalogued)
	if rb := e.set.Rollback; rb != nil && rb.Restores {
		// Shown, not forgiven: the rule and severity below stay as they
		// are, and a protected change still needs its approval.
		f.Recoverability = Rehearsed
	}
	f.Evidence = evidence(r)
	if line := rollbackEvidence(e.set.Rollback, protected); line != "" {
		f.Evidence = append(f.Evidence, line)
	}
	replaced, created := e.upstream(r)
	f.Evidence = append(f.Evidence, upstreamEvidence(replaced, created)...)
	f.ForcedBy = e.forcedBy(r, replaced)
	spurious := len(replaced) == 0 && len(created) == 0 && isSpurious(r)
	if attr, ok := triggered(r); ok && anyUnknown(r.ReplacePaths) {
		f.Evidence = append(f.Evidence, fmt.Sprintf("forced by a trigger (%s): a trigger exists to replace the resource, and one known only after apply (timestamp(), a new id) replaces it on every apply: not spurious", attr))
	}
	renamed := e.renames[r.Address]
	what, how, where := describe(r, entry, catalogued), verb(r), where(pl)
	switch {
	case r.Observed.DataLost():
		f.Rule = RuleObservedDataLoss
		f.Severity = severityIf(protected)
		f.Message = fmt.Sprintf("%s lost data%s", what, where)
	case catalogued && protected:
		f.Rule, f.Severity = RuleProtectedDestroy, SeverityBlock
		f.Message = fmt.Sprintf("%s %s%s", what, how, where)
	case spurious:
		f.Rule, f.Severity = RuleSpuriousReplace, SeverityWarn
		f.Message = fmt.Sprintf("%s is replaced only because of values known after apply%s: possibly spurious", what, where)
	case renamed != "":
		f.Rule, f.Severity = RuleLikelyRename, SeverityWarn
		f.Message = fmt.Sprintf("%s %s%s", what, how, where)
	default:
		f.Rule, f.Severity = RuleDestroy, SeverityWarn
		f.Message = fmt.Sprintf("%s %s%s", what, how, where)
	}
	if spurious && f.Rule != RuleSpuriousReplace {
		f.Evidence = append(f.Evidence, "possibly spurious: replaced only because of values known after apply")
	}
	if renamed != "" {
		f.Hints = append(f.Hints, fmt.Sprintf("likely a rename to %s: add a moved block, or the object is destroyed", renamed))
	}
	if line := pl.line(); line != "" {
		f.Evidence = append(f.Evidence, line)
	}
	if deferred != "" {
		f.Evidence = append(f.Evidence, deferredNote(deferred))
		f.ID = findingID(f.Rule, r.Address, string(r.Action), r.Deposed, "deferred")
	} else {
		f.ID = findingID(f.Rule, r.Address, string(r.Action), r.Deposed)
	}
	e.escalate(&f, catalogued && entry.Cascades)
	return f
}

// where says which environment a finding is in, and what protects it when
// that is not what named it.
func where(pl placement) string {
	switch {
	case pl.Env == "":
		return ""
	case pl.Protected && pl.ProtectedBy != "":
		return " in environment " + pl.Env + ", protected by " + pl.ProtectedBy
	case pl.Protected:
		return " in protected environment " + pl.Env
	}
	return " in environment " + pl.Env
}

func anyUnknown(ps []change.AttrChange) bool {
	for _, p := range ps {
		if p.Unknown {
			return true
		}
	}
	return false
}

// escalate applies the stricter bar for AI-originated changes: a warn on a
// protected resource, a data-bearing one, or a container whose delete
// cascades to what it holds blocks.
func (e *evaluator) escalate(f *Finding, cascades bool) {
	if e.opts.Origin.Origin != OriginAI || !e.policy.Origin.AIEscalates || f.Severity != SeverityWarn {
		return
	}
	if f.Protected || f.Class == DataBearing || cascades {
		f.Severity, f.Escalated = SeverityBlock, true
		f.Message += " (AI-originated: escalated from warn)"
	}
}
