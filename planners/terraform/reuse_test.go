package terraform

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

// logged returns a terraform that appends each subcommand it is given to a
// log before running bin, and a function returning the log so far: the
// number of version probes, then the other subcommands in order (version
// runs alongside them).
func logged(t *testing.T, bin string) (string, func() string) {
	t.Helper()
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	wrapper := filepath.Join(dir, "terraform")
	script := "#!/bin/sh\necho \"$1\" >> " + log + "\nexec " + bin + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return wrapper, func() string {
		b, err := os.ReadFile(log)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		versions, others := 0, []string{}
		for _, f := range strings.Fields(string(b)) {
			if f == "version" {
				versions++
			} else {
				others = append(others, f)
			}
		}
		return strconv.Itoa(versions) + " version, " + strings.Join(others, " ")
	}
}

// initialized returns a directory as a user leaves it after init and
// apply: an explicit local backend (so .terraform records it), a local
// module (so .terraform/modules holds its manifest), a provider directory
// the configuration does not use, and a configuration changed since.
func initialized(t *testing.T, bin string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "live")
	write(t, dir, "main.tf", "terraform {\n  backend \"local\" {}\n}\n\nmodule \"app\" {\n  source = \"./app\"\n}\n\nresource \"terraform_data\" \"db\" {\n  input = \"v1\"\n}\n")
	write(t, dir, "app/main.tf", "resource \"terraform_data\" \"web\" {\n  input = \"v1\"\n}\n")
	terraform(t, bin, dir, "init", "-input=false")
	terraform(t, bin, dir, "apply", "-auto-approve", "-input=false")
	write(t, dir, "main.tf", "terraform {\n  backend \"local\" {}\n}\n\nmodule \"app\" {\n  source = \"./app\"\n}\n")
	write(t, dir, ".terraform/providers/example.com/acme/thing/1.0.0/linux_amd64/terraform-provider-thing", "#!/bin/sh\nexit 1\n")
	return dir
}

// TestRunReusesDataDir plans an initialized directory without init: the
// copy links its providers and modules and copies its backend record, and
// the user's .terraform is byte-identical afterwards. A second plan in the
// same process does not ask for the version again.
func TestRunReusesDataDir(t *testing.T) {
	bin, calls := logged(t, terraformBin(t))
	dir := initialized(t, terraformBin(t))
	tmp := isolatedTemp(t)
	before := hashTree(t, dir)
	if _, ok := before[filepath.Join(".terraform", "terraform.tfstate")]; !ok {
		t.Fatal("the fixture has no backend record in .terraform")
	}
	if _, ok := before[filepath.Join(".terraform", "modules", "modules.json")]; !ok {
		t.Fatal("the fixture has no module manifest in .terraform")
	}

	var progress bytes.Buffer
	r, plan, err := planJSON(RunOptions{Dir: dir, Binary: bin, Refresh: true, Progress: &progress})
	if err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	assertPlan(t, plan, map[string]planned{"terraform_data.db": {"delete", ""}, "module.app.terraform_data.web": {"no-op", ""}})
	if got := calls(); got != "1 version, plan show" {
		t.Errorf("ran %q, want 1 version, plan show (no init)", got)
	}
	if strings.Contains(progress.String(), "Initializing") {
		t.Errorf("init ran:\n%s", progress.String())
	}
	if r.Tool != "terraform" || r.Version != "1.5.7" {
		t.Errorf("tool, version = %q, %q", r.Tool, r.Version)
	}
	assertUnchanged(t, dir, before)
	assertEmpty(t, tmp)

	if _, err := Plan(context.Background(), RunOptions{Dir: dir, Binary: bin, Refresh: true}); err != nil {
		t.Fatal(err)
	}
	if got := calls(); got != "1 version, plan show plan show" {
		t.Errorf("ran %q, want no second version", got)
	}
	assertUnchanged(t, dir, before)
}

// TestRunDataDirFallback checks that a data directory or configuration
// that needs init gets it: a stale .terraform fails the first plan, which
// is made again after init; a fresh checkout goes straight to init.
func TestRunDataDirFallback(t *testing.T) {
	real := terraformBin(t)
	tests := []struct {
		name  string
		files map[string]string
		want  string // the subcommands run
		note  bool   // whether progress says why init ran
	}{
		{"stale .terraform", map[string]string{"main.tf": "module \"m\" {\n  source = \"./m\"\n}\n", "m/main.tf": "resource \"terraform_data\" \"t\" {}\n", ".terraform/x": "stale\n"},
			"1 version, plan init plan show", true},
		// init must not write through the links to the source's modules
		// and providers: resetData removes them first.
		{"stale module manifest", map[string]string{"main.tf": "module \"m\" {\n  source = \"./m\"\n}\n", "m/main.tf": "resource \"terraform_data\" \"t\" {}\n",
			".terraform/modules/modules.json": `{"Modules":[{"Key":"","Source":"","Dir":"."}]}`,
			".terraform/providers/example.com/acme/thing/1.0.0/linux_amd64/terraform-provider-thing": "#!/bin/sh\nexit 1\n"},
			"1 version, plan init plan show", true},
		{"never initialized, module", map[string]string{"main.tf": "module \"m\" {\n  source = \"./m\"\n}\n", "m/main.tf": "resource \"terraform_data\" \"t\" {}\n"},
			"1 version, init plan show", false},
		{"never initialized, builtin only", map[string]string{"main.tf": "resource \"terraform_data\" \"t\" {}\n"},
			"1 version, plan show", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin, calls := logged(t, real)
			dir := filepath.Join(t.TempDir(), "src")
			for p, body := range tt.files {
				write(t, dir, p, body)
			}
			before := hashTree(t, dir)
			var progress bytes.Buffer
			r, err := Plan(context.Background(), RunOptions{Dir: dir, Binary: bin, Progress: &progress})
			if err != nil {
				t.Fatalf("%v\n%s", err, progress.String())
			}
			if len(r.Set.Resources) != 1 || r.Set.Resources[0].Action != change.Create {
				t.Errorf("resources = %+v, want one create", r.Set.Resources)
			}
			if got := calls(); got != tt.want {
				t.Errorf("ran %q, want %q", got, tt.want)
			}
			if got := strings.Contains(progress.String(), "running init in the copy"); got != tt.note {
				t.Errorf("note about init = %v, want %v:\n%s", got, tt.note, progress.String())
			}
			assertUnchanged(t, dir, before)
		})
	}
}

// TestPlanReadsShowStream checks that Plan hands show's output to the
// reader and fills the Set, that a reader error names the command, and
// that a failing show wins over the truncated document it printed.
func TestPlanReadsShowStream(t *testing.T) {
	bin := terraformBin(t)
	dir := appliedBase(t, bin)
	r, err := Plan(context.Background(), RunOptions{Dir: dir, Binary: bin, Refresh: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]change.Action{}
	for _, rc := range r.Set.Resources {
		got[rc.Address] = rc.Action
	}
	if got["terraform_data.db"] != change.Replace || got["terraform_data.gone"] != change.Delete {
		t.Errorf("actions = %v", got)
	}
	src := r.Set.Source
	if src.Tool != "terraform" || src.ToolVersion != "1.5.7" || r.Set.Workspace != "default" || !strings.HasSuffix(src.File, "(terraform show -json)") {
		t.Errorf("source = %+v, workspace %q", src, r.Set.Workspace)
	}
	if len(r.Set.Locations) == 0 {
		t.Error("no locations")
	}

	fakes := t.TempDir()
	for _, tt := range []struct {
		name, show string
		want       string
	}{
		{"invalid JSON", "echo '{\"format_version\": nope}'", "(terraform show -json)"},
		{"show fails mid-document", "printf '{\"format_version\":'; echo 'Error: boom' >&2; exit 1", "terraform show failed: Error: boom"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fake := filepath.Join(fakes, strings.ReplaceAll(tt.name, " ", "-"), "terraform")
			write(t, filepath.Dir(fake), "terraform", "#!/bin/sh\nif [ \"$1\" = show ]; then "+tt.show+"; exit 0; fi\nexec "+bin+" \"$@\"\n")
			if err := os.Chmod(fake, 0o755); err != nil {
				t.Fatal(err)
			}
			_, err := Plan(context.Background(), RunOptions{Dir: dir, Binary: fake, Refresh: true})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestNeedsInit(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  bool
	}{
		{"builtin resources only", map[string]string{"main.tf": "resource \"terraform_data\" \"a\" {}\ndata \"terraform_remote_state\" \"s\" {\n  backend = \"local\"\n}\n"}, false},
		{"required_version", map[string]string{"main.tf": "terraform {\n  required_version = \">= 1.4\"\n}\n"}, false},
		{"no configuration", map[string]string{"README.md": "module \"x\" {}\n"}, false},
		{"provider resource", map[string]string{"main.tf": "resource \"aws_s3_bucket\" \"b\" {}\n"}, true},
		{"provider data source", map[string]string{"main.tf": "  data \"aws_caller_identity\" \"me\" {}\n"}, true},
		{"module", map[string]string{"main.tf": "module \"m\" {\n  source = \"./m\"\n}\n"}, true},
		{"provider block", map[string]string{"main.tf": "provider \"aws\" {\n}\n"}, true},
		{"required_providers", map[string]string{"versions.tf": "terraform {\n  required_providers {\n  }\n}\n"}, true},
		{"backend", map[string]string{"main.tf": "terraform {\n  backend \"s3\" {}\n}\n"}, true},
		{"cloud", map[string]string{"main.tf": "terraform {\n  cloud {\n  }\n}\n"}, true},
		{"lock file", map[string]string{"main.tf": "resource \"terraform_data\" \"a\" {}\n", lockFile: "\n"}, true},
		{"JSON configuration", map[string]string{"main.tf.json": "{}"}, true},
		{"a resource named like a provider", map[string]string{"main.tf": "resource \"terraform_data\" \"aws\" {}\n"}, false},
		{"a type merely starting with terraform", map[string]string{"main.tf": "resource \"terraformx_thing\" \"a\" {}\n"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, body := range tt.files {
				write(t, dir, p, body)
			}
			if got := needsInit(dir); got != tt.want {
				t.Errorf("needsInit = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRunReusesRealProvider is TestRunReusesDataDir with a real provider
// plugin, installed from a filesystem mirror, so the linked providers
// directory is one terraform executes at plan and at show. It needs the
// provider built from terraform's own test provider:
//
//	GOBIN=/tmp/p go install github.com/hashicorp/terraform/internal/provider-simple-v6/main@v1.5.7
//	REHEARSE_PROVIDER_SIMPLE=/tmp/p/main go test -run TestRunReusesRealProvider ./planners/terraform/
func TestRunReusesRealProvider(t *testing.T) {
	provider := os.Getenv("REHEARSE_PROVIDER_SIMPLE")
	if provider == "" {
		t.Skip("REHEARSE_PROVIDER_SIMPLE is not set (see the comment for how to build it)")
	}
	real := terraformBin(t)
	mirror := t.TempDir()
	body, err := os.ReadFile(provider)
	if err != nil {
		t.Fatal(err)
	}
	plugin := filepath.Join(mirror, "example.com/test/simple/0.1.0/linux_amd64/terraform-provider-simple_v0.1.0")
	write(t, filepath.Dir(plugin), filepath.Base(plugin), string(body))
	if err := os.Chmod(plugin, 0o755); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(t.TempDir(), "terraformrc")
	write(t, filepath.Dir(rc), filepath.Base(rc), "provider_installation {\n  filesystem_mirror {\n    path    = \""+mirror+"\"\n    include = [\"example.com/*/*\"]\n  }\n}\n")
	t.Setenv("TF_CLI_CONFIG_FILE", rc)

	dir := filepath.Join(t.TempDir(), "live")
	const required = "terraform {\n  required_providers {\n    simple = { source = \"example.com/test/simple\" }\n  }\n}\n"
	write(t, dir, "main.tf", required+"resource \"simple_resource\" \"a\" {\n  value = \"one\"\n}\n")
	terraform(t, real, dir, "init", "-input=false")
	terraform(t, real, dir, "apply", "-auto-approve", "-input=false")
	write(t, dir, "main.tf", required+"resource \"simple_resource\" \"a\" {\n  value = \"two\"\n}\n")
	before := hashTree(t, dir)

	bin, calls := logged(t, real)
	r, err := Plan(context.Background(), RunOptions{Dir: dir, Binary: bin, Refresh: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Set.Resources) != 1 || r.Set.Resources[0].Action != change.Update {
		t.Errorf("resources = %+v, want one update", r.Set.Resources)
	}
	if got := calls(); got != "1 version, plan show" {
		t.Errorf("ran %q, want no init", got)
	}
	assertUnchanged(t, dir, before)

	// A plan file made in the directory needs only show, with the
	// providers' schemas from the linked directory.
	planFile := filepath.Join(t.TempDir(), "tfplan")
	terraform(t, real, dir, "plan", "-input=false", "-lock=false", "-out="+planFile)
	before = hashTree(t, dir)
	r, err = Plan(context.Background(), RunOptions{Dir: dir, Binary: bin, PlanFile: planFile})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Set.Resources) != 1 || r.Set.Resources[0].Action != change.Update {
		t.Errorf("plan file: resources = %+v, want one update", r.Set.Resources)
	}
	if got := calls(); got != "1 version, plan show show" {
		t.Errorf("ran %q, want show alone for the plan file", got)
	}
	assertUnchanged(t, dir, before)
}
