// Package verdict judges a change.Set against a policy: it classifies the
// resources, measures the blast radius, lists findings and decides pass,
// warn or block. It renders nothing.
package verdict

import (
	"github.com/rehearse-dev/rehearse/change"
)

// Schema names the JSON form of a Verdict.
const Schema = "rehearse.verdict/v1"

// Decision is the outcome for a whole change.
type Decision string

// The decisions, weakest first.
const (
	Pass  Decision = "pass"
	Warn  Decision = "warn"
	Block Decision = "block"
)

// Severity is the weight of one finding.
type Severity string

// Finding severities.
const (
	SeverityWarn  Severity = "warn"
	SeverityBlock Severity = "block"
)

func (s Severity) rank() int {
	switch s {
	case SeverityBlock:
		return 2
	case SeverityWarn:
		return 1
	}
	return 0
}

// Rule identifiers.
const (
	RuleProtectedDestroy = "protected-destroy"
	RuleObservedDataLoss = "observed-data-loss"
	RuleBlastRadius      = "blast-radius"
	RuleDestroy          = "destroy"
	RuleSpuriousReplace  = "possibly-spurious-replace"
	RuleLikelyRename     = "likely-rename"
	RuleActionInvocation = "action-invocation"
	RuleIncompletePlan   = "incomplete-plan"
)

// Origin says who wrote a change.
type Origin string

// Origins.
const (
	OriginHuman Origin = "human"
	OriginAI    Origin = "ai"
)

// OriginInfo is the origin and what decided it.
type OriginInfo struct {
	Origin    Origin `json:"origin"`
	DecidedBy string `json:"decided_by"`
}

// Options are the per-run inputs of Evaluate besides the Set and policy.
type Options struct {
	Origin    OriginInfo
	Workspace string
	Approvals []Approval
	// Notes are carried into the verdict, e.g. a warning about an old
	// terraform version.
	Notes []string
	// Weakened lists what the repository's policy weakens relative to the
	// trusted base policy (Weakenings): together one blocking finding.
	Weakened []string
	// Policy names the policy that judges, for the report: see
	// Verdict.Policy.
	Policy string
}

// Finding is one thing the verdict flags.
type Finding struct {
	ID string `json:"id"`
	// Stack names the stack of a many-stack verdict the finding is in;
	// "" in a verdict of one change.
	Stack        string              `json:"stack,omitempty"`
	Rule         string              `json:"rule"`
	Severity     Severity            `json:"severity"`
	Address      string              `json:"address,omitempty"`
	Type         string              `json:"type,omitempty"`
	Action       change.Action       `json:"action,omitempty"`
	ReplaceOrder change.ReplaceOrder `json:"replace_order,omitempty"`
	Class        Class               `json:"class,omitempty"`
	Kind         string              `json:"kind,omitempty"`
	Environment  string              `json:"environment,omitempty"`
	// EnvironmentSource says what decided the environment, e.g.
	//
	//	tag env=prod
	//	before tag env=prod
	//	workspace prod
	//	module key "prod"
	//	module name prod_eu
	//	rule #2 (address "aws_*")
	//	workspace dev; protected by tag env=prod
	//
	// the last when one source names the environment and another
	// protects it.
	EnvironmentSource string   `json:"environment_source,omitempty"`
	Protected         bool     `json:"protected,omitempty"`
	Message           string   `json:"message"`
	Evidence          []string `json:"evidence,omitempty"`
	// ReplacePaths are the attributes that forced a replace with their
	// whole values (messages cut long ones); sensitive ones carry none.
	ReplacePaths   []change.AttrChange `json:"replace_paths,omitempty"`
	Recoverability string              `json:"recoverability,omitempty"`
	Hints          []string            `json:"hints,omitempty"`
	Dependents     []string            `json:"dependents,omitempty"`
	// ForcedBy are the configuration addresses of resources this change
	// replaces whose new values force this replace (see forcedBy): the
	// root cause a reviewer should question first.
	ForcedBy      []string         `json:"forced_by,omitempty"`
	Location      *change.Location `json:"location,omitempty"`
	Escalated     bool             `json:"escalated,omitempty"`
	Approval      *Approval        `json:"approval,omitempty"`
	VoidApprovals []Approval       `json:"void_approvals,omitempty"`
}

// Effective is the severity that counts toward the decision: an approved
// finding counts for nothing.
func (f *Finding) Effective() Severity {
	if f.Approval != nil {
		return ""
	}
	return f.Severity
}

// Listed is a change that passes, listed for the record.
type Listed struct {
	Stack       string        `json:"stack,omitempty"`
	Address     string        `json:"address"`
	Action      change.Action `json:"action"`
	Note        string        `json:"note,omitempty"`
	Environment string        `json:"environment,omitempty"`
}

// EnvCount is the blast radius in one environment.
type EnvCount struct {
	Changed     int  `json:"changed"`
	Destructive int  `json:"destructive"`
	Protected   bool `json:"protected"`
}

// Blast is the blast radius of the whole change.
type Blast struct {
	// Managed is the number of resources under management before the
	// change, or -1 when the plan does not say.
	Managed     int                 `json:"managed"`
	Destructive int                 `json:"destructive"`
	Affected    int                 `json:"affected"`
	Share       float64             `json:"share"`
	Actions     map[string]int      `json:"actions"`
	Envs        map[string]EnvCount `json:"environments,omitempty"`
}

// Verdict is the judgement of one change.
type Verdict struct {
	Schema      string                `json:"schema"`
	Decision    Decision              `json:"decision"`
	Origin      OriginInfo            `json:"origin"`
	Source      change.Source         `json:"source"`
	Fingerprint string                `json:"fingerprint"`
	Workspace   string                `json:"workspace,omitempty"`
	Blast       Blast                 `json:"blast_radius"`
	Findings    []Finding             `json:"findings"`
	Passed      []Listed              `json:"passed"`
	Drift       []Listed              `json:"drift,omitempty"`
	Outputs     []change.OutputChange `json:"outputs,omitempty"`
	Notes       []string              `json:"notes,omitempty"`
	// Policy names the policy that judged, so a reader knows which rules
	// the verdict is under: the repository's file over its base
	// ("rehearse.yaml over built-in", "rehearse.yaml over base.yaml") or
	// the base alone ("built-in", or the base file); "" when the caller
	// did not say.
	Policy string `json:"policy,omitempty"`
	// Stacks are the stacks of a many-stack verdict, strongest decision
	// first (see EvaluateStacks); nil for one change.
	Stacks []Stack `json:"stacks,omitempty"`
	// Rollback is whether the change's rollback steps, rehearsed after it
	// in the sandbox, restore what was there before; nil when none were.
	Rollback *change.Rollback `json:"rollback,omitempty"`
}
