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
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rehearse-dev/rehearse/change"
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
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", file, yamlError(err))
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%s: line 1: empty scenario file", file)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", file, yamlError(err))
	}
	s.File = file
	if err := s.validate(root.Content[0]); err != nil {
		return nil, err
	}
	return &s, nil
}

// yamlError turns yaml.v3's "yaml: unmarshal errors:\n  line 3: …" into
// "line 3: …".
func yamlError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		return errors.New(te.Errors[0])
	}
	return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

func (s *Scenario) validate(root *yaml.Node) error {
	fail := func(path []string, format string, args ...any) error {
		return fmt.Errorf("%s: line %d: %s", s.File, lineOf(root, path...), fmt.Sprintf(format, args...))
	}
	if root.Kind != yaml.MappingNode {
		return fail(nil, "a scenario is a mapping with apiVersion, kind, name, summary, inputs and expect")
	}
	switch {
	case s.APIVersion != APIVersion:
		return fail([]string{"apiVersion"}, "apiVersion is %q, want %q", s.APIVersion, APIVersion)
	case s.Kind != Kind:
		return fail([]string{"kind"}, "kind is %q, want %q", s.Kind, Kind)
	case !nameRE.MatchString(s.Name):
		return fail([]string{"name"}, "name %q: want lower-case letters, digits, '.', '_' or '-'", s.Name)
	case strings.TrimSpace(s.Summary) == "":
		return fail([]string{"summary"}, "summary is missing: say in one line what the change does")
	}
	if s.Source != "" {
		if u, err := url.Parse(s.Source); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fail([]string{"source"}, "source %q is not an http(s) link", s.Source)
		}
	}
	if s.Origin != "" && s.Origin != string(verdict.OriginAI) && s.Origin != string(verdict.OriginHuman) {
		return fail([]string{"origin"}, "origin must be ai or human, not %q", s.Origin)
	}
	planned := 0
	for _, in := range []bool{s.Terraform != nil, s.CloudFormation != nil, s.Pulumi != nil} {
		if in {
			planned++
		}
	}
	if planned == 0 && s.Containers == "" {
		return fail(nil, "no input: give terraform (plan, or dir and state), cloudformation (changeset), pulumi (preview) and/or containers (an environment file)")
	}
	if planned > 1 {
		return fail(nil, "give one of terraform, cloudformation and pulumi, not several")
	}
	if c := s.CloudFormation; c != nil {
		if c.ChangeSet == "" {
			return fail([]string{"cloudformation"}, "cloudformation: give changeset (a describe-change-set JSON file, or a directory of nested stacks' change sets)")
		}
		if _, err := os.Stat(s.Path(c.ChangeSet)); err != nil {
			return fail([]string{"cloudformation", "changeset"}, "cloudformation.changeset: %s: %v", c.ChangeSet, unwrapPathError(err))
		}
	}
	if p := s.Pulumi; p != nil {
		if p.Preview == "" {
			return fail([]string{"pulumi"}, "pulumi: give preview (a pulumi preview --json file)")
		}
		if err := s.exists(p.Preview, false); err != nil {
			return fail([]string{"pulumi", "preview"}, "pulumi.preview: %v", err)
		}
	}
	if t := s.Terraform; t != nil {
		switch {
		case t.Plan != "" && (t.Dir != "" || t.State != ""):
			return fail([]string{"terraform"}, "terraform: give either plan or dir (with state), not both")
		case t.Plan == "" && t.Dir == "":
			return fail([]string{"terraform"}, "terraform: give plan (a plan JSON file) or dir (a Terraform directory)")
		case t.Plan != "":
			if err := s.exists(t.Plan, false); err != nil {
				return fail([]string{"terraform", "plan"}, "terraform.plan: %v", err)
			}
		default:
			if err := s.exists(t.Dir, true); err != nil {
				return fail([]string{"terraform", "dir"}, "terraform.dir: %v", err)
			}
			if t.State != "" {
				if err := s.exists(t.State, false); err != nil {
					return fail([]string{"terraform", "state"}, "terraform.state: %v", err)
				}
			}
		}
	}
	if s.Containers != "" {
		if err := s.exists(s.Containers, false); err != nil {
			return fail([]string{"containers"}, "containers: %v", err)
		}
	}
	if s.Policy != "" {
		if err := s.exists(s.Policy, false); err != nil {
			return fail([]string{"policy"}, "policy: %v", err)
		}
	}
	return s.validateExpect(root, fail)
}

func (s *Scenario) validateExpect(root *yaml.Node, fail func([]string, string, ...any) error) error {
	e := s.Expect
	if e == nil {
		return fail(nil, "expect is missing: a scenario must say which decision and findings it gives")
	}
	switch e.Decision {
	case verdict.Pass, verdict.Warn, verdict.Block:
	case "":
		return fail([]string{"expect"}, "expect.decision is missing: pass, warn or block")
	default:
		return fail([]string{"expect", "decision"}, "expect.decision must be pass, warn or block, not %q", e.Decision)
	}
	if e.Decision != verdict.Pass && len(e.Findings) == 0 {
		return fail([]string{"expect"}, "expect.findings is empty: a %s decision comes with at least one finding", e.Decision)
	}
	seen := map[ExpectedFinding]bool{}
	for i, f := range e.Findings {
		at := []string{"expect", "findings", fmt.Sprint(i)}
		switch {
		case f.Address == "" && f.Rule == "":
			return fail(at, "expect.findings[%d]: give address and action, or the rule of a whole-change finding", i)
		case f.Address != "" && f.Action == "":
			return fail(at, "expect.findings[%d]: %s has no action", i, f.Address)
		case f.Address == "" && f.Action != "":
			return fail(at, "expect.findings[%d]: action %q without an address", i, f.Action)
		}
		if f.Action != "" && !knownAction(f.Action) {
			return fail(at, "expect.findings[%d]: unknown action %q", i, f.Action)
		}
		if f.Rule != "" && !knownRule(f.Rule) {
			return fail(at, "expect.findings[%d]: unknown rule %q", i, f.Rule)
		}
		if seen[f] {
			return fail(at, "expect.findings[%d]: %s is listed twice", i, f)
		}
		seen[f] = true
	}
	return nil
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

// lineOf finds the line of a key path in a mapping (numeric parts index
// sequences); it falls back to the deepest node found.
func lineOf(n *yaml.Node, path ...string) int {
	line := n.Line
	for _, key := range path {
		switch n.Kind {
		case yaml.MappingNode:
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					line, n, found = n.Content[i].Line, n.Content[i+1], true
					break
				}
			}
			if !found {
				return line
			}
		case yaml.SequenceNode:
			var i int
			if _, err := fmt.Sscan(key, &i); err != nil || i < 0 || i >= len(n.Content) {
				return line
			}
			n = n.Content[i]
			line = n.Line
		default:
			return line
		}
	}
	return line
}
