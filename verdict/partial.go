package verdict

import (
	"fmt"

	"github.com/rehearse-dev/rehearse/change"
)

// deferredReasons explain terraform's deferred_changes reasons.
var deferredReasons = map[string]string{
	"resource_config_unknown": "its configuration depends on values known only after apply",
	"provider_config_unknown": "its provider's configuration is known only after apply",
	"instance_count_unknown":  "its count or for_each is known only after apply",
	"absent_prereq":           "it depends on something that does not exist yet",
	"deferred_prereq":         "it depends on another deferred change",
}

// deferredNote says why a change is deferred and what that means.
func deferredNote(reason string) string {
	if s, ok := deferredReasons[reason]; ok {
		return "deferred: " + reason + " (" + s + "): this change is planned and applied on a later run"
	}
	return "deferred: " + reason + ": this change is planned and applied on a later run"
}

// partial judges what a plan says it leaves out or adds besides resource
// changes: action invocations, deferred changes, and more changes to
// follow.
func (e *evaluator) partial(v *Verdict) {
	for i := range e.set.Actions {
		v.Findings = append(v.Findings, e.action(&e.set.Actions[i]))
		v.Blast.Actions["invoke"]++
	}
	for i := range e.set.Deferred {
		r := &e.set.Deferred[i]
		v.Blast.Actions["deferred"]++
		reason := r.Deferred
		if reason == "" {
			reason = "no reason given"
		}
		pl := e.place(r)
		if r.Action.Destructive() && r.Mode == change.Managed {
			v.Findings = append(v.Findings, e.destructive(r, pl, reason))
			continue
		}
		note := deferredNote(reason)
		if other, ok := passNote(r); ok && other != "" {
			note = other + "; " + note
		}
		v.Passed = append(v.Passed, Listed{Address: r.Address, Action: r.Action, Note: note, Environment: pl.Env})
	}
	if e.set.Incomplete {
		v.Findings = append(v.Findings, Finding{
			ID: findingID(RuleIncompletePlan, "", "", ""), Rule: RuleIncompletePlan, Severity: SeverityWarn,
			Message: "the plan is incomplete: more changes follow on a later plan, and this verdict does not cover them",
		})
	}
}

// action lists an action invocation: a side effect at apply, outside any
// resource's lifecycle, that the plan cannot show the outcome of.
func (e *evaluator) action(a *change.ActionInvocation) Finding {
	pl := e.place(&change.Resource{Address: a.Address, Type: a.Type})
	trigger := a.Trigger
	if trigger == "" {
		trigger = "at apply"
	}
	f := Finding{
		Rule: RuleActionInvocation, Severity: SeverityWarn,
		Address: a.Address, Type: a.Type,
		Environment: pl.Env, EnvironmentSource: pl.source(), Protected: pl.Protected,
		Message:  fmt.Sprintf("%s runs at apply (%s)%s: a side effect the plan does not show", a.Address, trigger, where(pl)),
		Evidence: []string{"invokes " + a.Type + " (" + trigger + ")"},
		Hints:    []string{"check what the action does: rehearse judges resource changes, not what an action changes"},
	}
	if line := pl.line(); line != "" {
		f.Evidence = append(f.Evidence, line)
	}
	f.ID = findingID(f.Rule, a.Address, a.Trigger)
	e.escalate(&f, false)
	return f
}
