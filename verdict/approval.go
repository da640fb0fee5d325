package verdict

// Approval is a person's sign-off on one finding of one change: it names
// the finding and the change.Set fingerprint, so it is void for any other
// change.
type Approval struct {
	Finding     string `yaml:"finding" json:"finding"`
	Fingerprint string `yaml:"fingerprint" json:"fingerprint"`
	By          string `yaml:"by" json:"by"`
	At          string `yaml:"at" json:"at"`
	Reason      string `yaml:"reason" json:"reason"`
	Rollback    string `yaml:"rollback" json:"rollback"`
}

// applyApprovals marks findings approved by an approval for this
// fingerprint, and records approvals for the same finding but another
// fingerprint as void.
func applyApprovals(findings []Finding, approvals []Approval, fingerprint string) {
	for i := range findings {
		f := &findings[i]
		for _, a := range approvals {
			if a.Finding != f.ID {
				continue
			}
			if a.Fingerprint == fingerprint && f.Approval == nil {
				a := a
				f.Approval = &a
			} else if a.Fingerprint != fingerprint {
				f.VoidApprovals = append(f.VoidApprovals, a)
			}
		}
	}
}
