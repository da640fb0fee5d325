package verdict

// weakerOrigin lists weakenings of the origin keys added after the first
// policy format.
func weakerOrigin(base, p Policy) []string { return nil }

// weakerApprovals lists weakenings of the approvals keys.
func weakerApprovals(base, p Policy) []string { return nil }
