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
	// Rehearsed: the change's own rollback steps were run after it in the
	// sandbox and brought every service, data path, count and probe back.
	Rehearsed   = "rollback rehearsed"
	Recreatable = "recreatable"
)

// What a before value says about a loss.
type hintEffect int

const (
	informs hintEffect = iota
	final              // nothing is left to restore from
	guards             // the provider refuses the delete
	keeps              // the delete leaves the object in place
)

type hintRule struct {
	attr   string
	bad    any // the value the hint is about
	text   string
	effect hintEffect
}

// hintRules read the before values of a deleted object for what tells how
// recoverable the loss is.
var hintRules = []hintRule{
	{"skip_final_snapshot", true, "skip_final_snapshot = true: no final snapshot is taken", final},
	{"delete_automated_backups", true, "delete_automated_backups = true: automated backups are deleted too", final},
	{"backup_retention_period", json.Number("0"), "backup_retention_period = 0: there are no automated backups", final},
	{"force_destroy", true, "force_destroy = true: every object is deleted with it", final},
	{"recovery_window_in_days", json.Number("0"), "recovery_window_in_days = 0: deleted at once, with no recovery window", final},
	{"purge_protection_enabled", false, "purge_protection_enabled = false: it can be purged for good", final},
	{"final_snapshot_identifier", "", "final_snapshot_identifier is empty: no named final snapshot", informs},
	{"deletion_protection", false, "deletion_protection = false: nothing at the provider stops the delete", informs},
	{"deletion_protection", true, "deletion_protection = true: the provider refuses the delete until it is turned off", guards},
	{"deletion_policy", "PREVENT", "deletion_policy = PREVENT: the provider refuses the delete", guards},
	{"deletion_policy", "ABANDON", "deletion_policy = ABANDON: the object is only removed from the state and left in place", keeps},
	{"skip_delete", true, "skip_delete = true: the object is only removed from the state and left in place", keeps},
	{"close_on_deletion", false, "close_on_deletion = false: the account leaves the organization and is not closed", keeps},
	{"enable_delete", false, "enable_delete = false: the compartment is only removed from the state and left in place", keeps},
	{"archive_on_destroy", true, "archive_on_destroy = true: the repository is archived, not deleted", keeps},
	// CloudFormation's DeletionPolicy / UpdateReplacePolicy (or the
	// change set's PolicyAction), as the reader gives it.
	{"deletion_policy", "Retain", "deletion policy Retain: CloudFormation leaves the old object in place, outside the stack", keeps},
	{"deletion_policy", "Snapshot", "deletion policy Snapshot: CloudFormation takes a snapshot before it deletes: restore from it", informs},
	{"deletion_policy", "Delete", "deletion policy Delete: CloudFormation deletes it and takes no snapshot", informs},
	// Pulumi's resource options, from the old state.
	{"protect", true, "protect = true: pulumi refuses to delete it until protect is turned off", guards},
	{"retain_on_delete", true, "retainOnDelete = true: pulumi removes it from the stack and leaves it in place", keeps},
}

// The words for what is lost with a kind of object.
const (
	hintCascades = "cascades to its contents: everything inside it is deleted too, including objects Terraform does not manage"
	hintCRD      = "cascades to its objects: deleting a custom resource definition deletes every object of its kind, in every namespace, including objects Terraform does not manage"
	hintNewRepo  = "a replace creates a new, empty repository: the old one's history, and the issues and pull requests the host keeps with it, do not move"
	hintLBDNS    = "a replace gives it a new DNS name: every DNS record and client pointing at the old one breaks"
	hintLBGone   = "every DNS record and client pointing at its DNS name breaks"
)

// keyWindows are the attributes that say how long a deleted key waits
// before it is gone.
var keyWindows = []string{"deletion_window_in_days", "destroy_scheduled_duration"}

// recoverability judges how recoverable a delete or replace is.
func recoverability(r *change.Resource, e Entry, catalogued bool) (level string, hints []string) {
	lost, guarded := false, false
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
		lost = lost || h.effect == final
		guarded = guarded || h.effect == guards || h.effect == keeps
	}
	if r.Observed.DataLost() {
		lost = true
	}
	if guarded {
		return Guarded, hints
	}
	if catalogued {
		switch e.Kind {
		case kindKey:
			return Unrecoverable, append(hints, keyHint(r))
		case kindRepository:
			if r.Action == change.Replace {
				hints = append(hints, hintNewRepo)
			}
		case kindLoadBalancer:
			if r.Action == change.Replace {
				hints = append(hints, hintLBDNS)
			} else {
				hints = append(hints, hintLBGone)
			}
		}
		switch {
		case e.Cascades && e.Kind == kindCRD:
			hints = append(hints, hintCRD)
		case e.Cascades:
			hints = append(hints, hintCascades)
		}
	}
	dataLike := catalogued && (e.Class == DataBearing || e.Cascades)
	switch {
	case lost:
		return Unrecoverable, hints
	case dataLike && e.Cascades:
		return CheckBackups, append(hints, fmt.Sprintf("what the %s holds does not move to a new one: restore it from backups", e.Kind))
	case dataLike:
		return CheckBackups, append(hints, fmt.Sprintf("the %s's data does not move to a new object: restore from a backup or snapshot", e.Kind))
	case r.Action == change.Replace && r.ReplaceOrder == change.CreateThenDelete:
		return Recreatable, append(hints, "create_before_destroy: the new object exists before the old one goes")
	}
	return Recreatable, hints
}

// keyHint says what deleting an encryption key does, with its waiting
// period where the old values give it.
func keyHint(r *change.Resource) string {
	window := "the provider's window"
	for _, a := range keyWindows {
		if v, ok := r.Before[a]; ok && v != nil {
			window = a + " = " + FormatValue(v, false, false)
			break
		}
	}
	return "a key cannot be backed up: deletion is scheduled and can be cancelled within its waiting period (" + window + "); after that, everything encrypted under it is unreadable"
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
