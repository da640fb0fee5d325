package planjson

import (
	"fmt"

	"github.com/rehearse-dev/rehearse/change"
)

// actionInvocations reads action_invocations (Terraform 1.14): actions run
// at apply beside the resource changes, with side effects of their own.
// Each is kept with what triggers it and a digest of the whole entry, its
// configuration included.
func (d *reader) actionInvocations(key string) error {
	return d.eachElement(key, func(raw []byte, off int64, i int) error {
		if raw[0] != '{' {
			return &ReadError{File: d.name, Offset: off, Err: fmt.Errorf("%w: %s[%d] is not an object", ErrNotPlan, key, i)}
		}
		if err := rawKeysCase(raw, actionInvocationKeys); err != nil {
			return &ReadError{File: d.name, Offset: off, Err: fmt.Errorf("%s[%d]: %w", key, i, err)}
		}
		a := change.ActionInvocation{}
		var typeErr string
		p := &vparser{b: raw, i: 1}
		str := func(field string, dst *string) {
			switch v := p.raw(); v[0] {
			case '"':
				*dst = decodeString(v)
			case 'n':
			default:
				if typeErr == "" {
					typeErr = field + " has the wrong type (" + kind(v[0]) + ")"
				}
			}
		}
		for first := true; p.next('}', first); first = false {
			switch decodeString(p.key()) {
			case "address":
				str("address", &a.Address)
			case "type":
				str("type", &a.Type)
			case "name":
				str("name", &a.Name)
			case "provider_name":
				str("provider_name", &a.Provider)
			case "lifecycle_action_trigger":
				t, ok := decodeValue(p.raw()).(map[string]any)
				if ok {
					ev, _ := t["action_trigger_event"].(string)
					res, _ := t["triggering_resource_address"].(string)
					a.Trigger = fmt.Sprintf("%s of %s", ev, res)
				}
			case "invoke_action_trigger":
				if v := p.raw(); v[0] != 'n' {
					a.Trigger = "invoked directly (terraform apply -invoke)"
				}
			default:
				p.skip()
			}
		}
		if typeErr != "" {
			return &ReadError{File: d.name, Offset: off, Err: fmt.Errorf("%w: %s[%d]: %s", ErrNotPlan, key, i, typeErr)}
		}
		if a.Address == "" || a.Type == "" {
			return &ReadError{File: d.name, Offset: off, Err: fmt.Errorf("%w: %s[%d] has no address or type", ErrNotPlan, key, i)}
		}
		if key == "deferred_action_invocations" {
			a.Trigger = "deferred to a later plan; " + a.Trigger
		}
		a.Digest, _ = d.digests.digest(raw, 2)
		if key == "deferred_action_invocations" {
			d.deferredActions = append(d.deferredActions, a)
		} else {
			d.set.Actions = append(d.set.Actions, a)
		}
		return nil
	})
}

// deferredChanges reads deferred_changes (Terraform 1.9+): resource changes
// terraform could not plan yet, which a later apply makes. They are
// converted like planned ones and kept apart, with the reason.
func (d *reader) deferredChanges() error {
	var cv converter
	intern := newInterner()
	return d.eachElement("deferred_changes", func(raw []byte, off int64, i int) error {
		if raw[0] != '{' {
			return &ReadError{File: d.name, Offset: off, Err: fmt.Errorf("%w: deferred_changes[%d] is not an object", ErrNotPlan, i)}
		}
		if err := rawKeysCase(raw, deferredChangeKeys); err != nil {
			return &ReadError{File: d.name, Offset: off, Err: fmt.Errorf("deferred_changes[%d]: %w", i, err)}
		}
		reason, rc := "", []byte(nil)
		p := &vparser{b: raw, i: 1}
		for first := true; p.next('}', first); first = false {
			switch decodeString(p.key()) {
			case "reason":
				if v := p.raw(); v[0] == '"' {
					reason = decodeString(v)
				}
			case "resource_change":
				rc = p.raw()
			default:
				p.skip()
			}
		}
		if rc == nil || rc[0] != '{' {
			return &ReadError{File: d.name, Offset: off, Err: fmt.Errorf("%w: deferred_changes[%d] has no resource_change", ErrNotPlan, i)}
		}
		r, addr, err := cv.resource(rc, intern, 3, "deferred_changes")
		if err != nil {
			return d.convErr("deferred_changes", i, off, addr, err)
		}
		if reason == "" {
			reason = "unknown"
		}
		r.Deferred = reason
		d.byName += cv.byName
		cv.byName = 0
		d.set.Deferred = append(d.set.Deferred, r)
		return nil
	})
}

// eachElement calls fn with the raw bytes of each element of the list
// under key, checked for duplicate keys and depth first.
func (d *reader) eachElement(key string, fn func(raw []byte, off int64, i int) error) error {
	raw, off, err := d.topValue(key, '[')
	if raw == nil || err != nil {
		return err
	}
	p := &vparser{b: raw, i: 1}
	for i, first := 0, true; p.next(']', first); i, first = i+1, false {
		p.ws()
		at := off + int64(p.i)
		// fn may use d.digests, which holds raw's canonical form no
		// longer: raw itself is the scanner's, valid until the next read.
		if err := fn(p.raw(), at, i); err != nil {
			return err
		}
	}
	return nil
}
