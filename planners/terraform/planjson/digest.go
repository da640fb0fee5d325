package planjson

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// maxDepth bounds how deeply a plan may nest, counted from the document's
// top. Terraform's own values never nest past a few hundred levels; a
// deeper document is refused before anything recursive sees it.
const maxDepth = 512

// digester hashes a raw JSON value in a canonical form: no whitespace,
// object members sorted by key. Two encodings of the same value that
// differ in key order or spacing give one digest, and any change to any
// value, sensitive ones included, gives another. String values are hashed
// as written: terraform writes each string one way, and decoding every
// string (most of a plan's bytes) to normalize its escapes would cost more
// than the rest of the reading; another escape form only gives another
// digest, which binds nothing it should not. It refuses duplicate keys, which terraform never writes: a
// plan with two "actions" would otherwise mean one thing to rehearse and
// another to whoever reads it next.
//
// It is one pass over the bytes: each object's members are written as
// they come, and only an object whose keys are out of order has its
// members' bytes moved into order when it closes. Terraform writes
// attribute values in key order, so in practice only the few keys of each
// resource change and its change object are moved.
type digester struct {
	// sum is the last digest, for callers that keep it.
	sum string
	out []byte
	// fastFrom is the depth from which a value already in canonical form
	// is copied whole (compactSorted) instead of walked member by member.
	fastFrom int
	members  []dmember // a stack: each open object's members
	sorted   []byte
}

type dmember struct {
	key        string
	start, end int // the member's bytes in out, key included
	off        int // offset of its key in the input, for errors
}

// DuplicateKeyError is an object with the same key twice.
type DuplicateKeyError struct {
	Key    string
	Offset int // in the value given to digest
}

func (e *DuplicateKeyError) Error() string {
	return fmt.Sprintf("duplicate key %q", e.Key)
}

// errTooDeep is nesting past maxDepth.
var errTooDeep = fmt.Errorf("nested more than %d levels deep", maxDepth)

// digest returns "sha256:…" of raw's canonical form. raw must be valid
// JSON (the scanner checked it); depth is how deep raw sits in the
// document.
//
// The values of the change's members (before, after and their marks) are
// where a resource change's bytes are, and terraform writes them in
// canonical form already (attribute maps sorted, no white space); the
// resource change and its change object list their keys in struct order
// instead. So from two levels below raw the digester first tries to copy
// each value whole, and walks only what is not canonical.
func (g *digester) digest(raw []byte, depth int) (string, error) {
	return g.digestFrom(raw, depth, depth+2)
}

// digestFrom is digest with the fast copy tried from depth fastFrom on
// (math.MaxInt: never, for the tests that compare the two).
func (g *digester) digestFrom(raw []byte, depth, fastFrom int) (string, error) {
	g.out = g.out[:0]
	g.fastFrom = fastFrom
	p := &vparser{b: raw}
	if err := g.value(p, depth); err != nil {
		return "", err
	}
	sum := sha256.Sum256(g.out)
	if cap(g.out) > 4<<20 { // do not keep one huge value's buffer
		g.out = nil
	}
	// One allocation for the string: "sha256:" and the hex digits.
	var buf [len(sumPrefix) + 2*sha256.Size]byte
	copy(buf[:], sumPrefix)
	hex.Encode(buf[len(sumPrefix):], sum[:])
	return string(buf[:]), nil
}

const sumPrefix = "sha256:"

func (g *digester) value(p *vparser, depth int) error {
	c := p.ws()
	if (c == '{' || c == '[') && depth >= g.fastFrom {
		if end, ok := compactSorted(p.b, p.i, depth); ok {
			g.out = append(g.out, p.b[p.i:end]...)
			p.i = end
			return nil
		}
	}
	switch c {
	case '{':
		return g.object(p, depth+1)
	case '[':
		if depth+1 > maxDepth {
			return errTooDeep
		}
		p.i++
		g.out = append(g.out, '[')
		for first := true; p.next(']', first); first = false {
			if !first {
				g.out = append(g.out, ',')
			}
			if err := g.value(p, depth+1); err != nil {
				return err
			}
		}
		g.out = append(g.out, ']')
	case '"':
		g.out = append(g.out, p.strRaw()...)
	default:
		g.out = append(g.out, p.raw()...)
	}
	return nil
}

func (g *digester) object(p *vparser, depth int) error {
	if depth > maxDepth {
		return errTooDeep
	}
	p.i++
	base := len(g.members)
	defer func() { g.members = g.members[:base] }()
	open := len(g.out)
	g.out = append(g.out, '{')
	inOrder := true
	for first := true; p.next('}', first); first = false {
		if !first {
			g.out = append(g.out, ',')
		}
		p.ws()
		keyOff := p.i
		rawKey := p.key()
		m := dmember{key: keyOf(rawKey), start: len(g.out), off: keyOff}
		g.key(rawKey, m.key)
		if n := len(g.members); n > base {
			switch c := strings.Compare(g.members[n-1].key, m.key); {
			case c == 0:
				return &DuplicateKeyError{Key: m.key, Offset: keyOff}
			case c > 0:
				inOrder = false
			}
		}
		g.out = append(g.out, ':')
		if err := g.value(p, depth); err != nil {
			return err
		}
		m.end = len(g.out)
		g.members = append(g.members, m)
	}
	g.out = append(g.out, '}')
	if inOrder {
		return nil
	}
	ms := g.members[base:]
	slices.SortStableFunc(ms, func(a, b dmember) int { return strings.Compare(a.key, b.key) })
	for i := 1; i < len(ms); i++ {
		if ms[i].key == ms[i-1].key {
			later := ms[i]
			if ms[i-1].off > later.off {
				later = ms[i-1]
			}
			return &DuplicateKeyError{Key: later.key, Offset: later.off}
		}
	}
	// Rewrite the object's members in key order.
	sorted := g.sorted[:0]
	sorted = append(sorted, '{')
	for i, m := range ms {
		if i > 0 {
			sorted = append(sorted, ',')
		}
		sorted = append(sorted, g.out[m.start:m.end]...)
	}
	sorted = append(sorted, '}')
	g.out = append(g.out[:open], sorted...)
	g.sorted = sorted[:0]
	return nil
}

// keyOf is a key for comparing: the raw bytes when they hold no escape
// (UTF-8 compares bytewise in code point order, as decoded strings do),
// else the decoded string. The raw form aliases the input, which outlives
// the walk.
func keyOf(rawKey []byte) string {
	body := rawKey[1 : len(rawKey)-1]
	if plainKey(body) || bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return unsafe.String(unsafe.SliceData(body), len(body))
	}
	return decodeString(rawKey)
}

// plainKey reports whether a key's body is ASCII without escapes, as
// nearly every key is: short enough that a byte loop beats the general
// checks.
func plainKey(body []byte) bool {
	for _, c := range body {
		if c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}

// key writes an object key in canonical form, as keys are compared: raw
// when it has no escape (valid JSON then has no quote, backslash or
// control byte in it), else decoded and written with only the escapes JSON
// requires, so "\u0061" and "a" are one key, and a duplicate.
func (g *digester) key(raw []byte, s string) {
	if len(s) == len(raw)-2 && unsafe.StringData(s) == &raw[1] {
		g.out = append(g.out, raw...)
		return
	}
	g.out = append(g.out, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			g.out = append(g.out, '\\', c)
		case c < 0x20:
			g.out = append(g.out, '\\', 'u', '0', '0', hexDigit[c>>4], hexDigit[c&0xF])
		default:
			g.out = append(g.out, c)
		}
	}
	g.out = append(g.out, '"')
}

const hexDigit = "0123456789abcdef"

// compactSorted reports whether the valid JSON value at b[i], at depth in
// the document, is already in the digester's canonical form, and where it
// ends. Canonical here is stricter than the digester's output needs: no
// white space anywhere, and every object's keys plain (ASCII without
// escapes) and strictly ascending, so none repeats. The digester writes
// such a value byte for byte as it is (members in order, keys and strings
// raw, numbers raw), so copying it whole gives the same digest; anything
// else (white space, an escaped or non-ASCII key, keys out of order or
// repeated, nesting past maxDepth) says no, and the member walk decides,
// with its errors.
func compactSorted(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch b[i] {
	case '{':
		if depth+1 > maxDepth {
			return i, false
		}
		i++
		if i < len(b) && b[i] == '}' {
			return i + 1, true
		}
		var prev []byte
		for {
			if i >= len(b) || b[i] != '"' {
				return i, false
			}
			end := strEnd(b, i+1)
			key := b[i+1 : end-1]
			if !plainKey(key) || prev != nil && bytes.Compare(prev, key) >= 0 {
				return i, false
			}
			prev = key
			i = end
			if i >= len(b) || b[i] != ':' {
				return i, false
			}
			var ok bool
			if i, ok = compactSorted(b, i+1, depth+1); !ok {
				return i, false
			}
			if i >= len(b) {
				return i, false
			}
			switch b[i] {
			case '}':
				return i + 1, true
			case ',':
				i++
			default:
				return i, false
			}
		}
	case '[':
		if depth+1 > maxDepth {
			return i, false
		}
		i++
		if i < len(b) && b[i] == ']' {
			return i + 1, true
		}
		for {
			var ok bool
			if i, ok = compactSorted(b, i, depth+1); !ok {
				return i, false
			}
			if i >= len(b) {
				return i, false
			}
			switch b[i] {
			case ']':
				return i + 1, true
			case ',':
				i++
			default:
				return i, false
			}
		}
	case '"':
		return strEnd(b, i+1), true
	case ' ', '\t', '\n', '\r', ',', ':', '}', ']':
		return i, false
	}
	for i < len(b) && !isDelim(b[i]) {
		i++
	}
	return i, true
}
