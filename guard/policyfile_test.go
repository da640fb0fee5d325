package guard

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFindPolicyFile: rehearse.yaml or .rehearse/policy.yaml, in the
// directory or above it up to the repository root, as rehearse plan
// finds them; both in one directory is an error.
func TestFindPolicyFile(t *testing.T) {
	repo := t.TempDir()
	write := func(rel string) {
		p := filepath.Join(repo, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("apiVersion: rehearse/v1\nkind: Policy\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".git/HEAD")
	write("a/rehearse.yaml")
	write("b/.rehearse/policy.yaml")
	write("c/rehearse.yaml")
	write("c/.rehearse/policy.yaml")
	if err := os.MkdirAll(filepath.Join(repo, "a/infra/prod"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(repo, "b/x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(repo, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		dir, file, root, err string
	}{
		{dir: "a", file: "a/rehearse.yaml", root: "a"},
		{dir: "a/infra/prod", file: "a/rehearse.yaml", root: "a"},
		{dir: "b/x", file: "b/.rehearse/policy.yaml", root: "b"},
		{dir: "c", err: "both"},
		{dir: "d", root: "."}, // none up to the repository root
	}
	for _, tt := range tests {
		file, root, err := FindPolicyFile(filepath.Join(repo, tt.dir))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.dir, err, tt.err)
			}
			continue
		}
		want := ""
		if tt.file != "" {
			want = filepath.Join(repo, filepath.FromSlash(tt.file))
		}
		if err != nil || file != want || root != filepath.Join(repo, tt.root) {
			t.Errorf("%s: %q, %q, %v; want %q, %q", tt.dir, file, root, err, want, filepath.Join(repo, tt.root))
		}
	}
}

// TestFindPolicyFileOutsideRepository: outside a git repository only the
// directory itself is looked in, as rehearse plan does, so the hook and
// plan never read different policies for one directory.
func TestFindPolicyFileOutsideRepository(t *testing.T) {
	top := t.TempDir()
	if err := os.WriteFile(filepath.Join(top, PolicyFile), []byte("apiVersion: rehearse/v1\nkind: Policy\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(top, "a")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if file, root, err := FindPolicyFile(sub); err != nil || file != "" || root != sub {
		t.Errorf("below: %q, %q, %v; want none, root %q", file, root, err, sub)
	}
	if file, _, err := FindPolicyFile(top); err != nil || file != filepath.Join(top, PolicyFile) {
		t.Errorf("in it: %q, %v", file, err)
	}
}
