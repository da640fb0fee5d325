package verdict

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/rehearse-dev/rehearse/change"
)

// forcedBy names the replaced resources, of those r refers to in its
// configuration (replaced, from upstream), whose new values force r's
// replace: the change a reviewer should question, of which r is only a
// consequence.
//
// The plan says which of r's attributes force the replace and which
// resources r's expressions refer to, but not which attribute refers to
// which resource. So a forcing value is taken to come from upstream when
// it is unknown until apply (a replaced resource's new id or arn is: every
// replaced resource r refers to may be the cause, and all are named), or
// when its new value is one a replaced resource r refers to also takes
// (a cluster_name that follows the cluster's new name). A replace whose
// forcing values are all known and match nothing upstream is its own
// cause, whatever it refers to.
func (e *evaluator) forcedBy(r *change.Resource, replaced []string) []string {
	if len(replaced) == 0 || len(r.ReplacePaths) == 0 {
		return nil
	}
	if anyUnknown(r.ReplacePaths) {
		return replaced
	}
	if e.replaced == nil {
		e.replaced = map[string][]*change.Resource{}
		for i := range e.set.Resources {
			u := &e.set.Resources[i]
			if u.Action == change.Replace {
				e.replaced[u.ConfigAddress()] = append(e.replaced[u.ConfigAddress()], u)
			}
		}
	}
	var out []string
	for _, to := range replaced {
		if slices.ContainsFunc(e.replaced[to], func(u *change.Resource) bool { return sharesNewValue(r.ReplacePaths, u) }) {
			out = append(out, to)
		}
	}
	return out
}

// sharesNewValue reports whether a forcing path's new scalar value is the
// new value of one of u's changed attributes.
func sharesNewValue(paths []change.AttrChange, u *change.Resource) bool {
	for _, p := range paths {
		if p.Sensitive || p.ByName || !scalar(p.After) {
			continue
		}
		for _, c := range slices.Concat(u.ReplacePaths, u.Changes) {
			if !c.Sensitive && !c.ByName && scalar(c.After) && fmt.Sprint(c.After) == fmt.Sprint(p.After) && fmt.Sprint(c.Before) != fmt.Sprint(c.After) {
				return true
			}
		}
	}
	return false
}

func scalar(v change.Value) bool {
	switch v := v.(type) {
	case string:
		return v != ""
	case bool, float64, json.Number:
		return true
	}
	return false
}
