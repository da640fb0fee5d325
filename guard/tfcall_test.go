package guard

import (
	"reflect"
	"testing"

	"github.com/rehearse-dev/rehearse/verdict"
)

func TestTerraformCall(t *testing.T) {
	tests := []struct {
		line string
		want TerraformCall
	}{
		{
			line: "cd infra && TF_WORKSPACE=prod terraform -chdir=live apply -var a=1 -var=b=2 -var-file x.tfvars -target=aws_x.y -replace aws_z.w -auto-approve -lock=false",
			want: TerraformCall{
				Binary: "terraform", Subcommand: "apply", Dir: "/work/repo/infra/live", Workspace: "prod",
				AutoApprove: true, Vars: []string{"a=1", "b=2"}, VarFiles: []string{"x.tfvars"},
				Targets: []string{"aws_x.y"}, Replace: []string{"aws_z.w"}, Args: []string{"-lock=false"},
			},
		},
		{
			line: "tofu apply -destroy",
			want: TerraformCall{Binary: "tofu", Subcommand: "apply", Dir: "/work/repo", Destroy: true},
		},
		{
			line: "terraform apply saved.tfplan",
			want: TerraformCall{Binary: "terraform", Subcommand: "apply", Dir: "/work/repo", PlanFile: "saved.tfplan"},
		},
		{
			line: "terraform workspace select prod && terraform apply -refresh-only",
			want: TerraformCall{Binary: "terraform", Subcommand: "apply", Dir: "/work/repo", Workspace: "prod", RefreshOnly: true},
		},
		{
			line: "terragrunt run --all -- destroy",
			want: TerraformCall{Binary: "terragrunt", Subcommand: "destroy", Dir: "/work/repo", Destroy: true, RunAll: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			invs, err := Analyze(tt.line, "/work/repo")
			if err != nil {
				t.Fatal(err)
			}
			var got *TerraformCall
			for i := range invs {
				if _, tc := Classify(&invs[i], nil); tc != nil {
					got = tc
				}
			}
			if got == nil {
				t.Fatal("no terraform call")
			}
			got.Argv, got.Env = nil, nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestGuardPolicy(t *testing.T) {
	base := verdict.DefaultPolicy()
	p, err := verdict.ParsePolicy("test.yaml", []byte(`apiVersion: rehearse/v1
kind: Policy
guard:
  rules:
    - {match: "kubectl delete deployment|deploy", decision: ask}
    - {match: "./bin/reset-db", decision: deny, reason: "wipes the database"}
    - {match: "docker volume rm", decision: allow}
  ignore: ["terraform|tofu|terragrunt import"]
  protected_context: ask
  wrapper_words: ["*"]
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line string
		want Permission
	}{
		{"kubectl delete deploy api", Ask},
		{"./bin/reset-db --yes", Deny},
		{"docker volume rm pgdata", Allow},
		{"terraform import a.b c", Ask}, // its rule ignored, import is a subcommand the guard does not know
		{"kubectl delete ns prod", Ask},
		{"make test", Ask},
	}
	for _, tt := range tests {
		d, _ := decide(t, tt.line, "/work/repo", &p)
		if d.Permission != tt.want {
			t.Errorf("%q: got %s, want %s (%s)", tt.line, d.Permission, tt.want, d.Reason)
		}
	}
	weak := verdict.GuardWeakenings(base, p)
	if len(weak) != 3 {
		t.Errorf("weakenings: %q", weak)
	}
	if _, err := verdict.ParsePolicy("bad.yaml", []byte("apiVersion: rehearse/v1\nkind: Policy\nguard: {rules: [{match: x, decision: maybe}]}\n")); err == nil {
		t.Error("a bad decision parsed")
	}
}
