package verdict

import (
	"cmp"
	"fmt"
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
	return newPlacer(p).placeIn(r, workspace, "")
}

// placeIn is place for a change to a CloudFormation or Pulumi stack: the
// stack's name (orders-prod) is a guess as weak as a module name.
func (p *Policy) placeIn(r *change.Resource, workspace, stack string) placement {
	return newPlacer(p).placeIn(r, workspace, stack)
}

// placer places the resources of one evaluation under one policy.
//
// It exists for speed: on a plan of 100,000 resources the same few
// hundred values (module names, tag values, instance keys) come back on
// every resource, and matching each against the environment names,
// splitting the address and building the claims' source text was most
// of Evaluate's time and allocation. So the placer remembers, per
// evaluation, the results of pure functions of the policy and a string.
// The policy does not change while a placer lives (Evaluate judges its
// own copy), and every memo holds exactly what the function it stands
// for returns for its key, so a lookup is the call. A placer belongs to
// one evaluation, never shared: Evaluate runs concurrently for several
// stacks, and nothing here is global.
type placer struct {
	p     *Policy
	names *nameTokens // the environment names' tokens, for the values not yet seen

	protected map[string]nameGuess    // value → protectedName(value)
	guessed   [2]map[string]nameGuess // s → guessName(s, isKey), indexed by isKey
	// modules maps a module path (module.a["x"].module.b) to the claims
	// addressClaims makes from its module names and keys: they depend on
	// those segments and their positions alone, and the positions of a
	// module path's parts are the same in every address that starts with
	// it (it is the address's leading run of module calls).
	modules map[string][]claim
	// keys maps a resource's instance key to its claim ("instance key"),
	// pos left for the caller; env "" when the key names nothing.
	keys map[string]claim
	// tags maps a tag (its side's noun, key and value) to its claim's
	// source and protection.
	tags map[tagKey]tagClaim
	// ruleBy are the rules' source texts, by rule and then address (0) or
	// module (1); "" until needed.
	ruleBy [][2]string

	// The workspace and the stack are the same for every resource of an
	// evaluation: their claims are made once.
	workspace      string
	workspaceClaim claim
	stack          string
	stackClaim     claim
}

type nameGuess struct {
	env       string
	protected bool
}

type tagKey struct{ noun, key, value string }

type tagClaim struct {
	source    string
	protected bool
}

func newPlacer(p *Policy) *placer {
	return &placer{
		p:         p,
		names:     p.nameTokens(),
		protected: map[string]nameGuess{},
		guessed:   [2]map[string]nameGuess{{}, {}},
		modules:   map[string][]claim{},
		keys:      map[string]claim{},
		tags:      map[tagKey]tagClaim{},
		ruleBy:    make([][2]string, len(p.Environments.Rules)),
	}
}

// protectedName is Policy.protectedName, remembered.
func (pc *placer) protectedName(value string) (string, bool) {
	if g, ok := pc.protected[value]; ok {
		return g.env, g.protected
	}
	env, prot := pc.p.protectedNameIn(pc.names, value, pc.p.valueTokens(value))
	pc.protected[value] = nameGuess{env, prot}
	return env, prot
}

// guessName is Policy.guessName, remembered.
func (pc *placer) guessName(s string, isKey bool) (string, bool) {
	m := pc.guessed[0]
	if isKey {
		m = pc.guessed[1]
	}
	if g, ok := m[s]; ok {
		return g.env, g.protected
	}
	env, prot := pc.p.guessNameIn(pc.names, s, isKey)
	m[s] = nameGuess{env, prot}
	return env, prot
}

// placeIn decides where a resource lives: see Policy.place.
func (pc *placer) placeIn(r *change.Resource, workspace, stack string) placement {
	destructive := r.Action.Destructive() || r.Observed.DataLost()
	// A resource has a handful of claims: room for them without the heap.
	var buf [8]claim
	claims := buf[:0]
	if c, ok := pc.ruleClaim(r); ok {
		claims = append(claims, c)
	}
	if workspace != "" && workspace != "default" {
		if workspace != pc.workspace {
			_, prot := pc.protectedName(workspace)
			pc.workspace = workspace
			pc.workspaceClaim = claim{env: workspace, source: "workspace " + workspace, rank: rankWorkspace, protected: prot}
		}
		claims = append(claims, pc.workspaceClaim)
	}
	claims = pc.tagClaims(claims, r, destructive)
	if pc.p.Environments.FromModuleNames {
		claims = pc.addressClaims(claims, r.Address)
	}
	if stack != "" {
		if stack != pc.stack {
			pc.stack, pc.stackClaim = stack, claim{}
			if env, prot := pc.guessName(stack, false); env != "" {
				pc.stackClaim = claim{env: env, source: "stack name " + stack, rank: rankAddress, protected: prot, pos: -1}
			}
		}
		if pc.stackClaim.env != "" {
			claims = append(claims, pc.stackClaim)
		}
	}
	if len(claims) == 0 {
		return placement{}
	}
	// The claims in compareClaims order, as if sorted, without sorting:
	// no two claims of one resource compare equal (one rule, one
	// workspace, one claim per tag key and side, one per address
	// position, the stack's at position -1), so the order is strict and
	// the claim a sort puts first is the least one, whatever order they
	// were made in (a map's, for tags).
	bi := 0
	for i := 1; i < len(claims); i++ {
		if compareClaims(claims[i], claims[bi], destructive) < 0 {
			bi = i
		}
	}
	best := claims[bi]
	pl := placement{Env: best.env, Source: best.source, Protected: best.protected}
	if !destructive || pl.Protected {
		return pl
	}
	// The first claim after the best in that order that protects (the
	// best does not) is the least of those.
	explicit := best.rank <= rankWorkspace
	by := -1
	for i := range claims {
		c := &claims[i]
		if i == bi || !c.protected || (explicit && c.rank == rankAddress) {
			continue
		}
		if by < 0 || compareClaims(*c, claims[by], destructive) < 0 {
			by = i
		}
	}
	if by >= 0 {
		pl.Protected, pl.ProtectedBy = true, claims[by].source
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

func (pc *placer) ruleClaim(r *change.Resource) (claim, bool) {
	rules := pc.p.Environments.Rules
	if len(rules) == 0 {
		return claim{}, false
	}
	module := ""
	if strings.HasPrefix(r.Address, "module.") {
		module = change.ModulePath(r.Address)
	}
	for i, rule := range rules {
		by := &pc.ruleBy[i]
		switch {
		case rule.Address != "" && globMatch(rule.Address, r.Address):
			if by[0] == "" {
				by[0] = fmt.Sprintf("rule #%d (address %q)", i+1, rule.Address)
			}
			_, prot := pc.protectedName(rule.Environment)
			return claim{env: rule.Environment, source: by[0], rank: rankRule, protected: prot}, true
		case rule.Module != "" && module != "" && globMatch(rule.Module, module):
			if by[1] == "" {
				by[1] = fmt.Sprintf("rule #%d (module %q)", i+1, rule.Module)
			}
			_, prot := pc.protectedName(rule.Environment)
			return claim{env: rule.Environment, source: by[1], rank: rankRule, protected: prot}, true
		}
	}
	return claim{}, false
}

// tagClaims appends the claims of the policy's keys in both sides' tags.
// The old side counts for a delete or replace, and for any change whose
// new tags are known only after apply or do not say.
func (pc *placer) tagClaims(dst []claim, r *change.Resource, destructive bool) []claim {
	noun, beforeNoun := tagNouns(r.Type)
	n := len(dst)
	dst = pc.sideClaims(dst, r.Labels, noun, false)
	if destructive || r.LabelsUnknown || len(dst) == n {
		dst = pc.sideClaims(dst, r.BeforeLabels, beforeNoun, true)
	}
	if destructive && r.LabelsSensitive {
		// Tags marked sensitive (tags = sensitive({env = "prod"})) hide
		// where the object lives: that cannot lower protection, so it
		// counts as protected, without showing the values.
		dst = append(dst, claim{env: "(sensitive)", source: "sensitive " + noun + "s (their values are hidden, so they are taken to protect)", rank: rankTag, protected: true, keyIndex: len(pc.p.Environments.Keys)})
	}
	return dst
}

// sideClaims appends a claim for every tag whose key is one of the
// policy's, in any case, and whose value is not empty. They come in map
// order: placeIn's choice does not depend on the order (see there), so
// the keys are not sorted.
func (pc *placer) sideClaims(dst []claim, labels map[string]string, noun string, before bool) []claim {
	keys := pc.p.Environments.Keys
	for k, v := range labels {
		if v == "" {
			continue
		}
		idx := -1
		for i, key := range keys {
			if strings.EqualFold(key, k) {
				idx = i
				break
			}
		}
		if idx < 0 {
			continue
		}
		tk := tagKey{noun, k, v}
		tc, ok := pc.tags[tk]
		if !ok {
			_, prot := pc.protectedName(v)
			tc = tagClaim{source: noun + " " + k + "=" + v, protected: prot}
			pc.tags[tk] = tc
		}
		dst = append(dst, claim{env: v, source: tc.source, rank: rankTag, protected: tc.protected, before: before, keyIndex: idx, key: k})
	}
	return dst
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

// tagNouns is tagNoun and the noun of the old side's tags ("before "
// and it), a constant rather than a string built per resource.
func tagNouns(typ string) (noun, before string) {
	if tagNoun(typ) == "label" {
		return "label", "before label"
	}
	return "tag", "before tag"
}

// addressClaims appends the guesses from module names and the instance
// keys of modules and of the resource itself, as addressPart orders them:
// the address's leading module calls (its module path) from the modules
// memo, then the rest, the resource's own key from the keys memo.
func (pc *placer) addressClaims(dst []claim, addr string) []claim {
	end, n := change.ModulePrefix(addr)
	start := 0
	if n > 0 {
		mod := addr[:end]
		cs, ok := pc.modules[mod]
		if !ok {
			// The parts of the module path are the address's first n
			// parts: it is their segments, split the same way.
			var pbuf [4]addressPart
			for i, part := range appendAddressParts(pbuf[:0], mod, 0) {
				cs = pc.partClaims(cs, part, i)
			}
			pc.modules[mod] = cs
		}
		dst = append(dst, cs...)
		if end == len(addr) {
			return dst
		}
		start = end + 1 // past the dot
	}
	// From the segment after the module path, addressParts goes on as
	// if it had split the whole address, with n parts made.
	var pbuf [4]addressPart
	for j, part := range appendAddressParts(pbuf[:0], addr, start) {
		dst = pc.partClaims(dst, part, n+j)
	}
	return dst
}

// partClaims appends the claims of the i-th part of an address.
func (pc *placer) partClaims(dst []claim, part addressPart, i int) []claim {
	if part.module {
		if env, prot := pc.guessName(part.name, false); env != "" {
			dst = append(dst, claim{env: env, source: "module name " + part.name, rank: rankAddress, protected: prot, pos: 2 * i})
		}
	}
	if part.key == "" {
		return dst
	}
	if part.module {
		if env, prot := pc.guessName(part.key, true); env != "" {
			dst = append(dst, claim{env: env, source: "module key " + fmt.Sprintf("%q", part.key), rank: rankAddress, protected: prot, pos: 2*i + 1})
		}
		return dst
	}
	c, ok := pc.keys[part.key]
	if !ok {
		if env, prot := pc.guessName(part.key, true); env != "" {
			c = claim{env: env, source: "instance key " + fmt.Sprintf("%q", part.key), rank: rankAddress, protected: prot}
		}
		pc.keys[part.key] = c
	}
	if c.env != "" {
		c.pos = 2*i + 1
		dst = append(dst, c)
	}
	return dst
}
