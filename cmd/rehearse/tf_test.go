package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// terraformBin finds the terraform the Makefile installs into ./bin, or
// $REHEARSE_TERRAFORM. Without one the test fails: it must not pass
// silently. REHEARSE_SKIP_TERRAFORM=1 skips it explicitly.
func terraformBin(t *testing.T) string {
	t.Helper()
	if os.Getenv("REHEARSE_SKIP_TERRAFORM") == "1" {
		t.Skip("REHEARSE_SKIP_TERRAFORM=1")
	}
	if p := os.Getenv("REHEARSE_TERRAFORM"); p != "" {
		return p
	}
	p, err := filepath.Abs(filepath.Join("..", "..", "bin", "terraform"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("terraform not found at %s: run `make tools` (or set REHEARSE_TERRAFORM; REHEARSE_SKIP_TERRAFORM=1 skips)", p)
	}
	return p
}

// tf runs terraform in dir for a test fixture. Tests may apply: only
// rehearse's own code never does.
func tf(t *testing.T, bin, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("terraform %s in %s: %v\n%s", strings.Join(args, " "), dir, err, stderr.String())
	}
	return out
}

var (
	baseOnce sync.Once
	baseDir  string
	baseErr  string
)

// appliedBase applies testdata/tf/base once and returns the directory
// holding its state and .terraform.
func appliedBase(t *testing.T) string {
	bin := terraformBin(t)
	baseOnce.Do(func() {
		dir, err := os.MkdirTemp("", "rehearse-tf-base-")
		if err != nil {
			baseErr = err.Error()
			return
		}
		copyFile(t, filepath.Join("testdata", "tf", "base", "main.tf"), filepath.Join(dir, "main.tf"))
		tf(t, bin, dir, "init", "-input=false", "-no-color")
		tf(t, bin, dir, "apply", "-auto-approve", "-input=false", "-no-color")
		baseDir = dir
	})
	if baseDir == "" {
		t.Fatalf("base fixture: %s", baseErr)
	}
	return baseDir
}

// realPlan plans a variant of the base fixture with the real terraform and
// returns the path of its plan JSON.
func realPlan(t *testing.T, variant string, planArgs ...string) string {
	bin := terraformBin(t)
	base := appliedBase(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(base)); err != nil {
		t.Fatal(err)
	}
	writeVariant(t, variant, dir)
	tf(t, bin, dir, append([]string{"plan", "-input=false", "-no-color", "-out=tfplan"}, planArgs...)...)
	out := tf(t, bin, dir, "show", "-json", "tfplan")
	p := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// variants are the configurations planned against the base state, as
// edits of testdata/tf/base/main.tf.
var variants = map[string]func(string) string{
	"create": func(b string) string { return b + "\nresource \"terraform_data\" \"extra\" {\n  input = \"new\"\n}\n" },
	"update": func(b string) string {
		return strings.Replace(b, "resource \"terraform_data\" \"old\" {\n  input = \"v1\"", "resource \"terraform_data\" \"old\" {\n  input = \"v2\"", 1)
	},
	"replace-triggers": func(b string) string { return strings.Replace(b, "engine-mysql", "engine-postgres", 1) },
	"replace-cbd":      func(b string) string { return strings.Replace(b, "size-small", "size-large", 1) },
	"replace-request":  func(b string) string { return b },
	"delete": func(b string) string {
		return strings.Replace(b, "resource \"terraform_data\" \"old\" {\n  input = \"v1\"\n}\n\n", "", 1)
	},
	"moved": func(b string) string {
		return strings.Replace(b, `"legacy"`, `"legacy_v2"`, 1) + "\nmoved {\n  from = terraform_data.legacy\n  to   = terraform_data.legacy_v2\n}\n"
	},
	"rename-without-moved": func(b string) string { return strings.Replace(b, `"volume"`, `"volume_v2"`, 1) },
}

// writeVariant writes a variant's main.tf into dir; an edit that changes
// nothing it should change fails the test.
func writeVariant(t *testing.T, variant, dir string) {
	t.Helper()
	base, err := os.ReadFile(filepath.Join("testdata", "tf", "base", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	edit, ok := variants[variant]
	if !ok {
		t.Fatalf("no variant %q", variant)
	}
	got := edit(string(base))
	if (got == string(base)) != (variant == "replace-request") {
		t.Fatalf("variant %q does not change the base configuration as it should", variant)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(got), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if baseDir != "" {
		os.RemoveAll(baseDir)
	}
	os.Exit(code)
}

// runCLI runs the rehearse CLI in-process.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errw bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errw)
	return code, out.String(), errw.String()
}
