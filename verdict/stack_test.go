package verdict

import (
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

// A CloudFormation or Pulumi stack's name places what nothing else does,
// as weakly as a module name: tags name the environment first, and an
// explicit workspace overrides the guess.
func TestStackName(t *testing.T) {
	db := func(labels map[string]string) change.Resource {
		return res("OrdersDb", "AWS::RDS::DBInstance", change.Delete, labels)
	}
	tests := []struct {
		name, stack string
		r           change.Resource
		opts        Options
		env, source string
		want        Decision
	}{
		{"stack name alone", "orders-prod", db(nil), Options{}, "prod", "stack name orders-prod", Block},
		{"tags name it first", "orders-prod", db(map[string]string{"Environment": "staging"}), Options{}, "staging", "tag Environment=staging", Block},
		{"a staging stack", "orders-staging", db(nil), Options{}, "staging", "stack name orders-staging", Warn},
		{"a workspace overrides the guess", "orders-prod", db(nil), Options{Workspace: "dev"}, "dev", "workspace dev", Warn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Evaluate(change.Set{Managed: 10, Stack: tt.stack, Resources: []change.Resource{tt.r}}, DefaultPolicy(), tt.opts)
			f := v.Findings[0]
			if v.Decision != tt.want || f.Environment != tt.env || f.EnvironmentSource[:len(tt.source)] != tt.source {
				t.Fatalf("got %s %q %q, want %s %q %q", v.Decision, f.Environment, f.EnvironmentSource, tt.want, tt.env, tt.source)
			}
		})
	}
	a := Evaluate(change.Set{Stack: "a-prod", Resources: []change.Resource{db(nil)}}, DefaultPolicy(), Options{})
	b := Evaluate(change.Set{Stack: "b-prod", Resources: []change.Resource{db(nil)}}, DefaultPolicy(), Options{})
	w := Evaluate(change.Set{Resources: []change.Resource{db(nil)}}, DefaultPolicy(), Options{Workspace: "prod"})
	if a.Fingerprint == b.Fingerprint || w.Fingerprint == Evaluate(change.Set{Resources: []change.Resource{db(nil)}}, DefaultPolicy(), Options{Workspace: "staging"}).Fingerprint {
		t.Fatal("the same change in another stack or workspace has the same fingerprint")
	}
}
