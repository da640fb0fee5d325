package verdict

import (
	"fmt"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
)

// RollbackLine is the one line every report gives a rehearsed rollback:
// "rollback restores: yes", or "rollback does not restore: " and what is
// not back ("/var/lib/db: 1,204 files → 0, 12.0 kB → 0 B; orders: 1,204 →
// 0 rows"). It is "" when no rollback was rehearsed.
func RollbackLine(rb *change.Rollback) string {
	switch {
	case rb == nil:
		return ""
	case rb.Restores:
		return "rollback restores: yes"
	}
	return "rollback does not restore: " + strings.Join(RollbackDifferences(rb), "; ")
}

// RollbackDifferences lists what a rollback did not bring back, one item
// each: a failed step, objects, data paths and counts, probes.
func RollbackDifferences(rb *change.Rollback) []string {
	var out []string
	if rb.Failed != "" {
		out = append(out, "a rollback step failed: "+rb.Failed)
	}
	out = append(out, rb.Objects...)
	for _, d := range rb.Data {
		out = append(out, DataEvidence(d))
	}
	for _, c := range rb.Changes {
		before, after := FormatAttr(c)
		out = append(out, fmt.Sprintf("%s: %s → %s", c.Path, before, after))
	}
	if len(out) == 0 {
		out = append(out, "(nothing named)")
	}
	return out
}

// rollbackEvidence is what a destructive finding says about the rehearsed
// rollback. A rollback that restores everything does not lift a block:
// the approval of a protected change is a person's, with the rollback as
// its reason to give it.
func rollbackEvidence(rb *change.Rollback, protected bool) string {
	switch {
	case rb == nil:
		return ""
	case rb.Restores && protected:
		return "rollback rehearsed: it restores everything (the change still needs an approval: protected)"
	case rb.Restores:
		return "rollback rehearsed: it restores everything"
	}
	return "rollback rehearsed: it does not restore everything (" + strings.Join(RollbackDifferences(rb), "; ") + ")"
}
