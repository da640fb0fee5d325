package sandbox

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// DefaultCountUnit is what a count counts when its spec does not say.
const DefaultCountUnit = "rows"

// Count is a command that prints one whole number: how many rows, keys or
// objects a store holds. Data in a database lives in files whose number
// and size barely move when rows go (a DELETE leaves the table's files as
// they were until a vacuum), so a data path cannot show it; a count can.
// A count that drops, or cannot be read after the change, is data lost.
//
// In YAML it is a command (a string, run by /bin/sh -c, or a list), or a
// mapping {command: ..., unit: keys}.
type Count struct {
	Command Command `yaml:"command"`
	Unit    string  `yaml:"unit,omitempty"`
}

// UnmarshalYAML accepts the command forms and the mapping.
func (c *Count) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		c.Unit = DefaultCountUnit
		return n.Decode(&c.Command)
	}
	// A node's Decode does not refuse unknown keys: a typo (unti: keys)
	// must not count rows silently.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; k != "command" && k != "unit" {
			return fmt.Errorf("line %d: a count has command and unit, not %q", n.Content[i].Line, k)
		}
	}
	type plain Count
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*c = Count(p)
	if c.Unit == "" {
		c.Unit = DefaultCountUnit
	}
	if len(c.Command) == 0 {
		return fmt.Errorf("line %d: a count needs a command", n.Line)
	}
	return nil
}

// CountResult is what a count printed, read as a number.
type CountResult struct {
	Unit string `json:"unit"`
	// N is the number; Valid says the output was one whole number.
	N     int64 `json:"n"`
	Valid bool  `json:"valid"`
	// Why says what it printed instead, or why it could not run.
	Why string `json:"why,omitempty"`
}

// String is how a count is reported: "1,204 rows" or "unreadable: …".
func (c CountResult) String() string {
	if !c.Valid {
		return "unreadable: " + c.Why
	}
	return strconv.FormatInt(c.N, 10) + " " + c.Unit
}

// counts runs a service's counts in its container.
func (s *Sandbox) counts(ctx context.Context, sv *service, running bool) (map[string]CountResult, error) {
	if len(sv.spec.Counts) == 0 {
		return nil, nil
	}
	out := map[string]CountResult{}
	for _, name := range slices.Sorted(maps.Keys(sv.spec.Counts)) {
		c := sv.spec.Counts[name]
		r := CountResult{Unit: c.Unit}
		if !running {
			r.Why = "not running"
			out[name] = r
			continue
		}
		code, printed, err := execOutput(ctx, s.cli, sv.id, c.Command)
		printed = strings.TrimSpace(printed)
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil:
			r.Why = s.redact(err.Error())
		case code != 0:
			r.Why = s.redact(clip(fmt.Sprintf("exit %d: %s", code, printed)))
		default:
			n, perr := strconv.ParseInt(printed, 10, 64)
			if perr != nil || n < 0 {
				r.Why = s.redact(clip(fmt.Sprintf("printed %q, not a whole number", printed)))
			} else {
				r.N, r.Valid = n, true
			}
		}
		out[name] = r
	}
	return out, nil
}
