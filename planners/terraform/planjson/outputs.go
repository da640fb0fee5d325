package planjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/rehearse-dev/rehearse/change"
)

// outputs reads output_changes. Each output's change is digested whole, so
// the fingerprint binds its values, and kept only where it is neither
// marked sensitive nor named like a secret: then neither side is kept.
func (d *reader) outputs() error {
	raw, off, err := d.topValue("output_changes", '{')
	if raw == nil || err != nil {
		return err
	}
	p := &vparser{b: raw, i: 1}
	for first := true; p.next('}', first); first = false {
		keyAt := off + int64(p.i)
		name := decodeString(p.key())
		valAt := off + int64(p.i)
		val := p.raw()
		if val[0] == 'n' {
			continue
		}
		if val[0] != '{' {
			d.wrongType("output_changes."+name, val[0])
			return nil
		}
		if err := rawKeysCase(val, changeKeys); err != nil {
			return &ReadError{File: d.name, Offset: valAt, Err: fmt.Errorf("output_changes.%s: %w", name, err)}
		}
		var c tfjson.Change
		dec := json.NewDecoder(bytes.NewReader(val))
		dec.UseNumber()
		if err := dec.Decode(&c); err != nil {
			return &ReadError{File: d.name, Offset: keyAt, Err: fmt.Errorf("%w: output_changes.%s has the wrong type", ErrNotPlan, name)}
		}
		act, _, err := convertActions(c.Actions)
		if err != nil {
			return d.fail(fmt.Errorf("output_changes.%s: %w", name, err))
		}
		oc := change.OutputChange{Name: name, Action: act}
		oc.Digest, _ = d.digests.digest(val, 2)
		switch {
		case change.SecretName(name):
			oc.Sensitive, oc.ByName = true, true
			d.byName++
		case containsTrue(c.BeforeSensitive) || containsTrue(c.AfterSensitive):
			oc.Sensitive = true
		default:
			oc.Before, oc.After = redactByName(c.Before, &d.byName), redactByName(c.After, &d.byName)
			if containsTrue(c.AfterUnknown) {
				oc.Unknown, oc.After = true, nil
			}
		}
		d.set.Outputs = append(d.set.Outputs, oc)
	}
	sortOutputs(d.set.Outputs)
	return nil
}

// variables digests the plan's input variables: their values decide what
// apply does, and some are secret, so only the digest is kept.
func (d *reader) variables() error {
	raw, _, err := d.topValue("variables", '{')
	if raw == nil || err != nil {
		return err
	}
	d.set.Variables = d.digests.sum
	return nil
}

// topValue captures the value of a top-level key that must be an object
// ('{') or a list ('['), checked for duplicate keys and depth, its digest
// left in d.digests.sum. A null, or a value of the wrong type (recorded),
// gives nil.
func (d *reader) topValue(key string, open byte) (raw []byte, off int64, err error) {
	off = d.s.offset()
	raw, err = d.s.capture()
	if err != nil {
		return nil, off, err
	}
	switch raw[0] {
	case 'n':
		return nil, off, nil
	case open:
	default:
		d.wrongType(key, raw[0])
		return nil, off, nil
	}
	if d.digests.sum, err = d.digests.digest(raw, 1); err != nil {
		return nil, off, d.valueErr(key, off, err)
	}
	return raw, off, nil
}

// rawKeysCase refuses a key of the object raw that is one of names in
// another case.
func rawKeysCase(raw []byte, names []string) error {
	p := &vparser{b: raw, i: 1}
	for first := true; p.next('}', first); first = false {
		k := decodeString(p.key())
		p.skip()
		if n, ok := caseOf(k, names); ok {
			return fmt.Errorf("%w: %q, terraform writes %q", ErrKeyCase, k, n)
		}
	}
	return nil
}

func sortOutputs(o []change.OutputChange) {
	sort.Slice(o, func(i, j int) bool { return o[i].Name < o[j].Name })
}
