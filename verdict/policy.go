package verdict

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
)

// PolicyAPIVersion is the only policy format this version reads.
const PolicyAPIVersion = "rehearse/v1"

//go:embed default.yaml
var defaultPolicyYAML []byte

// DefaultPolicyYAML returns the built-in policy as a commented YAML file,
// what `rehearse policy init` writes.
func DefaultPolicyYAML() []byte { return bytes.Clone(defaultPolicyYAML) }

// Policy says what is an environment, what is protected, and when a change
// is held.
type Policy struct {
	APIVersion   string         `yaml:"apiVersion" json:"apiVersion"`
	Kind         string         `yaml:"kind" json:"kind"`
	Environments Environments   `yaml:"environments" json:"environments"`
	Types        Types          `yaml:"types" json:"types"`
	Thresholds   Thresholds     `yaml:"thresholds" json:"thresholds"`
	Origin       OriginPolicy   `yaml:"origin" json:"origin"`
	Approvals    ApprovalPolicy `yaml:"approvals" json:"approvals"`
	Guard        GuardPolicy    `yaml:"guard" json:"guard"`
}

// Environments configures environment detection.
type Environments struct {
	Keys      []string `yaml:"keys" json:"keys"`
	Protected []string `yaml:"protected" json:"protected"`
	// Match says how a value names an environment: MatchToken (the
	// default: prod-eu-west-1 and euProd are prod) or MatchExact (the
	// whole value, in any case).
	Match           string    `yaml:"match" json:"match"`
	FromModuleNames bool      `yaml:"from_module_names" json:"from_module_names"`
	Rules           []EnvRule `yaml:"rules" json:"rules"`
}

// EnvRule assigns an environment to resources whose address or module
// matches a glob (see globMatch: "*" matches any run of characters).
type EnvRule struct {
	Address     string `yaml:"address,omitempty" json:"address,omitempty"`
	Module      string `yaml:"module,omitempty" json:"module,omitempty"`
	Environment string `yaml:"environment" json:"environment"`
}

// Types extends or trims the built-in catalogue.
type Types struct {
	DataBearing      []string `yaml:"data_bearing" json:"data_bearing"`
	EnvironmentRoots []string `yaml:"environment_roots" json:"environment_roots"`
	Ignore           []string `yaml:"ignore" json:"ignore"`
}

// Thresholds decide when a change is high-blast-radius.
type Thresholds struct {
	MaxDestructive         int     `yaml:"max_destructive" json:"max_destructive"`
	MaxDestructiveShare    float64 `yaml:"max_destructive_share" json:"max_destructive_share"`
	MinDestructiveForShare int     `yaml:"min_destructive_for_share" json:"min_destructive_for_share"`
}

// OriginPolicy says how the origin of a change changes the outcome and how
// --origin auto recognizes an AI-originated change.
type OriginPolicy struct {
	AIEscalates bool     `yaml:"ai_escalates" json:"ai_escalates"`
	Trailers    []string `yaml:"trailers" json:"trailers"`
	Agents      []string `yaml:"agents" json:"agents"`
	// Unknown is the origin when --origin auto finds no commit marked
	// either way: OriginHuman (the default) or OriginAI.
	Unknown Origin `yaml:"unknown" json:"unknown"`
}

// DefaultPolicy returns the built-in policy.
func DefaultPolicy() Policy {
	p, err := ParsePolicy("built-in policy", defaultPolicyYAML)
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return p
}

// LoadPolicy reads a policy file. Keys the file leaves out keep their
// built-in defaults.
func LoadPolicy(file string) (Policy, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return Policy{}, fmt.Errorf("policy: %w", err)
	}
	return ParsePolicy(file, b)
}

// ParsePolicy parses policy YAML named name onto the defaults.
func ParsePolicy(name string, b []byte) (Policy, error) {
	var base Policy
	if name != "built-in policy" {
		base = DefaultPolicy()
	}
	return ParsePolicyOver(base, name, b)
}

func (p *Policy) validate() error {
	if p.APIVersion != PolicyAPIVersion {
		return fmt.Errorf("unsupported apiVersion %q (want %q)", p.APIVersion, PolicyAPIVersion)
	}
	if p.Kind != "Policy" {
		return fmt.Errorf("kind is %q, want \"Policy\"", p.Kind)
	}
	if err := p.Approvals.validate(); err != nil {
		return err
	}
	if err := p.Guard.validate(); err != nil {
		return err
	}
	if p.Thresholds.MaxDestructive < 0 || p.Thresholds.MaxDestructiveShare < 0 || p.Thresholds.MaxDestructiveShare > 1 {
		return errors.New("thresholds: max_destructive must be ≥ 0 and max_destructive_share within 0..1")
	}
	if m := p.Environments.Match; m != MatchToken && m != MatchExact {
		return fmt.Errorf("environments.match: %q is neither %q nor %q", m, MatchToken, MatchExact)
	}
	for i, r := range p.Environments.Rules {
		if r.Environment == "" || (r.Address == "" && r.Module == "") {
			return fmt.Errorf("environments.rules[%d]: needs environment and address or module", i)
		}
		for _, g := range []string{r.Address, r.Module} {
			if err := checkGlob(g); err != nil {
				return fmt.Errorf("environments.rules[%d]: bad glob %q: %w", i, g, err)
			}
		}
	}
	if u := p.Origin.Unknown; u != OriginAI && u != OriginHuman {
		return fmt.Errorf("origin.unknown: %q is neither %q nor %q", u, OriginAI, OriginHuman)
	}
	return nil
}

// Catalogue returns the built-in catalogue with the policy's changes.
func (p *Policy) Catalogue() Catalogue {
	c := DefaultCatalogue()
	for _, t := range p.Types.DataBearing {
		c[t] = Entry{Class: DataBearing, Kind: "data (policy)"}
	}
	for _, t := range p.Types.EnvironmentRoots {
		c[t] = Entry{Class: EnvironmentRoot, Kind: "environment root (policy)"}
	}
	for _, t := range p.Types.Ignore {
		delete(c, t)
	}
	return c
}

// Protected reports whether env names a protected environment: as a
// token of it by default (prod-eu-west-1 is prod), or the whole of it in
// any case with environments.match: exact.
func (p *Policy) Protected(env string) bool {
	_, ok := p.protectedName(env)
	return ok
}
