package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// prodConfig is applied in workspace prod; the directory rehearse plans has
// dropped terraform_data.gone since, so the prod plan deletes it.
const prodConfig = `resource "terraform_data" "keep" {
  input = "unchanged"
}

resource "terraform_data" "gone" {
  input = "only in prod"
}
`

// prodWorkspaceDir returns a directory as `terraform workspace new prod &&
// terraform apply` leaves it, with gone since removed from main.tf: the state
// in terraform.tfstate.d/prod, .terraform/environment naming prod, and no
// default state, so planning default instead shows nothing but a create.
func prodWorkspaceDir(t *testing.T, bin string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "infra")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(dir, "main.tf")
	if err := os.WriteFile(main, []byte(prodConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	tf(t, bin, dir, "init", "-input=false", "-no-color")
	tf(t, bin, dir, "workspace", "new", "-no-color", "prod")
	tf(t, bin, dir, "apply", "-auto-approve", "-input=false", "-no-color")
	keep, _, _ := strings.Cut(prodConfig, "\n\n")
	if err := os.WriteFile(main, []byte(keep+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// treeSums fingerprints every entry below dir, so a test can prove a run
// wrote nothing there.
func treeSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if !d.Type().IsRegular() {
			sums[rel] = d.Type().String()
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		sums[rel] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

// TestPlanDirWorkspace plans the workspace terraform would use. The policy
// makes terraform_data data-bearing and names no environment, so only the
// workspace can place gone in prod: planned in prod its delete blocks, and
// planned in default (the bug) there is nothing to delete and the change
// passes.
func TestPlanDirWorkspace(t *testing.T) {
	bin := terraformBin(t)
	t.Setenv("TF_WORKSPACE", "")
	base := prodWorkspaceDir(t, bin)
	policy := filepath.Join(t.TempDir(), "rehearse.yaml")
	if err := os.WriteFile(policy, []byte("apiVersion: rehearse/v1\nkind: Policy\ntypes:\n  data_bearing: [terraform_data]\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		selected string // .terraform/environment; "" removes it
		env      string // TF_WORKSPACE
		flags    []string
		snapshot bool // plan against a copy of the prod state given with --state, the local one removed
		code     int
		want     string // the workspace in the verdict
		stderr   string // for exit 2: the one-line error
	}{
		{name: "selected in .terraform", selected: "prod", code: 1, want: "prod"},
		{name: "TF_WORKSPACE", env: "prod", code: 1, want: "prod"},
		{name: "--workspace", flags: []string{"--workspace", "prod"}, code: 1, want: "prod"},
		{name: "--workspace and TF_WORKSPACE disagree", selected: "prod", env: "prod", flags: []string{"--workspace", "staging"}, code: 2,
			stderr: "rehearse: terraform: --workspace staging and TF_WORKSPACE=prod name different workspaces; give one, or the same in both\n"},
		{name: "--state in the selected workspace", selected: "prod", snapshot: true, code: 1, want: "prod"},
		{name: "--state with --workspace", flags: []string{"--workspace", "prod"}, snapshot: true, code: 1, want: "prod"},
		{name: "default", code: 0, want: "default"},
		{name: "missing workspace", selected: "staging", code: 2, stderr: `workspace does not exist: "staging"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "infra")
			if err := os.CopyFS(dir, os.DirFS(base)); err != nil {
				t.Fatal(err)
			}
			env := filepath.Join(dir, ".terraform", "environment")
			if tt.selected == "" {
				if err := os.Remove(env); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(env, []byte(tt.selected), 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"plan", "--dir", dir, "--terraform", bin, "--policy", policy, "--format", "json"}
			if tt.snapshot {
				snap := filepath.Join(t.TempDir(), "prod.tfstate")
				if err := os.Rename(filepath.Join(dir, "terraform.tfstate.d", "prod", "terraform.tfstate"), snap); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--state", snap)
			}
			out := t.TempDir()
			text, md, sarif := filepath.Join(out, "v.txt"), filepath.Join(out, "v.md"), filepath.Join(out, "v.sarif")
			args = append(args, "--output", "text="+text, "--output", "markdown="+md, "--output", "sarif="+sarif)
			args = append(args, tt.flags...)
			t.Setenv("TF_WORKSPACE", tt.env)
			before := treeSums(t, dir)

			code, stdout, stderr := runCLI(t, "", args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.code, stderr, stdout)
			}
			after := treeSums(t, dir)
			for p, h := range after {
				if before[p] != h {
					t.Errorf("%s changed or appeared in the source directory", p)
				}
			}
			for p := range before {
				if _, ok := after[p]; !ok {
					t.Errorf("%s disappeared from the source directory", p)
				}
			}
			if tt.code == 2 {
				last := stderr[strings.LastIndex(strings.TrimSuffix(stderr, "\n"), "\n")+1:]
				if !strings.Contains(last, tt.stderr) || strings.Count(last, "\n") != 1 {
					t.Errorf("error line %q, want one line containing %q", last, tt.stderr)
				}
				return
			}

			var v struct {
				Workspace string `json:"workspace"`
				Findings  []struct {
					Rule, Address, Action, Environment string
				} `json:"findings"`
			}
			if err := json.Unmarshal([]byte(stdout), &v); err != nil {
				t.Fatalf("%v\n%s", err, stdout)
			}
			if v.Workspace != tt.want {
				t.Errorf("verdict workspace %q, want %q", v.Workspace, tt.want)
			}
			if tt.want == "prod" {
				if len(v.Findings) != 1 || v.Findings[0].Address != "terraform_data.gone" || v.Findings[0].Action != "delete" ||
					v.Findings[0].Environment != "prod" || v.Findings[0].Rule != "protected-destroy" {
					t.Errorf("findings %+v, want the delete of terraform_data.gone in prod, protected-destroy", v.Findings)
				}
			} else if len(v.Findings) != 0 {
				t.Errorf("findings %+v, want none", v.Findings)
			}
			for file, want := range map[string]string{text: "· workspace: " + tt.want + " ·", md: "· Workspace: " + tt.want + " ·", sarif: `"workspace": "` + tt.want + `"`} {
				b, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(b), want) {
					t.Errorf("%s does not say %q:\n%s", filepath.Base(file), want, b)
				}
			}
		})
	}
}
