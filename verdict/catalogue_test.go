package verdict

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

func manifest(addr, typ, kind string, act change.Action) change.Resource {
	r := res(addr, typ, act, map[string]string{"env": "staging"})
	r.Kind = kind
	return r
}

// Class 7: containers whose delete takes what is inside them.
func TestCascadingRoots(t *testing.T) {
	tests := []change.Resource{
		res("azurerm_resource_group.main", "azurerm_resource_group", change.Delete, map[string]string{"Environment": "staging"}),
		res("kubernetes_namespace.apps", "kubernetes_namespace", change.Delete, map[string]string{"env": "dev"}),
		res("kubernetes_namespace_v1.apps", "kubernetes_namespace_v1", change.Replace, nil),
		res("google_project.data", "google_project", change.Delete, map[string]string{"environment": "qa"}),
		res("aws_organizations_account.sandbox", "aws_organizations_account", change.Delete, nil),
		manifest("kubernetes_manifest.ns", "kubernetes_manifest", "Namespace", change.Delete),
		manifest("kubectl_manifest.crd", "kubectl_manifest", "CustomResourceDefinition", change.Delete),
	}
	for _, r := range tests {
		t.Run(r.Address, func(t *testing.T) {
			v, f := judgeOne(t, r, DefaultPolicy(), Options{})
			if v.Decision != Warn || f.Class != EnvironmentRoot || f.Recoverability != CheckBackups || !has(f.Hints, "cascades to its") {
				t.Fatalf("%s %s %s %q", v.Decision, f.Class, f.Recoverability, f.Hints)
			}
			v, f = judgeOne(t, r, DefaultPolicy(), Options{Origin: OriginInfo{Origin: OriginAI, DecidedBy: "test"}})
			if v.Decision != Block || !f.Escalated {
				t.Errorf("AI-originated: %s escalated %v", v.Decision, f.Escalated)
			}
		})
	}
	// An ordinary root neither cascades nor escalates.
	v, f := judgeOne(t, res("aws_vpc.main", "aws_vpc", change.Delete, nil), DefaultPolicy(), Options{Origin: OriginInfo{Origin: OriginAI}})
	if v.Decision != Warn || has(f.Hints, hintCascades) {
		t.Errorf("aws_vpc: %s %q", v.Decision, f.Hints)
	}
	// What the old values say about keeping the container wins.
	r := res("aws_organizations_account.sandbox", "aws_organizations_account", change.Delete, nil)
	r.Before = map[string]change.Value{"close_on_deletion": false}
	if _, f := judgeOne(t, r, DefaultPolicy(), Options{}); f.Recoverability != Guarded || has(f.Hints, hintCascades) {
		t.Errorf("an account that is not closed: %s %q", f.Recoverability, f.Hints)
	}
	r = res("google_project.p", "google_project", change.Delete, nil)
	r.Before = map[string]change.Value{"deletion_policy": "PREVENT"}
	if _, f := judgeOne(t, r, DefaultPolicy(), Options{}); f.Recoverability != Guarded {
		t.Errorf("deletion_policy PREVENT: %s %q", f.Recoverability, f.Hints)
	}
}

// Class 7: encryption keys cannot be backed up.
func TestKeyStores(t *testing.T) {
	tests := []struct {
		r      change.Resource
		window string
	}{
		{func() change.Resource {
			r := res("aws_kms_key.data", "aws_kms_key", change.Delete, map[string]string{"env": "staging"})
			r.Before = map[string]change.Value{"deletion_window_in_days": json.Number("7")}
			return r
		}(), "(deletion_window_in_days = 7)"},
		{res("azurerm_key_vault_key.k", "azurerm_key_vault_key", change.Replace, map[string]string{"Environment": "dev"}), "(the provider's window)"},
		{func() change.Resource {
			r := res("google_kms_crypto_key.k", "google_kms_crypto_key", change.Delete, nil)
			r.Before = map[string]change.Value{"destroy_scheduled_duration": "86400s"}
			return r
		}(), `(destroy_scheduled_duration = "86400s")`},
	}
	for _, tt := range tests {
		t.Run(tt.r.Address, func(t *testing.T) {
			_, f := judgeOne(t, tt.r, DefaultPolicy(), Options{})
			if f.Class != DataBearing || f.Kind != kindKey || f.Recoverability != Unrecoverable {
				t.Fatalf("%s %s %s", f.Class, f.Kind, f.Recoverability)
			}
			want := "a key cannot be backed up: deletion is scheduled and can be cancelled within its waiting period " + tt.window + "; after that, everything encrypted under it is unreadable"
			if !has(f.Hints, want) {
				t.Errorf("hints %q lack %q", f.Hints, want)
			}
			prod := tt.r
			prod.Labels = map[string]string{"env": "prod"}
			if v, _ := judgeOne(t, prod, DefaultPolicy(), Options{}); v.Decision != Block {
				t.Errorf("prod key: %s", v.Decision)
			}
		})
	}
}

// Class 7: repositories, load balancers and the other new catalogue rows.
func TestCatalogueAdditions(t *testing.T) {
	tests := []struct {
		r     change.Resource
		class Class
		kind  string
		hint  string
	}{
		{res("github_repository.api", "github_repository", change.Replace, nil), DataBearing, kindRepository, hintNewRepo},
		{res("gitlab_project.api", "gitlab_project", change.Replace, nil), DataBearing, kindRepository, hintNewRepo},
		{res("azuredevops_git_repository.api", "azuredevops_git_repository", change.Delete, nil), DataBearing, kindRepository, "the repository's data does not move"},
		{res("aws_lb.web", "aws_lb", change.Replace, nil), EnvironmentRoot, kindLoadBalancer, hintLBDNS},
		{res("aws_alb.web", "aws_alb", change.Delete, nil), EnvironmentRoot, kindLoadBalancer, hintLBGone},
		{res("oci_database_autonomous_database.adb", "oci_database_autonomous_database", change.Delete, nil), DataBearing, "database", ""},
		{res("oci_objectstorage_bucket.b", "oci_objectstorage_bucket", change.Delete, nil), DataBearing, "bucket", ""},
		{res("oci_core_vcn.main", "oci_core_vcn", change.Replace, nil), EnvironmentRoot, "network", ""},
		{res("oci_identity_compartment.c", "oci_identity_compartment", change.Delete, nil), EnvironmentRoot, "compartment", ""},
		{res("aws_db_cluster_snapshot.s", "aws_db_cluster_snapshot", change.Delete, nil), DataBearing, "snapshot", ""},
		{res("aws_cognito_user_pool.users", "aws_cognito_user_pool", change.Delete, nil), DataBearing, "user directory", ""},
		{manifest("kubernetes_manifest.pvc", "kubernetes_manifest", "PersistentVolumeClaim", change.Delete), DataBearing, "persistent volume claim", ""},
		{manifest("kubectl_manifest.db", "kubectl_manifest", "StatefulSet", change.Replace), DataBearing, "stateful set", ""},
		{manifest("kubernetes_manifest.creds", "kubernetes_manifest", "secret", change.Delete), DataBearing, "secret store", ""},
		{manifest("kubernetes_manifest.pv", "kubernetes_manifest", "PersistentVolume", change.Delete), DataBearing, "persistent volume", ""},
	}
	for _, tt := range tests {
		t.Run(tt.r.Address, func(t *testing.T) {
			_, f := judgeOne(t, tt.r, DefaultPolicy(), Options{})
			if f.Class != tt.class || f.Kind != tt.kind {
				t.Fatalf("%s %q, want %s %q", f.Class, f.Kind, tt.class, tt.kind)
			}
			if tt.hint != "" && !has(f.Hints, tt.hint) {
				t.Errorf("hints %q lack %q", f.Hints, tt.hint)
			}
			prod := tt.r
			prod.Labels = map[string]string{"env": "prod"}
			if v, _ := judgeOne(t, prod, DefaultPolicy(), Options{}); v.Decision != Block {
				t.Errorf("in prod: %s", v.Decision)
			}
		})
	}
	// A manifest of another kind is not catalogued; a policy can trim a kind.
	for _, r := range []change.Resource{
		manifest("kubernetes_manifest.cm", "kubernetes_manifest", "ConfigMap", change.Delete),
		manifest("kubectl_manifest.x", "kubectl_manifest", "", change.Delete),
	} {
		if _, f := judgeOne(t, r, DefaultPolicy(), Options{}); f.Class != "" {
			t.Errorf("%s (%s) catalogued as %s", r.Address, r.Kind, f.Class)
		}
	}
	p := DefaultPolicy()
	p.Types.Ignore = []string{"kubernetes_manifest/Secret"}
	if _, f := judgeOne(t, manifest("kubernetes_manifest.s", "kubernetes_manifest", "Secret", change.Delete), p, Options{}); f.Class != "" {
		t.Errorf("ignored kind still catalogued: %s", f.Class)
	}
}

// Class 7: long values are cut in messages and kept whole for JSON; names
// that say secret show no value.
func TestFormatValue(t *testing.T) {
	script := "#!/bin/bash\n" + strings.Repeat("echo hello world\n", 141)
	tests := []struct {
		v    any
		want string
	}{
		{script, `"#!/bin/bash…" (2,409 chars)`},
		{strings.Repeat("x", 200), `"` + strings.Repeat("x", 40) + `…" (200 chars)`},
		{map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::<bucket>/*"}}}, `{"Statement":[{"Action":"s3:*","Effect":… (110 chars)`},
		{"short", `"short"`},
		{[]any{"subnet-1"}, `["subnet-1"]`},
		{json.Number("7"), "7"},
		{true, "true"},
		{nil, "null"},
	}
	for _, tt := range tests {
		if got := FormatValue(tt.v, false, false); got != tt.want {
			t.Errorf("FormatValue(%.30q) = %s, want %s", tt.v, got, tt.want)
		}
	}
	if FormatValue("x", true, false) != "(sensitive)" || FormatValue(nil, false, true) != "(known after apply)" {
		t.Error("sensitive or unknown value shown")
	}
	b, a := FormatAttr(change.AttrChange{Path: "db_password", Sensitive: true, ByName: true})
	ob, oa := FormatOutput(change.OutputChange{Name: "token", Sensitive: true, ByName: true})
	for _, s := range []string{b, a, ob, oa} {
		if s != "(sensitive: by name)" {
			t.Errorf("by name: %s", s)
		}
	}

	r := res("aws_instance.web", "aws_instance", change.Replace, nil)
	r.ReplacePaths = []change.AttrChange{
		{Path: "user_data", Before: script, After: "#!/bin/sh\n"},
		{Path: "admin_password", Sensitive: true, ByName: true},
	}
	_, f := judgeOne(t, r, DefaultPolicy(), Options{})
	if !has(f.Evidence, `user_data: "#!/bin/bash…" (2,409 chars) → "#!/bin/sh…" (10 chars) forces replacement`) ||
		!has(f.Evidence, "admin_password: (sensitive: by name) → (sensitive: by name) forces replacement") {
		t.Errorf("evidence %q", f.Evidence)
	}
	if len(f.ReplacePaths) != 2 || f.ReplacePaths[0].Before != script || f.ReplacePaths[1].Before != nil || !f.ReplacePaths[1].Sensitive {
		t.Errorf("replace paths %+v", f.ReplacePaths)
	}
}
