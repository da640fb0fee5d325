package approval

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/verdict"
)

// TestSSHKeygenRoundTrip signs with rehearse and verifies with
// `ssh-keygen -Y verify`, and the other way round.
func TestSSHKeygenRoundTrip(t *testing.T) {
	t.Parallel()
	needSSH(t)
	dir := t.TempDir()
	alice := newKey(t, dir, "alice", "")
	signers := writeFile(t, filepath.Join(dir, "allowed_signers"), "alice@example.com "+pubKey(t, alice)+"\n")
	key, err := OpenKey(alice, "")
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()

	t.Run("rehearse signs, ssh-keygen verifies", func(t *testing.T) {
		e := validEntry()
		e.Expires = "2026-11-30T10:00:00Z"
		if err := Sign(&e, key); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(e.Signature, "-----BEGIN SSH SIGNATURE-----\n") {
			t.Fatalf("not armored:\n%s", e.Signature)
		}
		msg, _ := Message(&e)
		sig := writeFile(t, filepath.Join(dir, "approval.sig"), e.Signature)
		out := run(t, msg, nil, "ssh-keygen", "-Y", "verify", "-f", signers, "-I", "alice@example.com", "-n", Namespace, "-s", sig)
		if !strings.Contains(out, `Good "rehearse-approval" signature for alice@example.com`) {
			t.Errorf("ssh-keygen: %s", out)
		}
		e.Reason += "!"
		tampered, _ := Message(&e)
		if out, err := runErr(tampered, nil, "ssh-keygen", "-Y", "verify", "-f", signers, "-I", "alice@example.com", "-n", Namespace, "-s", sig); err == nil {
			t.Errorf("ssh-keygen verified a tampered approval: %s", out)
		}
		if out, err := runErr(msg, nil, "ssh-keygen", "-Y", "verify", "-f", signers, "-I", "alice@example.com", "-n", "git", "-s", sig); err == nil {
			t.Errorf("ssh-keygen verified the signature in another namespace: %s", out)
		}
	})

	t.Run("ssh-keygen signs, rehearse verifies", func(t *testing.T) {
		e := validEntry()
		msg, _ := Message(&e)
		file := writeFile(t, filepath.Join(dir, "message"), string(msg))
		run(t, nil, nil, "ssh-keygen", "-Y", "sign", "-n", Namespace, "-f", alice, file)
		sig, err := os.ReadFile(file + ".sig")
		if err != nil {
			t.Fatal(err)
		}
		e.Signature = string(sig)
		if err := e.Validate(); err != nil {
			t.Fatal(err)
		}
		as, err := LoadAllowedSigners(signers)
		if err != nil {
			t.Fatal(err)
		}
		got := Verify(Input{Entries: []Entry{e}, Policy: verdict.ApprovalPolicy{AllowedSigners: signers}, Signers: as, Now: time.Now()})
		if got[0].Void != "" || got[0].Signer != ssh.FingerprintSHA256(key.PublicKey()) {
			t.Fatalf("void %q signer %q", got[0].Void, got[0].Signer)
		}
	})
}

// TestVerify signs approvals with real keys and runs them through Verify
// and verdict.Evaluate: each row is one way an approval is void, or counts.
func TestVerify(t *testing.T) {
	t.Parallel()
	needSSH(t)
	dir := t.TempDir()
	keys := map[string]*Key{}
	for _, name := range []string{"alice", "mallory", "bob", "carol", "team"} {
		k, err := OpenKey(newKey(t, dir, name, ""), "")
		if err != nil {
			t.Fatal(err)
		}
		keys[name] = k
	}
	line := func(principals, opts, name string) string {
		return strings.TrimSpace(principals+" "+opts) + " " + string(bytes.TrimSpace(ssh.MarshalAuthorizedKey(keys[name].PublicKey()))) + "\n"
	}
	signersFile := writeFile(t, filepath.Join(dir, "allowed_signers"), "# who may approve\n"+
		line("alice@example.com,alice@corp.example", "", "alice")+
		line("bob@example.com", `valid-before="20261130Z"`, "bob")+
		line("carol@example.com", `namespaces="git,file"`, "carol")+
		line("*@team.example", "", "team"))
	signers, err := LoadAllowedSigners(signersFile)
	if err != nil {
		t.Fatal(err)
	}

	set := change.Set{Managed: 20, Resources: []change.Resource{{Address: "aws_db_instance.main", Type: "aws_db_instance",
		Name: "main", Mode: change.Managed, Action: change.Delete, Labels: map[string]string{"env": "prod"}}}}
	pol := verdict.DefaultPolicy()
	first := verdict.Evaluate(set, pol, verdict.Options{})
	if first.Decision != verdict.Block {
		t.Fatalf("the change does not block: %s", first.Decision)
	}
	id, fp := first.Findings[0].ID, first.Fingerprint
	other := "sha256:" + strings.Repeat("0", 64)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	signed := verdict.ApprovalPolicy{AllowedSigners: "allowed_signers"}

	tests := []struct {
		name    string
		key     string                  // who signs; "" leaves it unsigned
		before  func(e *Entry)          // edits before signing
		after   func(e *Entry)          // edits after signing: tampering
		policy  *verdict.ApprovalPolicy // nil: signed
		authors []string
		ns      string // signature namespace, when not rehearse-approval
		void    string // "" when the approval counts
	}{
		{name: "valid", key: "alice"},
		{name: "valid with expiry ahead", key: "alice", before: func(e *Entry) { e.Expires = "2026-12-02T00:00:00Z" }},
		{name: "unsigned", void: "unsigned: the policy requires approvals signed by a key in approvals.allowed_signers"},
		{name: "unsigned, no policy", policy: &verdict.ApprovalPolicy{}},
		{name: "tampered by", key: "alice", after: func(e *Entry) { e.By = "bob@example.com" }, void: "signature does not verify"},
		{name: "tampered reason", key: "alice", after: func(e *Entry) { e.Reason = "it is fine" }, void: "signature does not verify"},
		{name: "tampered rollback", key: "alice", after: func(e *Entry) { e.Rollback = "none" }, void: "signature does not verify"},
		{name: "tampered at", key: "alice", after: func(e *Entry) { e.At = "2026-12-01T11:00:00Z" }, void: "signature does not verify"},
		{name: "tampered expires", key: "alice", before: func(e *Entry) { e.Expires = "2026-12-01T11:00:00Z" },
			after: func(e *Entry) { e.Expires = "" }, void: "signature does not verify"},
		{name: "tampered fingerprint", key: "alice", before: func(e *Entry) { e.Fingerprint = other },
			after: func(e *Entry) { e.Fingerprint = fp }, void: "signature does not verify"},
		{name: "other fingerprint", key: "alice", before: func(e *Entry) { e.Fingerprint = other }, void: "it was given for another change (" + other + ")"},
		{name: "other namespace", key: "alice", ns: "git", void: `signature is for namespace "git", not "rehearse-approval"`},
		{name: "unlisted key", key: "mallory", before: func(e *Entry) { e.By = "alice@example.com" }, void: "is not in " + signersFile},
		{name: "principal not matching", key: "alice", before: func(e *Entry) { e.By = "bob@example.com" },
			void: "is listed for alice@example.com,alice@corp.example, not for bob@example.com (" + signersFile + ":2)"},
		{name: "namespace restriction", key: "carol", before: func(e *Entry) { e.By = "carol@example.com" }, void: `may sign only in namespaces "git,file"`},
		{name: "outside valid-before", key: "bob", before: func(e *Entry) { e.By = "bob@example.com" }, void: "was valid only until 2026-11-30T00:00:00Z"},
		{name: "expired", key: "alice", before: func(e *Entry) { e.Expires = "2026-12-01T11:59:59Z" }, void: "expired at 2026-12-01T11:59:59Z"},
		{name: "too old", key: "alice", policy: &verdict.ApprovalPolicy{AllowedSigners: "allowed_signers", MaxAge: "1h"},
			void: "given at 2026-12-01T10:00:00Z, longer ago than approvals.max_age (1h)"},
		{name: "young enough", key: "alice", policy: &verdict.ApprovalPolicy{AllowedSigners: "allowed_signers", MaxAge: "7d"}},
		{name: "dated in the future", key: "alice", before: func(e *Entry) { e.At = "2026-12-08T10:00:00Z" },
			policy: &verdict.ApprovalPolicy{AllowedSigners: "allowed_signers", MaxAge: "7d"}, void: "dated in the future"},
		{name: "self-approval", key: "alice", policy: &verdict.ApprovalPolicy{AllowedSigners: "allowed_signers", ForbidSelf: true},
			authors: []string{"Dana <dana@example.com>", "Alice <Alice@Example.com>"}, void: "approver alice@example.com is an author of the change"},
		{name: "self-approval under another identity", key: "alice", policy: &verdict.ApprovalPolicy{AllowedSigners: "allowed_signers", ForbidSelf: true},
			authors: []string{"alice@corp.example"}, void: "also listed for alice@corp.example, an author of the change"},
		{name: "self-approval behind an invisible character", key: "team", before: func(e *Entry) { e.By = "dana\u200b@team.example" },
			policy:  &verdict.ApprovalPolicy{AllowedSigners: "allowed_signers", ForbidSelf: true},
			authors: []string{"dana@team.example"}, void: "is an author of the change"},
		{name: "approved by a non-author", key: "alice", policy: &verdict.ApprovalPolicy{AllowedSigners: "allowed_signers", ForbidSelf: true},
			authors: []string{"dana@example.com"}},
		{name: "authors unknown", key: "alice", policy: &verdict.ApprovalPolicy{AllowedSigners: "allowed_signers", ForbidSelf: true},
			void: "authors are unknown"},
		{name: "required but no signers", key: "alice", policy: &verdict.ApprovalPolicy{RequireSignature: true},
			void: "names no approvals.allowed_signers"},
		{name: "required, unsigned", policy: &verdict.ApprovalPolicy{RequireSignature: true}, void: "unsigned: the policy requires signed approvals"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Entry{Finding: id, Fingerprint: fp, By: "alice@example.com", At: "2026-12-01T10:00:00Z",
				Reason: "planned migration", Rollback: "restore snapshot rds-2026-12-01"}
			if tt.before != nil {
				tt.before(&e)
			}
			if tt.key != "" {
				if tt.ns == "" {
					if err := Sign(&e, keys[tt.key]); err != nil {
						t.Fatal(err)
					}
				} else {
					msg, _ := Message(&e)
					sig, err := sshsig.Sign(bytes.NewReader(msg), keys[tt.key], sshsig.HashSHA512, tt.ns)
					if err != nil {
						t.Fatal(err)
					}
					e.Signature = string(sshsig.Armor(sig))
				}
			}
			if tt.after != nil {
				tt.after(&e)
			}
			if err := e.Validate(); err != nil {
				t.Fatal(err)
			}
			in := Input{Entries: []Entry{e}, Policy: signed, Now: now, Authors: tt.authors}
			if tt.policy != nil {
				in.Policy = *tt.policy
			}
			if in.Policy.AllowedSigners != "" {
				in.Signers = signers
			}
			v := verdict.Evaluate(set, pol, verdict.Options{Approvals: Verify(in)})
			f := v.Findings[0]
			if tt.void == "" {
				if f.Approval == nil || v.Decision != verdict.Pass || len(f.VoidApprovals) != 0 {
					t.Fatalf("the approval does not count: %s %+v", v.Decision, f.VoidApprovals)
				}
				if tt.key != "" && in.Signers != nil && f.Approval.Signer != ssh.FingerprintSHA256(keys[tt.key].PublicKey()) {
					t.Errorf("signer %q", f.Approval.Signer)
				}
				return
			}
			if f.Approval != nil || v.Decision != verdict.Block || len(f.VoidApprovals) != 1 {
				t.Fatalf("a void approval counts: %s approval %+v void %+v", v.Decision, f.Approval, f.VoidApprovals)
			}
			if got := f.VoidApprovals[0].Void; !strings.Contains(got, tt.void) {
				t.Fatalf("void = %q, want %q in it", got, tt.void)
			}
		})
	}
}

func TestLoadPolicySigners(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "allowed_signers"), "alice@example.com "+edKey+"\n")
	p := verdict.ApprovalPolicy{AllowedSigners: "allowed_signers"}
	as, err := LoadPolicySigners(&p, filepath.Join(dir, "rehearse.yaml"))
	if err != nil || len(as.Signers) != 1 {
		t.Fatalf("relative to the policy file: %v %v", as, err)
	}
	if as, err := LoadPolicySigners(&verdict.ApprovalPolicy{}, "rehearse.yaml"); as != nil || err != nil {
		t.Fatalf("no signers named: %v %v", as, err)
	}
	p.AllowedSigners = "missing"
	if _, err := LoadPolicySigners(&p, filepath.Join(dir, "rehearse.yaml")); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "missing")) {
		t.Fatalf("a missing signers file: %v", err)
	}
}
