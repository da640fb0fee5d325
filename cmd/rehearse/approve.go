package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/rehearse-dev/rehearse/internal/textsafe"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"

	"github.com/rehearse-dev/rehearse/approval"
	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/verdict"
)

// approveOptions are the flags of `rehearse approve`, and the Factory the
// run reads the world through (its clock stamps and expires approvals).
type approveOptions struct {
	*Factory
	File      string // plan JSON file, or "-" for stdin
	Findings  []string
	By        string
	Reason    string
	Rollback  string
	Expires   string // a duration from now (72h, 7d) or an RFC 3339 time
	SignKey   string
	Approvals string
	judgeOptions
	// dir plans the change with --dir, as rehearse plan --dir and the
	// agent hook do, when no plan JSON is given.
	dir planOptions

	expires string // Expires as an RFC 3339 time, "" for none
}

// newCmdApprove builds `rehearse approve`; runF runs it (nil: approveRun).
func newCmdApprove(f *Factory, runF func(context.Context, *approveOptions) error) *cobra.Command {
	o := &approveOptions{Factory: f, dir: planOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "approve [PLAN.json | --dir DIR | VERDICT.json | ENV.yaml | SCENARIO] --finding ID --by NAME --reason TEXT --rollback TEXT [--sign-key KEY]",
		Short: "Approve a finding for exactly this change, with the reason and the rollback plan",
		Long: `approve judges the plan as "rehearse plan" does, checks that each --finding
is one of its findings, and appends an approval to the approvals file: the
finding id, the change's fingerprint, who, when (UTC), why and the rollback
plan. "rehearse plan" then passes that finding for this exact change; for
any other change the approval is void and reported so.

With --sign-key the approval carries an SSH signature (namespace
rehearse-approval) over all of that and --expires, and a policy that names
approvals.allowed_signers counts it only if the key is listed there for the
principal in --by. The key is a path to an unencrypted private key, or a
public key (.pub, "key::ssh-ed25519 AAAA…", "agent:SHA256:…") whose private
half is in ssh-agent ($SSH_AUTH_SOCK). rehearse never asks for a passphrase:
add an encrypted key to the agent.

Judge the plan with the same --policy, --origin and --workspace as the gate
that will read the approval, so the findings are the same. With --dir the
change is planned as "rehearse plan --dir" plans it, with the same --var,
--target, --destroy…: what an agent's denied apply prints to run.

A change observed in the sandbox is approved from the JSON verdict that
"rehearse sandbox run --format json" wrote (its fingerprint and findings as
they are, nothing is run), or from the environment file, run in the sandbox
again and judged as "rehearse sandbox run" judges it, or from a scenario
(its folder or scenario.yaml), replayed as "rehearse replay" replays it. An
observed change's fingerprint depends only on what it did (services,
actions, data figures, probe outcomes), never on container ids or times,
so "rehearse sandbox run --approvals" counts the approval on its own run of
the same change.`,
		Example: `  rehearse approve plan.json --finding RH-673cbe987e --by alice@example.com \
    --reason "planned migration" --rollback "restore snapshot rds-2026-11-27" \
    --expires 72h --sign-key ~/.ssh/id_ed25519
  rehearse plan --policy rehearse.yaml --approvals .rehearse/approvals.yaml plan.json
  rehearse approve --dir infra --destroy --finding RH-2fe8f1fc33 --by alice@example.com \
    --reason "decommission" --rollback "re-create from the nightly backup"
  rehearse sandbox run env.yaml --format json > verdict.json
  rehearse approve verdict.json --finding RH-4c0ffee123 --by alice@example.com \
    --reason "the orders table is rebuilt by the migration" --rollback "pg_restore the dump"`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// More than one input is judged as rehearse plan judges
			// many stacks (judgeStacks).
			o.dir.Files = args
			if len(args) == 1 {
				o.File = args[0]
			}
			if runF == nil {
				runF = approveRun
			}
			return runF(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&o.Findings, "finding", nil, "finding id to approve, e.g. RH-673cbe987e (repeatable)")
	fl.StringVar(&o.By, "by", "", "who approves (required); with --sign-key, the principal the key is listed for in allowed_signers, e.g. alice@example.com")
	fl.StringVar(&o.Reason, "reason", "", "why the change may go (required)")
	fl.StringVar(&o.Rollback, "rollback", "", "how to undo it if it goes wrong (required)")
	fl.StringVar(&o.Expires, "expires", "", "when the approval stops counting: a duration from now (72h, 7d) or an RFC 3339 time")
	fl.StringVar(&o.SignKey, "sign-key", "", "sign with this SSH key: a private key file, or a public key (file, key::KEY, agent:FINGERPRINT) held by ssh-agent")
	fl.StringVar(&o.Approvals, "approvals", approval.DefaultFile, "approvals file to append to (created if missing)")
	o.judgeOptions.addFlags(cmd, true)
	o.dir.addDirFlags(cmd)
	return cmd
}

// approveRun judges the change, checks each --finding is one of its
// findings and appends the approvals; 2 when anything is missing or wrong
// (nothing is written then).
func approveRun(ctx context.Context, o *approveOptions) error {
	if err := o.check(); err != nil {
		return cannotJudge(err)
	}
	o.judgeOptions.getenv = o.Getenv
	pol, origin, err := o.load(ctx)
	if err != nil {
		return cannotJudge(err)
	}
	if pol.Approvals.Signed() && o.SignKey == "" {
		return cannotJudge(errors.New("the policy requires signed approvals (approvals.allowed_signers or approvals.require_signature): give --sign-key"))
	}
	var key *approval.Key
	if o.SignKey != "" {
		if key, err = approval.OpenKey(o.SignKey, o.Getenv("SSH_AUTH_SOCK")); err != nil {
			return cannotJudge(err)
		}
		defer key.Close()
	}
	signers, err := approval.LoadPolicySigners(&pol.Approvals, o.Policy)
	if err != nil {
		return cannotJudge(err)
	}
	// The existing file is read first so a malformed one stops us before
	// anything is judged or written.
	existing, err := o.existing()
	if err != nil {
		return cannotJudge(err)
	}
	now := o.Now()
	check := approval.Input{Policy: pol.Approvals, Signers: signers, Now: now, Authors: []string{}}
	check.Policy.ForbidSelf = false // the authors are the gate's to read
	check.Entries = existing
	opts := o.options(origin)
	opts.Approvals = approval.Verify(check)
	v, many, err := o.judgeStacks(ctx, pol, opts)
	if !many {
		v, err = o.judge(ctx, pol, opts)
	}
	if err != nil {
		return cannotJudge(err)
	}
	byID := map[string]*verdict.Finding{}
	for i := range v.Findings {
		byID[v.Findings[i].ID] = &v.Findings[i]
	}
	for _, id := range o.Findings {
		if byID[id] == nil {
			return cannotJudge(fmt.Errorf("%s: no finding %s in this change; its findings are: %s", o.source(), id, findingList(&v)))
		}
	}
	at := now.UTC().Format(time.RFC3339)
	var entries []approval.Entry
	for _, id := range o.Findings {
		e := approval.Entry{Finding: id, Fingerprint: v.Fingerprint, By: o.By, At: at, Reason: o.Reason, Rollback: o.Rollback, Expires: o.expires}
		if key != nil {
			if err := approval.Sign(&e, key); err != nil {
				return cannotJudge(err)
			}
		}
		entries = append(entries, e)
	}
	// An approval the gate would void is refused here, where the approver
	// can still fix the key, the principal or the allowed signers.
	check.Entries = entries
	checked := approval.Verify(check)
	for _, a := range checked {
		if pol.Approvals.Signed() && a.Void != "" {
			return cannotJudge(fmt.Errorf("approval of %s would be void: %s", a.Finding, a.Void))
		}
	}
	// All or nothing, and before printing: a reader that stops early (a
	// closed pipe) must not leave half the approvals written.
	if err := approval.Append(o.Approvals, entries...); err != nil {
		return cannotJudge(err)
	}
	for i, a := range entries {
		f := byID[a.Finding]
		fmt.Fprintf(o.out, "approved %s (%s %s) for change %s\n", a.Finding, f.Rule, printable(orWhole(f.Address)), v.Fingerprint)
		fmt.Fprintf(o.out, "  by %s at %s\n  reason: %s\n  rollback: %s\n", printable(a.By), a.At, printable(a.Reason), printable(a.Rollback))
		if a.Expires != "" {
			fmt.Fprintf(o.out, "  expires: %s\n", a.Expires)
		}
		if key != nil {
			signer := checked[i].Signer
			if signer == "" {
				signer = ssh.FingerprintSHA256(key.PublicKey())
			}
			fmt.Fprintf(o.out, "  signed with %s (%s)\n", signer, printable(key.Source))
		}
		fmt.Fprintf(o.out, "  written to %s\n", o.Approvals)
	}
	return nil
}

// readChange reads the plan JSON, or plans --dir.
func (o *approveOptions) readChange(ctx context.Context) (change.Set, error) {
	o.dir.Factory, o.dir.File, o.dir.judgeOptions = o.Factory, o.File, o.judgeOptions
	if err := o.dir.checkSource(); err != nil {
		return change.Set{}, err
	}
	set, _, err := o.dir.readSet(ctx)
	return set, err
}

// source names where the change came from, for messages.
func (o *approveOptions) source() string {
	switch {
	case o.dir.Dir != "":
		return o.dir.Dir
	case o.File == "" && len(o.dir.Files)+len(o.dir.Dirs) > 1:
		return strings.Join(append(slices.Clone(o.dir.Files), o.dir.Dirs...), ", ")
	}
	return o.File
}

func (o *approveOptions) check() error {
	var missing []string
	if len(o.Findings) == 0 {
		missing = append(missing, "--finding")
	}
	for _, f := range []struct{ name, val string }{{"--by", o.By}, {"--reason", o.Reason}, {"--rollback", o.Rollback}} {
		if strings.TrimSpace(f.val) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		// The rollback plan is the point of an approval: without it the
		// report would have nothing to offer when the change goes wrong.
		return fmt.Errorf("approve needs %s", strings.Join(missing, ", "))
	}
	if o.Approvals == "" {
		return errors.New("--approvals must name a file")
	}
	if o.Expires != "" {
		exp, err := parseExpires(o.Expires, o.Now())
		if err != nil {
			return err
		}
		o.expires = exp.UTC().Format(time.RFC3339)
	}
	return nil
}

// parseExpires reads --expires: a duration from now (72h, 7d) or an RFC
// 3339 time, which must be in the future.
func parseExpires(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if !t.After(now) {
			return time.Time{}, fmt.Errorf("--expires %s is not in the future", s)
		}
		return t, nil
	}
	d, err := verdict.ParseAge(s)
	if err != nil || d == 0 {
		return time.Time{}, fmt.Errorf("--expires %q is neither a duration from now (72h, 7d) nor an RFC 3339 time (2026-12-01T10:00:00Z)", s)
	}
	return now.Add(d).Truncate(time.Second), nil
}

// existing returns the approvals already in the file, or none when it does
// not exist yet.
func (o *approveOptions) existing() ([]approval.Entry, error) {
	a, err := approval.Load(o.Approvals)
	if err != nil && errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return a, err
}

// findingList names every finding of a verdict, for an error message.
func findingList(v *verdict.Verdict) string {
	if len(v.Findings) == 0 {
		return "none (nothing to approve)"
	}
	var parts []string
	for i := range v.Findings {
		f := &v.Findings[i]
		parts = append(parts, fmt.Sprintf("%s (%s %s %s)", f.ID, f.Severity, f.Rule, printable(orWhole(f.Address))))
	}
	return strings.Join(parts, ", ")
}

func orWhole(addr string) string {
	if addr == "" {
		return "whole change"
	}
	return addr
}

// printable escapes what a terminal would interpret in text a user typed
// or a plan named.
func printable(s string) string { return textsafe.Term(s) }
