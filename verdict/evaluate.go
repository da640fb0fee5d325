package verdict

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
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
	e := evaluator{set: &set, policy: &p, pc: newPlacer(&p), cat: p.Catalogue(), opts: opts, workspace: workspace}
	findings, passed := expected(&set)
	v := Verdict{
		Schema:    Schema,
		Origin:    opts.Origin,
		Source:    set.Source,
		Workspace: workspace,
		Policy:    opts.Policy,
		Outputs:   set.Outputs,
		Notes:     slices.Concat(opts.Notes, set.Notes),
		Rollback:  set.Rollback,
		Findings:  make([]Finding, 0, findings),
		Passed:    make([]Listed, 0, passed),
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
	return e.pc.placeIn(r, e.workspace, e.set.Stack)
}

// expected is about how many findings and listed changes a Set gives, for
// the capacity of those slices only (so they do not grow through a large
// plan's worth of copies): a finding per destructive managed resource or
// data loss, action invocation and deferred change, with room for the few
// whole-set ones; a listed change per other resource that is not a plain
// no-op (see resource) and per deferred change. A few resources that
// unguarding judges take a finding instead of a listing.
func expected(set *change.Set) (findings, passed int) {
	findings = len(set.Actions) + len(set.Deferred) + 3
	passed = len(set.Deferred)
	for i := range set.Resources {
		r := &set.Resources[i]
		switch {
		case (r.Action.Destructive() && r.Mode == change.Managed) || r.Observed.DataLost():
			findings++
		case r.Action != change.NoOp || r.Moved() || r.Importing:
			passed++
		}
	}
	return findings, passed
}

type evaluator struct {
	set       *change.Set
	policy    *Policy
	pc        *placer // places this evaluation's resources, remembering what repeats
	cat       Catalogue
	opts      Options
	workspace string

	movedFrom map[string]bool
	renewed   map[string]change.Action      // config address → created or replaced
	dependsOn map[string][]string           // config address → what it refers to; nil until upstream needs it
	renames   map[string]string             // deleted address → the create it is likely renamed to
	replaced  map[string][]*change.Resource // config address → its replaced instances, for forcedBy
}

func (e *evaluator) index() {
	e.movedFrom = map[string]bool{}
	e.renewed = map[string]change.Action{}
	for i := range e.set.Resources {
		r := &e.set.Resources[i]
		switch r.Action {
		case change.Replace:
			e.renewed[change.ConfigAddress(r.Address)] = change.Replace
		case change.Create:
			if a := change.ConfigAddress(r.Address); e.renewed[a] == "" {
				e.renewed[a] = change.Create
			}
		}
		if r.Moved() {
			e.movedFrom[r.PreviousAddress] = true
		}
	}
	e.renames = e.pairRenames()
}

// indexDependsOn inverts the Set's dependents: config address → what it
// refers to, sorted, for upstream. Only what upstream can read is made:
// it looks up the config address of a replace (renewed says Replace for
// exactly those) and uses only the targets this change creates or
// replaces (the keys of renewed), so the inversion starts from those few
// targets rather than from every entry of a large plan's dependents. A
// list with the other targets left out, sorted, is the full sorted list
// with them left out, and sorting after filling hides map order.
func (e *evaluator) indexDependsOn() {
	e.dependsOn = map[string][]string{}
	for to := range e.renewed {
		for _, from := range e.set.Dependents[to] {
			if e.renewed[from] == change.Replace {
				e.dependsOn[from] = append(e.dependsOn[from], to)
			}
		}
	}
	for _, deps := range e.dependsOn {
		slices.Sort(deps)
	}
}

func (e *evaluator) resource(v *Verdict, r *change.Resource) {
	b := &v.Blast
	b.Actions[string(r.Action)]++
	moved := r.Moved()
	if moved {
		b.Actions["moved"]++
	}
	if r.Importing {
		b.Actions["imported"]++
	}
	changed := r.Action != change.NoOp && r.Action != change.Read
	dataLost := r.Observed.DataLost()
	if r.Action == change.NoOp && !dataLost && !moved && !r.Importing {
		// Most of a large plan: a no-op that is neither moved, imported
		// nor losing data counts for nothing in the blast radius, is not
		// destructive, and passNote does not list it, so where it lives
		// is never read and it is not placed. Only unguarding can still
		// judge it (it places what it needs itself).
		if f, ok := e.unguarding(r, placement{}); ok {
			v.Findings = append(v.Findings, f)
		}
		return
	}
	pl := e.place(r)
	env := pl.Env
	if changed || dataLost {
		if r.Action != change.Create {
			b.Affected++
		}
		if env != "" {
			ec := b.Envs[env]
			ec.Changed++
			_, ec.Protected = e.pc.protectedName(env)
			if r.Action.Destructive() {
				ec.Destructive++
			}
			b.Envs[env] = ec
		}
	}
	if r.Action.Destructive() && r.Mode == change.Managed {
		b.Destructive++
	}
	if (r.Action.Destructive() && r.Mode == change.Managed) || dataLost {
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
	// At most three notes: room for them without the heap (strings.Join
	// keeps nothing).
	var buf [3]string
	notes := buf[:0]
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
		if len(r.Changes) > 0 {
			notes = append(notes, changesNote(r.Changes))
		}
	}
	if len(notes) == 0 && r.Action == change.NoOp {
		return "", false
	}
	return strings.Join(notes, "; "), true
}

// changesNote is "changes " and the first five paths joined by ", ", and
// "+N more" after them when there are more: what joining a list of every
// path, cut to five and the count, gave, written straight into one string.
func changesNote(changes []change.AttrChange) string {
	const most = 5
	var b strings.Builder
	n := len("changes ") + len(", +0000000000 more")
	for i := range min(len(changes), most) {
		n += len(changes[i].Path) + len(", ")
	}
	b.Grow(n)
	b.WriteString("changes ")
	for i := range min(len(changes), most) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(changes[i].Path)
	}
	if len(changes) > most {
		b.WriteString(", +")
		b.WriteString(strconv.Itoa(len(changes) - most))
		b.WriteString(" more")
	}
	return b.String()
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
	// The hash of the parts joined by NUL, and the first ten hex digits
	// (five bytes) of it, built on the stack: one string for the result.
	var in [256]byte
	b := in[:0]
	for i, p := range parts {
		if i > 0 {
			b = append(b, 0)
		}
		b = append(b, p...)
	}
	h := sha256.Sum256(b)
	var out [3 + 10]byte
	copy(out[:], "RH-")
	hex.Encode(out[3:], h[:5])
	return string(out[:])
}
