package verdict

import (
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

// Class 6: "*" matches any run of characters, "/" included.
func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"aws_*", `aws_s3_object.x["a/b"]`, true},
		{"aws_*", "aws_db_instance.main", true},
		{"aws_*.legacy_*", `aws_db_instance.legacy_main["eu/west"]`, true},
		{"aws_*.legacy_*", "aws_db_instance.main", false},
		{"*", "", true},
		{"*.main", `module.a["x/y"].aws_vpc.main`, true},
		{`module.env["prod"].*`, `module.env["prod"].google_storage_bucket.b`, true},
		{`module.env["prod"].*`, `module.env["prd"].google_storage_bucket.b`, false},
		{"module.eu_*", `module.eu_west["a"]`, true},
		{"module.eu_?", "module.eu_1", true},
		{"module.eu_?", "module.eu_12", false},
		{"azurerm_*_account.*", "azurerm_storage_account.logs", true},
		{`kubernetes_manifest.crd\*`, "kubernetes_manifest.crd*", true},
		{`kubernetes_manifest.crd\*`, "kubernetes_manifest.crds", false},
		{"google_*", "aws_s3_bucket.b", false},
		{"a*b*c", "a/b/x/c", true},
		{"a*b*c", "a/b/x/cd", false},
		{"ünï*", "ünïcode/x", true},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
	for _, bad := range []string{`aws_*\`, "\xff*"} {
		if checkGlob(bad) == nil || globMatch(bad, "aws_x") {
			t.Errorf("%q is accepted", bad)
		}
	}
	// Through a rule, across providers.
	p := DefaultPolicy()
	p.Environments.Rules = []EnvRule{{Address: "aws_*", Environment: "prod"}, {Module: "module.tenants*", Environment: "live"}}
	for _, r := range []change.Resource{
		res(`aws_s3_object.x["reports/2024/q1.csv"]`, "aws_s3_object", change.Delete, nil),
		res(`module.tenants["acme/eu"].google_storage_bucket.b`, "google_storage_bucket", change.Delete, nil),
		res(`module.tenants.module.db["a/b"].azurerm_mssql_database.d`, "azurerm_mssql_database", change.Delete, nil),
	} {
		if v, f := judgeOne(t, r, p, Options{}); v.Decision != Block || f.Rule != RuleProtectedDestroy {
			t.Errorf("%s: %s %s, want a protected-destroy block", r.Address, v.Decision, f.Rule)
		}
	}
}
