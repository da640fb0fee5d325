package planjson

import (
	"bytes"
	"fmt"
	"slices"
)

// The reader walks the parts of the document it reads on the stream,
// without building them: object and array call back for each member or
// element, and the callback consumes the value.

// object walks an object value field by field: each calls fn, which must
// consume the value. It reports whether the value was an object; null is
// skipped, and any other type is recorded as the wrong type.
func (d *reader) object(field string, fn func(key string) error) (bool, error) {
	return d.objectKeys(field, nil, fn)
}

// objectKeys is object for an object whose keys names rehearse reads: one
// of them twice, or in another case, is refused.
func (d *reader) objectKeys(field string, names []string, fn func(key string) error) (bool, error) {
	c, err := d.s.ws()
	if err != nil {
		return false, err
	}
	if c != '{' {
		if c == '[' {
			d.wrongType(field, c)
			return false, d.s.value()
		}
		if err := d.s.scalar(c); err != nil {
			return false, err
		}
		if c != 'n' {
			d.wrongType(field, c)
		}
		return false, nil
	}
	d.s.pos++
	d.s.depth++
	defer func() { d.s.depth-- }()
	if d.s.depth > maxDepth {
		return true, &depthError{Offset: d.s.offset()}
	}
	var seen []string
	for first := true; ; first = false {
		more, err := d.s.next('}', first)
		if err != nil || !more {
			return true, err
		}
		off := d.s.offset()
		k, err := d.s.key()
		if err != nil {
			return true, err
		}
		if names != nil {
			if err := d.caseVariant(off, k, names...); err != nil {
				return true, err
			}
			if slices.Contains(names, k) {
				if slices.Contains(seen, k) {
					return true, &ReadError{File: d.name, Offset: off, Err: fmt.Errorf("%w %q in %s: terraform never writes one", ErrDuplicate, k, field)}
				}
				seen = append(seen, k)
			}
		}
		if err := fn(k); err != nil {
			return true, err
		}
	}
}

// array walks an array value element by element. null is skipped, and any
// other type is recorded as the wrong type. It reports whether the value
// was null.
func (d *reader) array(field string, fn func() error) (bool, error) {
	c, err := d.s.ws()
	if err != nil {
		return false, err
	}
	if c != '[' {
		if c == '{' {
			d.wrongType(field, c)
			return false, d.s.value()
		}
		if err := d.s.scalar(c); err != nil {
			return false, err
		}
		if c != 'n' {
			d.wrongType(field, c)
		}
		return c == 'n', nil
	}
	d.s.pos++
	d.s.depth++
	defer func() { d.s.depth-- }()
	if d.s.depth > maxDepth {
		return false, &depthError{Offset: d.s.offset()}
	}
	for first := true; ; first = false {
		more, err := d.s.next(']', first)
		if err != nil || !more {
			return false, err
		}
		if err := fn(); err != nil {
			return false, err
		}
	}
}

// keyIs matches a key to a field name exactly, as terraform writes it. A
// key in another case is not the field (and where it matters, caseVariant
// refuses it).
func keyIs(key, name string) bool { return key == name }

// isJSONNull reports whether raw is the JSON null literal.
func isJSONNull(raw []byte) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }
