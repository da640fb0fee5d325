package verdict

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rehearse-dev/rehearse/change"
)

func verb(r *change.Resource) string {
	switch {
	case r.Action == change.Delete:
		return "is destroyed"
	case r.Action == change.Replace && r.Observed != nil:
		return "is recreated"
	case r.Action == change.Replace && r.Conditional:
		return "may be replaced (conditional: the tool decides when the change runs)"
	case r.Action == change.Replace && r.ReplaceOrder != "":
		return "is replaced (" + string(r.ReplaceOrder) + ")"
	case r.Action == change.Replace:
		return "is replaced"
	}
	return string(r.Action)
}

func describe(r *change.Resource, e Entry, catalogued bool) string {
	switch {
	case catalogued && e.Class == DataBearing:
		return "data-bearing " + e.Kind
	case catalogued:
		return "environment root (" + e.Kind + ")"
	case r.Observed != nil && r.Name != "":
		return "service " + r.Name
	}
	return "resource"
}

var reasons = map[string]string{
	"replace_because_cannot_update":     "the provider cannot update it in place",
	"replace_because_tainted":           "it is tainted",
	"replace_by_request":                "replacement was requested (-replace)",
	"replace_by_triggers":               "replace_triggered_by or triggers_replace changed",
	"delete_because_no_resource_config": "its block is no longer in the configuration",
	"delete_because_wrong_repetition":   "count or for_each changed shape",
	"delete_because_count_index":        "its count index is out of range",
	"delete_because_each_key":           "its for_each key is gone",
	"delete_because_no_module":          "its module is no longer in the configuration",
	"delete_because_no_move_target":     "it was moved to an address that does not exist",
	"recreated":                         "its container was recreated",
}

// evidence lists why the object goes: the reason, the forcing attributes
// with their values, and what was observed.
func evidence(r *change.Resource) []string {
	var out []string
	if r.Reason != "" {
		if s, ok := reasons[r.Reason]; ok {
			out = append(out, "because "+s+" ("+r.Reason+")")
		} else {
			out = append(out, "because "+r.Reason)
		}
	}
	if r.Deposed != "" {
		out = append(out, "deposed object "+r.Deposed)
	}
	for _, p := range r.ReplacePaths {
		before, after := FormatAttr(p)
		out = append(out, fmt.Sprintf("%s: %s → %s forces replacement", p.Path, before, after))
	}
	if r.Action == change.Replace && r.NoReplacePaths && len(r.ReplacePaths) == 0 {
		out = append(out, noReplacePaths(r.Changes))
	}
	if o := r.Observed; o != nil {
		if o.BeforeID != "" && o.AfterID != "" && o.BeforeID != o.AfterID {
			out = append(out, fmt.Sprintf("recreated (id %s → %s)", shortID(o.BeforeID), shortID(o.AfterID)))
		}
		for _, d := range o.Data {
			out = append(out, DataEvidence(d))
		}
		for _, c := range r.Changes {
			before, after := FormatAttr(c)
			out = append(out, fmt.Sprintf("%s: %s → %s", c.Path, before, after))
		}
	}
	return out
}

// noReplacePaths says what a plan that does not name the forcing
// attributes does say: what changes.
func noReplacePaths(changes []change.AttrChange) string {
	const msg = "this plan format does not say which attribute forced the replacement"
	paths := make([]string, 0, len(changes))
	for _, c := range changes {
		paths = append(paths, c.Path)
	}
	if len(paths) == 0 {
		return msg
	}
	if len(paths) > 10 {
		paths = append(paths[:10], fmt.Sprintf("+%d more", len(paths)-10))
	}
	return msg + "; what changes: " + strings.Join(paths, ", ")
}

// replacePaths copies the forcing attributes for the finding, whole values
// and all, for JSON; a sensitive one never carries a value.
func replacePaths(r *change.Resource) []change.AttrChange {
	if len(r.ReplacePaths) == 0 {
		return nil
	}
	out := make([]change.AttrChange, len(r.ReplacePaths))
	for i, p := range r.ReplacePaths {
		if p.Sensitive || p.ByName {
			p.Before, p.After, p.Sensitive = nil, nil, true
		}
		out[i] = p
	}
	return out
}

// DataEvidence renders a data path's before and after, e.g.
// "/var/lib/data: 1,204 files → 0, 5.1 MB → 0 B".
func DataEvidence(d change.DataDelta) string {
	if d.Unit != "" {
		// A count: "orders: 1,204 → 0 rows".
		if d.Gone {
			return fmt.Sprintf("%s: %s %s → gone (the count cannot be read)", d.Path, Thousands(d.BeforeFiles), d.Unit)
		}
		return fmt.Sprintf("%s: %s → %s %s", d.Path, Thousands(d.BeforeFiles), Thousands(d.AfterFiles), d.Unit)
	}
	if d.Gone {
		return fmt.Sprintf("%s: %s files, %s → gone", d.Path, Thousands(d.BeforeFiles), Bytes(d.BeforeBytes))
	}
	return fmt.Sprintf("%s: %s files → %s, %s → %s", d.Path, Thousands(d.BeforeFiles), Thousands(d.AfterFiles), Bytes(d.BeforeBytes), Bytes(d.AfterBytes))
}

// FormatValue renders an attribute value for a message; sensitive values
// never are. A long value (more than longValue characters, or more than
// one line: user data, policies, manifests) is cut to the start of its
// first line and its length: "#!/bin/bash…" (2,413 chars). The finding's
// replace_paths keep whole values for JSON.
func FormatValue(v any, sensitive, unknown bool) string {
	switch {
	case sensitive:
		return "(sensitive)"
	case unknown:
		return "(known after apply)"
	}
	var s string
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return cut(t, true)
	case json.RawMessage:
		s = string(t)
	case json.Number, bool, float64, int, int64:
		return fmt.Sprint(v)
	default:
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			s = fmt.Sprint(v)
		} else {
			s = strings.TrimSuffix(b.String(), "\n")
		}
	}
	return cut(s, false)
}

// FormatAttr renders an attribute change's before and after. A value
// whose name says it is a secret is shown as "(sensitive: by name)".
func FormatAttr(c change.AttrChange) (before, after string) {
	return formatSides(c.Before, c.After, c.Sensitive, c.ByName, c.Unknown)
}

// FormatOutput renders an output change's before and after, as FormatAttr.
func FormatOutput(o change.OutputChange) (before, after string) {
	return formatSides(o.Before, o.After, o.Sensitive, o.ByName, o.Unknown)
}

func formatSides(b, a any, sensitive, byName, unknown bool) (before, after string) {
	if byName {
		return "(sensitive: by name)", "(sensitive: by name)"
	}
	return FormatValue(b, sensitive, false), FormatValue(a, sensitive, unknown)
}

// longValue is the most characters a value is shown with in full.
const longValue = 80

// cut shortens a long value to the first headLength characters of its
// first line and says how long it is; a string is quoted.
func cut(s string, quote bool) string {
	const headLength = 40
	n := utf8.RuneCountInString(s)
	line, _, multiline := strings.Cut(s, "\n")
	if n <= longValue && !multiline {
		if quote {
			return strconv.Quote(s)
		}
		return s
	}
	if utf8.RuneCountInString(line) > headLength {
		line = string([]rune(line)[:headLength])
	}
	line += "…"
	if quote {
		line = strconv.Quote(line)
	}
	return fmt.Sprintf("%s (%s chars)", line, Thousands(int64(n)))
}

// Thousands formats n with comma separators.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Bytes formats a size in decimal units.
func Bytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
