package verdict

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

// judgeOne evaluates a Set of one resource and returns its finding.
func judgeOne(t *testing.T, r change.Resource, p Policy, opts Options) (Verdict, Finding) {
	t.Helper()
	v := Evaluate(change.Set{Managed: 100, Resources: []change.Resource{r}}, p, opts)
	for _, f := range v.Findings {
		if f.Address == r.Address {
			return v, f
		}
	}
	return v, Finding{}
}

func withBefore(r change.Resource, before map[string]string, unknown bool) change.Resource {
	r.BeforeLabels, r.LabelsUnknown = before, unknown
	return r
}

// Class 1: for a delete or replace, either side's labels can protect, and
// unknown new labels never lower protection.
func TestEnvironmentBothSides(t *testing.T) {
	tests := []struct {
		name   string
		r      change.Resource
		want   Decision
		rule   string
		source string
	}{
		{"aws: prod before, tags unknown after",
			withBefore(res("aws_db_instance.main", "aws_db_instance", change.Replace, nil), map[string]string{"env": "prod"}, true),
			Block, RuleProtectedDestroy, "before tag env=prod"},
		{"aws: prod before, staging after",
			withBefore(res("aws_db_instance.main", "aws_db_instance", change.Replace, map[string]string{"env": "staging"}), map[string]string{"env": "prod"}, false),
			Block, RuleProtectedDestroy, "before tag env=prod"},
		{"aws: prod before, tags dropped",
			withBefore(res("aws_db_instance.main", "aws_db_instance", change.Replace, nil), map[string]string{"Name": "main", "env": "prod"}, false),
			Block, RuleProtectedDestroy, "before tag env=prod"},
		{"google: production before, dev after, other key",
			withBefore(res("google_sql_database_instance.db", "google_sql_database_instance", change.Replace, map[string]string{"environment": "dev"}), map[string]string{"environment": "production"}, false),
			Block, RuleProtectedDestroy, "before label environment=production"},
		{"kubernetes: live before, labels unknown",
			withBefore(res("kubernetes_namespace_v1.apps", "kubernetes_namespace_v1", change.Replace, map[string]string{"team": "a"}), map[string]string{"Stage": "Live"}, true),
			Block, RuleProtectedDestroy, "before label Stage=Live"},
		{"azure: staging before, prod after",
			withBefore(res("azurerm_storage_account.logs", "azurerm_storage_account", change.Replace, map[string]string{"Environment": "PROD"}), map[string]string{"Environment": "staging"}, false),
			Block, RuleProtectedDestroy, "tag Environment=PROD"},
		{"aws: staging on both sides warns",
			withBefore(res("aws_db_instance.main", "aws_db_instance", change.Replace, map[string]string{"env": "staging"}), map[string]string{"env": "staging"}, false),
			Warn, RuleDestroy, "tag env=staging"},
		{"aws: a delete's own tags",
			res("aws_s3_bucket.b", "aws_s3_bucket", change.Delete, map[string]string{"env": "prod"}),
			Block, RuleProtectedDestroy, "tag env=prod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, f := judgeOne(t, tt.r, DefaultPolicy(), Options{})
			if v.Decision != tt.want || f.Rule != tt.rule || f.EnvironmentSource != tt.source {
				t.Fatalf("decision %s rule %s source %q, want %s %s %q; %+v", v.Decision, f.Rule, f.EnvironmentSource, tt.want, tt.rule, tt.source, f)
			}
			if !slices.ContainsFunc(f.Evidence, func(e string) bool { return strings.HasSuffix(e, " from "+tt.source) }) {
				t.Errorf("evidence %q does not say what decided the environment", f.Evidence)
			}
		})
	}
	// An update that retags a protected database out of prod destroys
	// nothing, but leaves the next change free to: it blocks. One that
	// stays in staging is listed where it ends up.
	up := withBefore(res("aws_db_instance.main", "aws_db_instance", change.Update, map[string]string{"env": "staging"}), map[string]string{"env": "prod"}, false)
	v := Evaluate(change.Set{Managed: 5, Resources: []change.Resource{up}}, DefaultPolicy(), Options{})
	if v.Decision != Block || len(v.Findings) != 1 || v.Findings[0].Rule != RuleProtectionRemoved {
		t.Errorf("retag: %s %+v", v.Decision, v.Findings)
	}
	up = withBefore(res("aws_db_instance.main", "aws_db_instance", change.Update, map[string]string{"env": "staging"}), map[string]string{"env": "qa"}, false)
	v = Evaluate(change.Set{Managed: 5, Resources: []change.Resource{up}}, DefaultPolicy(), Options{})
	if v.Decision != Pass || len(v.Passed) != 1 || v.Passed[0].Environment != "staging" {
		t.Errorf("update: %s %+v", v.Decision, v.Passed)
	}
	up = withBefore(res("aws_db_instance.main", "aws_db_instance", change.Update, nil), map[string]string{"env": "prod"}, true)
	v = Evaluate(change.Set{Managed: 5, Resources: []change.Resource{up}}, DefaultPolicy(), Options{})
	if v.Decision != Pass || len(v.Passed) != 1 || v.Passed[0].Environment != "prod" {
		t.Errorf("update with unknown tags: %s %+v", v.Decision, v.Passed)
	}
}

// Class 3: protected names match as tokens of a value.
func TestTokenMatching(t *testing.T) {
	p := DefaultPolicy()
	exact := DefaultPolicy()
	exact.Environments.Match = MatchExact
	tests := []struct {
		value        string
		token, exact bool
	}{
		{"prod", true, true},
		{"Prod", true, true},
		{"PRODUCTION", true, true},
		{"prod-eu-west-1", true, false},
		{"production-us", true, false},
		{"prd01", true, false},
		{"euProd", true, false},
		{"PROD_EU", true, false},
		{"eu.prod/blue", true, false},
		{"team:live", true, false},
		{"Live 2", true, false},
		{"producer", false, false},
		{"products", false, false},
		{"nonprod", false, false},
		{"non-prod", false, false},
		{"pre-prod", false, false},
		{"preproduction", false, false},
		{"staging", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		if got := p.Protected(tt.value); got != tt.token {
			t.Errorf("token: Protected(%q) = %v, want %v", tt.value, got, tt.token)
		}
		if got := exact.Protected(tt.value); got != tt.exact {
			t.Errorf("exact: Protected(%q) = %v, want %v", tt.value, got, tt.exact)
		}
	}

	addrs := []struct {
		addr, env, source string
		exactEnv          string
	}{
		{"module.prod_eu.aws_db_instance.x", "prod", "module name prod_eu", "prod"},
		{`module.env["production"].google_sql_database_instance.x`, "production", `module key "production"`, "production"},
		{`aws_vpc.main["prd"]`, "prd", `instance key "prd"`, "prd"},
		{`module.x["live-1"].azurerm_resource_group.y`, "live", `module key "live-1"`, ""},
		{`module.euProd.aws_s3_bucket.b`, "prod", "module name euProd", ""},
		{`module.app.module.staging.aws_db_instance.a`, "staging", "module name staging", "staging"},
		{`module.producer.aws_db_instance.a`, "", "", ""},
		{`module.nonprod["a"].aws_db_instance.a`, "", "", ""},
		{`module.apps["dev"].module.db["prod"].aws_db_instance.a`, "prod", `module key "prod"`, "prod"},
	}
	for _, tt := range addrs {
		r := change.Resource{Address: tt.addr, Action: change.Delete}
		env, source := p.Environment(&r, "")
		if env != tt.env || source != tt.source {
			t.Errorf("%s: %q from %q, want %q from %q", tt.addr, env, source, tt.env, tt.source)
		}
		if env, _ := exact.Environment(&r, ""); env != tt.exactEnv {
			t.Errorf("exact %s: %q, want %q", tt.addr, env, tt.exactEnv)
		}
	}

	// The same through Evaluate, across providers and tag styles.
	judged := []struct {
		r    change.Resource
		want Decision
	}{
		{res("aws_s3_bucket.b", "aws_s3_bucket", change.Delete, map[string]string{"env": "prod-eu-west-1"}), Block},
		{res("google_storage_bucket.b", "google_storage_bucket", change.Delete, map[string]string{"environment": "euProd"}), Block},
		{res("azurerm_managed_disk.d", "azurerm_managed_disk", change.Delete, map[string]string{"Stage": "PROD_EU"}), Block},
		{res("aws_ebs_volume.v", "aws_ebs_volume", change.Delete, map[string]string{"env": "pre-prod"}), Warn},
		{res(`module.env["production"].aws_db_instance.a`, "aws_db_instance", change.Delete, nil), Block},
	}
	for _, tt := range judged {
		if v, _ := judgeOne(t, tt.r, p, Options{}); v.Decision != tt.want {
			t.Errorf("%s %v: %s, want %s", tt.r.Address, tt.r.Labels, v.Decision, tt.want)
		}
	}
	if v, _ := judgeOne(t, judged[0].r, exact, Options{}); v.Decision != Warn {
		t.Errorf("match: exact still protects prod-eu-west-1: %s", v.Decision)
	}
}

// Class 4: which source names the environment, and that protection is
// never lowered for a delete or replace.
func TestEnvironmentPrecedence(t *testing.T) {
	ruled := DefaultPolicy()
	ruled.Environments.Rules = []EnvRule{{Address: "aws_*", Environment: "dev"}, {Module: "module.prod_*", Environment: "sandbox"}}
	tests := []struct {
		name      string
		p         Policy
		r         change.Resource
		setWS     string
		optWS     string
		env       string
		source    string
		protected bool
	}{
		{"explicit workspace beats a module guess", DefaultPolicy(),
			res("module.live_chat.aws_db_instance.x", "aws_db_instance", change.Delete, nil), "", "dev",
			"dev", "workspace dev", false},
		{"module guess without a workspace", DefaultPolicy(),
			res("module.live_chat.aws_db_instance.x", "aws_db_instance", change.Delete, nil), "", "",
			"live", "module name live_chat", true},
		{"the plan's workspace counts as explicit", DefaultPolicy(),
			res("module.prod_eu.google_storage_bucket.x", "google_storage_bucket", change.Delete, nil), "qa", "",
			"qa", "workspace qa", false},
		{"the default workspace says nothing", DefaultPolicy(),
			res("module.prod_eu.google_storage_bucket.x", "google_storage_bucket", change.Delete, nil), "default", "",
			"prod", "module name prod_eu", true},
		{"--workspace over the plan's", DefaultPolicy(),
			res("azurerm_storage_account.x", "azurerm_storage_account", change.Delete, nil), "prod", "dev",
			"dev", "workspace dev", false},
		{"workspace names, a prod tag still protects", DefaultPolicy(),
			res("aws_db_instance.x", "aws_db_instance", change.Delete, map[string]string{"env": "prod"}), "", "dev",
			"dev", "workspace dev; protected by tag env=prod", true},
		{"workspace beats tags for the name", DefaultPolicy(),
			res("aws_db_instance.x", "aws_db_instance", change.Delete, map[string]string{"env": "staging"}), "", "prod",
			"prod", "workspace prod", true},
		{"tags beat module names", DefaultPolicy(),
			res("module.payments.google_sql_database_instance.x", "google_sql_database_instance", change.Delete, map[string]string{"env": "prod"}), "", "",
			"prod", "label env=prod", true},
		{"a module guess still protects a staging tag", DefaultPolicy(),
			res("module.prod_eu.aws_db_instance.x", "aws_db_instance", change.Delete, map[string]string{"env": "staging"}), "", "",
			"staging", "tag env=staging; protected by module name prod_eu", true},
		{"rule names, a prod tag still protects", ruled,
			res("aws_db_instance.x", "aws_db_instance", change.Delete, map[string]string{"Environment": "Production"}), "", "",
			"dev", `rule #1 (address "aws_*"); protected by tag Environment=Production`, true},
		{"rule names, the workspace still protects", ruled,
			res("aws_db_instance.x", "aws_db_instance", change.Delete, nil), "", "prod",
			"dev", `rule #1 (address "aws_*"); protected by workspace prod`, true},
		{"a rule overrides module guesses", ruled,
			res("module.prod_eu.google_storage_bucket.x", "google_storage_bucket", change.Delete, nil), "", "",
			"sandbox", `rule #2 (module "module.prod_*")`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Evaluate(change.Set{Managed: 100, Workspace: tt.setWS, Resources: []change.Resource{tt.r}}, tt.p, Options{Workspace: tt.optWS})
			f := v.Findings[0]
			if f.Environment != tt.env || f.EnvironmentSource != tt.source || f.Protected != tt.protected {
				t.Fatalf("environment %q from %q protected %v, want %q from %q protected %v", f.Environment, f.EnvironmentSource, f.Protected, tt.env, tt.source, tt.protected)
			}
			want := map[bool]Decision{true: Block, false: Warn}[tt.protected]
			if v.Decision != want {
				t.Errorf("decision %s, want %s", v.Decision, want)
			}
			line := "environment " + tt.env + " from " + tt.source
			if !slices.Contains(f.Evidence, line) {
				t.Errorf("evidence %q lacks %q", f.Evidence, line)
			}
		})
	}
	// Listed entries keep just the environment.
	v := Evaluate(change.Set{Managed: 1, Resources: []change.Resource{res("aws_instance.a", "aws_instance", change.Update, map[string]string{"env": "prod"})}}, DefaultPolicy(), Options{})
	if len(v.Passed) != 1 || v.Passed[0].Environment != "prod" {
		t.Errorf("passed %+v", v.Passed)
	}
}

// Class 5: tag keys that differ only in case give the same verdict every
// time, and the protected value wins.
func TestDeterministicLabels(t *testing.T) {
	sets := []struct {
		name string
		r    change.Resource
		env  string
	}{
		{"aws env and ENV", res("aws_db_instance.a", "aws_db_instance", change.Delete, map[string]string{"env": "staging", "ENV": "prod", "Env": "dev"}), "prod"},
		{"aws tags and tags_all disagree", res("aws_s3_bucket.a", "aws_s3_bucket", change.Delete, map[string]string{"Env": "Prod", "env": "staging"}), "Prod"},
		{"google labels across keys", res("google_sql_database_instance.a", "google_sql_database_instance", change.Replace, map[string]string{"stage": "qa", "Environment": "production", "environment": "dev"}), "production"},
		{"azure both sides", withBefore(res("azurerm_mssql_database.a", "azurerm_mssql_database", change.Replace, map[string]string{"ENVIRONMENT": "uat", "Environment": "test"}), map[string]string{"environment": "live", "Environment": "uat"}, false), "live"},
	}
	for _, tt := range sets {
		t.Run(tt.name, func(t *testing.T) {
			var first []byte
			for i := 0; i < 50; i++ {
				v := Evaluate(change.Set{Managed: 100, Resources: []change.Resource{tt.r}}, DefaultPolicy(), Options{})
				if v.Decision != Block || v.Findings[0].Environment != tt.env {
					t.Fatalf("run %d: %s in %q, want block in %q", i, v.Decision, v.Findings[0].Environment, tt.env)
				}
				b, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				if first == nil {
					first = b
				} else if !bytes.Equal(first, b) {
					t.Fatalf("run %d gave other bytes:\n%s\n%s", i, first, b)
				}
			}
		})
	}
}

func TestAddressParts(t *testing.T) {
	tests := []struct {
		addr string
		want []addressPart
	}{
		{`module.a["x.y"].module.b.aws_db.main["k"]`, []addressPart{{true, "a", "x.y"}, {true, "b", ""}, {false, "main", "k"}}},
		{"data.google_project.p[0]", []addressPart{{false, "p", ""}}},
		{`action.aws_lambda_invoke.n["prod"]`, []addressPart{{false, "n", "prod"}}},
		{`azurerm_storage_container.c["a]b"]`, []addressPart{{false, "c", "a]b"}}},
	}
	for _, tt := range tests {
		if got := addressParts(tt.addr); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %+v, want %+v", tt.addr, got, tt.want)
		}
	}
}

func TestTokens(t *testing.T) {
	tests := map[string][]string{
		"prod-eu-west-1":  {"prod", "eu", "west", "1"},
		"prd01":           {"prd", "01"},
		"euProd":          {"eu", "Prod"},
		"PROD_EU":         {"PROD", "EU"},
		"a.b/c:d e":       {"a", "b", "c", "d", "e"},
		"HTTPServer2":     {"HTTPServer", "2"},
		`module.x["l-1"]`: {"module", "x", "l", "1"},
		"":                nil,
	}
	for in, want := range tests {
		if got := tokens(in); !slices.Equal(got, want) {
			t.Errorf("tokens(%q) = %q, want %q", in, got, want)
		}
	}
}
