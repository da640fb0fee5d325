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
		Outputs:   set.Outputs,
		Notes:     opts.Notes,
		Findings:  []Finding{},
		Passed:    []Listed{},
		Blast:     Blast{Managed: set.Managed, Actions: map[string]int{}, Envs: map[string]EnvCount{}},
	}
	e.index()
	for i := range set.Resources {
		e.resource(&v, &set.Resources[i])
	}
	for i := range set.Drift {
		r := &set.Drift[i]
		env, _ := p.Environment(r, workspace)
		v.Drift = append(v.Drift, Listed{Address: r.Address, Action: r.Action, Environment: env, Note: "changed outside Terraform"})
	}
	if set.Managed > 0 {
		v.Blast.Share = float64(v.Blast.Destructive) / float64(set.Managed)
	}
	if f, ok := e.blastRadius(&v.Blast); ok {
		v.Findings = append(v.Findings, f)
	}
	for i := range v.Findings {
		e.escalate(&v.Findings[i])
	}
	v.Fingerprint = <-fingerprint
	applyApprovals(v.Findings, opts.Approvals, v.Fingerprint)
	sortFindings(v.Findings)
	v.Decision = decide(v.Findings)
	if len(v.Blast.Envs) == 0 {
		v.Blast.Envs = nil
	}
	return v
}

type evaluator struct {
	set       *change.Set
	policy    *Policy
	cat       Catalogue
	opts      Options
	workspace string

	createdTypes map[string][]string // type → addresses created
	movedFrom    map[string]bool
	renewed      map[string]bool     // config addresses created or replaced
	dependsOn    map[string][]string // config address → what it refers to
}

func (e *evaluator) index() {
	e.createdTypes = map[string][]string{}
	e.movedFrom = map[string]bool{}
	e.renewed = map[string]bool{}
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
		if r.Action == change.Create || r.Action == change.Replace {
			e.renewed[r.ConfigAddress()] = true
		}
		if r.Action == change.Create && r.Mode == change.Managed {
			e.createdTypes[r.Type] = append(e.createdTypes[r.Type], r.Address)
		}
		if r.Moved() {
			e.movedFrom[r.PreviousAddress] = true
		}
	}
}

func (e *evaluator) resource(v *Verdict, r *change.Resource) {
	env, _ := e.policy.Environment(r, e.workspace)
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
		v.Findings = append(v.Findings, e.destructive(r, env))
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

func (e *evaluator) destructive(r *change.Resource, env string) Finding {
	entry, catalogued := e.cat.Lookup(r.Type)
	protected := e.policy.Protected(env)
	f := Finding{
		Address: r.Address, Type: r.Type, Action: r.Action, ReplaceOrder: r.ReplaceOrder,
		Environment: env, Protected: protected,
		Dependents: e.set.Dependents[change.ConfigAddress(r.Address)],
	}
	if loc, ok := e.set.Locations[change.ConfigAddress(r.Address)]; ok {
		f.Location = &loc
	}
	if catalogued {
		f.Class, f.Kind = entry.Class, entry.Kind
	}
	f.Recoverability, f.Hints = recoverability(r, entry, catalogued)
	f.Evidence = evidence(r)
	what := describe(r, entry, catalogued)
	where := ""
	if env != "" {
		where = " in " + map[bool]string{true: "protected ", false: ""}[protected] + "environment " + env
	}
	renamed := e.likelyRename(r)
	upstream := e.upstream(r)
	if len(upstream) > 0 {
		f.Evidence = append(f.Evidence, "follows the replacement of "+strings.Join(upstream, ", ")+", whose new values are known only after apply")
	}
	switch {
	case r.Observed.DataLost():
		f.Rule = RuleObservedDataLoss
		f.Severity = severityIf(protected)
		f.Message = fmt.Sprintf("%s lost data%s", what, where)
	case len(upstream) == 0 && isSpurious(r):
		f.Rule, f.Severity = RuleSpuriousReplace, SeverityWarn
		f.Message = fmt.Sprintf("%s is replaced only because of values known after apply%s: possibly spurious", what, where)
	case catalogued && protected:
		f.Rule, f.Severity = RuleProtectedDestroy, SeverityBlock
		f.Message = fmt.Sprintf("%s %s%s", what, verb(r), where)
	case renamed != "":
		f.Rule, f.Severity = RuleLikelyRename, SeverityWarn
		f.Message = fmt.Sprintf("%s %s%s", what, verb(r), where)
	default:
		f.Rule, f.Severity = RuleDestroy, SeverityWarn
		f.Message = fmt.Sprintf("%s %s%s", what, verb(r), where)
	}
	if renamed != "" {
		f.Hints = append(f.Hints, fmt.Sprintf("likely a rename to %s: add a moved block, or the object is destroyed", renamed))
	}
	f.ID = findingID(f.Rule, r.Address, string(r.Action), r.Deposed)
	return f
}

// likelyRename returns a created address of the same type when r is a
// delete whose block is gone and no moved block accounts for it.
func (e *evaluator) likelyRename(r *change.Resource) string {
	if r.Action != change.Delete || r.Reason != "delete_because_no_resource_config" || e.movedFrom[r.Address] {
		return ""
	}
	if c := e.createdTypes[r.Type]; len(c) > 0 {
		return c[0]
	}
	return ""
}

// upstream lists the resources r refers to that this change creates or
// replaces: an unknown value that forces r's replace then comes from them,
// and the replace is real, not spurious.
func (e *evaluator) upstream(r *change.Resource) []string {
	if r.Action != change.Replace {
		return nil
	}
	var out []string
	for _, to := range e.dependsOn[r.ConfigAddress()] {
		if e.renewed[to] {
			out = append(out, to)
		}
	}
	return out
}

// isSpurious reports a replace forced only by values unknown until apply.
func isSpurious(r *change.Resource) bool {
	if r.Action != change.Replace || len(r.ReplacePaths) == 0 {
		return false
	}
	for _, p := range r.ReplacePaths {
		if !p.Unknown {
			return false
		}
	}
	return true
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

// escalate applies the stricter bar for AI-originated changes.
func (e *evaluator) escalate(f *Finding) {
	if e.opts.Origin.Origin != OriginAI || !e.policy.Origin.AIEscalates || f.Severity != SeverityWarn {
		return
	}
	if f.Protected || f.Class == DataBearing {
		f.Severity, f.Escalated = SeverityBlock, true
		f.Message += " (AI-originated: escalated from warn)"
	}
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
