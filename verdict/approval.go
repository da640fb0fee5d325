package verdict

// Approval is a person's sign-off on one finding of one change: it names
// the finding and the change.Set fingerprint, so it is void for any other
// change. It is plain data: the approval package reads it from the
// approvals file, checks its signature, age and approver, and says in Void
// why it must not count; Evaluate applies the rest.
type Approval struct {
	Finding     string `json:"finding"`
	Fingerprint string `json:"fingerprint"`
	By          string `json:"by"`
	At          string `json:"at"`
	Reason      string `json:"reason"`
	Rollback    string `json:"rollback"`
	// Expires is when the approval stops counting (RFC 3339); "" is never.
	Expires string `json:"expires,omitempty"`
	// Signer is the SHA256 fingerprint of the SSH key whose signature was
	// verified against the policy's allowed signers; "" when unsigned or
	// not checked.
	Signer string `json:"signer,omitempty"`
	// Void says why the approval does not count; "" when it may.
	Void string `json:"void,omitempty"`
}

// applyApprovals marks findings approved by an approval for this
// fingerprint that nothing voided, and lists the others on their finding
// with the reason: the one they came with, or another change.
func applyApprovals(findings []Finding, approvals []Approval, fingerprint string) {
	for i := range findings {
		f := &findings[i]
		for _, a := range approvals {
			if a.Finding != f.ID {
				continue
			}
			if a.Void == "" && a.Fingerprint != fingerprint {
				a.Void = "it was given for another change (" + a.Fingerprint + ")"
			}
			switch {
			case a.Void != "":
				f.VoidApprovals = append(f.VoidApprovals, a)
			case f.Approval == nil:
				a := a
				f.Approval = &a
			}
		}
	}
}
