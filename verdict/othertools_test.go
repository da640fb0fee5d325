package verdict

import (
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

// CloudFormation and Pulumi types share their Terraform counterpart's entry,
// and a policy that trims the Terraform type trims them too: one table.
func TestOtherToolsCatalogue(t *testing.T) {
	c := DefaultCatalogue()
	for tf, names := range otherNames {
		want, ok := c.Lookup(tf)
		if !ok {
			t.Errorf("%s is not catalogued, yet %v name it", tf, names)
			continue
		}
		for _, n := range names {
			if got, ok := c.Lookup(n); !ok || got != want {
				t.Errorf("%s: %+v, want %s's %+v", n, got, tf, want)
			}
		}
	}
	for _, n := range []string{"AWS::RDS::DBInstance", "aws:rds/instance:Instance", "gcp:sql/databaseInstance:DatabaseInstance", "kubernetes:core/v1:Namespace", "azure-native:storage:StorageAccount", "AWS::CloudFormation::Stack"} {
		if _, ok := c.Lookup(n); !ok {
			t.Errorf("%s is not catalogued", n)
		}
	}
	p := DefaultPolicy()
	p.Types.Ignore = []string{"aws_s3_bucket"}
	if _, ok := p.Catalogue().Lookup("AWS::S3::Bucket"); ok {
		t.Error("ignoring aws_s3_bucket leaves AWS::S3::Bucket catalogued")
	}
}

// A conditional replace warns, and blocks on protected data, saying it is
// conditional.
func TestConditionalReplace(t *testing.T) {
	db := res("OrdersDb", "AWS::RDS::DBInstance", change.Replace, map[string]string{"Environment": "prod"})
	db.Conditional = true
	v, f := judgeOne(t, db, DefaultPolicy(), Options{})
	if v.Decision != Block || f.Rule != RuleProtectedDestroy || !strings.Contains(f.Message, "conditional") {
		t.Fatalf("%s %s %q", v.Decision, f.Rule, f.Message)
	}
	fn := res("Api", "AWS::Lambda::Function", change.Replace, map[string]string{"Environment": "prod"})
	fn.Conditional = true
	if v, f := judgeOne(t, fn, DefaultPolicy(), Options{}); v.Decision != Warn || !strings.Contains(f.Message, "conditional") {
		t.Fatalf("%s %q", v.Decision, f.Message)
	}
}

// CloudFormation deletion policies and Pulumi's protect and retainOnDelete
// tell how recoverable a loss is.
func TestOtherToolsRecoverability(t *testing.T) {
	tests := []struct {
		attr  string
		value any
		level string
		hint  string
	}{
		{"deletion_policy", "Retain", Guarded, "Retain"},
		{"deletion_policy", "Snapshot", CheckBackups, "snapshot before it deletes"},
		{"deletion_policy", "Delete", CheckBackups, "takes no snapshot"},
		{"protect", true, Guarded, "pulumi refuses"},
		{"retain_on_delete", true, Guarded, "retainOnDelete"},
	}
	for _, tt := range tests {
		r := res("Db", "AWS::RDS::DBInstance", change.Delete, nil)
		r.Before = map[string]change.Value{tt.attr: tt.value}
		level, hints := recoverability(&r, db("database"), true)
		if level != tt.level || !has(hints, tt.hint) {
			t.Errorf("%s=%v: %s %q", tt.attr, tt.value, level, hints)
		}
	}
}
