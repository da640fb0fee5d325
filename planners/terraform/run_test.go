package terraform

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
)

// terraformBin returns the terraform the runner tests use: $REHEARSE_TERRAFORM
// or <repo>/bin/terraform (make tools). Not the one on PATH: its version is
// whatever the machine has, and the tests pin 1.5.7.
func terraformBin(t *testing.T) string {
	t.Helper()
	if os.Getenv("REHEARSE_SKIP_TERRAFORM") == "1" {
		t.Skip("REHEARSE_SKIP_TERRAFORM=1")
	}
	if p := os.Getenv(binaryEnv); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	bin := filepath.Join(dir, "bin", "terraform")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("terraform not found at %s: run make tools (or set %s, or REHEARSE_SKIP_TERRAFORM=1 to skip)", bin, binaryEnv)
	}
	return bin
}

// fixture copies testdata/run/<name> into a fresh directory.
func fixture(t *testing.T, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	if err := copyTree(context.Background(), filepath.Join("testdata", "run", name), dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

// terraform runs the real binary directly. Only tests may do this, to
// prepare state and plan files; rehearse's own code never applies.
func terraform(t *testing.T, bin, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_IN_AUTOMATION=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// appliedBase returns a directory holding the after configuration and the
// terraform.tfstate of the applied base configuration.
func appliedBase(t *testing.T, bin string) string {
	t.Helper()
	dir := fixture(t, "base")
	terraform(t, bin, dir, "init", "-input=false")
	terraform(t, bin, dir, "apply", "-auto-approve", "-input=false")
	after, err := os.ReadFile(filepath.Join("testdata", "run", "after", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), after, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// hashTree fingerprints every entry below dir, so a test can prove a run
// wrote nothing there.
func hashTree(t *testing.T, dir string) map[string]string {
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

func assertUnchanged(t *testing.T, dir string, before map[string]string) {
	t.Helper()
	after := hashTree(t, dir)
	for p, h := range after {
		if before[p] != h {
			t.Errorf("%s: %s changed or appeared", dir, p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			t.Errorf("%s: %s disappeared", dir, p)
		}
	}
}

// isolatedTemp points the runner's temporary area at a directory the test
// can check for leftovers. It uses t.Setenv, so such tests cannot be parallel.
func isolatedTemp(t *testing.T) string {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	return tmp
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left behind in the temporary area: %s", e.Name())
	}
}

type planned struct {
	actions  string
	previous string
}

func changes(t *testing.T, raw []byte) map[string]planned {
	t.Helper()
	var p tfjson.Plan
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("plan JSON: %v", err)
	}
	got := map[string]planned{}
	for _, rc := range p.ResourceChanges {
		var acts []string
		for _, a := range rc.Change.Actions {
			acts = append(acts, string(a))
		}
		got[rc.Address] = planned{strings.Join(acts, ","), rc.PreviousAddress}
	}
	return got
}

// wantAfter is the plan of the after configuration against the base state.
var wantAfter = map[string]planned{
	"terraform_data.keep":     {"no-op", ""},
	"terraform_data.db":       {"delete,create", ""},
	"terraform_data.gone":     {"delete", ""},
	"terraform_data.new_name": {"no-op", "terraform_data.old_name"},
}

func assertPlan(t *testing.T, raw []byte, want map[string]planned) {
	t.Helper()
	got := changes(t, raw)
	for addr, w := range want {
		if got[addr] != w {
			t.Errorf("%s: got %+v, want %+v", addr, got[addr], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d resource changes, want %d: %+v", len(got), len(want), got)
	}
}

// planJSON plans as Plan does, but keeps the show -json output for
// assertPlan.
func planJSON(opts RunOptions) (Result, []byte, error) {
	var plan []byte
	r, err := run(context.Background(), opts, func(_ string, out io.Reader) (err error) {
		plan, err = io.ReadAll(out)
		return err
	})
	return r, plan, err
}

// TestRunFromDir plans a directory whose local state holds the base: the
// state file is copied with the configuration, and the source stays as it was.
func TestRunFromDir(t *testing.T) {
	bin := terraformBin(t)
	dir := appliedBase(t, bin)
	tmp := isolatedTemp(t)
	before := hashTree(t, dir)

	var progress bytes.Buffer
	plan, tool, version, err := Run(context.Background(), RunOptions{Dir: dir, Binary: bin, Refresh: true, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if tool != "terraform" || version != "1.5.7" {
		t.Errorf("tool, version = %q, %q; want terraform, 1.5.7", tool, version)
	}
	assertPlan(t, plan, wantAfter)
	if !strings.Contains(progress.String(), "terraform: Plan: 1 to add, 0 to change, 2 to destroy.") {
		t.Errorf("progress lacks the prefixed plan summary:\n%s", progress.String())
	}
	assertUnchanged(t, dir, before)
	if _, err := os.Stat(filepath.Join(dir, ".terraform", "environment")); err == nil {
		t.Error("a workspace was selected in the source directory")
	}
	assertEmpty(t, tmp)
}

// TestRunState replays a state snapshot against a configuration whose real
// backend is unreachable: contacting it would fail the run.
func TestRunState(t *testing.T) {
	bin := terraformBin(t)
	scratch := appliedBase(t, bin)
	src := fixture(t, "after")
	backend := "terraform {\n  backend \"http\" {\n    address = \"http://127.0.0.1:9/state\"\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(src, "backend.tf"), []byte(backend), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := isolatedTemp(t)
	beforeScratch, beforeSrc := hashTree(t, scratch), hashTree(t, src)

	plan, _, _, err := Run(context.Background(), RunOptions{
		Dir: src, State: filepath.Join(scratch, "terraform.tfstate"), Binary: bin, Refresh: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	assertPlan(t, plan, wantAfter)
	assertUnchanged(t, scratch, beforeScratch)
	assertUnchanged(t, src, beforeSrc)
	if _, err := os.Stat(filepath.Join(src, ".terraform")); err == nil {
		t.Error(".terraform created in the source directory")
	}
	assertEmpty(t, tmp)
}

// TestRunPassThrough checks that vars, targets, replace and refresh reach plan.
func TestRunPassThrough(t *testing.T) {
	bin := terraformBin(t)
	dir := appliedBase(t, bin)
	varFile := filepath.Join(t.TempDir(), "keep.tfvars")
	if err := os.WriteFile(varFile, []byte("engine = \"engine-15\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Targets must include both ends of the move: terraform refuses to plan
	// a move that targeting leaves out.
	moved, from := "terraform_data.new_name", "terraform_data.old_name"
	tests := []struct {
		name    string
		opts    RunOptions
		want    map[string]planned
		refresh bool // whether plan output shows refreshing
	}{
		{"var keeps db", RunOptions{Vars: []string{"engine=engine-15"}, Targets: []string{"terraform_data.db", moved, from}},
			map[string]planned{"terraform_data.db": {"no-op", ""}, moved: {"no-op", from}}, false},
		{"var file, replace, refresh", RunOptions{VarFiles: []string{varFile}, Targets: []string{"terraform_data.keep", moved, from}, Replace: []string{"terraform_data.keep"}, Refresh: true},
			map[string]planned{"terraform_data.keep": {"delete,create", ""}, moved: {"no-op", from}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var progress bytes.Buffer
			tt.opts.Dir, tt.opts.Binary, tt.opts.Progress = dir, bin, &progress
			plan, _, _, err := Run(context.Background(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			assertPlan(t, plan, tt.want)
			if got := strings.Contains(progress.String(), "Refreshing state..."); got != tt.refresh {
				t.Errorf("refreshed = %v, want %v:\n%s", got, tt.refresh, progress.String())
			}
		})
	}
}

// TestRunPlanFile shows a binary plan made outside rehearse.
func TestRunPlanFile(t *testing.T) {
	bin := terraformBin(t)
	dir := appliedBase(t, bin)
	terraform(t, bin, dir, "plan", "-input=false", "-out=tfplan")
	before := hashTree(t, dir)

	plan, _, _, err := Run(context.Background(), RunOptions{Dir: dir, PlanFile: filepath.Join(dir, "tfplan"), Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	assertPlan(t, plan, wantAfter)
	assertUnchanged(t, dir, before)
}

// TestRunErrors checks that each failure names its cause in terraform's words.
func TestRunErrors(t *testing.T) {
	bin := terraformBin(t)
	fakeDir := t.TempDir()
	fake := func(name, script string) string {
		p := filepath.Join(fakeDir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	old := fake("terraform-0.11", "echo 'Terraform v0.11.14'\n")
	// Reports 1.1.9 but plans with the real binary, to reach the warning.
	older := fake("terraform-1.1", `if [ "$1" = version ] && [ "$#" = 1 ]; then echo 'Terraform v1.1.9'; exit 0; fi
exec `+bin+` "$@"
`)
	tests := []struct {
		name     string
		dir      string
		opts     RunOptions
		want     []string // substrings of the error; none means success
		wantWarn string
		is       error
	}{
		{name: "invalid HCL", dir: "invalid", want: []string{"terraform init failed", "Error: Unclosed configuration block", "main.tf line 1"}},
		{name: "missing variable", dir: "needvar", want: []string{"terraform plan failed", `Error: No value for required variable`, `"region"`}},
		{name: "binary not found", dir: "needvar", opts: RunOptions{Binary: filepath.Join(fakeDir, "missing")}, want: []string{"--terraform", "missing"}},
		{name: "version 0.11", dir: "needvar", opts: RunOptions{Binary: old}, want: []string{"terraform 0.11.14 is older than 0.12"}, is: ErrUnsupportedVersion},
		{name: "version 1.1 warns", dir: "needvar", opts: RunOptions{Binary: older, Vars: []string{"region=x"}}, wantWarn: "terraform 1.1.9 < 1.2"},
		{name: "bad var", dir: "needvar", opts: RunOptions{Vars: []string{"region"}}, want: []string{`variable "region": want NAME=VALUE`}},
		{name: "missing var file", dir: "needvar", opts: RunOptions{VarFiles: []string{"nope.tfvars"}}, want: []string{"var file nope.tfvars: not found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var warn bytes.Buffer
			opts := tt.opts
			opts.Dir = fixture(t, tt.dir)
			opts.Warn = &warn
			if opts.Binary == "" {
				opts.Binary = bin
			}
			before := hashTree(t, opts.Dir)
			_, _, _, err := Run(context.Background(), opts)
			assertUnchanged(t, opts.Dir, before)
			if !strings.Contains(warn.String(), tt.wantWarn) {
				t.Errorf("warning %q lacks %q", warn.String(), tt.wantWarn)
			}
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error is not %v", tt.is)
			}
			if n := strings.Count(err.Error(), "\n"); n > maxDiagnosticLines {
				t.Errorf("error has %d lines, want at most %d", n+1, maxDiagnosticLines)
			}
		})
	}
}

// TestRunCancel checks that a cancelled run stops terraform and leaves no
// temporary copy behind.
func TestRunCancel(t *testing.T) {
	bin := terraformBin(t)
	slow := filepath.Join(t.TempDir(), "terraform")
	script := "#!/bin/sh\nif [ \"$1\" = version ]; then exec " + bin + " \"$@\"; fi\nexec sleep 30\n"
	if err := os.WriteFile(slow, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := isolatedTemp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, _, _, err := Run(ctx, RunOptions{Dir: fixture(t, "needvar"), Binary: slow})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("cancelled run took %v", d)
	}
	assertEmpty(t, tmp)
}

// TestRunRepoModules plans a directory that uses a module by relative path
// from outside itself, as configurations inside a repository do.
func TestRunRepoModules(t *testing.T) {
	bin := terraformBin(t)
	repo := t.TempDir()
	files := map[string]string{
		".git/HEAD":              "ref: refs/heads/main\n",
		"modules/thing/main.tf":  "resource \"terraform_data\" \"t\" {\n  input = \"x\"\n}\n",
		"envs/prod/main.tf":      "module \"thing\" {\n  source = \"../../modules/thing\"\n}\n",
		"envs/prod/.terraform/x": "stale\n",
	}
	for p, body := range files {
		p = filepath.Join(repo, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := hashTree(t, repo)
	plan, _, _, err := Run(context.Background(), RunOptions{Dir: filepath.Join(repo, "envs", "prod"), Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	assertPlan(t, plan, map[string]planned{"module.thing.terraform_data.t": {"create", ""}})
	assertUnchanged(t, repo, before)
}
