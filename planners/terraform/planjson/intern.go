package planjson

import (
	"encoding/binary"
	"slices"
	"strings"
)

// Strings that repeat across resources (types, providers, modules, label
// keys and values) are stored once, and so are whole label sets.

// interner shares what repeats across resources: strings, and whole label
// sets, since many resources carry the same tags. A Resource's Labels map
// may therefore be shared with other resources: nothing may modify it.
type interner struct {
	raw  map[string]string            // raw JSON string → decoded
	strs map[string]string            // decoded → shared copy
	sets map[string]map[string]string // canonical label set → shared map
	kv   []labelKV
	key  []byte
}

func newInterner() *interner {
	return &interner{raw: map[string]string{}, strs: map[string]string{}, sets: map[string]map[string]string{}}
}

func (in *interner) str(s string) string {
	if v, ok := in.strs[s]; ok {
		return v
	}
	in.strs[s] = s
	return s
}

// labelSet returns the shared map holding exactly the labels kv (whose
// keys are distinct).
func (in *interner) labelSet(kv []labelKV) map[string]string {
	slices.SortFunc(kv, func(a, b labelKV) int { return strings.Compare(a.k, b.k) })
	key := in.key[:0]
	for _, e := range kv {
		key = binary.AppendUvarint(key, uint64(len(e.k)))
		key = append(key, e.k...)
		key = binary.AppendUvarint(key, uint64(len(e.v)))
		key = append(key, e.v...)
	}
	in.key = key
	if m, ok := in.sets[string(key)]; ok {
		return m
	}
	m := make(map[string]string, len(kv))
	for _, e := range kv {
		m[in.str(e.k)] = in.str(e.v)
	}
	in.sets[string(key)] = m
	return m
}

// interned decodes a string, sharing one copy of each value.
func interned(intern *interner, raw []byte) string {
	if intern == nil {
		return decodeString(raw)
	}
	if s, ok := intern.raw[string(raw)]; ok {
		return s
	}
	s := decodeString(raw)
	intern.raw[string(raw)] = s
	return s
}

// labelKV is one label.
type labelKV struct{ k, v string }

type rawMember struct {
	key string
	val []byte
}
