package verdict

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
)

// Stack is one stack of a many-stack verdict: a change judged on its own,
// as a root module, a CloudFormation stack or a Pulumi stack is applied on
// its own, with its own decision, blast radius and fingerprint.
type Stack struct {
	Name        string        `json:"name"`
	Decision    Decision      `json:"decision"`
	Fingerprint string        `json:"fingerprint"`
	Source      change.Source `json:"source"`
	Workspace   string        `json:"workspace,omitempty"`
	Blast       Blast         `json:"blast_radius"`
	// Findings counts the stack's findings in the verdict's Findings.
	Findings int                   `json:"findings"`
	Outputs  []change.OutputChange `json:"outputs,omitempty"`
	Notes    []string              `json:"notes,omitempty"`
}

// Judged is one stack's verdict, from Evaluate with StackOptions, before
// EvaluateStacks joins it to the others.
type Judged struct {
	Name    string
	Verdict Verdict
}

// StackOptions are the options to judge one stack of many with: what
// belongs to the whole set (approvals, which bind its one fingerprint; the
// run's notes; what the repository's policy weakens) is left to
// EvaluateStacks, so it is said and counted once.
func StackOptions(opts Options) Options {
	opts.Approvals, opts.Notes, opts.Weakened = nil, nil, nil
	return opts
}

// StacksFingerprint is the fingerprint of a set of stacks: a hash of each
// stack's name and fingerprint, in name order. An approval names it, so it
// binds the whole set: any stack's change, a stack added, removed or
// renamed, is another change.
func StacksFingerprint(stacks []Stack) string {
	type pair struct{ name, fp string }
	ps := make([]pair, len(stacks))
	for i, s := range stacks {
		ps[i] = pair{s.Name, s.Fingerprint}
	}
	slices.SortFunc(ps, func(a, b pair) int { return strings.Compare(a.name, b.name) })
	h := sha256.New()
	h.Write([]byte("rehearse.stacks/v1\n"))
	for _, p := range ps {
		fmt.Fprintf(h, "%s\x00%s\n", p.name, p.fp)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// EvaluateStacks joins the verdicts of several stacks into one: every
// finding and listed change, tagged with its stack and given an id unique
// across stacks; the blast radius in total (each stack keeps its own); one
// fingerprint over all stacks (StacksFingerprint), which opts.Approvals
// must name; and the strongest decision. The policy's thresholds hold for
// the whole set as well as for each stack: a destroy split over several
// stacks, each under the limit, is as wide a change as one stack holding
// it all. Stacks are ordered strongest
// decision first, then by name; names must be unique. It is pure: the
// same verdicts and options give the same Verdict, whatever order the
// stacks came in.
func EvaluateStacks(judged []Judged, p Policy, opts Options) (Verdict, error) {
	if opts.Origin.Origin == "" {
		opts.Origin = OriginInfo{Origin: OriginHuman, DecidedBy: "default"}
	}
	judged = slices.Clone(judged)
	slices.SortFunc(judged, func(a, b Judged) int { return strings.Compare(a.Name, b.Name) })
	v := Verdict{
		Schema:   Schema,
		Origin:   opts.Origin,
		Notes:    slices.Clone(opts.Notes),
		Policy:   opts.Policy,
		Findings: []Finding{},
		Passed:   []Listed{},
		Blast:    Blast{Actions: map[string]int{}, Envs: map[string]EnvCount{}},
	}
	kinds := map[change.Kind]bool{}
	for i := range judged {
		j := &judged[i]
		if i > 0 && judged[i-1].Name == j.Name {
			return Verdict{}, fmt.Errorf("two stacks are named %q: name them apart with --stack NAME=PATH", j.Name)
		}
		s := &j.Verdict
		kinds[s.Source.Kind] = true
		for _, f := range s.Findings {
			f.Stack = j.Name
			f.ID = findingID("stack", j.Name, f.ID)
			v.Findings = append(v.Findings, f)
		}
		for _, l := range s.Passed {
			l.Stack = j.Name
			v.Passed = append(v.Passed, l)
		}
		for _, l := range s.Drift {
			l.Stack = j.Name
			v.Drift = append(v.Drift, l)
		}
		addBlast(&v.Blast, &s.Blast, i == 0)
		v.Stacks = append(v.Stacks, Stack{
			Name: j.Name, Fingerprint: s.Fingerprint, Source: s.Source, Workspace: s.Workspace,
			Blast: s.Blast, Findings: len(s.Findings), Outputs: s.Outputs, Notes: s.Notes,
		})
	}
	if v.Blast.Managed > 0 {
		v.Blast.Share = float64(v.Blast.Destructive) / float64(v.Blast.Managed)
	}
	if len(v.Blast.Envs) == 0 {
		v.Blast.Envs = nil
	}
	if len(kinds) == 1 {
		for k := range kinds {
			v.Source.Kind = k
		}
	}
	v.Source.Document = fmt.Sprintf("%d stacks", len(judged))
	if f, ok := setBlastRadius(v.Findings, &v.Blast, &p, len(judged)); ok {
		v.Findings = append(v.Findings, f)
	}
	if f, ok := policyWeakened(opts.Weakened); ok {
		v.Findings = append(v.Findings, f)
	}
	v.Fingerprint = StacksFingerprint(v.Stacks)
	applyApprovals(v.Findings, opts.Approvals, v.Fingerprint)
	decisions := map[string]Decision{}
	for i := range v.Stacks {
		s := &v.Stacks[i]
		s.Decision = decide(slices.DeleteFunc(slices.Clone(v.Findings), func(f Finding) bool { return f.Stack != s.Name }))
		decisions[s.Name] = s.Decision
	}
	slices.SortStableFunc(v.Stacks, func(a, b Stack) int { return stackDecisionRank(b.Decision) - stackDecisionRank(a.Decision) })
	rank := map[string]int{}
	for i, s := range v.Stacks {
		rank[s.Name] = i + 1 // whole-change findings (no stack) first
	}
	slices.SortStableFunc(v.Findings, func(a, b Finding) int {
		if c := b.Severity.rank() - a.Severity.rank(); c != 0 {
			return c
		}
		if c := rank[a.Stack] - rank[b.Stack]; c != 0 {
			return c
		}
		if c := strings.Compare(a.Address, b.Address); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	byStack := func(a, b Listed) int { return rank[a.Stack] - rank[b.Stack] }
	slices.SortStableFunc(v.Passed, byStack)
	slices.SortStableFunc(v.Drift, byStack)
	v.Decision = decide(v.Findings)
	return v, nil
}

// addBlast adds one stack's blast radius to the total; a stack that does
// not say how many resources it manages makes the total unknown too.
func addBlast(total, b *Blast, first bool) {
	switch {
	case first:
		total.Managed = b.Managed
	case total.Managed < 0 || b.Managed < 0:
		total.Managed = -1
	default:
		total.Managed += b.Managed
	}
	total.Destructive += b.Destructive
	total.Affected += b.Affected
	for a, n := range b.Actions {
		total.Actions[a] += n
	}
	for name, e := range b.Envs {
		t := total.Envs[name]
		t.Changed += e.Changed
		t.Destructive += e.Destructive
		t.Protected = t.Protected || e.Protected
		total.Envs[name] = t
	}
}

func stackDecisionRank(d Decision) int {
	switch d {
	case Block:
		return 2
	case Warn:
		return 1
	}
	return 0
}

// StackView is the verdict of one stack of v, as Evaluate would give it
// had that stack been judged alone, but with the ids, approvals and
// fingerprint of the whole set: what a report's per-stack section shows.
func (v *Verdict) StackView(name string) Verdict {
	i := slices.IndexFunc(v.Stacks, func(s Stack) bool { return s.Name == name })
	if i < 0 {
		return Verdict{Schema: v.Schema, Decision: Pass, Origin: v.Origin, Findings: []Finding{}, Passed: []Listed{}}
	}
	s := &v.Stacks[i]
	out := Verdict{
		Schema: v.Schema, Decision: s.Decision, Origin: v.Origin, Source: s.Source,
		Fingerprint: v.Fingerprint, Workspace: s.Workspace, Blast: s.Blast,
		Outputs: s.Outputs, Notes: s.Notes, Findings: []Finding{}, Passed: []Listed{},
	}
	for _, f := range v.Findings {
		if f.Stack == name {
			out.Findings = append(out.Findings, f)
		}
	}
	for _, l := range v.Passed {
		if l.Stack == name {
			out.Passed = append(out.Passed, l)
		}
	}
	for _, l := range v.Drift {
		if l.Stack == name {
			out.Drift = append(out.Drift, l)
		}
	}
	return out
}

// setBlastRadius is the blast-radius finding of the whole set, when the
// total crosses the policy's thresholds and no stack's own blast radius
// already blocks (that finding says it first, of the stack to look at).
func setBlastRadius(fs []Finding, total *Blast, p *Policy, stacks int) (Finding, bool) {
	for i := range fs {
		if fs[i].Rule == RuleBlastRadius {
			return Finding{}, false
		}
	}
	e := evaluator{policy: p}
	f, ok := e.blastRadius(total)
	if !ok {
		return Finding{}, false
	}
	f.ID = findingID(RuleBlastRadius, "all stacks", "", "")
	f.Message = strings.Replace(f.Message, "high blast radius: ", fmt.Sprintf("high blast radius over all %d stacks: ", stacks), 1)
	return f, true
}
