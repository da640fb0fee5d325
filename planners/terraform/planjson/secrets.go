package planjson

import (
	"github.com/rehearse-dev/rehearse/change"
)

// Values whose names say secret (password, token, private_key…) are
// hidden even when the provider did not mark them sensitive.

// byNameMark stands in for a value hidden because its name says secret.
const byNameMark = "(sensitive: by name)"

// redactByName returns v with the value of every member named like a
// secret replaced by byNameMark, at any depth, counting them in n. v is
// not modified: what changes is copied.
func redactByName(v any, n *int) any {
	out, _ := redact(v, n)
	return out
}

func redact(v any, n *int) (any, bool) {
	switch t := v.(type) {
	case map[string]any:
		var out map[string]any
		for k, e := range t {
			r, changed := e, false
			if change.SecretName(k) && e != nil {
				r, changed = byNameMark, true
				*n++
			} else {
				r, changed = redact(e, n)
			}
			if changed && out == nil {
				out = make(map[string]any, len(t))
				for k2, e2 := range t {
					out[k2] = e2
				}
			}
			if changed {
				out[k] = r
			}
		}
		if out != nil {
			return out, true
		}
	case []any:
		var out []any
		for i, e := range t {
			r, changed := redact(e, n)
			if changed && out == nil {
				out = append([]any(nil), t...)
			}
			if changed {
				out[i] = r
			}
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}
