package terragrunt

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const tree = "../../cmd/rehearse/testdata/terragrunt-tree/live"

func TestUnits(t *testing.T) {
	got, err := Units(tree)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{tree + "/dev/app", tree + "/prod/app", tree + "/prod/network"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("units %q\nwant  %q", got, want)
	}
	if _, err := Units(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a terragrunt tree") {
		t.Errorf("an empty directory: %v", err)
	}
	// A root terragrunt.hcl that units include is not a unit.
	dir := t.TempDir()
	for _, f := range []string{"terragrunt.hcl", "a/terragrunt.hcl", "b/terragrunt.hcl", "b/.terragrunt-cache/x/terragrunt.hcl"} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755)
		os.WriteFile(filepath.Join(dir, f), nil, 0o644)
	}
	got, _ = Units(dir)
	if len(got) != 2 || filepath.Base(got[0]) != "a" || filepath.Base(got[1]) != "b" {
		t.Errorf("units %q, want a and b", got)
	}
}

func TestPlanWithoutTerragrunt(t *testing.T) {
	err := Plan(context.Background(), Options{Dir: tree, Binary: filepath.Join(t.TempDir(), "terragrunt")}, func(string, io.Reader) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "terragrunt not found") {
		t.Errorf("no binary: %v", err)
	}
}
