package buildinfo

import (
	"os"
	"runtime/debug"
	"strings"
	"testing"
)

func TestPick(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, stamped, module, want string
	}{
		{"stamped wins", "v0.3.0-4-gabc1234", "v0.2.0", "v0.3.0-4-gabc1234"},
		{"module from go install", "", "v0.2.0", "v0.2.0"},
		{"nothing", "", "", "dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pick(tt.stamped, tt.module); got != tt.want {
				t.Errorf("pick(%q, %q) = %q, want %q", tt.stamped, tt.module, got, tt.want)
			}
		})
	}
}

func TestModuleVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"no build info", nil, ""},
		{"devel", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, ""},
		{"empty", &debug.BuildInfo{}, ""},
		{"tagged", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		{"pseudo", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261202005134-4f8ebcf00000"}}, "v0.0.0-20261202005134-4f8ebcf00000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := moduleVersion(tt.bi); got != tt.want {
				t.Errorf("moduleVersion = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestVCSCommit(t *testing.T) {
	t.Parallel()
	set := func(kv ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{}
		for i := 0; i < len(kv); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return bi
	}
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"nil", nil, ""},
		{"no vcs", set("GOOS", "linux"), ""},
		{"clean", set("vcs.revision", "abc", "vcs.modified", "false"), "abc"},
		{"dirty", set("vcs.revision", "abc", "vcs.modified", "true"), "abc-dirty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := vcsCommit(tt.bi); got != tt.want {
				t.Errorf("vcsCommit = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAccessors(t *testing.T) {
	t.Parallel()
	if v := Version(); v == "" {
		t.Error("Version() is empty")
	}
	if c := Commit(); c == "" {
		t.Error("Commit() is empty")
	}
	if g := GoVersion(); !strings.HasPrefix(g, "go") {
		t.Errorf("GoVersion() = %q, want a go1.x version", g)
	}
}

// TestModuleInstallable: `go install github.com/rehearse-dev/rehearse/cmd/rehearse@version`,
// the README's first way to install, refuses a module whose go.mod has a
// replace or exclude directive. A patched copy of a dependency cannot ship
// that way.
func TestModuleInstallable(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && (f[0] == "replace" || f[0] == "exclude") {
			t.Errorf("go.mod:%d: %q: go install …@version refuses a module with %s directives", i+1, line, f[0])
		}
	}
}
