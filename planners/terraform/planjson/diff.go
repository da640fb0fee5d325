package planjson

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/rehearse-dev/rehearse/change"
)

// diff lists what an update or replace changes, path by path, with
// sensitive values and values named like secrets hidden.

// diff lists the top-level attributes that change, one level deeper for
// maps and objects (so a tag change reads "tags.env").
func diff(before, after map[string]any, c *tfjson.Change, byName *int) []change.AttrChange {
	keys := make(map[string]struct{}, len(before)+len(after))
	for k := range before {
		keys[k] = struct{}{}
	}
	for k := range after {
		keys[k] = struct{}{}
	}
	unknownTop, _ := c.AfterUnknown.(map[string]any)
	var out []change.AttrChange
	for _, k := range sortedKeys(keys) {
		step := []any{k}
		b, a := before[k], after[k]
		unknown := containsTrue(unknownTop[k])
		if !unknown && jsonEqual(b, a) {
			continue
		}
		bm, bok := b.(map[string]any)
		am, aok := a.(map[string]any)
		// A map marked sensitive as a whole is one change: its keys are
		// as secret as its values.
		hidden := coveredAt(c.BeforeSensitive, step) || coveredAt(c.AfterSensitive, step)
		if bok && aok && !unknown && !hidden {
			sub := make(map[string]struct{})
			for kk := range bm {
				sub[kk] = struct{}{}
			}
			for kk := range am {
				sub[kk] = struct{}{}
			}
			for _, kk := range sortedKeys(sub) {
				if jsonEqual(bm[kk], am[kk]) {
					continue
				}
				out = append(out, pathChange([]any{k, kk}, c, byName))
			}
			continue
		}
		out = append(out, pathChange(step, c, byName))
	}
	return out
}

// pathChange resolves one attribute path in before, after and the marks.
// A sensitive path hides its values, and below a value marked sensitive as
// a whole it hides the rest of the path too, which would name the keys of
// a sensitive map. A path through a name that says secret is hidden the
// same way, counted in byName.
func pathChange(steps []any, c *tfjson.Change, byName *int) change.AttrChange {
	ac, hidden := pathHidden(steps, c, byName)
	if hidden {
		return ac
	}
	ac.Before = compact(redactByName(valueAt(c.Before, steps), byName))
	if markedAt(c.AfterUnknown, steps) {
		ac.Unknown = true
		return ac
	}
	ac.After = compact(redactByName(valueAt(c.After, steps), byName))
	return ac
}

// pathHidden is the AttrChange of a path, and whether the marks or the
// names on the path hide its values.
func pathHidden(steps []any, c *tfjson.Change, byName *int) (change.AttrChange, bool) {
	for i := range steps {
		if coveredAt(c.BeforeSensitive, steps[:i+1]) || coveredAt(c.AfterSensitive, steps[:i+1]) {
			return change.AttrChange{Path: formatPath(steps[:i+1]), Sensitive: true}, true
		}
	}
	ac := change.AttrChange{Path: formatPath(steps)}
	if markedAt(c.BeforeSensitive, steps) || markedAt(c.AfterSensitive, steps) {
		ac.Sensitive = true
		return ac, true
	}
	for _, s := range steps {
		if k, ok := s.(string); ok && change.SecretName(k) {
			ac.Sensitive, ac.ByName = true, true
			*byName++
			return ac, true
		}
	}
	return ac, false
}

// jsonEqual reports whether two decoded values encode to the same JSON, as
// comparing their json.Marshal output did, without encoding them.
func jsonEqual(a, b any) bool {
	switch at := a.(type) {
	case map[string]any:
		bt, ok := b.(map[string]any)
		if !ok || len(at) != len(bt) {
			return false
		}
		for k, av := range at {
			bv, ok := bt[k]
			if !ok || !jsonEqual(av, bv) {
				return false
			}
		}
		return true
	case []any:
		bt, ok := b.([]any)
		if !ok || len(at) != len(bt) {
			return false
		}
		for i := range at {
			if !jsonEqual(at[i], bt[i]) {
				return false
			}
		}
		return true
	}
	switch b.(type) {
	case map[string]any, []any:
		return false
	}
	return a == b
}

// compact keeps scalars as they are and structures as their JSON, whole:
// JSON reports carry them so, and text and Markdown cut them for display.
func compact(v any) any {
	switch t := v.(type) {
	case map[string]any, []any:
		b, _ := json.Marshal(t)
		return json.RawMessage(b)
	}
	return v
}

// formatPath renders a path the way Terraform writes it: a.b[0]["x y"].
func formatPath(steps []any) string {
	if len(steps) == 1 {
		// A top-level attribute's path is its name: the string is shared
		// with the key (interned on the fast path), not built again.
		if k, ok := steps[0].(string); ok && isIdent(k) {
			return k
		}
	}
	var b strings.Builder
	for i, s := range steps {
		switch t := s.(type) {
		case string:
			if isIdent(t) {
				if i > 0 {
					b.WriteByte('.')
				}
				b.WriteString(t)
			} else {
				b.WriteString("[" + strconv.Quote(t) + "]")
			}
		default:
			fmt.Fprintf(&b, "[%v]", t)
		}
	}
	return b.String()
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
