package terraform

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
)

// configIndex is the part of a plan's configuration the verdict needs: which
// resources refer to which, for the blast radius.
type configIndex struct {
	RootModule configModule `json:"root_module"`
}

type configModule struct {
	Resources []struct {
		Address     string                     `json:"address"`
		Expressions map[string]json.RawMessage `json:"expressions"`
	} `json:"resources"`
	ModuleCalls map[string]struct {
		Module configModule `json:"module"`
	} `json:"module_calls"`
}

// dependents maps a configuration address to the configuration addresses
// that refer to it.
func (c *configIndex) dependents() map[string][]string {
	out := map[string][]string{}
	c.RootModule.walk("", out)
	if len(out) == 0 {
		return nil
	}
	for k, v := range out {
		sort.Strings(v)
		out[k] = compactStrings(v)
	}
	return out
}

func (m *configModule) walk(prefix string, out map[string][]string) {
	for _, r := range m.Resources {
		from := prefix + r.Address
		for _, raw := range r.Expressions {
			for _, ref := range references(raw) {
				if to := resourceRef(ref); to != "" {
					to = prefix + to
					if to != from {
						out[to] = append(out[to], from)
					}
				}
			}
		}
	}
	for name, call := range m.ModuleCalls {
		call.Module.walk(prefix+"module."+name+".", out)
	}
}

// references collects every "references" list inside an expression.
func references(raw json.RawMessage) []string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	var refs []string
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				if k == "references" {
					if list, ok := e.([]any); ok {
						for _, s := range list {
							if s, ok := s.(string); ok {
								refs = append(refs, s)
							}
						}
					}
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	return refs
}

// resourceRef turns a reference such as "aws_db.main.id" or
// "data.x.y[0]" into a resource's configuration address, or "" when it
// names something else (a variable, a local, a module output…).
func resourceRef(ref string) string {
	ref = change.ConfigAddress(ref)
	parts := strings.Split(ref, ".")
	switch parts[0] {
	case "var", "local", "module", "each", "count", "path", "terraform", "self":
		return ""
	case "data":
		if len(parts) < 3 {
			return ""
		}
		return strings.Join(parts[:3], ".")
	}
	if len(parts) < 2 {
		return ""
	}
	return parts[0] + "." + parts[1]
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
