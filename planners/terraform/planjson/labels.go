package planjson

import (
	"bytes"
	"encoding/json"
	"slices"
)

// Labels say where a resource lives (env = prod): the verdict's
// environment rules read them, so every change carries its labels, and an
// update or replace those of both sides.

// labels are an object's tags or labels (labelAttrs, then a Kubernetes
// metadata block's labels and namespace), decoded: string values only,
// and none that a sensitivity mark covers. With an interner the map is the
// label set shared by every resource with the same labels.
func labels(obj map[string]any, sensitive any, intern *interner) map[string]string {
	var kv []labelKV
	if intern != nil {
		kv = intern.kv[:0]
	}
	set := func(k, v string) { kv = setLabel(kv, k, v) }
	add := func(m any, path []any) {
		mm, ok := m.(map[string]any)
		if !ok || coveredAt(sensitive, path) {
			return
		}
		for k, v := range mm {
			if s, ok := v.(string); ok && (sensitive == nil || !markedAt(sensitive, append(slices.Clone(path), k))) {
				set(k, s)
			}
		}
	}
	for _, k := range labelAttrs {
		add(obj[k], []any{k})
	}
	// Kubernetes resources keep labels in a single metadata block.
	if md, ok := obj[metadataAttr].([]any); ok && len(md) == 1 {
		if m, ok := md[0].(map[string]any); ok {
			add(m["labels"], []any{metadataAttr, json.Number("0"), "labels"})
			if ns, ok := m["namespace"].(string); ok && ns != "" {
				set("kubernetes.namespace", ns)
			}
		}
	}
	if len(kv) == 0 {
		return nil
	}
	if intern == nil {
		out := make(map[string]string, len(kv))
		for _, e := range kv {
			out[e.k] = e.v
		}
		return out
	}
	intern.kv = kv[:0]
	return intern.labelSet(kv)
}

// labelsMarked reports whether a sensitivity mark covers any of the label
// attributes, or the whole object.
func labelsMarked(sensitive any) bool { return labelsUnknown(sensitive) }

// labelsUnknown reports whether an unknown mark covers any of the label
// attributes, or the whole object.
func labelsUnknown(unknown any) bool {
	if b, ok := unknown.(bool); ok {
		return b
	}
	for _, k := range labelAttrs {
		if markedAt(unknown, []any{k}) {
			return true
		}
	}
	return markedAt(unknown, []any{metadataAttr, json.Number("0"), "labels"})
}

// rawLabels is labels(partialObject(obj, false), marks) straight from the
// bytes, for the changes that need nothing else from their object (no-op,
// create, read: 80% of a plan). It exists because building maps of every
// object and of its tags was the converter's largest cost; here no map is
// built but the shared label set, and with the interner no string but the
// ones it already holds.
//
// The invariant: the same labels as the general path, for every input it
// takes. Keys are unique (the digest refused duplicates first), so each
// tags object is read member by member. It gives up (ok false), and the
// caller decodes, where the general path's rules are needed: no interner
// (the general path itself), a true sensitivity mark (a tag may be
// hidden), a Kubernetes metadata block, or an escaped label attribute
// name.
func rawLabels(obj, marks []byte, intern *interner) (map[string]string, bool) {
	if intern == nil {
		return nil, false
	}
	var slot [len(labelAttrs)][]byte
	found := false
	p := &vparser{b: obj, i: 1}
	for first := true; p.next('}', first); first = false {
		rawKey := p.key()
		if !isLabelKey(rawKey) {
			p.skip()
			continue
		}
		k := rawKey[1 : len(rawKey)-1]
		if bytes.IndexByte(k, '\\') >= 0 {
			return nil, false
		}
		i := labelSlot(k)
		if i == len(labelAttrs) { // metadata
			if v := p.raw(); v[0] != 'n' {
				return nil, false
			}
			continue
		}
		slot[i] = p.raw()
		found = true
	}
	if !found {
		return nil, true
	}
	if bytes.Contains(marks, []byte("true")) {
		return nil, false
	}
	kv := intern.kv[:0]
	for _, raw := range slot {
		if len(raw) == 0 || raw[0] != '{' {
			continue
		}
		q := &vparser{b: raw, i: 1}
		for first := true; q.next('}', first); first = false {
			k := interned(intern, q.key())
			v := q.raw()
			if v[0] != '"' {
				continue
			}
			kv = setLabel(kv, k, interned(intern, v))
		}
	}
	intern.kv = kv[:0]
	if len(kv) == 0 {
		return nil, true
	}
	return intern.labelSet(kv), true
}

// setLabel sets label k to v in kv: a later label attribute overrides an
// earlier one.
func setLabel(kv []labelKV, k, v string) []labelKV {
	for i := range kv {
		if kv[i].k == k {
			kv[i].v = v
			return kv
		}
	}
	return append(kv, labelKV{k, v})
}
