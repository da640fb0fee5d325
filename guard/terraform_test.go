package guard

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse-dev/rehearse/approval"
	"github.com/rehearse-dev/rehearse/verdict"
)

// terraformBin is the terraform the Makefile installs into ./bin, or
// $REHEARSE_TERRAFORM; without one the test fails rather than pass
// silently (REHEARSE_SKIP_TERRAFORM=1 skips it).
func terraformBin(t *testing.T) string {
	t.Helper()
	if os.Getenv("REHEARSE_SKIP_TERRAFORM") == "1" {
		t.Skip("REHEARSE_SKIP_TERRAFORM=1")
	}
	if p := os.Getenv("REHEARSE_TERRAFORM"); p != "" {
		return p
	}
	p, err := filepath.Abs(filepath.Join("..", "bin", "terraform"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("terraform not found at %s: run `make tools` (or set REHEARSE_TERRAFORM; REHEARSE_SKIP_TERRAFORM=1 skips)", p)
	}
	return p
}

// tfRun runs terraform for a fixture. Tests may apply; guard's own code
// applies only the plan file it judged.
func tfRun(t *testing.T, bin, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// dozen is the applied fixture: twelve terraform_data resources standing
// in for production databases.
func dozen() string {
	var b strings.Builder
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&b, "resource \"terraform_data\" \"db%02d\" {\n  input = \"v%d\"\n}\n\n", i, i)
	}
	return b.String()
}

// prodDataPolicy makes every terraform_data a data-bearing resource in
// production, so a destroy of one blocks.
const prodDataPolicy = `apiVersion: rehearse/v1
kind: Policy
types:
  data_bearing: [terraform_data]
environments:
  rules:
    - {address: "terraform_data.*", environment: prod}
`

// fixture applies the dozen in a fresh directory with local state and the
// policy, then writes config as the change an agent would apply.
func fixture(t *testing.T, config string) (dir, bin string) {
	t.Helper()
	bin = terraformBin(t)
	dir = t.TempDir()
	write(t, filepath.Join(dir, "main.tf"), dozen())
	tfRun(t, bin, dir, "init", "-input=false", "-no-color")
	tfRun(t, bin, dir, "apply", "-auto-approve", "-input=false", "-no-color")
	write(t, filepath.Join(dir, "rehearse.yaml"), prodDataPolicy)
	write(t, filepath.Join(dir, "main.tf"), config)
	return dir, bin
}

// benign is the dozen plus one more.
func benign() string {
	return dozen() + "resource \"terraform_data\" \"cache\" {\n  input = \"new\"\n}\n"
}

// destructive drops the dozen.
const destructive = "resource \"terraform_data\" \"keep\" {\n  input = \"k\"\n}\n"

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// call reads line, run in dir, as the hook does: Analyze, then Classify.
func call(t *testing.T, line, dir string) *TerraformCall {
	t.Helper()
	invs, err := Analyze(line, dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range invs {
		if _, tc := Classify(&invs[i], nil); tc != nil {
			return tc
		}
	}
	t.Fatalf("%s: no terraform call", line)
	return nil
}

// testApprovals reads approvals as the CLI does, without signatures.
func testApprovals(file string, pol *verdict.Policy, _ string) ([]verdict.Approval, []string, error) {
	entries, err := approval.Load(file)
	if err != nil {
		return nil, nil, err
	}
	return approval.Verify(approval.Input{Entries: entries, Policy: pol.Approvals, Now: time.Now(), Authors: []string{}}), nil, nil
}

func aiJudge(bin string) *Judge {
	return &Judge{Binary: bin, Origin: verdict.OriginInfo{Origin: verdict.OriginAI, DecidedBy: "test"}, Approvals: testApprovals, Timeout: 2 * time.Minute}
}

func TestTerraformDestructiveApplyDenied(t *testing.T) {
	dir, bin := fixture(t, destructive)
	d := aiJudge(bin).Terraform(context.Background(), call(t, "terraform apply -auto-approve", dir))
	if d.Permission != Deny {
		t.Fatalf("permission %s, want deny: %s", d.Permission, d.Reason)
	}
	for i := 1; i <= 12; i++ {
		if a := fmt.Sprintf("terraform_data.db%02d", i); !strings.Contains(d.Reason, a) {
			t.Errorf("reason does not name %s: %s", a, d.Reason)
		}
	}
	for _, want := range []string{"protected environment prod", "rehearse approve --dir " + dir, "--policy " + filepath.Join(dir, "rehearse.yaml"), "--finding RH-", d.Verdict.Fingerprint, "--rollback"} {
		if !strings.Contains(d.Reason, want) {
			t.Errorf("reason lacks %q: %s", want, d.Reason)
		}
	}
	if strings.Contains(d.Reason, "\n") {
		t.Errorf("reason is not one paragraph: %q", d.Reason)
	}
}

func TestTerraformBenignApplyAllowed(t *testing.T) {
	dir, bin := fixture(t, benign())
	d := aiJudge(bin).Terraform(context.Background(), call(t, "terraform apply -auto-approve", dir))
	if d.Permission != Allow {
		t.Fatalf("permission %s, want allow: %s", d.Permission, d.Reason)
	}
	if !strings.Contains(d.Reason, "1 to create") {
		t.Errorf("reason: %s", d.Reason)
	}
}

func TestTerraformDestroyPlansADestroy(t *testing.T) {
	dir, bin := fixture(t, dozen())
	for _, line := range []string{"terraform destroy -auto-approve", "terraform apply -destroy -auto-approve", "cd / && terraform -chdir=" + dir + " destroy"} {
		d := aiJudge(bin).Terraform(context.Background(), call(t, line, dir))
		if d.Permission != Deny || !strings.Contains(d.Reason, "terraform_data.db12") || !strings.Contains(d.Reason, "--destroy") {
			t.Errorf("%s: %s: %s", line, d.Permission, d.Reason)
		}
	}
	// A targeted destroy of a resource nothing protects only warns.
	write(t, filepath.Join(dir, "rehearse.yaml"), "apiVersion: rehearse/v1\nkind: Policy\n")
	d := aiJudge(bin).Terraform(context.Background(), call(t, "terraform destroy -target=terraform_data.db01", dir))
	if d.Permission != Ask || !strings.Contains(d.Reason, "terraform_data.db01") || strings.Contains(d.Reason, "db02") {
		t.Errorf("targeted destroy: %s: %s", d.Permission, d.Reason)
	}
}

func TestTerraformSavedPlanJudged(t *testing.T) {
	dir, bin := fixture(t, destructive)
	tfRun(t, bin, dir, "plan", "-input=false", "-no-color", "-out=tfplan")
	d := aiJudge(bin).Terraform(context.Background(), call(t, "terraform apply tfplan", dir))
	if d.Permission != Deny || !strings.Contains(d.Reason, "terraform_data.db07") || !strings.Contains(d.Reason, "--plan-file "+filepath.Join(dir, "tfplan")) {
		t.Fatalf("%s: %s", d.Permission, d.Reason)
	}
}

func TestTerraformApprovedChangeAllowed(t *testing.T) {
	dir, bin := fixture(t, destructive)
	j := aiJudge(bin)
	tc := call(t, "terraform apply -auto-approve", dir)
	d := j.Terraform(context.Background(), tc)
	if d.Permission != Deny {
		t.Fatalf("before approval: %s: %s", d.Permission, d.Reason)
	}
	var entries []approval.Entry
	for _, f := range d.Verdict.Findings {
		if f.Severity == verdict.SeverityBlock {
			entries = append(entries, approval.Entry{Finding: f.ID, Fingerprint: d.Verdict.Fingerprint, By: "alice@example.com", At: time.Now().UTC().Format(time.RFC3339), Reason: "decommission", Rollback: "re-create from backup"})
		}
	}
	if err := approval.Append(filepath.Join(dir, ".rehearse", "approvals.yaml"), entries...); err != nil {
		t.Fatal(err)
	}
	if d := j.Terraform(context.Background(), tc); d.Permission != Allow || !strings.Contains(d.Reason, "approved") {
		t.Fatalf("after approval: %s: %s", d.Permission, d.Reason)
	}
	// Another change is not approved by it.
	write(t, filepath.Join(dir, "main.tf"), destructive+"resource \"terraform_data\" \"other\" {}\n")
	if d := j.Terraform(context.Background(), tc); d.Permission != Deny {
		t.Fatalf("another change: %s: %s", d.Permission, d.Reason)
	}
}

func TestTerraformCannotJudgeDenies(t *testing.T) {
	bin := terraformBin(t)
	broken := t.TempDir()
	write(t, filepath.Join(broken, "main.tf"), "resource \"terraform_data\" {\n")
	dir, _ := fixture(t, destructive)
	tests := []struct {
		name, line, dir, want string
		judge                 func(*Judge)
	}{
		{"init fails", "terraform apply", broken, "terraform init failed", nil},
		{"timeout", "terraform apply", dir, "did not finish within", func(j *Judge) { j.Timeout = time.Millisecond }},
		{"TF_CLI_ARGS in the environment", "terraform apply", dir, "TF_CLI_ARGS_apply is set", func(j *Judge) {
			j.Getenv = func(k string) string {
				if k == "TF_CLI_ARGS_apply" {
					return "-destroy"
				}
				return ""
			}
		}},
		{"TF_VAR on the line", "TF_VAR_x=1 terraform apply", dir, "sets TF_VAR_x", nil},
		{"argument known only at run time", "terraform apply -target=$T", dir, "not known", nil},
		{"unknown flag", "terraform apply -frobnicate", dir, "-frobnicate", nil},
		{"var-file after var", "terraform apply -var a=1 -var-file=x.tfvars", dir, "-var-file after a -var", nil},
		{"valued flag split", "terraform apply -parallelism 5", dir, "write -parallelism=VALUE", nil},
		{"boolean Classify would misread", "terraform apply -destroy=1", dir, "write -destroy", nil},
		{"second argument", "terraform apply tfplan other", dir, "unexpected argument other", nil},
		{"terragrunt", "terragrunt apply", dir, "terragrunt generates", nil},
		{"broken policy", "terraform apply", dir, "rehearse.yaml", func(*Judge) { write(t, filepath.Join(dir, "rehearse.yaml"), "kind: [") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := aiJudge(bin)
			if tt.judge != nil {
				tt.judge(j)
			}
			d := j.Terraform(context.Background(), call(t, tt.line, tt.dir))
			if d.Permission != Deny || !strings.Contains(d.Reason, "could not judge") || !strings.Contains(d.Reason, tt.want) {
				t.Errorf("%s: %s, want a deny saying %q", d.Permission, d.Reason, tt.want)
			}
		})
	}
}

func TestTerraformRepositoryPolicyFound(t *testing.T) {
	repo := t.TempDir()
	if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(repo, "rehearse.yaml"), prodDataPolicy)
	infra := filepath.Join(repo, "infra", "prod")
	if err := os.MkdirAll(infra, 0o755); err != nil {
		t.Fatal(err)
	}
	var j Judge
	p, err := j.PolicyFor(infra)
	if err != nil || p.File != filepath.Join(repo, "rehearse.yaml") || p.Root != repo {
		t.Fatalf("PolicyFor: %+v, %v", p, err)
	}
	// Above the repository root nothing is read.
	outside := t.TempDir()
	write(t, filepath.Join(outside, "rehearse.yaml"), "kind: [")
	inner := filepath.Join(outside, "repo")
	if err := os.MkdirAll(filepath.Join(inner, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if p, err := j.PolicyFor(inner); err != nil || p.File != "" || p.Root != inner {
		t.Fatalf("PolicyFor above the root: %+v, %v", p, err)
	}
	// A weakening is kept for a blocking finding.
	write(t, filepath.Join(repo, "rehearse.yaml"), "apiVersion: rehearse/v1\nkind: Policy\nenvironments:\n  protected: [qa]\n")
	if p, err := j.PolicyFor(infra); err != nil || len(p.Weakened) == 0 {
		t.Fatalf("weakened: %+v, %v", p.Weakened, err)
	}
	if _, err := os.Stat(filepath.Join(repo, ".rehearse")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("PolicyFor wrote something: %v", err)
	}
}

func TestReadCommandSplitsPlanAndApply(t *testing.T) {
	tests := []struct {
		line, plan, apply string
	}{
		{"terraform apply -auto-approve", "plan -out=J", "apply J"},
		{"terraform -chdir=infra apply -var a=1 -var=b=2 -target x -lock=false -parallelism=3 -no-color",
			"-chdir=infra plan -out=J -var=a=1 -var=b=2 -target=x -lock=false -parallelism=3 -no-color",
			"-chdir=infra apply -lock=false -parallelism=3 -no-color J"},
		{"terraform destroy -auto-approve -target=a.b", "plan -out=J -destroy -target=a.b", "apply J"},
		{"tofu apply -var-file=prod.tfvars -replace=a.b -refresh=false -backup=old.tfstate -state=s.tfstate",
			"plan -out=J -var-file=prod.tfvars -replace=a.b -refresh=false -state=s.tfstate",
			"apply -backup=old.tfstate -state=s.tfstate J"},
		{"terraform apply tfplan", "plan -out=J", "apply J"},
		{"terraform apply -refresh-only -input=false", "plan -out=J -refresh-only -input=false", "apply -input=false J"},
	}
	for _, tt := range tests {
		tc := call(t, tt.line, "/work")
		c, err := readCommand(tc)
		if err != nil {
			t.Errorf("%s: %v", tt.line, err)
			continue
		}
		if got := strings.Join(c.planArgs("J"), " "); got != tt.plan {
			t.Errorf("%s: plan step\n got %s\nwant %s", tt.line, got, tt.plan)
		}
		if got := strings.Join(c.applyArgs("J"), " "); got != tt.apply {
			t.Errorf("%s: apply step\n got %s\nwant %s", tt.line, got, tt.apply)
		}
	}
}

func TestDenialIsOneParagraphWithoutControls(t *testing.T) {
	jd := &Judged{Dir: "/w/infra", ApprovalsFile: "/w/.rehearse/approvals.yaml", Signed: true, Verdict: verdict.Verdict{
		Decision: verdict.Block, Fingerprint: "sha256:ab", Origin: verdict.OriginInfo{Origin: verdict.OriginAI},
		Findings: []verdict.Finding{
			{ID: "RH-1", Severity: verdict.SeverityBlock, Address: "aws_db_instance.orders\x1b[2J", Action: "replace", Message: "data-bearing database is replaced\nin protected environment prod"},
			{ID: "RH-2", Severity: verdict.SeverityBlock, Message: "high blast radius"},
			{ID: "RH-3", Severity: verdict.SeverityWarn, Address: "aws_instance.web", Action: "delete", Message: "resource is destroyed"},
		},
	}}
	r := jd.denial("terraform apply")
	for _, bad := range []string{"\n", "\x1b"} {
		if strings.Contains(r, bad) {
			t.Errorf("reason holds %q: %q", bad, r)
		}
	}
	for _, want := range []string{"replace aws_db_instance.orders\\x1b[2J", "Also: high blast radius", "--finding RH-1 --finding RH-2 ", "--sign-key", "(1 more finding only warns.)"} {
		if !strings.Contains(r, want) {
			t.Errorf("reason lacks %q: %s", want, r)
		}
	}
	if strings.Contains(r, "RH-3") {
		t.Errorf("a warning is offered for approval: %s", r)
	}
}
