package verdict

import (
	"slices"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

// Class 8: action invocations are side effects at apply: each warns.
func TestActionInvocations(t *testing.T) {
	tests := []struct {
		name   string
		action change.ActionInvocation
		ws     string
		origin Origin
		want   Decision
	}{
		{"aws lambda after create", change.ActionInvocation{Address: "action.aws_lambda_invoke.notify", Type: "aws_lambda_invoke", Trigger: "after_create of aws_instance.web"}, "", OriginHuman, Warn},
		{"invoked by hand", change.ActionInvocation{Address: "action.ansible_playbook.configure", Type: "ansible_playbook", Trigger: "invoked (-invoke)"}, "staging", OriginHuman, Warn},
		{"in a module, no trigger", change.ActionInvocation{Address: `module.ops["eu"].action.azurerm_vm_restart.r`, Type: "azurerm_vm_restart"}, "", OriginHuman, Warn},
		{"AI-originated in prod", change.ActionInvocation{Address: "action.aws_cloudfront_create_invalidation.c", Type: "aws_cloudfront_create_invalidation", Trigger: "after_update of aws_s3_object.site"}, "prod", OriginAI, Block},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := change.Set{Managed: 10, Actions: []change.ActionInvocation{tt.action}}
			v := Evaluate(set, DefaultPolicy(), Options{Workspace: tt.ws, Origin: OriginInfo{Origin: tt.origin, DecidedBy: "test"}})
			if v.Decision != tt.want || len(v.Findings) != 1 {
				t.Fatalf("%s %+v", v.Decision, v.Findings)
			}
			f := v.Findings[0]
			if f.Rule != RuleActionInvocation || f.Address != tt.action.Address || !has([]string{f.Message}, tt.action.Address) {
				t.Errorf("finding %+v", f)
			}
			if tt.action.Trigger != "" && !has([]string{f.Message}, tt.action.Trigger) {
				t.Errorf("message %q does not name the trigger", f.Message)
			}
			if v.Blast.Actions["invoke"] != 1 {
				t.Errorf("actions %v", v.Blast.Actions)
			}
		})
	}
	// Two triggers of one action are two findings with their own ids.
	a := change.ActionInvocation{Address: "action.aws_lambda_invoke.n", Type: "aws_lambda_invoke", Trigger: "after_create of aws_instance.a"}
	b := a
	b.Trigger = "after_create of aws_instance.b"
	v := Evaluate(change.Set{Actions: []change.ActionInvocation{a, b}}, DefaultPolicy(), Options{})
	if len(v.Findings) != 2 || v.Findings[0].ID == v.Findings[1].ID {
		t.Errorf("findings %+v", v.Findings)
	}
}

// Class 8: deferred changes are judged like planned ones.
func TestDeferred(t *testing.T) {
	deferred := func(r change.Resource, why string) change.Resource {
		r.Deferred = why
		return r
	}
	tests := []struct {
		name string
		r    change.Resource
		want Decision
		rule string
	}{
		{"prod aws database delete blocks", deferred(res("aws_db_instance.a", "aws_db_instance", change.Delete, map[string]string{"env": "prod"}), "instance_count_unknown"), Block, RuleProtectedDestroy},
		{"google bucket replace in staging warns", deferred(res("google_storage_bucket.b", "google_storage_bucket", change.Replace, map[string]string{"env": "staging"}), "provider_config_unknown"), Warn, RuleDestroy},
		{"kubernetes deployment delete warns", deferred(res("kubernetes_deployment.d", "kubernetes_deployment", change.Delete, nil), "something_new"), Warn, RuleDestroy},
		{"azure create is listed", deferred(res("azurerm_storage_account.s", "azurerm_storage_account", change.Create, map[string]string{"Environment": "prod"}), "resource_config_unknown"), Pass, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Evaluate(change.Set{Managed: 100, Deferred: []change.Resource{tt.r}}, DefaultPolicy(), Options{})
			if v.Decision != tt.want {
				t.Fatalf("%s %+v", v.Decision, v.Findings)
			}
			if v.Blast.Actions["deferred"] != 1 || v.Blast.Destructive != 0 {
				t.Errorf("blast %+v", v.Blast)
			}
			if tt.rule == "" {
				if len(v.Passed) != 1 || !has([]string{v.Passed[0].Note}, "deferred: "+tt.r.Deferred) {
					t.Errorf("passed %+v", v.Passed)
				}
				return
			}
			f := v.Findings[0]
			if f.Rule != tt.rule || !has(f.Evidence, "deferred: "+tt.r.Deferred) {
				t.Errorf("%s %q", f.Rule, f.Evidence)
			}
		})
	}
}

// Class 8: an incomplete plan, the planner's notes, and a replace whose
// plan format does not name the forcing attributes.
func TestIncompleteAndNotes(t *testing.T) {
	v := Evaluate(change.Set{Managed: 3, Incomplete: true, Notes: []string{"2 attributes hidden: their names say secret"}}, DefaultPolicy(), Options{Notes: []string{"old terraform"}})
	if v.Decision != Warn || len(v.Findings) != 1 || v.Findings[0].Rule != RuleIncompletePlan {
		t.Fatalf("%s %+v", v.Decision, v.Findings)
	}
	if !slices.Equal(v.Notes, []string{"old terraform", "2 attributes hidden: their names say secret"}) {
		t.Errorf("notes %q", v.Notes)
	}

	tests := []struct {
		r    change.Resource
		want string
	}{
		{res("aws_instance.a", "aws_instance", change.Replace, nil), "this plan format does not say which attribute forced the replacement; what changes: ami, subnet_id"},
		{res("google_compute_instance.a", "google_compute_instance", change.Replace, nil), "this plan format does not say which attribute forced the replacement; what changes: ami, subnet_id"},
		{res("azurerm_linux_virtual_machine.a", "azurerm_linux_virtual_machine", change.Replace, nil), "this plan format does not say which attribute forced the replacement"},
	}
	for i, tt := range tests {
		tt.r.NoReplacePaths = true
		if i < 2 {
			tt.r.Changes = []change.AttrChange{{Path: "ami", Before: "a", After: "b"}, {Path: "subnet_id", Unknown: true}}
		}
		_, f := judgeOne(t, tt.r, DefaultPolicy(), Options{})
		if !slices.Contains(f.Evidence, tt.want) {
			t.Errorf("%s: evidence %q lacks %q", tt.r.Address, f.Evidence, tt.want)
		}
	}
}
