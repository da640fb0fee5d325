package planjson

import (
	"bytes"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/rehearse-dev/rehearse/change"
)

// maxSmallMembers bounds the top-level attributes pickSmall takes on: it
// finds a key among them by looking through them all.
const maxSmallMembers = 48

// pickSmall is pickMaps without maps of the members: the top-level members
// of before and after as slices, with keys shared through the interner. ok
// is false when it cannot (no interner, a value that is neither an object
// nor null, or an object with many members), and pickMaps must.
func pickSmall(beforeRaw, afterRaw []byte, c *tfjson.Change, act change.Action, intern *interner) (before, after any, ok bool) {
	if intern == nil {
		return nil, nil, false
	}
	bm, bObj, ok := smallMembers(beforeRaw, intern, intern.bm[:0])
	intern.bm = bm[:0]
	if !ok {
		return nil, nil, false
	}
	am, aObj, ok := smallMembers(afterRaw, intern, intern.am[:0])
	intern.am = am[:0]
	if !ok {
		return nil, nil, false
	}
	unknownTop, _ := c.AfterUnknown.(map[string]any)
	roots := intern.roots[:0]
	for _, p := range c.ReplacePaths {
		if steps, ok := p.([]any); ok && len(steps) > 0 {
			if k, ok := steps[0].(string); ok {
				roots = append(roots, k)
			}
		}
	}
	intern.roots = roots[:0]
	need := func(k string) bool {
		switch k {
		case "tags_all", "labels", "tags", "user_labels", "metadata":
			return true
		}
		if unknownTop != nil && containsTrue(unknownTop[k]) {
			return true
		}
		for _, r := range roots {
			if r == k {
				return true
			}
		}
		return false
	}
	var bOut, aOut map[string]any
	if bObj {
		bOut = make(map[string]any)
		for _, m := range bm {
			a, inA := findMember(am, m.key)
			if need(m.key) || !inA || !bytes.Equal(a, m.val) || act == change.Replace && m.val[0] != '{' && m.val[0] != '[' {
				bOut[m.key] = decodeValue(m.val)
			}
		}
		before = bOut
	}
	if aObj {
		aOut = make(map[string]any)
		for _, m := range am {
			b, inB := findMember(bm, m.key)
			// A member of both is needed when before's is.
			if need(m.key) || !inB || !bytes.Equal(b, m.val) || act == change.Replace && b[0] != '{' && b[0] != '[' {
				aOut[m.key] = decodeValue(m.val)
			}
		}
		after = aOut
	}
	return before, after, true
}

// smallMembers appends the members of a raw object to into, the last of a
// repeated key (compared decoded) winning. obj is false for null or an
// absent value; ok is false for another type or too many members.
func smallMembers(raw []byte, intern *interner, into []rawMember) (members []rawMember, obj, ok bool) {
	if raw == nil || raw[0] == 'n' {
		return into, false, true
	}
	if raw[0] != '{' {
		return into, false, false
	}
	p := &vparser{b: raw, i: 1}
	for first := true; p.next('}', first); first = false {
		k := interned(intern, p.key())
		v := p.raw()
		replaced := false
		for i := range into {
			if into[i].key == k {
				into[i].val, replaced = v, true
				break
			}
		}
		if !replaced {
			if len(into) == maxSmallMembers {
				return into, true, false
			}
			into = append(into, rawMember{k, v})
		}
	}
	return into, true, true
}

func findMember(ms []rawMember, k string) ([]byte, bool) {
	for i := range ms {
		if ms[i].key == k {
			return ms[i].val, true
		}
	}
	return nil, false
}
