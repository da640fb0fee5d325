package verdict

import (
	"fmt"

	"github.com/rehearse-dev/rehearse/change"
)

// Rules for changes that destroy nothing now but take away what guards a
// later destroy: the two-step way past the gate, a retag (or a move to
// another module) in one change and the delete, unguarded, in the next.
const (
	// RuleProtectionRemoved: a protected data-bearing resource or
	// environment root leaves its protected environment (its tags, or
	// its address, no longer place it there). Blocks: a human decides
	// whether it really stops being production.
	RuleProtectionRemoved = "protection-removed"
	// RuleSafeguardRemoved: a setting that makes a later delete refused
	// or recoverable is turned off on a protected resource. Warns.
	RuleSafeguardRemoved = "safeguard-removed"
)

// safeguards are attribute changes that make a later delete of the same
// object final: the value before, the value after.
var safeguards = []struct {
	attr          string
	before, after any
	text          string
}{
	{"deletion_protection", true, false, "deletion_protection = true → false: the provider will no longer refuse a delete"},
	{"skip_final_snapshot", false, true, "skip_final_snapshot = false → true: a delete would take no final snapshot"},
	{"force_destroy", false, true, "force_destroy = false → true: a delete would take every object with it"},
	{"prevent_destroy", true, false, "prevent_destroy = true → false"},
	{"purge_protection_enabled", true, false, "purge_protection_enabled = true → false: a delete could be purged for good"},
}

// unguarding judges a change that does not destroy: it returns a finding
// when the change takes protection away from a catalogued resource.
func (e *evaluator) unguarding(r *change.Resource, now placement) (Finding, bool) {
	if r.Mode != change.Managed || r.Action.Destructive() || r.Action == change.Create || r.Action == change.Read {
		return Finding{}, false
	}
	// Nearly every change keeps its tags, its address and its settings:
	// nothing can have been taken away, and there is nothing to place.
	if r.BeforeLabels == nil && !r.Moved() && len(r.Changes) == 0 {
		return Finding{}, false
	}
	entry, catalogued := e.cat.Classify(r)
	if !catalogued {
		return Finding{}, false
	}
	// Judged as if destroyed, where any source's protection counts: was
	// it protected by its old tags or its old address, and is it still
	// by its new ones?
	old := *r
	old.Action = change.Delete
	if r.BeforeLabels != nil {
		old.Labels = r.BeforeLabels
	}
	old.BeforeLabels, old.LabelsUnknown = nil, false
	if r.Moved() {
		old.Address = r.PreviousAddress
	}
	was := e.place(&old)
	cur := *r
	cur.Action = change.Delete
	cur.BeforeLabels = nil
	if r.LabelsUnknown && r.BeforeLabels != nil {
		// New tags known only after apply never lower protection: they
		// are taken to be the old ones.
		cur.Labels = r.BeforeLabels
	}
	is := e.place(&cur)
	f := Finding{
		Address: r.Address, Type: r.Type, Action: r.Action, Class: entry.Class, Kind: entry.Kind,
		Environment: was.Env, EnvironmentSource: was.source(), Protected: was.Protected,
	}
	what := describe(r, entry, catalogued)
	switch {
	case was.Protected && !is.Protected:
		f.Rule, f.Severity = RuleProtectionRemoved, SeverityBlock
		f.Message = fmt.Sprintf("%s leaves protected environment %s (%s): once there, the next change can destroy it without a block", what, was.Env, was.source())
		f.Evidence = append(f.Evidence, "now: "+placeLine(is))
		if r.Moved() {
			f.Evidence = append(f.Evidence, "moved from "+r.PreviousAddress)
		}
	case is.Protected:
		var hints []string
		for _, s := range safeguards {
			for _, c := range r.Changes {
				if c.Path == s.attr && !c.Sensitive && sameScalar(c.Before, s.before) && sameScalar(c.After, s.after) {
					hints = append(hints, s.text)
				}
			}
		}
		if len(hints) == 0 {
			return Finding{}, false
		}
		f.Environment, f.EnvironmentSource, f.Protected = is.Env, is.source(), true
		f.Rule, f.Severity = RuleSafeguardRemoved, SeverityWarn
		f.Message = fmt.Sprintf("%s in protected environment %s loses a safeguard against its deletion", what, is.Env)
		f.Evidence = hints
	default:
		return Finding{}, false
	}
	e.escalate(&f, false)
	f.ID = findingID(f.Rule, r.Address, string(r.Action), r.Deposed)
	return f, true
}

func placeLine(pl placement) string {
	if pl.Env == "" {
		return "no environment"
	}
	return "environment " + pl.Env + " from " + pl.source()
}
