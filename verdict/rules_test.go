package verdict

import (
	"slices"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

func has(list []string, sub string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.Contains(s, sub) })
}

func unknownPaths(r change.Resource, paths ...string) change.Resource {
	for _, p := range paths {
		r.ReplacePaths = append(r.ReplacePaths, change.AttrChange{Path: p, Unknown: true})
	}
	return r
}

// Class 2: the strongest rule that holds decides; weaker notes stay.
func TestStrongestRuleFirst(t *testing.T) {
	gone := func(r change.Resource) change.Resource {
		r.Reason = "delete_because_no_resource_config"
		return r
	}
	tests := []struct {
		name     string
		set      []change.Resource
		want     Decision
		rule     string
		evidence string
		hint     string
	}{
		{"spurious replace of a prod aws database blocks",
			[]change.Resource{unknownPaths(res("aws_db_instance.a", "aws_db_instance", change.Replace, map[string]string{"env": "prod"}), "availability_zone")},
			Block, RuleProtectedDestroy, "possibly spurious: replaced only because of values known after apply", ""},
		{"spurious replace of a production AKS cluster blocks",
			[]change.Resource{unknownPaths(res("azurerm_kubernetes_cluster.k", "azurerm_kubernetes_cluster", change.Replace, map[string]string{"Environment": "Production"}), "kubelet_identity", "node_resource_group")},
			Block, RuleProtectedDestroy, "possibly spurious", ""},
		{"a rename of a prod google bucket blocks, with the hint",
			[]change.Resource{
				gone(res("google_storage_bucket.assets", "google_storage_bucket", change.Delete, map[string]string{"env": "prd"})),
				res("google_storage_bucket.assets_v2", "google_storage_bucket", change.Create, map[string]string{"env": "prd"}),
			},
			Block, RuleProtectedDestroy, "", "likely a rename to google_storage_bucket.assets_v2"},
		{"spurious replace in staging stays a warning",
			[]change.Resource{unknownPaths(res("aws_db_instance.a", "aws_db_instance", change.Replace, map[string]string{"env": "staging"}), "availability_zone")},
			Warn, RuleSpuriousReplace, "", ""},
		{"spurious replace of a prod instance (not catalogued) stays spurious",
			[]change.Resource{unknownPaths(res("aws_instance.a", "aws_instance", change.Replace, map[string]string{"env": "prod"}), "ami")},
			Warn, RuleSpuriousReplace, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Evaluate(change.Set{Managed: 100, Resources: tt.set}, DefaultPolicy(), Options{})
			f := v.Findings[0]
			if v.Decision != tt.want || f.Rule != tt.rule {
				t.Fatalf("%s %s, want %s %s: %+v", v.Decision, f.Rule, tt.want, tt.rule, f)
			}
			if tt.evidence != "" && !has(f.Evidence, tt.evidence) {
				t.Errorf("evidence %q lacks %q", f.Evidence, tt.evidence)
			}
			if tt.hint != "" && !has(f.Hints, tt.hint) {
				t.Errorf("hints %q lack %q", f.Hints, tt.hint)
			}
		})
	}
}

// Class 2: a replace forced by a trigger is meant to happen.
func TestTriggersNeverSpurious(t *testing.T) {
	tests := []struct {
		name string
		r    change.Resource
	}{
		{"null_resource triggers", unknownPaths(res("null_resource.deploy", "null_resource", change.Replace, nil), "triggers.always")},
		{"terraform_data triggers_replace", unknownPaths(res("terraform_data.rebuild", "terraform_data", change.Replace, nil), "triggers_replace")},
		{"random_id keepers", unknownPaths(res("random_id.suffix", "random_id", change.Replace, nil), `keepers["ami"]`)},
		{"random_password keepers with another unknown", unknownPaths(res("random_password.db", "random_password", change.Replace, nil), "keepers.rotated", "length")},
		{"replace_triggered_by path", unknownPaths(res("aws_instance.web", "aws_instance", change.Replace, map[string]string{"env": "dev"}), "replace_triggered_by[0]")},
		{"replace_by_triggers reason", func() change.Resource {
			r := unknownPaths(res("aws_ecs_service.api", "aws_ecs_service", change.Replace, nil), "task_definition")
			r.Reason = "replace_by_triggers"
			return r
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, f := judgeOne(t, tt.r, DefaultPolicy(), Options{})
			if v.Decision != Warn || f.Rule != RuleDestroy {
				t.Fatalf("%s %s, want warn %s", v.Decision, f.Rule, RuleDestroy)
			}
			if !has(f.Evidence, "forced by a trigger") || has(f.Evidence, "possibly spurious") {
				t.Errorf("evidence %q", f.Evidence)
			}
		})
	}
}

// Class 7: likely renames pair each delete with its best create, once.
func TestRenamePairing(t *testing.T) {
	gone := func(addr, typ string, before map[string]change.Value) change.Resource {
		r := res(addr, typ, change.Delete, nil)
		r.Reason, r.Before = "delete_because_no_resource_config", before
		return r
	}
	tests := []struct {
		name string
		set  []change.Resource
		want map[string]string // delete → rename target; "" for none
	}{
		{"for_each keys pair by token", []change.Resource{
			gone("aws_s3_bucket.logs", "aws_s3_bucket", map[string]change.Value{"bucket": "acme-logs"}),
			gone("aws_s3_bucket.assets", "aws_s3_bucket", map[string]change.Value{"bucket": "acme-assets"}),
			res(`aws_s3_bucket.buckets["assets"]`, "aws_s3_bucket", change.Create, nil),
			res(`aws_s3_bucket.buckets["logs"]`, "aws_s3_bucket", change.Create, nil),
		}, map[string]string{"aws_s3_bucket.logs": `aws_s3_bucket.buckets["logs"]`, "aws_s3_bucket.assets": `aws_s3_bucket.buckets["assets"]`}},
		{"an identifying attribute outweighs names", []change.Resource{
			gone("google_storage_bucket.a", "google_storage_bucket", map[string]change.Value{"name": "acme-data"}),
			func() change.Resource {
				r := res("google_storage_bucket.z", "google_storage_bucket", change.Create, nil)
				r.Changes = []change.AttrChange{{Path: "name", After: "acme-data"}}
				return r
			}(),
			res("google_storage_bucket.a_v2", "google_storage_bucket", change.Create, nil),
		}, map[string]string{"google_storage_bucket.a": "google_storage_bucket.z"}},
		{"a Name tag pairs", []change.Resource{
			func() change.Resource {
				r := gone("aws_instance.one", "aws_instance", nil)
				r.Labels = map[string]string{"Name": "bastion"}
				return r
			}(),
			res("aws_instance.two", "aws_instance", change.Create, map[string]string{"name": "bastion"}),
		}, map[string]string{"aws_instance.one": "aws_instance.two"}},
		{"nothing convincing, no hint", []change.Resource{
			gone("aws_instance.web", "aws_instance", nil),
			res("aws_instance.db", "aws_instance", change.Create, nil),
			gone("azurerm_managed_disk.primary", "azurerm_managed_disk", map[string]change.Value{"name": "disk-1"}),
			res("azurerm_managed_disk.secondary", "azurerm_managed_disk", change.Create, nil),
		}, map[string]string{"aws_instance.web": "", "azurerm_managed_disk.primary": ""}},
		{"one create is used once", []change.Resource{
			gone("aws_ebs_volume.data_old", "aws_ebs_volume", nil),
			gone("aws_ebs_volume.data", "aws_ebs_volume", nil),
			res("aws_ebs_volume.data_v2", "aws_ebs_volume", change.Create, nil),
		}, map[string]string{"aws_ebs_volume.data": "aws_ebs_volume.data_v2", "aws_ebs_volume.data_old": ""}},
		{"a moved block accounts for it", []change.Resource{
			gone("aws_ebs_volume.data", "aws_ebs_volume", nil),
			res("aws_ebs_volume.data_v2", "aws_ebs_volume", change.Create, nil),
			func() change.Resource {
				r := res("aws_ebs_volume.cache", "aws_ebs_volume", change.NoOp, nil)
				r.PreviousAddress = "aws_ebs_volume.data"
				return r
			}(),
		}, map[string]string{"aws_ebs_volume.data": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, order := range [][]change.Resource{tt.set, reversed(tt.set)} {
				v := Evaluate(change.Set{Managed: 100, Resources: order}, DefaultPolicy(), Options{})
				for del, to := range tt.want {
					f := findingFor(v, del)
					hint := "likely a rename to " + to + ":"
					switch {
					case to == "" && (f.Rule == RuleLikelyRename || has(f.Hints, "likely a rename")):
						t.Errorf("%s: %s %q, want no rename", del, f.Rule, f.Hints)
					case to != "" && (f.Rule != RuleLikelyRename || !has(f.Hints, hint)):
						t.Errorf("%s: %s %q, want a rename to %s", del, f.Rule, f.Hints, to)
					}
				}
			}
		})
	}
}

func reversed(rs []change.Resource) []change.Resource {
	out := slices.Clone(rs)
	slices.Reverse(out)
	return out
}

func findingFor(v Verdict, addr string) Finding {
	for _, f := range v.Findings {
		if f.Address == addr {
			return f
		}
	}
	return Finding{}
}

// Class 7: a replace that depends on a create says so, not "follows the
// replacement".
func TestUpstreamWording(t *testing.T) {
	tests := []struct {
		name     string
		upstream change.Resource
		dep      change.Resource
		want     string
	}{
		{"aws subnet created", res("aws_subnet.new", "aws_subnet", change.Create, nil),
			unknownPaths(res("aws_instance.app", "aws_instance", change.Replace, nil), "subnet_id"),
			"depends on aws_subnet.new, which is being created"},
		{"google network replaced", res("google_compute_network.vpc", "google_compute_network", change.Replace, nil),
			unknownPaths(res("google_compute_subnetwork.s", "google_compute_subnetwork", change.Replace, nil), "network"),
			"follows the replacement of google_compute_network.vpc, whose new values are known only after apply"},
		{"azure resource group created", res("azurerm_resource_group.rg2", "azurerm_resource_group", change.Create, nil),
			unknownPaths(res("azurerm_storage_account.sa", "azurerm_storage_account", change.Replace, nil), "resource_group_name"),
			"depends on azurerm_resource_group.rg2, which is being created"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := change.Set{Managed: 100, Resources: []change.Resource{tt.upstream, tt.dep},
				Dependents: map[string][]string{tt.upstream.Address: {tt.dep.Address}}}
			f := findingFor(Evaluate(set, DefaultPolicy(), Options{}), tt.dep.Address)
			if !slices.Contains(f.Evidence, tt.want) || f.Rule == RuleSpuriousReplace {
				t.Errorf("%s evidence %q, want %q", f.Rule, f.Evidence, tt.want)
			}
			if tt.upstream.Action == change.Create && has(f.Evidence, "follows the replacement") {
				t.Errorf("a create is called a replacement: %q", f.Evidence)
			}
		})
	}
}
