package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/verdict"
)

// approveOptions are the flags of `rehearse approve`.
type approveOptions struct {
	streams
	File      string // plan JSON file, or "-" for stdin
	Findings  []string
	By        string
	Reason    string
	Rollback  string
	Approvals string
	judgeOptions

	now func() time.Time
}

func newApproveCmd(s streams) *cobra.Command {
	o := &approveOptions{streams: s, now: time.Now}
	cmd := &cobra.Command{
		Use:   "approve PLAN.json --finding ID --by NAME --reason TEXT --rollback TEXT",
		Short: "Approve a finding for exactly this change, with the reason and the rollback plan",
		Long: `approve judges the plan as "rehearse plan" does, checks that each --finding
is one of its findings, and appends an approval to the approvals file: the
finding id, the change's fingerprint, who, when (UTC), why and the rollback
plan. "rehearse plan --approvals FILE" then passes that finding for this
exact change; for any other change the approval is void and reported so.

Judge the plan with the same --policy, --origin and --workspace as the gate
that will read the approval, so the findings are the same.`,
		Example: `  rehearse approve plan.json --finding RH-673cbe987e --by "$USER" \
    --reason "planned migration" --rollback "restore snapshot rds-2026-11-27"
  rehearse plan --approvals .rehearse/approvals.yaml plan.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			return o.run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.Findings, "finding", nil, "finding id to approve, e.g. RH-673cbe987e (repeatable)")
	f.StringVar(&o.By, "by", "", "who approves (required)")
	f.StringVar(&o.Reason, "reason", "", "why the change may go (required)")
	f.StringVar(&o.Rollback, "rollback", "", "how to undo it if it goes wrong (required)")
	f.StringVar(&o.Approvals, "approvals", verdict.DefaultApprovalsFile, "approvals file to append to (created if missing)")
	o.judgeOptions.addFlags(cmd, true)
	return cmd
}

func (o *approveOptions) run(ctx context.Context) error {
	if err := o.check(); err != nil {
		return cannotJudge(err)
	}
	pol, origin, err := o.load(ctx)
	if err != nil {
		return cannotJudge(err)
	}
	// The existing file is read first so a malformed one stops us before
	// anything is judged or written.
	existing, err := o.existing()
	if err != nil {
		return cannotJudge(err)
	}
	set, err := readPlanFile(o.File, o.in)
	if err != nil {
		return cannotJudge(err)
	}
	v := verdict.Evaluate(set, pol, verdict.Options{Origin: origin, Workspace: o.Workspace, Approvals: existing})
	byID := map[string]*verdict.Finding{}
	for i := range v.Findings {
		byID[v.Findings[i].ID] = &v.Findings[i]
	}
	for _, id := range o.Findings {
		if byID[id] == nil {
			return cannotJudge(fmt.Errorf("%s: no finding %s in this change; its findings are: %s", o.File, id, findingList(&v)))
		}
	}
	at := o.now().UTC().Format(time.RFC3339)
	var approvals []verdict.Approval
	for _, id := range o.Findings {
		approvals = append(approvals, verdict.Approval{Finding: id, Fingerprint: v.Fingerprint, By: o.By, At: at, Reason: o.Reason, Rollback: o.Rollback})
	}
	// All or nothing, and before printing: a reader that stops early (a
	// closed pipe) must not leave half the approvals written.
	if err := verdict.AppendApproval(o.Approvals, approvals...); err != nil {
		return cannotJudge(err)
	}
	for _, a := range approvals {
		f := byID[a.Finding]
		id := a.Finding
		fmt.Fprintf(o.out, "approved %s (%s %s) for change %s\n", id, f.Rule, printable(orWhole(f.Address)), v.Fingerprint)
		fmt.Fprintf(o.out, "  by %s at %s\n  reason: %s\n  rollback: %s\n  written to %s\n",
			printable(a.By), a.At, printable(a.Reason), printable(a.Rollback), o.Approvals)
	}
	return nil
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
	return nil
}

// existing returns the approvals already in the file, or none when it does
// not exist yet.
func (o *approveOptions) existing() ([]verdict.Approval, error) {
	a, err := verdict.LoadApprovals(o.Approvals)
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

// printable escapes what a terminal would interpret (control characters,
// bidi overrides) in text a user typed or a plan named.
func printable(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsGraphic(r) && !unicode.Is(unicode.Bidi_Control, r) {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRuneToASCII(r)
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}
