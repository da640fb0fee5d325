// Package scenarios is the scenario file format and the three things done
// with scenarios: Replay one and compare its verdict with the expected one,
// Regress a whole library in parallel, and Record a new one from a change.
//
// A scenario names its inputs (a recorded plan, a Terraform directory with
// a state snapshot, or a sandbox environment file) and the verdict it must
// give. The planners produce the change; this package only wires them to
// the verdict and compares.
package scenarios

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/internal/yamlfile"
	"github.com/rehearse-dev/rehearse/verdict"
)

// APIVersion and Kind identify a scenario file.
const (
	APIVersion = "rehearse/v1"
	Kind       = "Scenario"
)

// FileName is the name of a scenario file inside its folder.
const FileName = "scenario.yaml"

// Scenario is one recorded change and the verdict it must give.
type Scenario struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Name       string `yaml:"name"`
	Summary    string `yaml:"summary"`
	// Source links the public incident or write-up the scenario
	// re-creates.
	Source string `yaml:"source,omitempty"`
	// Origin is who wrote the change: ai or human (the default).
	Origin string `yaml:"origin,omitempty"`
	// Terraform is a recorded plan, or a directory and a state snapshot.
	Terraform *Terraform `yaml:"terraform,omitempty"`
	// CloudFormation is a recorded change set.
	CloudFormation *CloudFormation `yaml:"cloudformation,omitempty"`
	// Pulumi is a recorded preview.
	Pulumi *Pulumi `yaml:"pulumi,omitempty"`
	// Containers is the path of a sandbox environment file
	// (kind: Environment) holding the replica and the change steps.
	Containers string `yaml:"containers,omitempty"`
	// Policy is an optional policy file; the built-in policy otherwise.
	Policy string  `yaml:"policy,omitempty"`
	Expect *Expect `yaml:"expect"`

	// File is the path the scenario was read from; the paths inside it
	// are relative to its directory.
	File string `yaml:"-"`
}

// Terraform is the Terraform input of a scenario: either Plan, or Dir with
// an optional State.
type Terraform struct {
	Plan  string `yaml:"plan,omitempty"`
	Dir   string `yaml:"dir,omitempty"`
	State string `yaml:"state,omitempty"`
}

// CloudFormation is the CloudFormation input of a scenario: a change set
// (describe-change-set --output json), or a directory of a root change set
// and its nested stacks'.
type CloudFormation struct {
	ChangeSet string `yaml:"changeset"`
}

// Pulumi is the Pulumi input of a scenario: pulumi preview --json, the
// digest or the streaming events.
type Pulumi struct {
	Preview string `yaml:"preview"`
}

// Expect is the verdict a scenario must give.
type Expect struct {
	Decision verdict.Decision `yaml:"decision" json:"decision"`
	// Findings are all the findings expected, no more and no fewer.
	Findings []ExpectedFinding `yaml:"findings" json:"findings"`
}

// ExpectedFinding names one finding: an address and action, optionally
// the rule. A finding about the whole change (the blast radius) has no
// address and is named by its rule.
type ExpectedFinding struct {
	Address string        `yaml:"address,omitempty" json:"address,omitempty"`
	Action  change.Action `yaml:"action,omitempty" json:"action,omitempty"`
	Rule    string        `yaml:"rule,omitempty" json:"rule,omitempty"`
}

// String is how a diff names the finding.
func (f ExpectedFinding) String() string {
	var s string
	switch {
	case f.Address != "" && f.Action != "":
		s = f.Address + " " + string(f.Action)
	case f.Address != "":
		s = f.Address
	default:
		s = "(whole change)"
	}
	if f.Rule != "" {
		s += " [" + f.Rule + "]"
	}
	return s
}

// Dir is the directory the scenario's paths are relative to.
func (s *Scenario) Dir() string { return filepath.Dir(s.File) }

// Path resolves a path named in the scenario against its directory.
func (s *Scenario) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.Dir(), p)
}

// NeedsDocker reports whether the scenario runs containers.
func (s *Scenario) NeedsDocker() bool { return s.Containers != "" }

// Kinds names the scenario's inputs, e.g. "plan", "dir", "containers" or
// "plan+containers".
func (s *Scenario) Kinds() string {
	var k []string
	if t := s.Terraform; t != nil {
		if t.Plan != "" {
			k = append(k, "plan")
		} else {
			k = append(k, "dir")
		}
	}
	if s.CloudFormation != nil {
		k = append(k, "changeset")
	}
	if s.Pulumi != nil {
		k = append(k, "preview")
	}
	if s.Containers != "" {
		k = append(k, "containers")
	}
	return strings.Join(k, "+")
}

// Load reads and validates a scenario. path is a scenario file or the
// folder that holds one.
func Load(path string) (*Scenario, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, FileName)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse decodes and validates a scenario; file names it in errors and
// anchors the relative paths inside it. It fails closed: unknown keys, a
// wrong apiVersion or kind, a missing expectation or a missing input file
// are errors naming the file and line, never a scenario that checks less
// than it says.
func Parse(file string, data []byte) (*Scenario, error) {
	d, err := yamlfile.Parse(file, data)
	if err != nil {
		return nil, err
	}
	var s Scenario
	if err := d.Decode(&s); err != nil {
		return nil, err
	}
	s.File = file
	if err := s.validate(d); err != nil {
		return nil, err
	}
	return &s, nil
}

var nameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`) })

// validate lists every problem of the scenario at once, each at the line
// of the key it names.
func (s *Scenario) validate(d *yamlfile.Doc) error {
	var ps []yamlfile.Problem
	fail := func(path []any, format string, args ...any) {
		ps = append(ps, yamlfile.Problem{Line: d.Line(path...), Msg: fmt.Sprintf(format, args...)})
	}
	if s.APIVersion != APIVersion {
		fail([]any{"apiVersion"}, "apiVersion is %q, want %q", s.APIVersion, APIVersion)
	}
	if s.Kind != Kind {
		fail([]any{"kind"}, "kind is %q, want %q", s.Kind, Kind)
	}
	if !nameRE().MatchString(s.Name) {
		fail([]any{"name"}, "name %q: want lower-case letters, digits, '.', '_' or '-'", s.Name)
	}
	if strings.TrimSpace(s.Summary) == "" {
		fail([]any{"summary"}, "summary is missing: say in one line what the change does")
	}
	if s.Source != "" {
		if u, err := url.Parse(s.Source); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			fail([]any{"source"}, "source %q is not an http(s) link", s.Source)
		}
	}
	if s.Origin != "" && s.Origin != string(verdict.OriginAI) && s.Origin != string(verdict.OriginHuman) {
		fail([]any{"origin"}, "origin must be ai or human, not %q", s.Origin)
	}
	planned := 0
	for _, in := range []bool{s.Terraform != nil, s.CloudFormation != nil, s.Pulumi != nil} {
		if in {
			planned++
		}
	}
	if planned == 0 && s.Containers == "" {
		fail(nil, "no input: give terraform (plan, or dir and state), cloudformation (changeset), pulumi (preview) and/or containers (an environment file)")
	}
	if planned > 1 {
		fail(nil, "give one of terraform, cloudformation and pulumi, not several")
	}
	if c := s.CloudFormation; c != nil {
		if c.ChangeSet == "" {
			fail([]any{"cloudformation"}, "cloudformation: give changeset (a describe-change-set JSON file, or a directory of nested stacks' change sets)")
		} else if _, err := os.Stat(s.Path(c.ChangeSet)); err != nil {
			fail([]any{"cloudformation", "changeset"}, "cloudformation.changeset: %s: %v", c.ChangeSet, unwrapPathError(err))
		}
	}
	if p := s.Pulumi; p != nil {
		if p.Preview == "" {
			fail([]any{"pulumi"}, "pulumi: give preview (a pulumi preview --json file)")
		} else if err := s.exists(p.Preview, false); err != nil {
			fail([]any{"pulumi", "preview"}, "pulumi.preview: %v", err)
		}
	}
	if t := s.Terraform; t != nil {
		switch {
		case t.Plan != "" && (t.Dir != "" || t.State != ""):
			fail([]any{"terraform"}, "terraform: give either plan or dir (with state), not both")
		case t.Plan == "" && t.Dir == "":
			fail([]any{"terraform"}, "terraform: give plan (a plan JSON file) or dir (a Terraform directory)")
		case t.Plan != "":
			if err := s.exists(t.Plan, false); err != nil {
				fail([]any{"terraform", "plan"}, "terraform.plan: %v", err)
			}
		default:
			if err := s.exists(t.Dir, true); err != nil {
				fail([]any{"terraform", "dir"}, "terraform.dir: %v", err)
			}
			if t.State != "" {
				if err := s.exists(t.State, false); err != nil {
					fail([]any{"terraform", "state"}, "terraform.state: %v", err)
				}
			}
		}
	}
	if s.Containers != "" {
		if err := s.exists(s.Containers, false); err != nil {
			fail([]any{"containers"}, "containers: %v", err)
		}
	}
	if s.Policy != "" {
		if err := s.exists(s.Policy, false); err != nil {
			fail([]any{"policy"}, "policy: %v", err)
		}
	}
	s.validateExpect(fail)
	return d.Err(ps...)
}

func (s *Scenario) validateExpect(fail func([]any, string, ...any)) {
	e := s.Expect
	if e == nil {
		fail(nil, "expect is missing: a scenario must say which decision and findings it gives")
		return
	}
	switch e.Decision {
	case verdict.Pass, verdict.Warn, verdict.Block:
		if e.Decision != verdict.Pass && len(e.Findings) == 0 {
			fail([]any{"expect"}, "expect.findings is empty: a %s decision comes with at least one finding", e.Decision)
		}
	case "":
		fail([]any{"expect"}, "expect.decision is missing: pass, warn or block")
	default:
		fail([]any{"expect", "decision"}, "expect.decision must be pass, warn or block, not %q", e.Decision)
	}
	seen := map[ExpectedFinding]bool{}
	for i, f := range e.Findings {
		at := []any{"expect", "findings", i}
		switch {
		case f.Address == "" && f.Rule == "":
			fail(at, "expect.findings[%d]: give address and action, or the rule of a whole-change finding", i)
		case f.Address != "" && f.Action == "":
			fail(at, "expect.findings[%d]: %s has no action", i, f.Address)
		case f.Address == "" && f.Action != "":
			fail(at, "expect.findings[%d]: action %q without an address", i, f.Action)
		}
		if f.Action != "" && !knownAction(f.Action) {
			fail(at, "expect.findings[%d]: unknown action %q", i, f.Action)
		}
		if f.Rule != "" && !knownRule(f.Rule) {
			fail(at, "expect.findings[%d]: unknown rule %q", i, f.Rule)
		}
		if seen[f] {
			fail(at, "expect.findings[%d]: %s is listed twice", i, f)
		}
		seen[f] = true
	}
}

func knownAction(a change.Action) bool {
	switch a {
	case change.NoOp, change.Create, change.Read, change.Update, change.Delete, change.Replace, change.Forget:
		return true
	}
	return false
}

func knownRule(r string) bool {
	switch r {
	case verdict.RuleProtectedDestroy, verdict.RuleObservedDataLoss, verdict.RuleBlastRadius,
		verdict.RuleDestroy, verdict.RuleSpuriousReplace, verdict.RuleLikelyRename:
		return true
	}
	return false
}

// exists checks that a path named in the scenario is there, and is a
// directory or a file as wanted, so a scenario missing its input fails at
// load time rather than half way through a regression run.
func (s *Scenario) exists(p string, dir bool) error {
	st, err := os.Stat(s.Path(p))
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", p, unwrapPathError(err))
	case dir && !st.IsDir():
		return fmt.Errorf("%s is not a directory", p)
	case !dir && st.IsDir():
		return fmt.Errorf("%s is a directory, want a file", p)
	}
	return nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
