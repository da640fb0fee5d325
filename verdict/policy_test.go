package verdict

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func jsonNumber(s string) json.Number { return json.Number(s) }

func TestDefaultPolicy(t *testing.T) {
	p := DefaultPolicy()
	if p.APIVersion != PolicyAPIVersion || !p.Protected("prod") || p.Thresholds.MaxDestructive != 10 || !p.Origin.AIEscalates {
		t.Fatalf("default policy %+v", p)
	}
	// The starter file rehearse policy init writes is the built-in policy.
	q, err := ParsePolicy("rehearse.yaml", DefaultPolicyYAML())
	if err != nil || !reflect.DeepEqual(p, q) {
		t.Fatalf("starter file differs from the built-in policy: %v", err)
	}
}

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		name, yaml, err string
	}{
		{"partial keeps defaults", "apiVersion: rehearse/v1\nkind: Policy\nthresholds:\n  max_destructive: 3\n", ""},
		{"unknown key", "apiVersion: rehearse/v1\nkind: Policy\nthreshold: {}\n", "p.yaml: line 3: threshold: unknown key; did you mean thresholds?"},
		{"wrong version", "apiVersion: rehearse/v9\nkind: Policy\n", `unsupported apiVersion "rehearse/v9"`},
		{"wrong kind", "apiVersion: rehearse/v1\nkind: Scenario\n", `kind is "Scenario"`},
		{"empty", "", "p.yaml: line 1: the file is empty"},
		{"bad share", "apiVersion: rehearse/v1\nkind: Policy\nthresholds: {max_destructive_share: 2}\n", "max_destructive_share"},
		{"rule without environment", "apiVersion: rehearse/v1\nkind: Policy\nenvironments: {rules: [{address: 'x*'}]}\n", "rules[0]"},
		{"not yaml", "apiVersion: [", "p.yaml: "},
		{"unknown match", "apiVersion: rehearse/v1\nkind: Policy\nenvironments: {match: fuzzy}\n", `environments.match: "fuzzy"`},
		{"empty match", "apiVersion: rehearse/v1\nkind: Policy\nenvironments: {match: ''}\n", `environments.match: ""`},
		{"bad glob", "apiVersion: rehearse/v1\nkind: Policy\nenvironments: {rules: [{address: 'aws_*\\', environment: prod}]}\n", `bad glob "aws_*\\"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePolicy("p.yaml", []byte(tt.yaml))
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if p.Thresholds.MaxDestructive != 3 || !p.Protected("live") {
					t.Errorf("policy %+v", p)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "p.yaml: ") {
				t.Errorf("error %v, want one naming p.yaml and containing %q", err, tt.err)
			}
		})
	}
}

func TestParsePolicyMatch(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{"apiVersion: rehearse/v1\nkind: Policy\n", MatchToken},
		{"apiVersion: rehearse/v1\nkind: Policy\nenvironments: {match: exact}\n", MatchExact},
		{"apiVersion: rehearse/v1\nkind: Policy\nenvironments: {match: token}\n", MatchToken},
	} {
		p, err := ParsePolicy("p.yaml", []byte(tt.yaml))
		if err != nil || p.Environments.Match != tt.want {
			t.Errorf("%q: match %q, %v; want %q", tt.yaml, p.Environments.Match, err, tt.want)
		}
	}
	p, err := ParsePolicy("p.yaml", []byte("apiVersion: rehearse/v1\nkind: Policy\nenvironments: {match: exact, rules: [{address: 'aws_s3_object.*', environment: prod}]}\n"))
	if err != nil || p.Protected("prod-eu") || !p.Protected("PROD") || !globMatch(p.Environments.Rules[0].Address, `aws_s3_object.x["a/b"]`) {
		t.Errorf("exact policy: %v", err)
	}
}

func TestPolicyCatalogue(t *testing.T) {
	p := DefaultPolicy()
	p.Types.DataBearing = []string{"terraform_data"}
	p.Types.Ignore = []string{"aws_s3_bucket"}
	c := p.Catalogue()
	if e, ok := c.Lookup("terraform_data"); !ok || e.Class != DataBearing {
		t.Error("data_bearing did not extend the catalogue")
	}
	if _, ok := c.Lookup("aws_s3_bucket"); ok {
		t.Error("ignore did not trim the catalogue")
	}
	if _, ok := DefaultCatalogue().Lookup("aws_s3_bucket"); !ok {
		t.Error("trimming a policy's catalogue changed the built-in one")
	}
}
