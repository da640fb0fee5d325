package planjson

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Marks (after_unknown, before_sensitive, after_sensitive) mirror a
// value's shape with true where it is unknown or sensitive. Only a true
// counts, so marks without one are never built (decodeMarks), and a mark
// whose shape does not fit its value hides more, not less.

// decodeMarks decodes sensitivity or unknown marks. Only a true mark
// counts anywhere they are read (markedAt, coveredAt, containsTrue), so
// marks without one, the common case, are nil: nothing to build.
func decodeMarks(raw []byte) any {
	if !bytes.Contains(raw, []byte("true")) {
		return nil
	}
	return decodeValue(raw)
}

// markSource decodes a sensitivity mark, unless obj is empty and nothing
// will look at it.
func markSource(obj map[string]any, raw []byte) any {
	if len(obj) == 0 {
		return nil
	}
	return decodeMarks(raw)
}

// markedAt reports whether a sensitivity or unknown mark covers the path:
// the mark is true at the path, at an ancestor, or anywhere beneath it; a
// mark that does not fit the path's shape counts if it holds a true.
func markedAt(marks any, steps []any) bool {
	at, marked, done := markAt(marks, steps)
	if done {
		return marked
	}
	return containsTrue(at)
}

// coveredAt reports whether a mark is true at the path or an ancestor: the
// whole value is marked, not just something beneath it. A mark whose
// shape does not fit the path (a list of marks where the value is an
// object) covers it if it holds a true anywhere: when marks and value
// disagree, hide more, not less.
func coveredAt(marks any, steps []any) bool {
	at, marked, done := markAt(marks, steps)
	if done {
		return marked
	}
	b, _ := at.(bool)
	return b
}

// markAt walks marks along the path. done is true when the walk decides
// on the way, with marked the answer: a bool mark at an ancestor, a mark
// whose shape does not fit the path (marked if it holds a true), or no
// mark. Otherwise at is the mark at the path.
func markAt(marks any, steps []any) (at any, marked, done bool) {
	v := marks
	for _, s := range steps {
		if b, ok := v.(bool); ok {
			return nil, b, true
		}
		next, fits := markStep(v, s)
		if !fits {
			return nil, containsTrue(v), true
		}
		if v = next; v == nil {
			return nil, false, true
		}
	}
	return v, false, false
}

// markStep takes one step into a mark structure. fits is false when the
// mark's shape cannot be stepped into that way.
func markStep(v, step any) (next any, fits bool) {
	switch cur := v.(type) {
	case nil:
		return nil, true
	case map[string]any:
		k, ok := step.(string)
		if !ok {
			return nil, false
		}
		return cur[k], true
	case []any:
		i, ok := index(step)
		if !ok {
			return nil, false
		}
		if i < 0 || i >= len(cur) {
			return nil, true
		}
		return cur[i], true
	}
	return nil, false
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
