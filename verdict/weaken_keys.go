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

// weakerApprovals lists weakenings of the approvals keys. Any other
// allowed signers file than the base's is one: the repository could list
// its own keys and approve its own change.
func weakerApprovals(base, p Policy) []string {
	var out []string
	ba, pa := base.Approvals, p.Approvals
	if ba.AllowedSigners != "" && pa.AllowedSigners != ba.AllowedSigners {
		out = append(out, fmt.Sprintf("approvals.allowed_signers: %q → %q (only the base policy names who may sign)", ba.AllowedSigners, pa.AllowedSigners))
	}
	if ba.RequireSignature && !pa.RequireSignature {
		out = append(out, "approvals.require_signature: true → false")
	}
	if b := ba.MaxAgeDuration(); b > 0 {
		if d := pa.MaxAgeDuration(); d == 0 || d > b {
			out = append(out, fmt.Sprintf("approvals.max_age: %s → %s", ba.MaxAge, orNone(pa.MaxAge)))
		}
	}
	if ba.ForbidSelf && !pa.ForbidSelf {
		out = append(out, "approvals.forbid_self: true → false")
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
