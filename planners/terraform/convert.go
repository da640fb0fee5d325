package terraform

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/rehearse-dev/rehearse/change"
)

// convertActions maps the plan's action list onto the model. Anything that
// is not one of the lists Terraform documents is an error: rehearse fails
// closed rather than guess.
func convertActions(a tfjson.Actions) (change.Action, change.ReplaceOrder, error) {
	switch {
	case a.NoOp():
		return change.NoOp, "", nil
	case a.Create():
		return change.Create, "", nil
	case a.Read():
		return change.Read, "", nil
	case a.Update():
		return change.Update, "", nil
	case a.Delete():
		return change.Delete, "", nil
	case a.DestroyBeforeCreate():
		return change.Replace, change.DeleteThenCreate, nil
	case a.CreateBeforeDestroy():
		return change.Replace, change.CreateThenDelete, nil
	case a.Forget():
		return change.Forget, "", nil
	}
	b, _ := json.Marshal(a)
	return "", "", fmt.Errorf("%w %s", ErrAction, b)
}

func convertResource(rc *tfjson.ResourceChange) (change.Resource, error) {
	if rc.Change == nil {
		return change.Resource{}, fmt.Errorf("%w: no change object", ErrNotPlan)
	}
	if rc.Address == "" || rc.Type == "" {
		return change.Resource{}, fmt.Errorf("%w: a resource change without address or type", ErrNotPlan)
	}
	act, order, err := convertActions(rc.Change.Actions)
	if err != nil {
		return change.Resource{}, err
	}
	c := rc.Change
	r := change.Resource{
		Address:         rc.Address,
		PreviousAddress: rc.PreviousAddress,
		Module:          rc.ModuleAddress,
		Mode:            change.Mode(rc.Mode),
		Type:            rc.Type,
		Name:            rc.Name,
		Provider:        rc.ProviderName,
		Deposed:         rc.DeposedKey,
		Action:          act,
		ReplaceOrder:    order,
		Reason:          string(rc.ActionReason),
	}
	if r.Mode == "" {
		r.Mode = change.Managed
	}
	if rc.Index != nil {
		b, _ := json.Marshal(rc.Index)
		r.Index = string(b)
	}
	if c.Importing != nil {
		r.Importing, r.ImportID = true, c.Importing.ID
	}
	before, _ := c.Before.(map[string]any)
	after, _ := c.After.(map[string]any)
	if act == change.Replace {
		for _, p := range c.ReplacePaths {
			steps, ok := p.([]any)
			if !ok {
				return change.Resource{}, fmt.Errorf("%w: replace_paths entry is not a path", ErrNotPlan)
			}
			r.ReplacePaths = append(r.ReplacePaths, pathChange(steps, c))
		}
	}
	if act == change.Update || act == change.Replace {
		r.Changes = diff(before, after, c)
	}
	if act.Destructive() {
		r.Before = scalars(before, c.BeforeSensitive)
	}
	switch {
	case after != nil && act != change.Delete:
		r.Labels = labels(after, c.AfterSensitive)
	case before != nil:
		r.Labels = labels(before, c.BeforeSensitive)
	}
	return r, nil
}

// pathChange resolves one replace path in before, after and the marks.
func pathChange(steps []any, c *tfjson.Change) change.AttrChange {
	ac := change.AttrChange{Path: formatPath(steps)}
	if markedAt(c.BeforeSensitive, steps) || markedAt(c.AfterSensitive, steps) {
		ac.Sensitive = true
		return ac
	}
	ac.Before = compact(valueAt(c.Before, steps))
	if markedAt(c.AfterUnknown, steps) {
		ac.Unknown = true
		return ac
	}
	ac.After = compact(valueAt(c.After, steps))
	return ac
}

// diff lists the top-level attributes that change, one level deeper for
// maps and objects (so a tag change reads "tags.env").
func diff(before, after map[string]any, c *tfjson.Change) []change.AttrChange {
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
		if bok && aok && !unknown {
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
				out = append(out, pathChange([]any{k, kk}, c))
			}
			continue
		}
		out = append(out, pathChange(step, c))
	}
	return out
}

// scalars keeps the top-level scalar attributes that are not sensitive:
// what the verdict needs to judge how recoverable a delete is.
func scalars(obj map[string]any, sensitive any) map[string]change.Value {
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
		out[k] = v
	}
	return out
}

// labelKeys are the attributes that hold tags or labels across providers;
// later ones win.
var labelKeys = []string{"tags_all", "labels", "tags", "user_labels"}

func labels(obj map[string]any, sensitive any) map[string]string {
	out := map[string]string{}
	add := func(m any, path []any) {
		mm, ok := m.(map[string]any)
		if !ok || coveredAt(sensitive, path) {
			return
		}
		for k, v := range mm {
			if s, ok := v.(string); ok && !markedAt(sensitive, append(slices.Clone(path), k)) {
				out[k] = s
			}
		}
	}
	for _, k := range labelKeys {
		add(obj[k], []any{k})
	}
	// Kubernetes resources keep labels in a single metadata block.
	if md, ok := obj["metadata"].([]any); ok && len(md) == 1 {
		if m, ok := md[0].(map[string]any); ok {
			add(m["labels"], []any{"metadata", json.Number("0"), "labels"})
			if ns, ok := m["namespace"].(string); ok && ns != "" {
				out["kubernetes.namespace"] = ns
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// valueAt walks a decoded JSON value along a path of keys and indexes.
func valueAt(v any, steps []any) any {
	for _, s := range steps {
		switch cur := v.(type) {
		case map[string]any:
			k, ok := s.(string)
			if !ok {
				return nil
			}
			v = cur[k]
		case []any:
			i, ok := index(s)
			if !ok || i < 0 || i >= len(cur) {
				return nil
			}
			v = cur[i]
		default:
			return nil
		}
	}
	return v
}

// coveredAt reports whether a mark is true at the path or an ancestor: the
// whole value is marked, not just something beneath it.
func coveredAt(marks any, steps []any) bool {
	v := marks
	for _, s := range steps {
		if b, ok := v.(bool); ok {
			return b
		}
		if v = valueAt(v, []any{s}); v == nil {
			return false
		}
	}
	b, _ := v.(bool)
	return b
}

// markedAt reports whether a sensitivity or unknown mark covers the path:
// the mark is true at the path, at an ancestor, or anywhere beneath it.
func markedAt(marks any, steps []any) bool {
	v := marks
	for _, s := range steps {
		if b, ok := v.(bool); ok {
			return b
		}
		v = valueAt(v, []any{s})
		if v == nil {
			return false
		}
	}
	return containsTrue(v)
}

func index(s any) (int, bool) {
	switch n := s.(type) {
	case json.Number:
		i, err := strconv.Atoi(n.String())
		return i, err == nil
	case float64:
		return int(n), true
	}
	return 0, false
}

// containsTrue reports whether a mark structure holds true anywhere.
func containsTrue(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case map[string]any:
		for _, e := range t {
			if containsTrue(e) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if containsTrue(e) {
				return true
			}
		}
	}
	return false
}

// compact keeps scalars as they are and summarizes large structures, so a
// report shows a value without carrying whole documents.
func compact(v any) any {
	switch t := v.(type) {
	case map[string]any, []any:
		b, _ := json.Marshal(t)
		if len(b) > 200 {
			return string(b[:197]) + "…"
		}
		return json.RawMessage(b)
	}
	return v
}

// formatPath renders a path the way Terraform writes it: a.b[0]["x y"].
func formatPath(steps []any) string {
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

func jsonEqual(a, b any) bool {
	switch at := a.(type) {
	case map[string]any, []any:
		ab, _ := json.Marshal(at)
		bb, _ := json.Marshal(b)
		return string(ab) == string(bb)
	}
	switch b.(type) {
	case map[string]any, []any:
		return false
	}
	return a == b
}

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortOutputs(o []change.OutputChange) {
	sort.Slice(o, func(i, j int) bool { return o[i].Name < o[j].Name })
}
