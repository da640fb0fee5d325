package verdict

import "fmt"

// weakerOrigin lists weakenings of the origin keys added after the first
// policy format: an unmarked change counted as AI by the base may not be
// counted as human by the repository.
func weakerOrigin(base, p Policy) []string {
	if base.Origin.Unknown == OriginAI && p.Origin.Unknown != OriginAI {
		return []string{fmt.Sprintf("origin.unknown: %s → %s", base.Origin.Unknown, p.Origin.Unknown)}
	}
	return nil
}

// weakerApprovals lists weakenings of the approvals keys.
func weakerApprovals(base, p Policy) []string { return nil }
