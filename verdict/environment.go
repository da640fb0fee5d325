package verdict

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
)

// wellKnownEnvs are environment names recognized in module names and
// instance keys even when they are not protected, so a staging module is
// reported as staging.
var wellKnownEnvs = []string{"staging", "stage", "stg", "dev", "development", "test", "qa", "uat", "sandbox", "preprod"}

// The sources of an environment, strongest first.
const (
	rankRule = iota
	rankWorkspace
	rankTag
	rankAddress
)

// claim is one source's say on where a resource lives.
type claim struct {
	env       string
	source    string // e.g. "tag env=prod", "workspace prod", "rule #2 (address \"aws_*\")"
	rank      int
	protected bool
	before    bool // a tag of the object before the change
	keyIndex  int  // which of the policy's keys, for tags
	key       string
	pos       int // position in the address, for module names and keys
}

// placement is where a resource lives and what says so.
type placement struct {
	// Env is the environment's name, from the strongest source that
	// names one; Source is that source.
	Env, Source string
	// Protected is whether the resource is in a protected environment;
	// ProtectedBy names the source that protects it when that is not
	// Source (a prod tag on a resource in workspace dev).
	Protected   bool
	ProtectedBy string
}

// line is the evidence line that says where the resource lives.
func (pl placement) line() string {
	if pl.Env == "" {
		return ""
	}
	return "environment " + pl.Env + " from " + pl.source()
}

// source is what decided the environment, for Finding.EnvironmentSource.
func (pl placement) source() string {
	if pl.ProtectedBy != "" {
		return pl.Source + "; protected by " + pl.ProtectedBy
	}
	return pl.Source
}

// Environment returns the environment a resource belongs to and what
// decided it, or "" when nothing says. See place for the precedence.
func (p *Policy) Environment(r *change.Resource, workspace string) (env, source string) {
	pl := p.place(r, workspace)
	return pl.Env, pl.Source
}

// place decides where a resource lives.
//
// The name comes from the strongest source that gives one: the policy's
// rules (first match), then an explicit workspace (--workspace, or the one
// the plan was made in; "default" says nothing), then the resource's tags or
// labels, then module names and instance keys (module.prod_eu,
// module.env["production"], aws_vpc.main["prd"]), the weakest: a guess.
//
// Protection is never lowered by that order for a delete or replace: the
// resource is protected when any source says so, whichever named it. A
// rule or a workspace decides the name, but a protected tag is the
// resource's own statement and still protects it, on either side of the
// change (its old tags or its new ones; new tags known only after apply
// leave the old ones to speak). Only the module-name guesses give way: an
// explicit rule or workspace overrides them, so module.live_chat in
// workspace dev is dev and not protected. For other actions the name's
// source alone says whether it is protected.
//
// Tags are read key by key in sorted order, every key that matches a
// policy key in any case (env and ENV both count); when they disagree the
// protected value wins, then the policy's key order, then the new side
// over the old, then the key's byte order: so the choice never depends on
// map order.
func (p *Policy) place(r *change.Resource, workspace string) placement {
	return p.placeIn(r, workspace, "")
}

// placeIn is place for a change to a CloudFormation or Pulumi stack: the
// stack's name (orders-prod) is a guess as weak as a module name.
func (p *Policy) placeIn(r *change.Resource, workspace, stack string) placement {
	destructive := r.Action.Destructive() || r.Observed.DataLost()
	var claims []claim
	if c, ok := p.ruleClaim(r); ok {
		claims = append(claims, c)
	}
	if workspace != "" && workspace != "default" {
		_, prot := p.protectedName(workspace)
		claims = append(claims, claim{env: workspace, source: "workspace " + workspace, rank: rankWorkspace, protected: prot})
	}
	claims = append(claims, p.tagClaims(r, destructive)...)
	if p.Environments.FromModuleNames {
		claims = append(claims, p.addressClaims(r.Address)...)
	}
	if stack != "" {
		if env, prot := p.guessName(stack, false); env != "" {
			claims = append(claims, claim{env: env, source: "stack name " + stack, rank: rankAddress, protected: prot, pos: -1})
		}
	}
	if len(claims) == 0 {
		return placement{}
	}
	slices.SortFunc(claims, func(a, b claim) int { return compareClaims(a, b, destructive) })
	best := claims[0]
	pl := placement{Env: best.env, Source: best.source, Protected: best.protected}
	if !destructive || pl.Protected {
		return pl
	}
	explicit := best.rank <= rankWorkspace
	for _, c := range claims[1:] {
		if c.protected && !(explicit && c.rank == rankAddress) {
			pl.Protected, pl.ProtectedBy = true, c.source
			break
		}
	}
	return pl
}

// compareClaims orders claims by rank, then protected first, then (for
// tags) the policy's key order and the new side over the old (for a
// change that does not destroy, the new side first of all), then the tag
// key or the position in the address.
func compareClaims(a, b claim, destructive bool) int {
	if c := cmp.Compare(a.rank, b.rank); c != 0 {
		return c
	}
	if !destructive && a.before != b.before {
		return boolFirst(!a.before, !b.before)
	}
	if c := boolFirst(a.protected, b.protected); c != 0 {
		return c
	}
	if c := cmp.Compare(a.keyIndex, b.keyIndex); c != 0 {
		return c
	}
	if c := boolFirst(!a.before, !b.before); c != 0 {
		return c
	}
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	if c := cmp.Compare(a.pos, b.pos); c != 0 {
		return c
	}
	return strings.Compare(a.env, b.env)
}

// boolFirst orders true before false.
func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

func (p *Policy) ruleClaim(r *change.Resource) (claim, bool) {
	module := ""
	if strings.HasPrefix(r.Address, "module.") {
		module = change.ModulePath(r.Address)
	}
	for i, rule := range p.Environments.Rules {
		var by string
		switch {
		case rule.Address != "" && globMatch(rule.Address, r.Address):
			by = fmt.Sprintf("rule #%d (address %q)", i+1, rule.Address)
		case rule.Module != "" && module != "" && globMatch(rule.Module, module):
			by = fmt.Sprintf("rule #%d (module %q)", i+1, rule.Module)
		default:
			continue
		}
		_, prot := p.protectedName(rule.Environment)
		return claim{env: rule.Environment, source: by, rank: rankRule, protected: prot}, true
	}
	return claim{}, false
}

// tagClaims reads the policy's keys from both sides' tags. The old side
// counts for a delete or replace, and for any change whose new tags are
// known only after apply or do not say.
func (p *Policy) tagClaims(r *change.Resource, destructive bool) []claim {
	noun := tagNoun(r.Type)
	out := p.sideClaims(r.Labels, noun, false)
	if destructive || r.LabelsUnknown || len(out) == 0 {
		out = append(out, p.sideClaims(r.BeforeLabels, "before "+noun, true)...)
	}
	if destructive && r.LabelsSensitive {
		// Tags marked sensitive (tags = sensitive({env = "prod"})) hide
		// where the object lives: that cannot lower protection, so it
		// counts as protected, without showing the values.
		out = append(out, claim{env: "(sensitive)", source: "sensitive " + noun + "s (their values are hidden, so they are taken to protect)", rank: rankTag, protected: true, keyIndex: len(p.Environments.Keys)})
	}
	return out
}

func (p *Policy) sideClaims(labels map[string]string, noun string, before bool) []claim {
	if len(labels) == 0 {
		return nil
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []claim
	for _, k := range keys {
		v := labels[k]
		if v == "" {
			continue
		}
		idx := slices.IndexFunc(p.Environments.Keys, func(key string) bool { return strings.EqualFold(key, k) })
		if idx < 0 {
			continue
		}
		_, prot := p.protectedName(v)
		out = append(out, claim{env: v, source: noun + " " + k + "=" + v, rank: rankTag, protected: prot, before: before, keyIndex: idx, key: k})
	}
	return out
}

// tagNoun is what the provider calls a resource's key-value metadata.
func tagNoun(typ string) string {
	for _, prefix := range []string{"google_", "kubernetes_", "kubectl_", "helm_", "docker_"} {
		if strings.HasPrefix(typ, prefix) {
			return "label"
		}
	}
	return "tag"
}

// addressClaims guesses from module names and the instance keys of modules
// and of the resource itself.
func (p *Policy) addressClaims(addr string) []claim {
	var out []claim
	for i, part := range addressParts(addr) {
		if part.module {
			if env, prot := p.guessName(part.name, false); env != "" {
				out = append(out, claim{env: env, source: "module name " + part.name, rank: rankAddress, protected: prot, pos: 2 * i})
			}
		}
		if part.key != "" {
			noun := "instance key "
			if part.module {
				noun = "module key "
			}
			if env, prot := p.guessName(part.key, true); env != "" {
				out = append(out, claim{env: env, source: noun + fmt.Sprintf("%q", part.key), rank: rankAddress, protected: prot, pos: 2*i + 1})
			}
		}
	}
	return out
}
