package verdict

import (
	"slices"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
)

// triggerAttrs are the attributes that exist to force a replacement when
// their value changes: null_resource and terraform_data triggers, the
// random provider's keepers, replace_triggered_by. Their new value is
// often unknown by design (timestamp(), an upstream id), so a replace they
// force replaces on every such apply and is never spurious.
var triggerAttrs = []string{"triggers", "triggers_replace", "keepers", "replace_triggered_by"}

// triggered reports whether a replace is forced by a trigger, by reason or
// by a forcing path under a trigger attribute, and names it.
func triggered(r *change.Resource) (string, bool) {
	if r.Action != change.Replace {
		return "", false
	}
	for _, p := range r.ReplacePaths {
		if root := rootAttr(p.Path); slices.Contains(triggerAttrs, root) {
			return root, true
		}
	}
	if r.Reason == "replace_by_triggers" {
		return "replace_triggered_by", true
	}
	return "", false
}

// rootAttr is the top-level attribute of a path: triggers["a"].b → triggers.
func rootAttr(path string) string {
	if i := strings.IndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return path
}

// isSpurious reports a replace forced only by values unknown until apply,
// where none of them is a trigger.
func isSpurious(r *change.Resource) bool {
	if r.Action != change.Replace || len(r.ReplacePaths) == 0 {
		return false
	}
	if _, ok := triggered(r); ok {
		return false
	}
	for _, p := range r.ReplacePaths {
		if !p.Unknown {
			return false
		}
	}
	return true
}

// upstream lists the resources a replace refers to that this change
// replaces and that it creates: an unknown value that forces the replace
// then comes from them, and the replace is real, not spurious.
func (e *evaluator) upstream(r *change.Resource) (replaced, created []string) {
	if r.Action != change.Replace {
		return nil, nil
	}
	if e.dependsOn == nil {
		// Made on the first replace: a plan without one never needs it.
		e.indexDependsOn()
	}
	for _, to := range e.dependsOn[change.ConfigAddress(r.Address)] {
		switch e.renewed[to] {
		case change.Replace:
			replaced = append(replaced, to)
		case change.Create:
			created = append(created, to)
		}
	}
	return replaced, created
}

// upstreamEvidence says where a replace's unknown values come from.
func upstreamEvidence(replaced, created []string) []string {
	var out []string
	if len(replaced) > 0 {
		out = append(out, "follows the replacement of "+strings.Join(replaced, ", ")+", whose new values are known only after apply")
	}
	if len(created) == 1 {
		out = append(out, "depends on "+created[0]+", which is being created")
	} else if len(created) > 1 {
		out = append(out, "depends on "+strings.Join(created, ", ")+", which are being created")
	}
	return out
}
