package verdict

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
)

// Evaluate judges a Set under a policy. It is pure: the same Set, policy
// and options always give the same Verdict.
func Evaluate(set change.Set, p Policy, opts Options) Verdict {
	if opts.Origin.Origin == "" {
		opts.Origin = OriginInfo{Origin: OriginHuman, DecidedBy: "default"}
	}
	workspace := opts.Workspace
	if workspace == "" {
		workspace = set.Workspace
	}
	// The fingerprint binds the workspace judged in, given on the command
	// line or not: an approval in staging is void in prod.
	set.Workspace = workspace
	// The fingerprint hashes the whole Set and needs nothing else: on a
	// large plan it is worth a core of its own while the resources are
	// judged.
	fingerprint := make(chan string, 1)
	go func() { fingerprint <- set.Fingerprint() }()
	e := evaluator{set: &set, policy: &p, cat: p.Catalogue(), opts: opts, workspace: workspace}
	v := Verdict{
		Schema:    Schema,
		Origin:    opts.Origin,
		Source:    set.Source,
		Workspace: workspace,
		Policy:    opts.Policy,
		Outputs:   set.Outputs,
		Notes:     slices.Concat(opts.Notes, set.Notes),
		Rollback:  set.Rollback,
		Findings:  []Finding{},
		Passed:    []Listed{},
		Blast:     Blast{Managed: set.Managed, Actions: map[string]int{}, Envs: map[string]EnvCount{}},
	}
	e.index()
	for i := range set.Resources {
		e.resource(&v, &set.Resources[i])
	}
	e.partial(&v)
	for i := range set.Drift {
		r := &set.Drift[i]
		env := e.place(r).Env
		v.Drift = append(v.Drift, Listed{Address: r.Address, Action: r.Action, Environment: env, Note: "changed outside Terraform"})
	}
	if set.Managed > 0 {
		v.Blast.Share = float64(v.Blast.Destructive) / float64(set.Managed)
	}
	if f, ok := e.blastRadius(&v.Blast); ok {
		v.Findings = append(v.Findings, f)
	}
	if f, ok := policyWeakened(opts.Weakened); ok {
		v.Findings = append(v.Findings, f)
	}
	v.Fingerprint = <-fingerprint
	applyApprovals(v.Findings, opts.Approvals, v.Fingerprint)
	sortFindings(v.Findings)
	sortListed(v.Passed)
	sortListed(v.Drift)
	v.Decision = decide(v.Findings)
	if len(v.Blast.Envs) == 0 {
		v.Blast.Envs = nil
	}
	return v
}

// place decides where a resource of this change lives.
func (e *evaluator) place(r *change.Resource) placement {
	return e.policy.placeIn(r, e.workspace, e.set.Stack)
}

type evaluator struct {
	set       *change.Set
	policy    *Policy
	cat       Catalogue
	opts      Options
	workspace string

	movedFrom map[string]bool
	renewed   map[string]change.Action      // config address → created or replaced
	dependsOn map[string][]string           // config address → what it refers to
	renames   map[string]string             // deleted address → the create it is likely renamed to
	replaced  map[string][]*change.Resource // config address → its replaced instances, for forcedBy
}

func (e *evaluator) index() {
	e.movedFrom = map[string]bool{}
	e.renewed = map[string]change.Action{}
	e.dependsOn = map[string][]string{}
	for to, froms := range e.set.Dependents {
		for _, from := range froms {
			e.dependsOn[from] = append(e.dependsOn[from], to)
		}
	}
	for _, deps := range e.dependsOn {
		slices.Sort(deps)
	}
	for i := range e.set.Resources {
		r := &e.set.Resources[i]
		switch {
		case r.Action == change.Replace:
			e.renewed[r.ConfigAddress()] = change.Replace
		case r.Action == change.Create && e.renewed[r.ConfigAddress()] == "":
			e.renewed[r.ConfigAddress()] = change.Create
		}
		if r.Moved() {
			e.movedFrom[r.PreviousAddress] = true
		}
	}
	e.renames = e.pairRenames()
}

func (e *evaluator) resource(v *Verdict, r *change.Resource) {
	pl := e.place(r)
	env := pl.Env
	b := &v.Blast
	b.Actions[string(r.Action)]++
	if r.Moved() {
		b.Actions["moved"]++
	}
	if r.Importing {
		b.Actions["imported"]++
	}
	changed := r.Action != change.NoOp && r.Action != change.Read
	if changed || r.Observed.DataLost() {
		if r.Action != change.Create {
			b.Affected++
		}
		if env != "" {
			ec := b.Envs[env]
			ec.Changed++
			ec.Protected = e.policy.Protected(env)
			if r.Action.Destructive() {
				ec.Destructive++
			}
			b.Envs[env] = ec
		}
	}
	if r.Action.Destructive() && r.Mode == change.Managed {
		b.Destructive++
	}
	if (r.Action.Destructive() && r.Mode == change.Managed) || r.Observed.DataLost() {
		v.Findings = append(v.Findings, e.destructive(r, pl, r.Deferred))
		return
	}
	if f, ok := e.unguarding(r, pl); ok {
		v.Findings = append(v.Findings, f)
		return
	}
	if note, ok := passNote(r); ok {
		v.Passed = append(v.Passed, Listed{Address: r.Address, Action: r.Action, Note: note, Environment: env})
	}
}

// passNote says why a passing change is listed; no-ops that are neither
// moved nor imported are not.
func passNote(r *change.Resource) (string, bool) {
	var notes []string
	if r.Moved() {
		notes = append(notes, "moved from "+r.PreviousAddress)
	}
	if r.Importing {
		notes = append(notes, "imported")
	}
	switch r.Action {
	case change.NoOp:
	case change.Forget:
		notes = append(notes, "removed from state, the object is kept")
	case change.Update:
		var paths []string
		for _, c := range r.Changes {
			paths = append(paths, c.Path)
		}
		if len(paths) > 5 {
			paths = append(paths[:5], fmt.Sprintf("+%d more", len(paths)-5))
		}
		if len(paths) > 0 {
			notes = append(notes, "changes "+strings.Join(paths, ", "))
		}
	}
	if len(notes) == 0 && r.Action == change.NoOp {
		return "", false
	}
	return strings.Join(notes, "; "), true
}

func (e *evaluator) blastRadius(b *Blast) (Finding, bool) {
	t := e.policy.Thresholds
	var why []string
	if b.Destructive > t.MaxDestructive {
		why = append(why, fmt.Sprintf("%d resources deleted or replaced, over the limit of %d", b.Destructive, t.MaxDestructive))
	}
	if b.Managed > 0 && b.Destructive >= t.MinDestructiveForShare && b.Share > t.MaxDestructiveShare {
		why = append(why, fmt.Sprintf("%.1f%% of the %d managed resources deleted or replaced, over the limit of %.1f%%", 100*b.Share, b.Managed, 100*t.MaxDestructiveShare))
	}
	if len(why) == 0 {
		return Finding{}, false
	}
	return Finding{
		ID: findingID(RuleBlastRadius, "", "", ""), Rule: RuleBlastRadius, Severity: SeverityBlock,
		Message: "high blast radius: " + strings.Join(why, "; "),
	}, true
}

func decide(fs []Finding) Decision {
	d := Pass
	for i := range fs {
		switch fs[i].Effective() {
		case SeverityBlock:
			return Block
		case SeverityWarn:
			d = Warn
		}
	}
	return d
}

func severityIf(block bool) Severity {
	if block {
		return SeverityBlock
	}
	return SeverityWarn
}

// sortListed orders listed changes by address, then action, so the
// verdict does not depend on the order of the plan.
func sortListed(ls []Listed) {
	slices.SortStableFunc(ls, func(a, b Listed) int {
		if c := strings.Compare(a.Address, b.Address); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.Action), string(b.Action)); c != 0 {
			return c
		}
		return strings.Compare(a.Note, b.Note)
	})
}

func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if c := b.Severity.rank() - a.Severity.rank(); c != 0 {
			return c
		}
		if c := strings.Compare(a.Address, b.Address); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// findingID names a finding stably across runs, so an approval can point
// at it: the same rule on the same address and action has the same ID.
func findingID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return "RH-" + hex.EncodeToString(h[:])[:10]
}
