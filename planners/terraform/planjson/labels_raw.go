package planjson

import "bytes"

// rawLabels computes what labels(partialObject(obj), marks) gives, for a
// change that needs nothing else from its object, straight from the bytes:
// no maps of the object or of its tags, and, with the interner, no strings
// but the ones it already holds. ok is false when it cannot, and the caller
// decodes as before: without an interner, when a sensitivity mark is true
// (a tag may be hidden), for a Kubernetes metadata block, an escaped label
// attribute name, and a tags object with many keys.
func rawLabels(obj, marks []byte, intern *interner) (map[string]string, bool) {
	if intern == nil {
		return nil, false
	}
	// The last value of each of labelKeys, as in a decoded map.
	var slot [4][]byte
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
		if i < 0 { // metadata
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
		// The object's members, the last of a repeated key winning (keys
		// compared decoded, as a map holds them): few enough to find
		// repeats by looking back, else decoded.
		members := intern.members[:0]
		q := &vparser{b: raw, i: 1}
		for first := true; q.next('}', first); first = false {
			if len(members) == maxRawMembers {
				intern.members = members[:0]
				return nil, false
			}
			mk := interned(intern, q.key())
			members = append(members, rawMember{mk, q.raw()})
		}
		intern.members = members[:0]
	member:
		for j, m := range members {
			if m.val[0] != '"' {
				continue
			}
			for _, later := range members[j+1:] {
				if later.key == m.key {
					continue member
				}
			}
			v := interned(intern, m.val)
			set := false
			for x := range kv {
				if kv[x].k == m.key {
					kv[x].v, set = v, true
					break
				}
			}
			if !set {
				kv = append(kv, labelKV{m.key, v})
			}
		}
	}
	intern.kv = kv[:0]
	if len(kv) == 0 {
		return nil, true
	}
	return intern.labelSet(kv), true
}

// maxRawMembers bounds the members of a tags object rawLabels takes on.
const maxRawMembers = 64

type rawMember struct {
	key string
	val []byte
}

// labelSlot is the index in labelKeys of an unescaped key that isLabelKey
// accepted, or -1 for metadata.
func labelSlot(k []byte) int {
	switch string(k) {
	case "tags_all":
		return 0
	case "labels":
		return 1
	case "tags":
		return 2
	case "user_labels":
		return 3
	}
	return -1
}
