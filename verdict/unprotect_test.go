package verdict

import (
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

// The two-step way past the gate: take a protected resource out of its
// environment (or its safeguards off) in one change, destroy it in the
// next. The first step is caught.
func TestUnguarding(t *testing.T) {
	moved := res("module.dev.aws_db_instance.orders", "aws_db_instance", change.NoOp, nil)
	moved.PreviousAddress = "module.prod.aws_db_instance.orders"
	attr := func(r change.Resource, path string, before, after any) change.Resource {
		r.Changes = append(r.Changes, change.AttrChange{Path: path, Before: before, After: after})
		return r
	}
	tests := []struct {
		name string
		r    change.Resource
		want Decision
		rule string
	}{
		{"aws retag prod → dev", withBefore(res("aws_db_instance.main", "aws_db_instance", change.Update, map[string]string{"env": "dev"}), map[string]string{"env": "prod"}, false), Block, RuleProtectionRemoved},
		{"google label dropped", withBefore(res("google_storage_bucket.b", "google_storage_bucket", change.Update, map[string]string{"team": "x"}), map[string]string{"environment": "production-eu"}, false), Block, RuleProtectionRemoved},
		{"moved out of the prod module", moved, Block, RuleProtectionRemoved},
		{"kubernetes namespace relabelled", withBefore(res("kubernetes_namespace.apps", "kubernetes_namespace", change.Update, map[string]string{"stage": "qa"}), map[string]string{"stage": "live"}, false), Block, RuleProtectionRemoved},
		{"deletion protection off", attr(res("aws_rds_cluster.c", "aws_rds_cluster", change.Update, map[string]string{"env": "prod"}), "deletion_protection", true, false), Warn, RuleSafeguardRemoved},
		{"final snapshot skipped", attr(res("aws_db_instance.d", "aws_db_instance", change.Update, map[string]string{"env": "prod"}), "skip_final_snapshot", false, true), Warn, RuleSafeguardRemoved},
		{"force destroy on", attr(res("aws_s3_bucket.logs", "aws_s3_bucket", change.Update, map[string]string{"Environment": "PRD"}), "force_destroy", false, true), Warn, RuleSafeguardRemoved},
		{"new tags unknown keep protection", withBefore(res("aws_db_instance.main", "aws_db_instance", change.Update, nil), map[string]string{"env": "prod"}, true), Pass, ""},
		{"into prod", withBefore(res("aws_db_instance.main", "aws_db_instance", change.Update, map[string]string{"env": "prod"}), map[string]string{"env": "dev"}, false), Pass, ""},
		{"an uncatalogued type", withBefore(res("aws_iam_role.r", "aws_iam_role", change.Update, map[string]string{"env": "dev"}), map[string]string{"env": "prod"}, false), Pass, ""},
		{"deletion protection on", attr(res("aws_rds_cluster.c", "aws_rds_cluster", change.Update, map[string]string{"env": "prod"}), "deletion_protection", false, true), Pass, ""},
		{"safeguard off outside prod", attr(res("aws_rds_cluster.c", "aws_rds_cluster", change.Update, map[string]string{"env": "dev"}), "deletion_protection", true, false), Pass, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, f := judgeOne(t, tt.r, DefaultPolicy(), Options{})
			if v.Decision != tt.want || f.Rule != tt.rule {
				t.Fatalf("decision %s rule %q, want %s %q: %+v", v.Decision, f.Rule, tt.want, tt.rule, f)
			}
		})
	}
	// AI-originated: a removed safeguard on a protected resource blocks.
	r := attr(res("aws_rds_cluster.c", "aws_rds_cluster", change.Update, map[string]string{"env": "prod"}), "deletion_protection", true, false)
	if v, _ := judgeOne(t, r, DefaultPolicy(), Options{Origin: OriginInfo{Origin: OriginAI, DecidedBy: "test"}}); v.Decision != Block {
		t.Errorf("AI-originated safeguard removal: %s", v.Decision)
	}
}

// Tags wrapped in sensitive() hide where a resource lives; a destroy of
// a catalogued one then blocks, showing no tag value.
func TestSensitiveLabelsProtect(t *testing.T) {
	for _, act := range []change.Action{change.Delete, change.Replace} {
		r := res("aws_db_instance.main", "aws_db_instance", act, nil)
		r.LabelsSensitive = true
		v, f := judgeOne(t, r, DefaultPolicy(), Options{})
		if v.Decision != Block || f.Rule != RuleProtectedDestroy || f.Environment != "(sensitive)" {
			t.Errorf("%s: %s %+v", act, v.Decision, f)
		}
	}
}
