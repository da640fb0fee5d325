package pulumi

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/internal/strictjson"
)

// ops maps each step op to what it does alone. Replacements are decided
// from all the steps of one URN (see resource).
var ops = map[string]change.Action{
	"same": change.NoOp, "create": change.Create, "update": change.Update, "delete": change.Delete,
	"replace": change.Replace, "create-replacement": change.Replace, "delete-replaced": change.Delete,
	"read": change.Read, "read-replacement": change.Read, "refresh": change.Read,
	"discard": change.Delete, "discard-replaced": change.Delete, "remove-pending-replace": change.Forget,
	"import": change.NoOp, "import-replacement": change.Replace, "diff": change.NoOp,
	"extend-parameterize": change.NoOp,
}

// Pulumi's placeholders: a value unknown until the update runs, and a
// secret.
const (
	unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
	secretValue  = "[secret]"
	secretSig    = "4dabf18193072939515e22adb298388d"
)

func (p *preview) set(name string) (change.Set, error) {
	fail := func(err error) (change.Set, error) {
		return change.Set{}, &ReadError{File: name, Offset: -1, Err: err}
	}
	byURN := map[string][]step{}
	var order []string
	stack := ""
	for _, st := range p.steps {
		s, _, _, _ := splitURN(st.urn)
		if stack != "" && s != stack {
			return fail(fmt.Errorf("%w: steps of two stacks, %s and %s", ErrNotPreview, stack, s))
		}
		stack = s
		if _, ok := byURN[st.urn]; !ok {
			order = append(order, st.urn)
		}
		byURN[st.urn] = append(byURN[st.urn], st)
	}
	set := change.Set{
		Source:  change.Source{Kind: change.Planned, Tool: Tool, File: name},
		Managed: -1,
		Stack:   stack,
	}
	if stack != "" {
		set.Source.Document = "preview of stack " + stack
	} else {
		set.Source.Document = "preview"
	}
	for _, urn := range order {
		r, err := resource(urn, byURN[urn])
		if err != nil {
			return fail(err)
		}
		set.Resources = append(set.Resources, r)
	}
	return set, nil
}

// resource joins the steps of one URN: create-replacement, replace and
// delete-replaced are one replace, in the order the first two of them say.
func resource(urn string, steps []step) (change.Resource, error) {
	_, qtype, name, _ := splitURN(urn)
	typ := qtype
	if i := strings.LastIndexByte(qtype, '$'); i >= 0 {
		typ = qtype[i+1:]
	}
	r := change.Resource{Address: qtype + "::" + name, Mode: change.Managed, Type: typ, Name: name}
	var old, nw *state
	var raws []any
	seen := map[string]int{}
	for i, st := range steps {
		if _, ok := seen[st.op]; !ok {
			seen[st.op] = i
		}
		if st.old != nil && old == nil {
			old = st.old
		}
		if st.new != nil {
			nw = st.new
		}
		if r.Provider == "" {
			r.Provider = providerName(st.provider)
		}
		raws = append(raws, st.raw)
	}
	for _, s := range []*state{nw, old} {
		if s != nil && s.typ != "" {
			r.Type = s.typ
			break
		}
	}
	has := func(op string) bool { _, ok := seen[op]; return ok }
	cr, dr := has("create-replacement"), has("delete-replaced")
	switch {
	case has("replace") || has("import-replacement") || (cr && dr) || (has("create") && has("delete")):
		r.Action, r.ReplaceOrder = change.Replace, change.CreateThenDelete
		if dr && (!cr || seen["delete-replaced"] < seen["create-replacement"]) {
			r.ReplaceOrder = change.DeleteThenCreate
		}
		if has("create") && has("delete") && seen["delete"] < seen["create"] {
			r.ReplaceOrder = change.DeleteThenCreate
		}
		r.Importing = has("import-replacement")
	case has("discard") || has("discard-replaced"):
		r.Action, r.Mode = change.Delete, change.Data
	default:
		rank := []change.Action{change.Delete, change.Update, change.Create, change.Forget, change.Read, change.NoOp}
		best := len(rank)
		for op := range seen {
			best = min(best, slices.Index(rank, ops[op]))
		}
		r.Action = rank[best]
		r.Importing = has("import")
	}
	if has("read") || has("read-replacement") {
		r.Mode = change.Data
	}
	r.Digest = strictjson.Digest(raws)
	var keysList, diffs []string
	detailed := map[string]string{}
	for _, st := range steps {
		keysList = append(keysList, st.keys...)
		diffs = append(diffs, st.diffs...)
		maps.Copy(detailed, st.detailed)
	}
	oldIn, newIn := inputsOf(old), inputsOf(nw)
	for _, k := range slices.Sorted(maps.Keys(detailed)) {
		if strings.HasSuffix(detailed[k], "-replace") {
			keysList = append(keysList, k)
		}
		diffs = append(diffs, k)
	}
	r.Changes = attrChanges(dedupe(diffs), oldIn, newIn)
	if r.Action == change.Replace {
		r.ReplacePaths = attrChanges(dedupe(keysList), oldIn, newIn)
		if len(r.ReplacePaths) == 0 {
			r.NoReplacePaths = true
		}
	}
	if err := labels(&r, old, nw); err != nil {
		return change.Resource{}, fmt.Errorf("%s: %w", urn, err)
	}
	if r.Action.Destructive() || r.Action == change.Update {
		r.Before = beforeScalars(old)
	}
	return r, nil
}

// providerName is the provider package of a provider reference
// urn:pulumi:…::pulumi:providers:aws::default::id → aws.
func providerName(ref string) string {
	_, qtype, _, err := splitURN(ref)
	if err != nil {
		return ""
	}
	if p, ok := strings.CutPrefix(qtype, "pulumi:providers:"); ok {
		return p
	}
	return ""
}

func dedupe(s []string) []string {
	var out []string
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func inputsOf(s *state) map[string]any {
	if s == nil {
		return nil
	}
	if len(s.inputs) > 0 {
		return s.inputs
	}
	return s.outputs
}

// attrChanges gives each path its old and new value where the path is a
// top-level key; secrets and names that say secret carry none.
func attrChanges(paths []string, oldIn, newIn map[string]any) []change.AttrChange {
	var out []change.AttrChange
	for _, p := range paths {
		c := change.AttrChange{Path: p}
		root := p
		if i := strings.IndexAny(p, ".["); i >= 0 {
			root = p[:i]
		}
		if root == p {
			c.Before, c.After = oldIn[p], newIn[p]
		}
		if c.After == unknownValue {
			c.After, c.Unknown = nil, true
		}
		if isSecret(c.Before) || isSecret(c.After) {
			c.Before, c.After, c.Sensitive = nil, nil, true
		}
		if change.SecretName(root) {
			c.Before, c.After, c.Sensitive, c.ByName = nil, nil, true, true
		}
		out = append(out, c)
	}
	return out
}

func isSecret(v any) bool {
	switch t := v.(type) {
	case string:
		return t == secretValue
	case map[string]any:
		_, ok := t[secretSig]
		return ok
	}
	return false
}

// labels reads tags, labels or Kubernetes metadata.labels from both sides'
// inputs.
func labels(r *change.Resource, old, nw *state) error {
	ol, osens, _ := tagsOf(inputsOf(old))
	nl, nsens, nunknown := tagsOf(inputsOf(nw))
	r.LabelsSensitive = osens || nsens
	switch {
	case r.Action == change.Delete:
		r.Labels = ol
	default:
		r.Labels = nl
		if r.Action != change.Create {
			r.BeforeLabels = ol
		}
		r.LabelsUnknown = nunknown
	}
	return nil
}

func tagsOf(in map[string]any) (map[string]string, bool, bool) {
	out := map[string]string{}
	sensitive, unknown := false, false
	read := func(v any) {
		switch t := v.(type) {
		case nil:
		case string:
			if t == unknownValue {
				unknown = true
			} else if t == secretValue {
				sensitive = true
			}
		case map[string]any:
			if _, ok := t[secretSig]; ok {
				sensitive = true
				return
			}
			for k, val := range t {
				if k == "__defaults" {
					continue
				}
				switch s := val.(type) {
				case string:
					switch s {
					case unknownValue:
						unknown = true
					case secretValue:
						sensitive = true
					default:
						out[k] = s
					}
				case map[string]any:
					if _, ok := s[secretSig]; ok {
						sensitive = true
					}
				}
			}
		}
	}
	read(in["tags"])
	read(in["labels"])
	if md, ok := in["metadata"].(map[string]any); ok {
		read(md["labels"])
	}
	if len(out) == 0 {
		out = nil
	}
	return out, sensitive, unknown
}

// beforeScalars keeps the old object's top-level scalar values (outputs,
// else inputs) under snake_case names, as the verdict's recoverability
// rules read them (skipFinalSnapshot → skip_final_snapshot), with protect
// and retainOnDelete.
func beforeScalars(s *state) map[string]change.Value {
	if s == nil {
		return nil
	}
	out := map[string]change.Value{}
	for _, src := range []map[string]any{s.inputs, s.outputs} {
		for k, v := range src {
			if strings.HasPrefix(k, "__") || change.SecretName(k) {
				continue
			}
			switch t := v.(type) {
			case string:
				if t == secretValue || t == unknownValue {
					continue
				}
			case bool, json.Number:
			default:
				continue
			}
			out[snake(k)] = v
		}
	}
	if s.protect {
		out["protect"] = true
	}
	if s.retainOnDelete {
		out["retain_on_delete"] = true
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// snake turns a camelCase name into snake_case.
func snake(s string) string {
	var b strings.Builder
	for i, c := range s {
		if unicode.IsUpper(c) {
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(c))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
