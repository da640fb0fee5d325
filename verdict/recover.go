package verdict

import (
	"encoding/json"
	"fmt"

	"github.com/rehearse-dev/rehearse/change"
)

// Recoverability levels, from worst.
const (
	Unrecoverable = "unrecoverable"
	CheckBackups  = "check backups"
	Guarded       = "guarded"
	Recreatable   = "recreatable"
)

type hintRule struct {
	attr  string
	bad   any // the value that makes a loss final
	text  string
	final bool
}

// hintRules read the before values of a deleted object for what tells how
// recoverable the loss is.
var hintRules = []hintRule{
	{"skip_final_snapshot", true, "skip_final_snapshot = true: no final snapshot is taken", true},
	{"delete_automated_backups", true, "delete_automated_backups = true: automated backups are deleted too", true},
	{"backup_retention_period", json.Number("0"), "backup_retention_period = 0: there are no automated backups", true},
	{"force_destroy", true, "force_destroy = true: every object is deleted with it", true},
	{"recovery_window_in_days", json.Number("0"), "recovery_window_in_days = 0: deleted at once, with no recovery window", true},
	{"purge_protection_enabled", false, "purge_protection_enabled = false: it can be purged for good", true},
	{"final_snapshot_identifier", "", "final_snapshot_identifier is empty: no named final snapshot", false},
	{"deletion_protection", false, "deletion_protection = false: nothing at the provider stops the delete", false},
	{"deletion_protection", true, "deletion_protection = true: the provider refuses the delete until it is turned off", false},
}

// recoverability judges how recoverable a delete or replace is.
func recoverability(r *change.Resource, e Entry, catalogued bool) (level string, hints []string) {
	final, guarded := false, false
	for _, h := range hintRules {
		v, ok := r.Before[h.attr]
		if !ok || !sameScalar(v, h.bad) {
			continue
		}
		// A missing final snapshot name only matters when one would be taken.
		if h.attr == "final_snapshot_identifier" && sameScalar(r.Before["skip_final_snapshot"], true) {
			continue
		}
		hints = append(hints, h.text)
		final = final || h.final
		guarded = guarded || (h.attr == "deletion_protection" && h.bad == true)
	}
	if r.Observed.DataLost() {
		final = true
	}
	switch {
	case guarded:
		return Guarded, hints
	case final:
		return Unrecoverable, hints
	case catalogued && e.Class == DataBearing:
		return CheckBackups, append(hints, fmt.Sprintf("the %s's data does not move to a new object: restore from a backup or snapshot", e.Kind))
	case r.Action == change.Replace && r.ReplaceOrder == change.CreateThenDelete:
		return Recreatable, append(hints, "create_before_destroy: the new object exists before the old one goes")
	}
	return Recreatable, hints
}

func sameScalar(v, want any) bool {
	switch w := want.(type) {
	case json.Number:
		switch n := v.(type) {
		case json.Number:
			return n == w
		case float64:
			return fmt.Sprint(n) == string(w)
		}
		return false
	case string:
		if v == nil {
			return w == ""
		}
	}
	return v == want
}
