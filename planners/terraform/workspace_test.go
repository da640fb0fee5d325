package terraform

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// prodConfig is the configuration applied in workspace prod; the source
// directory the tests plan no longer has terraform_data.gone.
const prodConfig = `resource "terraform_data" "keep" {
  input = "unchanged"
}

resource "terraform_data" "gone" {
  input = "only in prod"
}
`

// prodWorkspace returns a directory whose selected workspace is prod, as
// `terraform workspace new prod && terraform apply` leaves it: the state in
// terraform.tfstate.d/prod, .terraform/environment naming prod, no default
// state. Its configuration has dropped terraform_data.gone since.
func prodWorkspace(t *testing.T, bin string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "prod")
	write(t, dir, "main.tf", prodConfig)
	terraform(t, bin, dir, "init", "-input=false")
	terraform(t, bin, dir, "workspace", "new", "prod")
	terraform(t, bin, dir, "apply", "-auto-approve", "-input=false")
	write(t, dir, "main.tf", strings.Split(prodConfig, "\n\n")[0]+"\n")
	return dir
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRunWorkspace plans the workspace terraform would use, in terraform's
// order, and refuses what would plan another workspace or an empty state.
func TestRunWorkspace(t *testing.T) {
	bin := terraformBin(t)
	t.Setenv(workspaceEnv, "")
	base := prodWorkspace(t, bin)
	prodState := filepath.Join(base, "terraform.tfstate.d", "prod", "terraform.tfstate")

	inProd := map[string]planned{"terraform_data.keep": {"no-op", ""}, "terraform_data.gone": {"delete", ""}}
	inDefault := map[string]planned{"terraform_data.keep": {"create", ""}}
	unreachable := "terraform {\n  backend \"http\" {\n    address = \"http://127.0.0.1:9/state\"\n  }\n}\n"

	tests := []struct {
		name     string
		env      map[string]string
		selected string // .terraform/environment; "" removes it
		opts     RunOptions
		prepare  func(t *testing.T, dir string, opts *RunOptions)
		want     string // the workspace planned
		plan     map[string]planned
		err      string // a substring of the error; "" means success
		is       error
	}{
		{name: "selected", selected: "prod", want: "prod", plan: inProd},
		{name: "none selected", want: "default", plan: inDefault},
		{name: "TF_WORKSPACE", env: map[string]string{workspaceEnv: "prod"}, want: "prod", plan: inProd},
		{name: "TF_WORKSPACE over selected", selected: "default", env: map[string]string{workspaceEnv: "prod"}, want: "prod", plan: inProd},
		{name: "TF_WORKSPACE default over selected prod", selected: "prod", env: map[string]string{workspaceEnv: "default"}, want: "default", plan: inDefault},
		{name: "flag", opts: RunOptions{Workspace: "prod"}, want: "prod", plan: inProd},
		{name: "flag over selected", selected: "default", opts: RunOptions{Workspace: "prod"}, want: "prod", plan: inProd},
		{name: "flag agrees with TF_WORKSPACE", env: map[string]string{workspaceEnv: "prod"}, opts: RunOptions{Workspace: "prod"}, want: "prod", plan: inProd},
		{name: "flag disagrees with TF_WORKSPACE", selected: "prod", env: map[string]string{workspaceEnv: "prod"}, opts: RunOptions{Workspace: "staging"},
			err: "--workspace staging and TF_WORKSPACE=prod name different workspaces"},
		{name: "relative TF_DATA_DIR", env: map[string]string{"TF_DATA_DIR": ".tfdata"}, want: "prod", plan: inProd,
			prepare: func(t *testing.T, dir string, _ *RunOptions) { write(t, dir, ".tfdata/environment", "prod\n") }},
		{name: "TF_DATA_DIR outside", env: map[string]string{"TF_DATA_DIR": "../data"}, err: "TF_DATA_DIR=../data would let terraform write outside"},
		{name: "invalid flag", opts: RunOptions{Workspace: "../prod"}, err: `workspace "../prod" (from --workspace)`},
		{name: "invalid selected", selected: "a/b", err: `workspace "a/b" (from `},
		{name: "state snapshot", selected: "prod", want: "prod", plan: inProd,
			prepare: func(t *testing.T, dir string, opts *RunOptions) {
				// Only the snapshot holds the state, and the real backend
				// cannot be reached.
				opts.State = filepath.Join(t.TempDir(), "prod.tfstate")
				if err := os.Rename(filepath.Join(dir, "terraform.tfstate.d", "prod", "terraform.tfstate"), opts.State); err != nil {
					t.Fatal(err)
				}
				write(t, dir, "backend.tf", unreachable)
			}},
		{name: "state snapshot over the local state", opts: RunOptions{Workspace: "prod"}, want: "prod", plan: inProd,
			prepare: func(t *testing.T, dir string, opts *RunOptions) {
				// The local prod state holds local_only where the snapshot
				// holds gone; init must not offer to migrate the local
				// state into the override, and the plan reads the snapshot.
				opts.State = prodState
				b, err := os.ReadFile(prodState)
				if err != nil {
					t.Fatal(err)
				}
				local := strings.Replace(string(b), `"name": "gone"`, `"name": "local_only"`, 1)
				if local == string(b) {
					t.Fatal("the prod state holds no terraform_data.gone")
				}
				write(t, dir, "terraform.tfstate.d/prod/terraform.tfstate", local)
			}},
		{name: "state snapshot, default workspace", want: "default", plan: inProd,
			prepare: func(t *testing.T, dir string, opts *RunOptions) { opts.State = prodState }},
		{name: "missing workspace, no backend block", selected: "staging", err: `workspace does not exist: "staging" has no terraform.tfstate.d/staging`, is: ErrNoWorkspace},
		{name: "missing workspace, backend block", selected: "staging", err: `Error: Currently selected workspace "staging" does not exist`,
			prepare: func(t *testing.T, dir string, _ *RunOptions) {
				write(t, dir, "backend.tf", "terraform {\n  backend \"local\" {\n    workspace_dir = \"states\"\n  }\n}\n")
				if err := os.Rename(filepath.Join(dir, "terraform.tfstate.d"), filepath.Join(dir, "states")); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "missing workspace, backend's only one", selected: "staging", err: `workspace does not exist: "staging" (init selected "default"`, is: ErrNoWorkspace,
			prepare: func(t *testing.T, dir string, _ *RunOptions) {
				write(t, dir, "backend.tf", "terraform {\n  backend \"local\" {\n    workspace_dir = \"states\"\n  }\n}\n")
				if err := os.RemoveAll(filepath.Join(dir, "terraform.tfstate.d")); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "plan file", selected: "prod", want: "prod", plan: inProd,
			prepare: func(t *testing.T, dir string, opts *RunOptions) {
				opts.PlanFile = filepath.Join(t.TempDir(), "tfplan")
				scratch := filepath.Join(t.TempDir(), "scratch")
				if err := os.CopyFS(scratch, os.DirFS(dir)); err != nil {
					t.Fatal(err)
				}
				terraform(t, bin, scratch, "plan", "-input=false", "-out="+opts.PlanFile)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "src")
			if err := os.CopyFS(dir, os.DirFS(base)); err != nil {
				t.Fatal(err)
			}
			env := filepath.Join(dir, ".terraform", "environment")
			if tt.selected == "" {
				if err := os.Remove(env); err != nil {
					t.Fatal(err)
				}
			} else {
				write(t, dir, ".terraform/environment", tt.selected)
			}
			opts := tt.opts
			opts.Dir, opts.Binary, opts.Refresh = dir, bin, true
			if tt.prepare != nil {
				tt.prepare(t, dir, &opts)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			tmp := isolatedTemp(t)
			before := hashTree(t, dir)

			r, plan, err := planJSON(opts)
			assertUnchanged(t, dir, before)
			assertEmpty(t, tmp)
			if tt.err != "" {
				if err == nil {
					t.Fatalf("no error; planned workspace %q", r.Workspace)
				}
				if !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error lacks %q:\n%v", tt.err, err)
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Errorf("error is not %v: %v", tt.is, err)
				}
				var ce *CommandError
				if !errors.As(err, &ce) && strings.Contains(err.Error(), "\n") {
					t.Errorf("error is more than one line: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Workspace != tt.want {
				t.Errorf("workspace = %q, want %q", r.Workspace, tt.want)
			}
			assertPlan(t, plan, tt.plan)
		})
	}
}

func TestResolveWorkspace(t *testing.T) {
	t.Setenv("TF_DATA_DIR", "")
	tests := []struct {
		name, explicit, env, file string
		want, err                 string
	}{
		{name: "nothing", want: "default"},
		{name: "empty file", file: "\n", want: "default"},
		{name: "file", file: "prod\n", want: "prod"},
		{name: "env over file", file: "staging", env: "prod", want: "prod"},
		{name: "flag over file", file: "staging", explicit: "prod", want: "prod"},
		{name: "flag and env agree", explicit: "prod", env: "prod", want: "prod"},
		{name: "flag and env disagree", explicit: "staging", env: "prod", err: "name different workspaces"},
		{name: "dots", explicit: "..", err: "want letters"},
		{name: "slash in env", env: "a/b", err: "from TF_WORKSPACE"},
		{name: "dash first", explicit: "-x", err: "want letters"},
		{name: "too long", explicit: strings.Repeat("a", 91), err: "at most 90"},
		{name: "usual names", explicit: "eu-west-1.prod_2", want: "eu-west-1.prod_2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.file != "" {
				write(t, dir, ".terraform/environment", tt.file)
			}
			t.Setenv(workspaceEnv, tt.env)
			got, err := resolveWorkspace(dir, tt.explicit)
			switch {
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("err = %v, want one containing %q", err, tt.err)
			case tt.err == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case got != tt.want:
				t.Errorf("workspace = %q, want %q", got, tt.want)
			}
		})
	}
}
