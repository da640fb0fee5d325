package planjson

import (
	"bytes"
	"encoding/json"
	"slices"
	"unsafe"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/rehearse-dev/rehearse/change"
)

// diffMembers is diff on the top-level members of before and after as the
// attribute picker lists them (sorted by key, raw values), for the fast
// path. It exists because decoding both objects into maps only to compare
// them, and re-encoding every list and map for AttrChange, were most of an
// update's time and garbage on plans whose updates change many attributes.
//
// The invariant: what diff gives on the decoded objects. A value written
// canonically (canonical: as json.Marshal writes the decoded value) is
// equal to another canonical value exactly when their bytes are, and its
// bytes are what compact would encode; so canonical values are compared
// and kept as bytes. An attribute with either side written otherwise is
// decoded and diffed as diff does.
func diffMembers(bm, am []rawMember, c *tfjson.Change, byName *int, scratch *[]change.AttrChange) []change.AttrChange {
	unknownTop, _ := c.AfterUnknown.(map[string]any)
	out := (*scratch)[:0]
	defer func() { *scratch = out[:0] }()
	for i, j := 0, 0; i < len(bm) || j < len(am); {
		var k string
		var b, a []byte
		switch {
		case j == len(am) || i < len(bm) && bm[i].key < am[j].key:
			k, b = bm[i].key, bm[i].val
			i++
		case i == len(bm) || am[j].key < bm[i].key:
			k, a = am[j].key, am[j].val
			j++
		default:
			k, b, a = bm[i].key, bm[i].val, am[j].val
			i, j = i+1, j+1
		}
		out = diffAttr(out, k, b, a, containsTrue(unknownTop[k]), c, byName)
	}
	if len(out) == 0 {
		return nil
	}
	// An exact copy: the Resource keeps it, and a slice grown by
	// doubling would keep up to twice the room.
	return slices.Clone(out)
}

// diffAttr appends the changes of top-level attribute k, raw b before and
// a after (nil where absent).
func diffAttr(out []change.AttrChange, k string, b, a []byte, unknown bool, c *tfjson.Change, byName *int) []change.AttrChange {
	if !canonical(b) || !canonical(a) {
		one := *c
		before, after := map[string]any{k: decodeValue(b)}, map[string]any{k: decodeValue(a)}
		one.Before, one.After = before, after
		return append(out, diff(before, after, &one, byName)...)
	}
	if !unknown && equalRaw(b, a) {
		return out
	}
	step := []any{k}
	// A map marked sensitive as a whole is one change: its keys are as
	// secret as its values.
	hidden := coveredAt(c.BeforeSensitive, step) || coveredAt(c.AfterSensitive, step)
	if isObject(b) && isObject(a) && !unknown && !hidden {
		bs, as := canonicalMembers(b), canonicalMembers(a)
		for i, j := 0, 0; i < len(bs) || j < len(as); {
			var kk []byte
			var bb, aa []byte
			switch {
			case j == len(as) || i < len(bs) && bytes.Compare(bs[i].key, as[j].key) < 0:
				kk, bb = bs[i].key, bs[i].val
				i++
			case i == len(bs) || bytes.Compare(as[j].key, bs[i].key) < 0:
				kk, aa = as[j].key, as[j].val
				j++
			default:
				kk, bb, aa = bs[i].key, bs[i].val, as[j].val
				i, j = i+1, j+1
			}
			if !equalRaw(bb, aa) {
				out = append(out, pathChangeRaw([]any{k, string(kk)}, c, bb, aa, byName))
			}
		}
		return out
	}
	return append(out, pathChangeRaw(step, c, b, a, byName))
}

// pathChangeRaw is pathChange for a path whose values are the canonical b
// and a.
func pathChangeRaw(steps []any, c *tfjson.Change, b, a []byte, byName *int) change.AttrChange {
	ac, hidden := pathHidden(steps, c, byName)
	if hidden {
		return ac
	}
	ac.Before = rawValue(b)
	if markedAt(c.AfterUnknown, steps) {
		ac.Unknown = true
		return ac
	}
	ac.After = rawValue(a)
	return ac
}

// rawValue is compact(decodeValue(raw)) for a canonical raw value: a
// scalar decoded, a list or map as its bytes (copied: raw is the job's).
func rawValue(raw []byte) any {
	if raw == nil {
		return nil
	}
	if raw[0] == '{' || raw[0] == '[' {
		return json.RawMessage(bytes.Clone(raw))
	}
	return decodeValue(raw)
}

// equalRaw compares canonical values; nil (absent) equals null.
func equalRaw(b, a []byte) bool {
	if b == nil {
		b = nullRaw
	}
	if a == nil {
		a = nullRaw
	}
	return bytes.Equal(b, a)
}

var nullRaw = []byte("null")

// canonical reports whether raw (valid JSON, or nil for absent) is written
// exactly as json.Marshal writes its decoded value, with nothing that
// redactByName would change: no white space, object keys in order and
// none named like a secret, and strings of printable ASCII without
// escapes or the characters Marshal escapes (<, >, &). Terraform writes
// most values so; the rest take the general path.
func canonical(raw []byte) bool {
	if raw == nil {
		return true
	}
	i, ok := canonicalAt(raw, 0)
	return ok && i == len(raw)
}

// canonicalAt checks the value at raw[i:] and returns the index after it.
func canonicalAt(raw []byte, i int) (int, bool) {
	if i >= len(raw) {
		return i, false
	}
	switch raw[i] {
	case '{':
		i++
		if i < len(raw) && raw[i] == '}' {
			return i + 1, true
		}
		var prev []byte
		for {
			start := i
			end, ok := plainString(raw, i)
			if !ok || end >= len(raw) || raw[end] != ':' {
				return i, false
			}
			key := raw[start+1 : end-1]
			if prev != nil && bytes.Compare(prev, key) >= 0 || change.SecretName(unsafe.String(unsafe.SliceData(key), len(key))) {
				return i, false
			}
			prev = key
			if i, ok = canonicalAt(raw, end+1); !ok || i >= len(raw) {
				return i, false
			}
			switch raw[i] {
			case '}':
				return i + 1, true
			case ',':
				i++
			default:
				return i, false
			}
		}
	case '[':
		i++
		if i < len(raw) && raw[i] == ']' {
			return i + 1, true
		}
		for {
			var ok bool
			if i, ok = canonicalAt(raw, i); !ok || i >= len(raw) {
				return i, false
			}
			switch raw[i] {
			case ']':
				return i + 1, true
			case ',':
				i++
			default:
				return i, false
			}
		}
	case '"':
		return plainString(raw, i)
	}
	// A number or a literal: the scanner checked it, and it ends at a
	// delimiter, never at white space.
	for ; i < len(raw); i++ {
		switch raw[i] {
		case ',', '}', ']':
			return i, true
		case ' ', '\t', '\n', '\r', ':':
			return i, false
		}
	}
	return i, true
}

// plainString checks that the string at raw[i] holds only printable ASCII
// other than \, <, > and &, and returns the index after it.
func plainString(raw []byte, i int) (int, bool) {
	if i >= len(raw) || raw[i] != '"' {
		return i, false
	}
	for i++; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '"':
			return i + 1, true
		case c < 0x20 || c >= 0x7f || c == '\\' || c == '<' || c == '>' || c == '&':
			return i, false
		}
	}
	return i, false
}

// rawKV is a member of a canonical object: its key's bytes (no escapes)
// and its value's.
type rawKV struct{ key, val []byte }

// canonicalMembers lists the members of a canonical object, in order.
func canonicalMembers(raw []byte) []rawKV {
	var out []rawKV
	p := &vparser{b: raw, i: 1}
	for first := true; p.next('}', first); first = false {
		k := p.key()
		out = append(out, rawKV{k[1 : len(k)-1], p.raw()})
	}
	return out
}
