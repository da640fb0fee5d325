package verdict

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
)

func verb(r *change.Resource) string {
	switch {
	case r.Action == change.Delete:
		return "is destroyed"
	case r.Action == change.Replace && r.Observed != nil:
		return "is recreated"
	case r.Action == change.Replace:
		return "is replaced (" + string(r.ReplaceOrder) + ")"
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
		out = append(out, fmt.Sprintf("%s: %s → %s forces replacement", p.Path, FormatValue(p.Before, p.Sensitive, false), FormatValue(p.After, p.Sensitive, p.Unknown)))
	}
	if o := r.Observed; o != nil {
		if o.BeforeID != "" && o.AfterID != "" && o.BeforeID != o.AfterID {
			out = append(out, fmt.Sprintf("recreated (id %s → %s)", shortID(o.BeforeID), shortID(o.AfterID)))
		}
		for _, d := range o.Data {
			out = append(out, DataEvidence(d))
		}
		for _, c := range r.Changes {
			out = append(out, fmt.Sprintf("%s: %s → %s", c.Path, FormatValue(c.Before, c.Sensitive, false), FormatValue(c.After, c.Sensitive, c.Unknown)))
		}
	}
	return out
}

// DataEvidence renders a data path's before and after, e.g.
// "/var/lib/data: 1,204 files → 0, 5.1 MB → 0 B".
func DataEvidence(d change.DataDelta) string {
	if d.Gone {
		return fmt.Sprintf("%s: %s files, %s → gone", d.Path, Thousands(d.BeforeFiles), Bytes(d.BeforeBytes))
	}
	return fmt.Sprintf("%s: %s files → %s, %s → %s", d.Path, Thousands(d.BeforeFiles), Thousands(d.AfterFiles), Bytes(d.BeforeBytes), Bytes(d.AfterBytes))
}

// FormatValue renders an attribute value for a message; sensitive values
// never are.
func FormatValue(v any, sensitive, unknown bool) string {
	switch {
	case sensitive:
		return "(sensitive)"
	case unknown:
		return "(known after apply)"
	}
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(t)
	case json.RawMessage:
		return string(t)
	}
	return fmt.Sprint(v)
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
