package approval

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/rehearse-dev/rehearse/origin"
	"github.com/rehearse-dev/rehearse/verdict"
)

// UnsignedNote is the verdict note for approvals nobody had to sign.
const UnsignedNote = "approvals are unsigned: anyone who can write the approvals file can approve; set approvals.allowed_signers to require signatures"

// clockSkew is how far in the future an approval may be dated when its age
// is limited: the approver's clock may run a little ahead.
const clockSkew = 5 * time.Minute

// Input is what Verify checks the approvals against.
type Input struct {
	Entries []Entry
	// Policy is the policy's approvals section.
	Policy verdict.ApprovalPolicy
	// Signers are the allowed signers the policy names (see
	// LoadPolicySigners); nil when it names none.
	Signers *AllowedSigners
	// Now is the time the approvals are checked at.
	Now time.Time
	// Authors are the change's authors, as e-mail addresses or
	// "Name <email>". nil means unknown, which voids every approval when
	// the policy forbids self-approval; empty means none.
	Authors []string
}

// Verify returns the entries as verdict applies them, in order, each with
// Void saying why it must not count, or "" when it may: unsigned or badly
// signed when the policy requires signatures, a key not allowed for its
// approver, outside the key's validity, past its own expiry, older than
// the policy allows, or given by an author of the change. Whether it is
// for this change is verdict's to decide.
func Verify(in Input) []verdict.Approval {
	out := make([]verdict.Approval, len(in.Entries))
	for i := range in.Entries {
		e := &in.Entries[i]
		out[i] = e.Approval()
		out[i].Signer, out[i].Void = in.check(e)
	}
	return out
}

func (in *Input) check(e *Entry) (signer, void string) {
	at, err := time.Parse(time.RFC3339, e.At)
	if err != nil {
		return "", fmt.Sprintf("at %q is not an RFC 3339 time", e.At)
	}
	var line *AllowedSigner
	if in.Policy.Signed() {
		switch {
		case e.Signature == "" && in.Policy.AllowedSigners != "":
			return "", "unsigned: the policy requires approvals signed by a key in approvals.allowed_signers"
		case e.Signature == "":
			return "", "unsigned: the policy requires signed approvals (approvals.require_signature)"
		case in.Signers == nil:
			return "", "the policy requires signed approvals but names no approvals.allowed_signers to verify them against"
		}
		var why string
		signer, line, why = in.Signers.verify(e, at, in.Now)
		if why != "" {
			return "", why
		}
	}
	if e.Expires != "" {
		exp, err := time.Parse(time.RFC3339, e.Expires)
		if err != nil {
			return signer, fmt.Sprintf("expires %q is not an RFC 3339 time", e.Expires)
		}
		if !in.Now.Before(exp) {
			return signer, "expired at " + e.Expires
		}
	}
	if max := in.Policy.MaxAgeDuration(); max > 0 {
		if at.After(in.Now.Add(clockSkew)) {
			return signer, fmt.Sprintf("dated in the future (%s), so approvals.max_age cannot bound it", e.At)
		}
		if in.Now.Sub(at) > max {
			return signer, fmt.Sprintf("given at %s, longer ago than approvals.max_age (%s)", e.At, in.Policy.MaxAge)
		}
	}
	if in.Policy.ForbidSelf {
		if in.Authors == nil {
			return signer, "approvals.forbid_self is set but the change's authors are unknown (they are read with --origin auto)"
		}
		if who := selfApproval(e.By, line, in.Authors); who != "" {
			return signer, who
		}
	}
	return signer, ""
}

// selfApproval says how the approver is an author of the change: by the
// name in by, or by another identity the signing key is listed for (one
// key listed for alice@example.com and alice@corp.example is one person).
func selfApproval(by string, line *AllowedSigner, authors []string) string {
	set := map[string]bool{}
	for _, a := range authors {
		set[email(a)] = true
	}
	if set[email(by)] {
		return fmt.Sprintf("approver %s is an author of the change (approvals.forbid_self)", by)
	}
	if line != nil {
		for _, p := range strings.Split(line.Principals, ",") {
			if isLiteral(p) && set[email(p)] {
				return fmt.Sprintf("the key that signed for %s is also listed for %s, an author of the change (approvals.forbid_self)", by, p)
			}
		}
	}
	return ""
}

// email is the address in "Name <email>", or s itself, normalized as
// origin lists authors, so an invisible character or a fullwidth letter in
// by cannot make an author look like someone else.
func email(s string) string {
	s = strings.TrimSpace(s)
	if i, j := strings.LastIndexByte(s, '<'), strings.LastIndexByte(s, '>'); i >= 0 && j > i {
		s = s[i+1 : j]
	}
	return origin.NormalizeEmail(s)
}

// verify checks e's signature and that its key may sign for e.By, now
// and at the time the approval says it was given. It returns the key's
// fingerprint and the line that allowed it, or why not.
func (as *AllowedSigners) verify(e *Entry, at, now time.Time) (fp string, line *AllowedSigner, void string) {
	sig, err := parseSignature(e.Signature)
	if err != nil {
		return "", nil, "signature: " + err.Error()
	}
	if sig.Namespace != Namespace {
		return "", nil, fmt.Sprintf("signature is for namespace %q, not %q", sig.Namespace, Namespace)
	}
	if _, ok := sig.PublicKey.(*ssh.Certificate); ok {
		return "", nil, "signed with an SSH certificate: rehearse verifies plain keys only; list the approver's key in " + as.File
	}
	msg, ok := Message(e)
	if !ok {
		return "", nil, "text is not valid UTF-8"
	}
	if err := sshsig.Verify(bytes.NewReader(msg), sig, sig.PublicKey, sig.HashAlgorithm, Namespace); err != nil {
		return "", nil, "signature does not verify: the approval was changed after it was signed, or signed for another one"
	}
	fp = ssh.FingerprintSHA256(sig.PublicKey)
	key := sig.PublicKey.Marshal()
	var listed []*AllowedSigner
	for i := range as.Signers {
		if s := &as.Signers[i]; !s.CertAuthority && bytes.Equal(s.Key.Marshal(), key) {
			listed = append(listed, s)
		}
	}
	if len(listed) == 0 {
		return "", nil, fmt.Sprintf("key %s is not in %s", fp, as.File)
	}
	void = ""
	for _, s := range listed {
		why := s.allows(e.By, at, now)
		if why == "" {
			return fp, s, ""
		}
		if void == "" {
			void = fmt.Sprintf("key %s %s (%s:%d)", fp, why, as.File, s.Line)
		}
	}
	return "", nil, void
}

// allows says why the line does not let its key sign an approval by
// principal given at at and checked at now, or "" when it does.
func (s *AllowedSigner) allows(principal string, at, now time.Time) string {
	if !matchList(principal, s.Principals) {
		return fmt.Sprintf("is listed for %s, not for %s", s.Principals, principal)
	}
	if s.HasNamespaces && !matchList(Namespace, s.Namespaces) {
		return fmt.Sprintf("may sign only in namespaces %q, not %q", s.Namespaces, Namespace)
	}
	for _, t := range []struct {
		what string
		t    time.Time
	}{{"the approval is dated", at}, {"it is now", now}} {
		if !s.ValidAfter.IsZero() && t.t.Before(s.ValidAfter) {
			return fmt.Sprintf("is valid only from %s and %s %s", s.ValidAfter.UTC().Format(time.RFC3339), t.what, t.t.UTC().Format(time.RFC3339))
		}
		if !s.ValidBefore.IsZero() && t.t.After(s.ValidBefore) {
			return fmt.Sprintf("was valid only until %s and %s %s", s.ValidBefore.UTC().Format(time.RFC3339), t.what, t.t.UTC().Format(time.RFC3339))
		}
	}
	return ""
}

// LoadPolicySigners loads the allowed signers the policy names, relative
// to the directory of policyFile (the current directory for ""). It is
// nil, nil when the policy names none.
func LoadPolicySigners(p *verdict.ApprovalPolicy, policyFile string) (*AllowedSigners, error) {
	if p.AllowedSigners == "" {
		return nil, nil
	}
	file := p.AllowedSigners
	if !filepath.IsAbs(file) && policyFile != "" {
		file = filepath.Join(filepath.Dir(policyFile), file)
	}
	return LoadAllowedSigners(file)
}
