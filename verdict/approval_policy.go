package verdict

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ApprovalPolicy says which approvals may count: signed by whom, how old,
// and whether an author may approve their own change. The zero value is
// today's unsigned behaviour: any well-formed approval for the change
// counts.
type ApprovalPolicy struct {
	// AllowedSigners is a file in ssh-keygen's allowed_signers format,
	// relative to the policy file. Naming it requires every approval to
	// carry an SSH signature by a key listed there for its approver.
	AllowedSigners string `yaml:"allowed_signers" json:"allowed_signers,omitempty"`
	// RequireSignature voids unsigned approvals even when no signers are
	// named (then every approval is void: there is nothing to verify
	// against).
	RequireSignature bool `yaml:"require_signature" json:"require_signature,omitempty"`
	// MaxAge voids approvals given longer ago than this: 7d, 36h, 90m.
	MaxAge string `yaml:"max_age" json:"max_age,omitempty"`
	// ForbidSelf voids an approval by an author of the change.
	ForbidSelf bool `yaml:"forbid_self" json:"forbid_self,omitempty"`
}

// Signed reports whether approvals must carry a verified signature.
func (a *ApprovalPolicy) Signed() bool { return a.AllowedSigners != "" || a.RequireSignature }

// MaxAgeDuration is MaxAge as a duration; 0 means no limit. The policy was
// validated on load, so a bad value cannot reach here.
func (a *ApprovalPolicy) MaxAgeDuration() time.Duration {
	d, _ := ParseAge(a.MaxAge)
	return d
}

func (a *ApprovalPolicy) validate() error {
	if _, err := ParseAge(a.MaxAge); err != nil {
		return fmt.Errorf("approvals.max_age: %w", err)
	}
	return nil
}

// ParseAge parses a duration written as whole days ("7d"), or as Go writes
// durations ("72h", "1h30m"). "" is 0; a value that is not positive is an
// error, since an age limit of nothing would read as "no limit".
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseUint(days, 10, 16)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number of days (7d) or a duration (72h)", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not a number of days (7d) or a duration (72h)", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q is not positive", s)
	}
	return d, nil
}
