package terraform

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestIsolate(t *testing.T) {
	tests := []struct {
		name       string
		config     string
		wantMirror bool
	}{
		{"self-contained", "resource \"terraform_data\" \"x\" {}\n", false},
		{"relative module", "module \"m\" {\n  source = \"../../modules/m\"\n}\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := t.TempDir()
			for p, body := range map[string]string{
				".git/HEAD":                   "ref: refs/heads/main\n",
				"modules/m/main.tf":           "",
				"envs/prod/main.tf":           tt.config,
				"envs/prod/terraform.tfstate": "{}",
				"envs/prod/.terraform/x":      "machine-local",
				"envs/prod/sub/.git":          "gitdir: elsewhere",
				"envs/staging/main.tf":        "",
			} {
				p = filepath.Join(repo, p)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Symlink("main.tf", filepath.Join(repo, "envs/prod/link.tf")); err != nil {
				t.Fatal(err)
			}
			ws, err := isolate(context.Background(), filepath.Join(repo, "envs", "prod"))
			if err != nil {
				t.Fatal(err)
			}
			defer ws.remove()

			exists := func(p string) bool { _, err := os.Lstat(filepath.Join(ws.dir, p)); return err == nil }
			for p, want := range map[string]bool{
				"main.tf":                 true,
				"terraform.tfstate":       true, // the local backend's state: the plan needs it
				"link.tf":                 true,
				".terraform":              false,
				"sub/.git":                false,
				"../staging":              tt.wantMirror,
				"../../modules/m/main.tf": tt.wantMirror,
				"../../.git":              false,
			} {
				if got := exists(p); got != want {
					t.Errorf("%s exists = %v, want %v", p, got, want)
				}
			}
			if l, err := os.Readlink(filepath.Join(ws.dir, "link.tf")); err != nil || l != "main.tf" {
				t.Errorf("link.tf -> %q, %v; want a symlink to main.tf", l, err)
			}
			if err := ws.remove(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(ws.root); !os.IsNotExist(err) {
				t.Errorf("workspace not removed: %v", err)
			}
			if _, err := os.Stat(filepath.Join(repo, "modules/m/main.tf")); err != nil {
				t.Errorf("removing the workspace reached through a mirror symlink: %v", err)
			}
		})
	}
}

func TestHCLString(t *testing.T) {
	tests := map[string]string{
		"/tmp/a/terraform.tfstate": `"/tmp/a/terraform.tfstate"`,
		`C:\x "y" ${z} %{w}`:       `"C:\\x \"y\" $${z} %%{w}"`,
	}
	for in, want := range tests {
		if got := hclString(in); got != want {
			t.Errorf("hclString(%q) = %s, want %s", in, got, want)
		}
	}
}
