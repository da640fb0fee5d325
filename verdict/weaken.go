package verdict

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rehearse-dev/rehearse/internal/yamlfile"
)

// RulePolicyWeakened is a repository policy that weakens the base policy.
const RulePolicyWeakened = "policy-weakened"

// ParsePolicyOver parses a repository's policy YAML onto a trusted base
// policy: keys the file leaves out keep the base's values. The base is not
// modified.
//
// Every error is a *yamlfile.Error: the file, the line and the key.
func ParsePolicyOver(base Policy, name string, b []byte) (Policy, error) {
	d, err := yamlfile.Parse(name, b)
	if err != nil {
		return Policy{}, err
	}
	p := base.clone()
	if err := d.Decode(&p); err != nil {
		return Policy{}, err
	}
	if err := p.validate(); err != nil {
		return Policy{}, d.Err(problemAt(d, err))
	}
	return p, nil
}

// keyPath is the key path a validation message starts with, as
// "guard.rules[2]: …" or "thresholds: …" do.
var (
	keyPath = regexp.MustCompile(`^[A-Za-z_]+(?:\.[A-Za-z_]+|\[\d+\])*: `)
	keyPart = regexp.MustCompile(`[A-Za-z_]+|\[(\d+)\]`)
)

// problemAt places a validation error at the line of the key it names.
func problemAt(d *yamlfile.Doc, err error) yamlfile.Problem {
	msg := err.Error()
	var path []any
	switch {
	case strings.HasPrefix(msg, "unsupported apiVersion"):
		path = []any{"apiVersion"}
	case strings.HasPrefix(msg, "kind is"):
		path = []any{"kind"}
	default:
		for _, m := range keyPart.FindAllStringSubmatch(keyPath.FindString(msg), -1) {
			if i, err := strconv.Atoi(m[1]); err == nil {
				path = append(path, i)
			} else {
				path = append(path, m[0])
			}
		}
	}
	return yamlfile.Problem{Line: d.Line(path...), Msg: msg}
}

// clone copies the policy's lists, so decoding onto the copy (which
// reuses a list's storage) leaves the original as it was.
func (p Policy) clone() Policy {
	p.Environments.Keys = slices.Clone(p.Environments.Keys)
	p.Environments.Protected = slices.Clone(p.Environments.Protected)
	p.Environments.Rules = slices.Clone(p.Environments.Rules)
	p.Types.DataBearing = slices.Clone(p.Types.DataBearing)
	p.Types.EnvironmentRoots = slices.Clone(p.Types.EnvironmentRoots)
	p.Types.Ignore = slices.Clone(p.Types.Ignore)
	p.Origin.Trailers = slices.Clone(p.Origin.Trailers)
	p.Origin.Agents = slices.Clone(p.Origin.Agents)
	p.Guard.Rules = slices.Clone(p.Guard.Rules)
	p.Guard.Ignore = slices.Clone(p.Guard.Ignore)
	p.Guard.WrapperWords = slices.Clone(p.Guard.WrapperWords)
	return p
}

// Weakenings lists what policy p protects less than base does, one entry
// per weakened key, e.g. `environments.protected: "prod" removed`. The
// repository's policy comes with the change, so it may add protection but
// not take any away without a human approving that: each weakening is a
// blocking finding.
func Weakenings(base, p Policy) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	removed := func(key string, from, to []string) {
		for _, v := range from {
			if !slices.ContainsFunc(to, func(w string) bool { return strings.EqualFold(v, w) }) {
				add("%s: %q removed", key, v)
			}
		}
	}
	be, pe := base.Environments, p.Environments
	removed("environments.protected", be.Protected, pe.Protected)
	removed("environments.keys", be.Keys, pe.Keys)
	if be.Match == MatchToken && pe.Match == MatchExact {
		add("environments.match: %s → %s (prod-eu-west-1 would no longer be prod)", be.Match, pe.Match)
	}
	if be.FromModuleNames && !pe.FromModuleNames {
		add("environments.from_module_names: true → false")
	}
	for i, r := range pe.Rules {
		if slices.Contains(be.Rules, r) || p.Protected(r.Environment) {
			continue
		}
		add("environments.rules[%d]: assigns unprotected environment %q to %s", i, r.Environment, ruleTarget(r))
	}
	for _, r := range be.Rules {
		if !slices.Contains(pe.Rules, r) && base.Protected(r.Environment) {
			add("environments.rules: rule %s → %q removed", ruleTarget(r), r.Environment)
		}
	}
	removed("types.data_bearing", base.Types.DataBearing, p.Types.DataBearing)
	removed("types.environment_roots", base.Types.EnvironmentRoots, p.Types.EnvironmentRoots)
	for _, t := range p.Types.Ignore {
		if !slices.Contains(base.Types.Ignore, t) {
			add("types.ignore: %q added", t)
		}
	}
	bt, pt := base.Thresholds, p.Thresholds
	if pt.MaxDestructive > bt.MaxDestructive {
		add("thresholds.max_destructive: %d → %d", bt.MaxDestructive, pt.MaxDestructive)
	}
	if pt.MaxDestructiveShare > bt.MaxDestructiveShare {
		add("thresholds.max_destructive_share: %g → %g", bt.MaxDestructiveShare, pt.MaxDestructiveShare)
	}
	if pt.MinDestructiveForShare > bt.MinDestructiveForShare {
		add("thresholds.min_destructive_for_share: %d → %d", bt.MinDestructiveForShare, pt.MinDestructiveForShare)
	}
	if base.Origin.AIEscalates && !p.Origin.AIEscalates {
		add("origin.ai_escalates: true → false")
	}
	removed("origin.trailers", base.Origin.Trailers, p.Origin.Trailers)
	removed("origin.agents", base.Origin.Agents, p.Origin.Agents)
	out = append(out, weakerOrigin(base, p)...)
	out = append(out, weakerApprovals(base, p)...)
	out = append(out, GuardWeakenings(base, p)...)
	return out
}

func ruleTarget(r EnvRule) string {
	if r.Address != "" {
		return fmt.Sprintf("address %q", r.Address)
	}
	return fmt.Sprintf("module %q", r.Module)
}

// policyWeakened is the finding for a repository policy that weakens the
// base: it blocks, names each weakened key, and is approved like any other
// block. Its id covers the weakenings, so an approval of one weakening
// does not pass another.
func policyWeakened(weakened []string) (Finding, bool) {
	if len(weakened) == 0 {
		return Finding{}, false
	}
	keys := slices.Clone(weakened)
	slices.Sort(keys)
	return Finding{
		ID: findingID(append([]string{RulePolicyWeakened}, keys...)...), Rule: RulePolicyWeakened, Severity: SeverityBlock,
		Message:  fmt.Sprintf("the repository's policy weakens the base policy (%d key(s)): it comes with the change, so a human must approve that", len(keys)),
		Evidence: keys,
	}, true
}
