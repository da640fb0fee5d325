package verdict

import (
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

func res(addr, typ string, act change.Action, labels map[string]string) change.Resource {
	return change.Resource{Address: addr, Type: typ, Name: "n", Mode: change.Managed, Action: act, Labels: labels}
}

var prod = map[string]string{"Environment": "Prod"}

func TestEvaluateDecisions(t *testing.T) {
	tests := []struct {
		name     string
		set      change.Set
		origin   Origin
		want     Decision
		wantRule string
	}{
		{"create passes", change.Set{Managed: 5, Resources: []change.Resource{res("aws_db_instance.a", "aws_db_instance", change.Create, prod)}}, OriginHuman, Pass, ""},
		{"update passes", change.Set{Managed: 5, Resources: []change.Resource{res("aws_db_instance.a", "aws_db_instance", change.Update, prod)}}, OriginHuman, Pass, ""},
		{"read and forget pass", change.Set{Managed: 5, Resources: []change.Resource{
			{Address: "data.x.y", Type: "x", Mode: change.Data, Action: change.Read},
			res("aws_db_instance.a", "aws_db_instance", change.Forget, prod)}}, OriginHuman, Pass, ""},
		{"prod database delete blocks", change.Set{Managed: 50, Resources: []change.Resource{res("aws_db_instance.a", "aws_db_instance", change.Delete, prod)}}, OriginHuman, Block, RuleProtectedDestroy},
		{"prod VPC replace blocks", change.Set{Managed: 50, Resources: []change.Resource{res("aws_vpc.a", "aws_vpc", change.Replace, prod)}}, OriginHuman, Block, RuleProtectedDestroy},
		{"staging database delete warns", change.Set{Managed: 50, Resources: []change.Resource{res("aws_db_instance.a", "aws_db_instance", change.Delete, map[string]string{"env": "staging"})}}, OriginHuman, Warn, RuleDestroy},
		{"prod instance replace warns", change.Set{Managed: 50, Resources: []change.Resource{res("aws_instance.a", "aws_instance", change.Replace, prod)}}, OriginHuman, Warn, RuleDestroy},
		{"ai prod instance replace blocks", change.Set{Managed: 50, Resources: []change.Resource{res("aws_instance.a", "aws_instance", change.Replace, prod)}}, OriginAI, Block, RuleDestroy},
		{"ai staging bucket delete blocks", change.Set{Managed: 50, Resources: []change.Resource{res("aws_s3_bucket.a", "aws_s3_bucket", change.Delete, map[string]string{"env": "dev"})}}, OriginAI, Block, RuleDestroy},
		{"ai untagged instance delete warns", change.Set{Managed: 50, Resources: []change.Resource{res("aws_instance.a", "aws_instance", change.Delete, nil)}}, OriginAI, Warn, RuleDestroy},
		{"data source never destroys", change.Set{Managed: 5, Resources: []change.Resource{{Address: "data.aws_db_instance.a", Type: "aws_db_instance", Mode: change.Data, Action: change.Delete, Labels: prod}}}, OriginHuman, Pass, ""},
		{"spurious replace of prod db still blocks", change.Set{Managed: 50, Resources: []change.Resource{func() change.Resource {
			r := res("aws_db_instance.a", "aws_db_instance", change.Replace, prod)
			r.ReplacePaths = []change.AttrChange{{Path: "az", Unknown: true}}
			return r
		}()}}, OriginHuman, Block, RuleProtectedDestroy},
		{"spurious replace of staging db warns", change.Set{Managed: 50, Resources: []change.Resource{func() change.Resource {
			r := res("aws_db_instance.a", "aws_db_instance", change.Replace, map[string]string{"env": "staging"})
			r.ReplacePaths = []change.AttrChange{{Path: "az", Unknown: true}}
			return r
		}()}}, OriginHuman, Warn, RuleSpuriousReplace},
		{"replace forced by upstream replace is real", change.Set{Managed: 50,
			Dependents: map[string][]string{"aws_db_subnet_group.g": {"aws_db_instance.a"}},
			Resources: []change.Resource{
				func() change.Resource {
					r := res("aws_db_instance.a", "aws_db_instance", change.Replace, prod)
					r.ReplacePaths = []change.AttrChange{{Path: "db_subnet_group_name", Unknown: true}}
					return r
				}(),
				res("aws_db_subnet_group.g", "aws_db_subnet_group", change.Replace, nil),
			}}, OriginHuman, Block, RuleProtectedDestroy},
		{"observed data loss in prod blocks", change.Set{Managed: 3, Resources: []change.Resource{func() change.Resource {
			r := res("docker_container.db", "docker_container", change.Replace, map[string]string{"env": "prod"})
			r.Observed = &change.Observation{BeforeID: "a", AfterID: "b", Data: []change.DataDelta{{Path: "/data", BeforeFiles: 1204, BeforeBytes: 5e6}}}
			return r
		}()}}, OriginHuman, Block, RuleObservedDataLoss},
		{"observed recreate with data kept warns", change.Set{Managed: 3, Resources: []change.Resource{func() change.Resource {
			r := res("docker_container.db", "docker_container", change.Replace, map[string]string{"env": "prod"})
			r.Observed = &change.Observation{BeforeID: "a", AfterID: "b", Data: []change.DataDelta{{Path: "/data", BeforeFiles: 3, AfterFiles: 3, BeforeBytes: 9, AfterBytes: 9}}}
			return r
		}()}}, OriginHuman, Warn, RuleDestroy},
		{"blast radius by count blocks", change.Set{Managed: 1000, Resources: func() []change.Resource {
			var rs []change.Resource
			for i := 0; i < 11; i++ {
				rs = append(rs, res("aws_instance.a"+string(rune('a'+i)), "aws_instance", change.Replace, nil))
			}
			return rs
		}()}, OriginHuman, Block, RuleBlastRadius},
		{"blast radius by share blocks", change.Set{Managed: 8, Resources: []change.Resource{
			res("aws_instance.a", "aws_instance", change.Delete, nil), res("aws_instance.b", "aws_instance", change.Delete, nil), res("aws_instance.c", "aws_instance", change.Delete, nil)}}, OriginHuman, Block, RuleBlastRadius},
		{"share needs a minimum count", change.Set{Managed: 2, Resources: []change.Resource{res("aws_instance.a", "aws_instance", change.Delete, nil)}}, OriginHuman, Warn, RuleDestroy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Evaluate(tt.set, DefaultPolicy(), Options{Origin: OriginInfo{Origin: tt.origin, DecidedBy: "test"}})
			if v.Decision != tt.want {
				t.Fatalf("decision %s, want %s; findings %+v", v.Decision, tt.want, v.Findings)
			}
			if tt.wantRule == "" {
				if len(v.Findings) != 0 {
					t.Errorf("findings %+v, want none", v.Findings)
				}
				return
			}
			found := false
			for _, f := range v.Findings {
				found = found || f.Rule == tt.wantRule
			}
			if !found {
				t.Errorf("no %s finding in %+v", tt.wantRule, v.Findings)
			}
		})
	}
}

func TestLikelyRename(t *testing.T) {
	del := res("aws_ebs_volume.data", "aws_ebs_volume", change.Delete, nil)
	del.Reason = "delete_because_no_resource_config"
	add := res("aws_ebs_volume.data_v2", "aws_ebs_volume", change.Create, nil)
	v := Evaluate(change.Set{Managed: 20, Resources: []change.Resource{del, add}}, DefaultPolicy(), Options{})
	if len(v.Findings) != 1 || v.Findings[0].Rule != RuleLikelyRename || v.Decision != Warn {
		t.Fatalf("findings %+v", v.Findings)
	}
	if !strings.Contains(strings.Join(v.Findings[0].Hints, "\n"), "add a moved block") {
		t.Errorf("hints %q lack the moved-block advice", v.Findings[0].Hints)
	}
	// A delete of another type is not a rename.
	add.Type = "aws_instance"
	v = Evaluate(change.Set{Managed: 20, Resources: []change.Resource{del, add}}, DefaultPolicy(), Options{})
	if v.Findings[0].Rule != RuleDestroy {
		t.Errorf("rule %s, want %s", v.Findings[0].Rule, RuleDestroy)
	}
}

func TestMovedAndImportedArePassedAndListed(t *testing.T) {
	moved := res("aws_db_instance.new", "aws_db_instance", change.NoOp, prod)
	moved.PreviousAddress = "aws_db_instance.old"
	imported := res("aws_s3_bucket.b", "aws_s3_bucket", change.NoOp, prod)
	imported.Importing = true
	plain := res("aws_s3_bucket.c", "aws_s3_bucket", change.NoOp, prod)
	v := Evaluate(change.Set{Managed: 3, Resources: []change.Resource{moved, imported, plain}}, DefaultPolicy(), Options{})
	if v.Decision != Pass || len(v.Findings) != 0 {
		t.Fatalf("decision %s findings %+v", v.Decision, v.Findings)
	}
	if len(v.Passed) != 2 || v.Passed[0].Note != "moved from aws_db_instance.old" || v.Passed[1].Note != "imported" {
		t.Errorf("passed %+v", v.Passed)
	}
	if v.Blast.Actions["moved"] != 1 || v.Blast.Actions["imported"] != 1 || v.Blast.Actions["no-op"] != 3 {
		t.Errorf("actions %v", v.Blast.Actions)
	}
}

func TestEnvironment(t *testing.T) {
	p := DefaultPolicy()
	p.Environments.Rules = []EnvRule{{Address: "aws_*.legacy_*", Environment: "prod"}, {Module: "module.eu_*", Environment: "live"}}
	tests := []struct {
		addr      string
		labels    map[string]string
		workspace string
		want      string
		by        string
	}{
		{"aws_db_instance.legacy_main", map[string]string{"env": "dev"}, "", "prod", `rule #1 (address "aws_*.legacy_*")`},
		{`module.eu_west["a"].aws_db_instance.x`, nil, "", "live", `rule #2 (module "module.eu_*")`},
		{"aws_db_instance.a", map[string]string{"Stage": "qa"}, "", "qa", "tag Stage=qa"},
		{"aws_db_instance.a", map[string]string{"Stage": "qa"}, "prod", "prod", "workspace prod"},
		{"module.payments_production.aws_db_instance.a", nil, "", "production", "module name payments_production"},
		{"module.app.module.staging.aws_db_instance.a", nil, "", "staging", "module name staging"},
		{"module.producer.aws_db_instance.a", nil, "", "", ""},
		{"aws_db_instance.a", nil, "prd", "prd", "workspace prd"},
		{"aws_db_instance.a", nil, "default", "", ""},
	}
	for _, tt := range tests {
		r := change.Resource{Address: tt.addr, Labels: tt.labels}
		env, by := p.Environment(&r, tt.workspace)
		if env != tt.want || by != tt.by {
			t.Errorf("%s: %q by %q, want %q by %q", tt.addr, env, by, tt.want, tt.by)
		}
	}
	if !p.Protected("PROD") || !p.Protected("Live") || p.Protected("staging") || p.Protected("") {
		t.Error("protected environments are not matched in any case")
	}
}

func TestRecoverability(t *testing.T) {
	tests := []struct {
		typ    string
		before map[string]change.Value
		want   string
		hint   string
	}{
		{"aws_db_instance", map[string]change.Value{"skip_final_snapshot": true}, Unrecoverable, "skip_final_snapshot = true"},
		{"aws_s3_bucket", map[string]change.Value{"force_destroy": true}, Unrecoverable, "force_destroy = true"},
		{"aws_db_instance", map[string]change.Value{"deletion_protection": true}, Guarded, "deletion_protection = true"},
		{"aws_db_instance", map[string]change.Value{"skip_final_snapshot": false, "final_snapshot_identifier": nil}, CheckBackups, "final_snapshot_identifier is empty"},
		{"aws_db_instance", map[string]change.Value{"skip_final_snapshot": true, "final_snapshot_identifier": ""}, Unrecoverable, "skip_final_snapshot"},
		{"aws_secretsmanager_secret", map[string]change.Value{"recovery_window_in_days": jsonNumber("0")}, Unrecoverable, "recovery_window_in_days = 0"},
		{"aws_instance", nil, Recreatable, ""},
	}
	cat := DefaultCatalogue()
	for _, tt := range tests {
		r := change.Resource{Type: tt.typ, Action: change.Delete, Before: tt.before}
		e, ok := cat.Lookup(tt.typ)
		level, hints := recoverability(&r, e, ok)
		if level != tt.want || !strings.Contains(strings.Join(hints, "\n"), tt.hint) {
			t.Errorf("%s %v: %s %q, want %s with %q", tt.typ, tt.before, level, hints, tt.want, tt.hint)
		}
	}
}

func TestApprovals(t *testing.T) {
	set := change.Set{Managed: 50, Resources: []change.Resource{res("aws_db_instance.a", "aws_db_instance", change.Delete, prod)}}
	v := Evaluate(set, DefaultPolicy(), Options{})
	if v.Decision != Block {
		t.Fatal(v.Decision)
	}
	id := v.Findings[0].ID
	ok := Approval{Finding: id, Fingerprint: set.Fingerprint(), By: "alice", Reason: "migration", Rollback: "restore snapshot"}
	stale := Approval{Finding: id, Fingerprint: "sha256:" + strings.Repeat("0", 64), By: "bob"}
	v = Evaluate(set, DefaultPolicy(), Options{Approvals: []Approval{stale, ok}})
	if v.Decision != Pass || v.Findings[0].Approval == nil || v.Findings[0].Approval.By != "alice" || len(v.Findings[0].VoidApprovals) != 1 {
		t.Fatalf("decision %s finding %+v", v.Decision, v.Findings[0])
	}
	v = Evaluate(set, DefaultPolicy(), Options{Approvals: []Approval{stale}})
	if v.Decision != Block || len(v.Findings[0].VoidApprovals) != 1 {
		t.Fatalf("a stale approval must be void: %s %+v", v.Decision, v.Findings[0])
	}
}

func TestFindingIDsAreStable(t *testing.T) {
	set := change.Set{Managed: 50, Resources: []change.Resource{res("aws_db_instance.a", "aws_db_instance", change.Delete, prod)}}
	a := Evaluate(set, DefaultPolicy(), Options{})
	set.Resources = append(set.Resources, res("aws_instance.b", "aws_instance", change.Create, nil))
	b := Evaluate(set, DefaultPolicy(), Options{})
	if a.Findings[0].ID != b.Findings[0].ID || a.Fingerprint == b.Fingerprint {
		t.Errorf("ids %s %s fingerprints %s %s", a.Findings[0].ID, b.Findings[0].ID, a.Fingerprint, b.Fingerprint)
	}
}

func TestCatalogueSize(t *testing.T) {
	providers := map[string]int{}
	for typ := range DefaultCatalogue() {
		providers[strings.SplitN(typ, "_", 2)[0]]++
	}
	total := 0
	for _, p := range []string{"aws", "google", "azurerm", "kubernetes", "helm"} {
		if providers[p] == 0 {
			t.Errorf("no %s types in the catalogue", p)
		}
		total += providers[p]
	}
	if total < 60 {
		t.Errorf("%d catalogued types across the main providers, want at least 60", total)
	}
}
