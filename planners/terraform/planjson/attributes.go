package planjson

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/rehearse-dev/rehearse/change"
)

// An update or a replace is diffed: the Resource lists the attribute
// paths that change, with their values, so the verdict can tell a tag edit
// from a new engine version, and a replace keeps the scalars of the object
// it deletes. Everything else about the object is left as bytes.

// full converts an update or replace.
func (cv *converter) full(r change.Resource, intern *interner) (change.Resource, error) {
	c := &tfjson.Change{
		AfterUnknown:    decodeMarks(cv.afterUnknown),
		BeforeSensitive: decodeMarks(cv.beforeSensitive),
		AfterSensitive:  decodeMarks(cv.afterSensitive),
	}
	if cv.replacePaths != nil {
		c.ReplacePaths, _ = decodeValue(cv.replacePaths).([]any)
	}
	// The labels straight from the bytes where they can be (rawLabels):
	// the picker then decodes no label attribute on that side.
	var bLabels, aLabels map[string]string
	bFast, aFast := false, false
	if intern != nil {
		if isObject(cv.before) {
			bLabels, bFast = rawLabels(cv.before, cv.beforeSensitive, intern)
		}
		if isObject(cv.after) {
			aLabels, aFast = rawLabels(cv.after, cv.afterSensitive, intern)
		}
	}
	before, after, changes := cv.pick(c, r.Action, intern, bFast, aFast)
	if before != nil {
		c.Before = before
	}
	if after != nil {
		c.After = after
	}
	if r.Action == change.Replace {
		for _, p := range c.ReplacePaths {
			steps, ok := p.([]any)
			if !ok {
				return change.Resource{}, fmt.Errorf("%w: replace_paths entry is not a path", ErrNotPlan)
			}
			r.ReplacePaths = append(r.ReplacePaths, pathChange(steps, c, &cv.byName))
		}
		// Formats 0.1 and 0.2 have no replace_paths: what changed is
		// listed instead, and the verdict says the plan does not tell.
		r.NoReplacePaths = !cv.hasReplacePaths
	}
	r.Changes = changes(c, &cv.byName)
	if r.Action.Destructive() {
		r.Before = scalars(before, c.BeforeSensitive, &cv.byName)
	}
	beforeLabels := func() map[string]string {
		if bFast {
			return bLabels
		}
		return labels(before, c.BeforeSensitive, intern)
	}
	switch {
	case after != nil && aFast:
		r.Labels = aLabels
	case after != nil:
		r.Labels = labels(after, c.AfterSensitive, intern)
	case before != nil:
		r.Labels = beforeLabels()
	}
	// Where a replaced or updated object lives is said by its old tags as
	// much as by its new ones, and new tags unknown until apply may say
	// anything.
	if before != nil && after != nil {
		r.BeforeLabels = beforeLabels()
	}
	r.LabelsUnknown = labelsUnknown(c.AfterUnknown)
	r.LabelsSensitive = labelsMarked(c.BeforeSensitive) || labelsMarked(c.AfterSensitive)
	return r, nil
}

// pick is the attribute picker: the top-level attributes of before and
// after that full reads, decoded (nil for a side that is null or absent),
// and how to list the attribute changes.
//
// The general path (no interner) decodes both objects whole, and diff
// compares the maps. The fast path exists because that decoding was most
// of an update's cost while most of it is thrown away: it decodes only
// the label attributes, the roots of replace paths and, for a replace,
// the scalars of before (Before keeps a deleted object's scalars), and the
// changes are listed from the raw members (diffMembers); a side whose
// labels came from the bytes (bFast, aFast) has no label attribute
// decoded. The invariant: the
// Resource is the one the general path makes. The members are two slices
// sorted by key (terraform writes them sorted, so sorting is a check),
// merged like sorted lists: keys are unique, the digest refused
// duplicates first.
func (cv *converter) pick(c *tfjson.Change, act change.Action, intern *interner, bFast, aFast bool) (before, after map[string]any, changes func(*tfjson.Change, *int) []change.AttrChange) {
	if intern == nil {
		before, _ = decodeValue(cv.before).(map[string]any)
		after, _ = decodeValue(cv.after).(map[string]any)
		return before, after, func(c *tfjson.Change, byName *int) []change.AttrChange { return diff(before, after, c, byName) }
	}
	bm, bObj := sortedMembers(cv.before, intern, cv.scratch.bm[:0])
	am, aObj := sortedMembers(cv.after, intern, cv.scratch.am[:0])
	cv.scratch.bm, cv.scratch.am = bm[:0], am[:0]
	roots, whole := cv.scratch.roots[:0], false
	for _, p := range c.ReplacePaths {
		steps, _ := p.([]any)
		if len(steps) == 0 {
			whole = true // an empty path names the whole object
			continue
		}
		if k, ok := steps[0].(string); ok {
			roots = append(roots, k)
		}
	}
	cv.scratch.roots = roots[:0]
	keep := func(ms []rawMember, fastLabels, scalars bool) map[string]any {
		kept := func(m rawMember) bool {
			return whole || !fastLabels && labelAttr(m.key) || scalars && isScalar(m.val) || slices.Contains(roots, m.key)
		}
		n := 0
		for _, m := range ms {
			if kept(m) {
				n++
			}
		}
		side := make(map[string]any, n)
		for _, m := range ms {
			if kept(m) {
				side[m.key] = decodeValue(m.val)
			}
		}
		return side
	}
	if bObj {
		before = keep(bm, bFast, act == change.Replace)
	}
	if aObj {
		// Nothing reads the new object's other scalars.
		after = keep(am, aFast, false)
	}
	return before, after, func(c *tfjson.Change, byName *int) []change.AttrChange {
		return diffMembers(bm, am, c, byName, &cv.scratch.changes)
	}
}

// sortedMembers appends the members of a raw object to into, sorted by
// key; obj is false for null or an absent value.
func sortedMembers(raw []byte, intern *interner, into []rawMember) (members []rawMember, obj bool) {
	if raw == nil || raw[0] != '{' {
		return into, false
	}
	sorted := true
	p := &vparser{b: raw, i: 1}
	for first := true; p.next('}', first); first = false {
		k := interned(intern, p.key())
		if n := len(into); n > 0 && into[n-1].key > k {
			sorted = false
		}
		into = append(into, rawMember{k, p.raw()})
	}
	if !sorted {
		slices.SortFunc(into, func(a, b rawMember) int { return strings.Compare(a.key, b.key) })
	}
	return into, true
}

// isScalar reports whether a raw value is neither an object nor a list.
func isScalar(raw []byte) bool { return raw[0] != '{' && raw[0] != '[' }

// partialObject decodes the members of a raw object that labels reads,
// and with scalars its top-level scalars too; it skips the rest. It is
// the general path for changes that are not diffed (rawLabels is the fast
// one).
func partialObject(raw []byte, withScalars bool) map[string]any {
	p := &vparser{b: raw, i: 1}
	out := map[string]any{}
	for first := true; p.next('}', first); first = false {
		rawKey := p.key()
		if c := p.ws(); isLabelKey(rawKey) || withScalars && c != '{' && c != '[' {
			out[decodeString(rawKey)] = p.value()
			continue
		}
		p.skip()
	}
	return out
}

// scalars keeps the top-level scalar attributes that are not sensitive:
// what the verdict needs to judge how recoverable a delete is.
func scalars(obj map[string]any, sensitive any, byName *int) map[string]change.Value {
	if len(obj) == 0 {
		return nil
	}
	out := make(map[string]change.Value)
	for k, v := range obj {
		switch v.(type) {
		case string, bool, json.Number, float64, nil:
		default:
			continue
		}
		if markedAt(sensitive, []any{k}) {
			continue
		}
		if change.SecretName(k) {
			*byName++
			continue
		}
		out[k] = v
	}
	return out
}
