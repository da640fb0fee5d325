package verdict

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

// TestPlacerMatchesReference checks the placer, with its memos, its
// choice of the least claim without sorting and its address scan without
// change.SplitAddress, against the straightforward placement it replaced
// (refPlaceIn below: every claim made afresh, sorted, the first taken),
// on random resources, addresses, workspaces, stacks and policies, one
// placer per policy so what it remembers from one resource is used on
// the next.
func TestPlacerMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for pi, p := range refPolicies() {
		pc := newPlacer(&p)
		for i := 0; i < 4000; i++ {
			r := randomResource(rng)
			ws := pick(rng, []string{"", "", "default", "prod", "dev", "prod-eu", "staging"})
			stack := pick(rng, []string{"", "", "orders-prod", "dev-stack", "payments"})
			got := pc.placeIn(&r, ws, stack)
			want := refPlaceIn(&p, &r, ws, stack)
			if got != want {
				t.Fatalf("policy %d, %+v in workspace %q, stack %q:\n got %+v\nwant %+v", pi, r, ws, stack, got, want)
			}
		}
	}
}

func TestAddressPartsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	addrs := []string{"", ".", "a.", "module", "module.", "module.a", "module.a.", "module.a.module",
		"data.module.x.y", `module.a["x.y"].module.b.aws_db.main["k"]`, `a["x]"].b`, `a]].b.c`, `m["\"."].x`}
	for i := 0; i < 3000; i++ {
		addrs = append(addrs, randomAddress(rng))
	}
	for _, a := range addrs {
		if got, want := addressParts(a), refAddressParts(a); !slices.Equal(got, want) {
			t.Fatalf("%q: parts %+v, want %+v", a, got, want)
		}
	}
}

func refPolicies() []Policy {
	def := DefaultPolicy()
	exact := DefaultPolicy()
	exact.Environments.Match = MatchExact
	rules := DefaultPolicy()
	rules.Environments.Rules = []EnvRule{
		{Module: "module.prod_*", Environment: "staging"},
		{Address: "*aws_s3*", Environment: "live"},
		{Module: `module.env["dev"]*`, Environment: "prod"},
	}
	rules.Environments.Keys = []string{"Stage", "env"}
	noModules := DefaultPolicy()
	noModules.Environments.FromModuleNames = false
	noModules.Environments.Protected = []string{"live", "prod-eu"}
	return []Policy{def, exact, rules, noModules}
}

func pick(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

var (
	refNames = []string{"prod_eu", "staging", "live_chat", "nonprod", "pre_production", "svc", "euProd", "prd01", "data", "module", "dev-api", "Production", "main"}
	refKeys  = []string{"", "", `["prod"]`, `["dev"]`, `["a.b"]`, `["x]y"]`, "[0]", `["pre-prod"]`, `["q\"uat"]`, `["PRD"]`, `[bad]`}
	refTypes = []string{"aws_db_instance", "aws_s3_bucket", "google_sql_database_instance", "kubernetes_namespace", "helm_release", "null_resource"}
	refVals  = []string{"prod", "dev", "staging", "", "pre-prod", "prd01", "Live", "production-eu", "qa", "non-prod"}
	refLKeys = []string{"env", "ENV", "Environment", "stage", "Stage", "Name", "team", ""}
)

func randomAddress(rng *rand.Rand) string {
	var b strings.Builder
	for range rng.IntN(4) {
		b.WriteString("module." + pick(rng, refNames) + pick(rng, refKeys) + ".")
	}
	switch rng.IntN(8) {
	case 0:
		b.WriteString("data.")
	case 1:
		b.WriteString("action.")
	case 2:
		b.WriteString("module.")
	}
	if rng.IntN(10) > 0 {
		b.WriteString(pick(rng, refTypes) + ".")
	}
	b.WriteString(pick(rng, refNames) + pick(rng, refKeys))
	if rng.IntN(15) == 0 {
		b.WriteString(".")
	}
	return b.String()
}

func randomLabels(rng *rand.Rand) map[string]string {
	if rng.IntN(4) == 0 {
		return nil
	}
	m := map[string]string{}
	for range rng.IntN(5) {
		m[pick(rng, refLKeys)] = pick(rng, refVals)
	}
	return m
}

func randomResource(rng *rand.Rand) change.Resource {
	r := change.Resource{
		Address: randomAddress(rng),
		Type:    pick(rng, refTypes),
		Action:  change.Action(pick(rng, []string{"no-op", "create", "update", "delete", "replace", "read", "forget"})),
		Mode:    change.Managed,
		Labels:  randomLabels(rng),
	}
	if rng.IntN(2) == 0 {
		r.BeforeLabels = randomLabels(rng)
	}
	r.LabelsUnknown = rng.IntN(5) == 0
	r.LabelsSensitive = rng.IntN(6) == 0
	if rng.IntN(8) == 0 {
		r.Observed = &change.Observation{Data: []change.DataDelta{{BeforeFiles: 3, AfterFiles: int64(rng.IntN(5))}}}
	}
	return r
}

// refPlaceIn is placeIn as it was before the placer: every claim made
// afresh, sorted by compareClaims, the first taken.
func refPlaceIn(p *Policy, r *change.Resource, workspace, stack string) placement {
	destructive := r.Action.Destructive() || r.Observed.DataLost()
	var claims []claim
	if c, ok := refRuleClaim(p, r); ok {
		claims = append(claims, c)
	}
	if workspace != "" && workspace != "default" {
		_, prot := p.protectedName(workspace)
		claims = append(claims, claim{env: workspace, source: "workspace " + workspace, rank: rankWorkspace, protected: prot})
	}
	claims = append(claims, refTagClaims(p, r, destructive)...)
	if p.Environments.FromModuleNames {
		claims = append(claims, refAddressClaims(p, r.Address)...)
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

func refRuleClaim(p *Policy, r *change.Resource) (claim, bool) {
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

func refTagClaims(p *Policy, r *change.Resource, destructive bool) []claim {
	noun := tagNoun(r.Type)
	out := refSideClaims(p, r.Labels, noun, false)
	if destructive || r.LabelsUnknown || len(out) == 0 {
		out = append(out, refSideClaims(p, r.BeforeLabels, "before "+noun, true)...)
	}
	if destructive && r.LabelsSensitive {
		out = append(out, claim{env: "(sensitive)", source: "sensitive " + noun + "s (their values are hidden, so they are taken to protect)", rank: rankTag, protected: true, keyIndex: len(p.Environments.Keys)})
	}
	return out
}

func refSideClaims(p *Policy, labels map[string]string, noun string, before bool) []claim {
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

func refAddressClaims(p *Policy, addr string) []claim {
	var out []claim
	for i, part := range refAddressParts(addr) {
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

func refAddressParts(addr string) []addressPart {
	segs := change.SplitAddress(addr)
	var out []addressPart
	for i := 0; i < len(segs); i++ {
		if segs[i] == "module" && i+1 < len(segs) {
			name, key := splitKey(segs[i+1])
			out = append(out, addressPart{module: true, name: name, key: key})
			i++
			continue
		}
		if segs[i] == "data" || segs[i] == "action" {
			continue
		}
		if i+1 < len(segs) {
			name, key := splitKey(segs[i+1])
			out = append(out, addressPart{name: name, key: key})
		}
		break
	}
	return out
}
