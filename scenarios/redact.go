package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
)

// Redacted replaces every sensitive value in a recorded plan.
const Redacted = "(redacted)"

// RedactPlan rewrites plan JSON with every sensitive value replaced by
// Redacted: the values before_sensitive, after_sensitive and
// sensitive_values mark; sensitive variables and outputs; values of
// attributes whose name says they are secret (password, token,
// private_key…); and then any other occurrence of a value redacted
// above, inside longer strings too. The marks themselves are kept, so the
// plan reads as it did. The output is indented JSON with sorted keys:
// the same plan always gives the same bytes.
func RedactPlan(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("plan JSON: %w", err)
	}
	r := &redactor{secrets: map[string]bool{}}
	r.plan(doc)
	r.names(doc, false, false)
	r.everywhere(doc)

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type redactor struct {
	secrets map[string]bool
}

func (r *redactor) plan(doc map[string]any) {
	for _, key := range []string{"resource_changes", "resource_drift"} {
		for _, rc := range list(doc[key]) {
			if c, ok := obj(rc)["change"].(map[string]any); ok {
				r.change(c)
			}
		}
	}
	for _, dc := range list(doc["deferred_changes"]) {
		if c, ok := obj(obj(dc)["resource_change"])["change"].(map[string]any); ok {
			r.change(c)
		}
	}
	for _, key := range []string{"action_invocations", "deferred_action_invocations"} {
		for _, ai := range list(doc[key]) {
			a := obj(ai)
			if v, ok := a["config_values"]; ok {
				a["config_values"] = r.redact(v, a["config_sensitive"])
			}
		}
	}
	for name, oc := range obj(doc["output_changes"]) {
		if c, ok := oc.(map[string]any); ok {
			// An output sensitive on either side is secret on both: one
			// that just became sensitive must not keep its old value.
			if change.SecretName(name) || anyTrue(c["before_sensitive"]) || anyTrue(c["after_sensitive"]) {
				for _, k := range []string{"before", "after"} {
					if v, ok := c[k]; ok {
						c[k] = r.redact(v, true)
					}
				}
			}
			r.change(c)
		}
	}
	if pv, ok := doc["planned_values"].(map[string]any); ok {
		r.values(pv)
	}
	if ps, ok := doc["prior_state"].(map[string]any); ok {
		if v, ok := ps["values"].(map[string]any); ok {
			r.values(v)
		}
	}
	// Variables the configuration declares sensitive.
	sensitiveVars := map[string]bool{}
	if cfg, ok := doc["configuration"].(map[string]any); ok {
		if rm, ok := cfg["root_module"].(map[string]any); ok {
			for name, v := range obj(rm["variables"]) {
				if obj(v)["sensitive"] == true {
					sensitiveVars[name] = true
				}
			}
		}
	}
	for name, v := range obj(doc["variables"]) {
		if sensitiveVars[name] || change.SecretName(name) {
			m := obj(v)
			if val, ok := m["value"]; ok {
				m["value"] = r.redact(val, true)
			}
		}
	}
}

// change redacts a change object's before and after by its marks.
func (r *redactor) change(c map[string]any) {
	if b, ok := c["before"]; ok {
		c["before"] = r.redact(b, c["before_sensitive"])
	}
	if a, ok := c["after"]; ok {
		c["after"] = r.redact(a, c["after_sensitive"])
	}
}

// values redacts planned_values or prior_state.values: resources of the
// root and child modules by their sensitive_values, and outputs marked
// sensitive.
func (r *redactor) values(v map[string]any) {
	for name, o := range obj(v["outputs"]) {
		m := obj(o)
		if m["sensitive"] == true || change.SecretName(name) {
			if val, ok := m["value"]; ok {
				m["value"] = r.redact(val, true)
			}
		}
	}
	var module func(m map[string]any)
	module = func(m map[string]any) {
		for _, res := range list(m["resources"]) {
			rm := obj(res)
			if val, ok := rm["values"]; ok {
				rm["values"] = r.redact(val, rm["sensitive_values"])
			}
		}
		for _, c := range list(m["child_modules"]) {
			module(obj(c))
		}
	}
	if rm, ok := v["root_module"].(map[string]any); ok {
		module(rm)
	}
}

// redact replaces the parts of v that mask marks sensitive. A mask is true
// (all of v), false or absent (nothing), or an object or array mirroring
// v's shape.
func (r *redactor) redact(v, mask any) any {
	if v == nil {
		return nil
	}
	switch m := mask.(type) {
	case bool:
		if m {
			return r.replace(v)
		}
	case map[string]any:
		vm, ok := v.(map[string]any)
		if !ok {
			// Marks and value disagree: hide more, not less.
			if anyTrue(m) {
				return r.replace(v)
			}
			break
		}
		for k, sub := range m {
			if val, ok := vm[k]; ok {
				vm[k] = r.redact(val, sub)
			}
		}
	case []any:
		vl, ok := v.([]any)
		if !ok {
			if anyTrue(m) {
				return r.replace(v)
			}
			break
		}
		for i := range vl {
			if i < len(m) {
				vl[i] = r.redact(vl[i], m[i])
			}
		}
	}
	return v
}

// anyTrue reports whether a mark holds true anywhere.
func anyTrue(mask any) bool {
	switch m := mask.(type) {
	case bool:
		return m
	case map[string]any:
		for _, sub := range m {
			if anyTrue(sub) {
				return true
			}
		}
	case []any:
		for _, sub := range m {
			if anyTrue(sub) {
				return true
			}
		}
	}
	return false
}

// replace swaps every scalar of v for Redacted, remembering the values, and
// keeps the shape of collections so the plan still decodes the same way.
func (r *redactor) replace(v any) any {
	switch t := v.(type) {
	case nil:
		return nil
	case map[string]any:
		// The keys of a sensitive map are as secret as its values (a map
		// of user names to passwords): they are renamed in order.
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make(map[string]any, len(t))
		for i, k := range keys {
			if k != "" && !strings.HasPrefix(k, Redacted) {
				r.secrets[k] = true
			}
			name := Redacted
			if i > 0 {
				name = fmt.Sprintf("%s %d", Redacted, i+1)
			}
			out[name] = r.replace(t[k])
		}
		return out
	case []any:
		for i := range t {
			t[i] = r.replace(t[i])
		}
		return t
	case string:
		if t != "" && t != Redacted {
			r.secrets[t] = true
		}
	case json.Number:
		r.secrets[t.String()] = true
	case bool:
		// A sensitive bool says little and may be a mask; keep nothing.
	}
	return Redacted
}

// names redacts the values of attributes whose name says they are secret.
// It looks only inside values (before, after, values, value and
// constant_value), never at the plan's own structure, and leaves masks
// (true/false) and configuration references, which name things rather than
// hold them, as they are.
func (r *redactor) names(v any, inSecret, inValue bool) {
	switch t := v.(type) {
	case map[string]any:
		for k, sub := range t {
			switch k {
			case "references", "sensitive_values", "before_sensitive", "after_sensitive", "after_unknown", "replace_paths",
				"config_sensitive", "config_unknown":
				continue
			}
			value := inValue || k == "before" || k == "after" || k == "values" || k == "value" || k == "constant_value" || k == "config_values"
			secret := inSecret || (inValue && change.SecretName(k))
			switch s := sub.(type) {
			case string, json.Number:
				if secret && !isMarker(s) {
					t[k] = r.replace(s)
				}
			default:
				r.names(sub, secret, value)
			}
		}
	case []any:
		for i, sub := range t {
			switch s := sub.(type) {
			case string, json.Number:
				if inSecret && !isMarker(s) {
					t[i] = r.replace(s)
				}
			default:
				r.names(sub, inSecret, inValue)
			}
		}
	}
}

// isMarker keeps values that are not secrets though they sit under a
// secret-sounding key: the placeholder itself, and empty strings.
func isMarker(v any) bool {
	s, ok := v.(string)
	return ok && (s == "" || s == Redacted)
}

// everywhere replaces what was redacted wherever else it still appears,
// e.g. a password inside a connection string, or a sensitive value that a
// provider echoed into an attribute it did not mark. Strings under six
// characters and numbers are left alone: they would match by accident
// ("prod", a port) and change what the plan says.
func (r *redactor) everywhere(v any) {
	var secrets []string
	for s := range r.secrets {
		if len(s) >= 6 && !isNumber(s) {
			secrets = append(secrets, s)
		}
	}
	if len(secrets) == 0 {
		return
	}
	// Longest first, so a secret containing another is replaced whole.
	sort.Slice(secrets, func(i, j int) bool {
		if len(secrets[i]) != len(secrets[j]) {
			return len(secrets[i]) > len(secrets[j])
		}
		return secrets[i] < secrets[j]
	})
	scrub := func(s string) string {
		for _, sec := range secrets {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
		return s
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch t := v.(type) {
		case map[string]any:
			for k, sub := range t {
				t[k] = walk(sub)
			}
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		case string:
			return scrub(t)
		}
		return v
	}
	walk(v)
}

func isNumber(s string) bool {
	var n json.Number = json.Number(s)
	_, err := n.Float64()
	return err == nil
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}
