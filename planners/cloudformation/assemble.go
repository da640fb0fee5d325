package cloudformation

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/internal/strictjson"
)

// assemble joins a root change set and its nested stacks' into one Set.
// Every document must belong: exactly one root, every other one named by a
// parent's AWS::CloudFormation::Stack change, and every nested change set
// a parent names present, or the nested stack's changes would go unjudged.
func assemble(name string, sets []*changeSet) (change.Set, error) {
	fail := func(format string, args ...any) (change.Set, error) {
		return change.Set{}, &ReadError{File: name, Offset: -1, Err: fmt.Errorf("%w: "+format, append([]any{ErrNested}, args...)...)}
	}
	byID := map[string]*changeSet{}
	for _, cs := range sets {
		if cs.id != "" {
			if prev, dup := byID[cs.id]; dup {
				return fail("%s and %s are the same change set %s", prev.file, cs.file, cs.id)
			}
			byID[cs.id] = cs
		}
	}
	named := map[string]bool{}
	for _, cs := range sets {
		for _, id := range cs.children {
			named[id] = true
		}
	}
	var roots []*changeSet
	for _, cs := range sets {
		if cs.id == "" || !named[cs.id] {
			roots = append(roots, cs)
		}
	}
	if len(roots) != 1 {
		files := make([]string, len(roots))
		for i, r := range roots {
			files[i] = r.file
		}
		return fail("%d root change sets (%s): give one stack's change set and its nested stacks' only", len(roots), strings.Join(files, ", "))
	}
	root := roots[0]
	set := change.Set{
		Source:  change.Source{Kind: change.Planned, Tool: Tool, File: name, Document: document(root)},
		Managed: -1,
		Stack:   root.stack,
	}
	seen := map[*changeSet]bool{}
	var vars []any
	var hasContext bool
	var walk func(cs *changeSet, prefix string) error
	walk = func(cs *changeSet, prefix string) error {
		if seen[cs] {
			return fmt.Errorf("%w: %s is nested in itself", ErrNested, cs.file)
		}
		seen[cs] = true
		vars = append(vars, cs.paramsRaw)
		hasContext = hasContext || cs.hasContext
		for _, list := range []struct {
			from []change.Resource
			to   *[]change.Resource
		}{{cs.resources, &set.Resources}, {cs.drift, &set.Drift}} {
			for _, r := range list.from {
				if prefix != "" {
					r.Address = prefix + "/" + r.Address
					r.Module = prefix
				}
				r.Labels = withParams(r.Labels, root.params)
				*list.to = append(*list.to, r)
			}
		}
		for _, logical := range slices.Sorted(maps.Keys(cs.children)) {
			id := cs.children[logical]
			child, ok := byID[id]
			if !ok {
				if !root.nested && len(sets) == 1 {
					// describe-change-set without nested stacks still names
					// the child change set when the parent has one.
					return fmt.Errorf("%w: nested stack %s has change set %s, which is not given: describe it too and pass the directory of change sets", ErrNested, join(prefix, logical), id)
				}
				return fmt.Errorf("%w: nested stack %s has change set %s, which is not among the documents", ErrNested, join(prefix, logical), id)
			}
			if err := walk(child, join(prefix, logical)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(root, ""); err != nil {
		return change.Set{}, &ReadError{File: name, Offset: -1, Err: err}
	}
	for _, cs := range sets {
		if !seen[cs] {
			return fail("%s does not belong to %s's change set", cs.file, root.stack)
		}
	}
	if len(vars) > 0 && slices.ContainsFunc(vars, func(v any) bool { return v != nil }) {
		set.Variables = strictjson.Digest(vars)
	}
	if !hasContext && len(set.Resources)+len(set.Drift) > 0 {
		set.Notes = append(set.Notes, "the change set has no property values (describe-change-set --include-property-values): tags and deletion policies are not known, so the stack name and the policy place its resources")
	}
	for _, k := range slices.Sorted(maps.Keys(root.params)) {
		set.Notes = append(set.Notes, fmt.Sprintf("stack parameter %s=%s counts as a tag of every resource that has no %s tag", k, root.params[k], k))
	}
	return set, nil
}

func join(prefix, logical string) string {
	if prefix == "" {
		return logical
	}
	return prefix + "/" + logical
}

// document names the change set for the report.
func document(cs *changeSet) string {
	s := "change set " + cs.name
	if cs.name == "" {
		s = "change set"
	}
	if cs.stack != "" {
		s += " on stack " + cs.stack
	}
	return s
}

// withParams adds the stack's environment parameters to labels that do
// not already have the key.
func withParams(labels, params map[string]string) map[string]string {
	if len(params) == 0 {
		return labels
	}
	out := maps.Clone(labels)
	if out == nil {
		out = map[string]string{}
	}
	for k, v := range params {
		has := false
		for lk := range out {
			if strings.EqualFold(lk, k) {
				has = true
			}
		}
		if !has {
			out[k] = v
		}
	}
	return out
}
