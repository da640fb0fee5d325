package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/scenarios"
)

// testFactory is a world without terraform or Docker: the binary does not
// exist, Docker never answers, the environment is empty and the clock
// stands still. Output goes to the returned buffer.
func testFactory() (*Factory, *bytes.Buffer) {
	var buf bytes.Buffer
	return &Factory{
		streams:   streams{in: strings.NewReader(""), out: &buf, err: &buf, ui: &uiFlags{color: "never"}},
		Getenv:    func(string) string { return "" },
		Now:       func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) },
		Terraform: "/nonexistent/terraform",
		Docker:    func(context.Context) error { return errors.New("docker: not on this machine") },
	}, &buf
}

// exitCode is the code run would exit with for a command's error.
func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return exitPass
	case errors.As(err, &ee):
		return ee.code
	}
	return exitCannot
}

// parse runs cmd on args with a runF that only records it ran; it returns
// cobra's error (a flag or argument error), nil when the run was reached.
func parse(t *testing.T, cmd *cobra.Command, args []string, ran *bool) error {
	t.Helper()
	var sink bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&sink)
	cmd.SetErr(&sink)
	err := cmd.ExecuteContext(context.Background())
	if (err == nil) != *ran {
		t.Fatalf("%v: err %v, ran %v", args, err, *ran)
	}
	return err
}

func TestRegressFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want *regressOptions // nil: a flag or argument error
	}{
		{[]string{"lib"}, &regressOptions{Paths: []string{"lib"}, Format: "text", Timeout: 30 * time.Minute}},
		{[]string{"a", "b", "--parallel", "3", "--shard", "2/5", "--junit", "o.xml", "--format", "json", "--require-docker", "--terraform", "tofu", "--timeout", "1m"},
			&regressOptions{Paths: []string{"a", "b"}, Parallel: 3, Shard: "2/5", JUnit: "o.xml", Format: "json", RequireDocker: true, Terraform: "tofu", Timeout: time.Minute}},
		{[]string{}, nil},
		{[]string{"lib", "--parallel", "many"}, nil},
		{[]string{"lib", "--timeout", "soon"}, nil},
		{[]string{"lib", "--bogus"}, nil},
	}
	for _, tt := range tests {
		f, _ := testFactory()
		var got *regressOptions
		ran := tt.want != nil
		cmd := newCmdRegress(f, func(_ context.Context, o *regressOptions) error { got = o; return nil })
		parse(t, cmd, tt.args, &ran)
		if tt.want == nil {
			continue
		}
		if got.Factory != f {
			t.Errorf("%v: the run does not read the world through the factory", tt.args)
		}
		got.Factory = nil
		if tt.want.Parallel == 0 {
			tt.want.Parallel = got.Parallel // the default is the machine's CPUs
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v:\n got %+v\nwant %+v", tt.args, got, tt.want)
		}
	}
}

func TestReplayFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want *replayOptions
	}{
		{[]string{"s"}, &replayOptions{Path: "s", Format: "text", Timeout: 10 * time.Minute}},
		{[]string{"s", "--format", "json", "--terraform", "tofu", "--timeout", "5s"}, &replayOptions{Path: "s", Format: "json", Terraform: "tofu", Timeout: 5 * time.Second}},
		{[]string{}, nil},
		{[]string{"a", "b"}, nil},
		{[]string{"s", "--junit", "x"}, nil},
	}
	for _, tt := range tests {
		f, _ := testFactory()
		var got *replayOptions
		ran := tt.want != nil
		parse(t, newCmdReplay(f, func(_ context.Context, o *replayOptions) error { got = o; return nil }), tt.args, &ran)
		if tt.want == nil {
			continue
		}
		got.Factory = nil
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v:\n got %+v\nwant %+v", tt.args, got, tt.want)
		}
	}
}

func TestRecordFlags(t *testing.T) {
	t.Parallel()
	rec := func(r scenarios.RecordOptions) *recordOptions {
		return &recordOptions{Rec: r, Timeout: 10 * time.Minute}
	}
	tests := []struct {
		args []string
		want *recordOptions
	}{
		{[]string{"--name", "x", "--plan", "p.json"}, rec(scenarios.RecordOptions{Name: "x", Plan: "p.json"})},
		{[]string{"--name", "x", "--dir", "d", "--state", "s", "--terraform", "tofu", "--out", "o", "--force", "--origin", "ai", "--summary", "sum", "--source", "https://e", "--policy", "p.yaml"},
			rec(scenarios.RecordOptions{Options: scenarios.Options{Terraform: "tofu"}, Name: "x", Dir: "d", State: "s", Out: "o", Force: true, Origin: "ai", Summary: "sum", Source: "https://e", Policy: "p.yaml"})},
		{[]string{"--name", "x", "--containers", "env.yaml", "--changeset", "c.json", "--preview", "p.json"},
			rec(scenarios.RecordOptions{Name: "x", Containers: "env.yaml", ChangeSet: "c.json", Preview: "p.json"})},
		{[]string{"--plan", "p.json"}, nil}, // --name is required
		{[]string{"--name", "x", "extra"}, nil},
	}
	for _, tt := range tests {
		f, _ := testFactory()
		var got *recordOptions
		ran := tt.want != nil
		parse(t, newCmdRecord(f, func(_ context.Context, o *recordOptions) error { got = o; return nil }), tt.args, &ran)
		if tt.want == nil {
			continue
		}
		got.Factory = nil
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v:\n got %+v\nwant %+v", tt.args, got, tt.want)
		}
	}
}

// scenarioLib is a library of plan scenarios (no terraform needed), a
// container scenario (Docker needed) and, when regressed is set, one whose
// expectation no longer holds.
func scenarioLib(t *testing.T, regressed, broken bool) string {
	t.Helper()
	root := t.TempDir()
	for _, name := range []string{"import-control", "env-recreate-minor-fix", "readonly-query-control"} {
		copyDir(t, filepath.Join(lib, name), filepath.Join(root, name))
	}
	if regressed {
		f := filepath.Join(root, "env-recreate-minor-fix", "scenario.yaml")
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, bytes.Replace(b, []byte("decision: block"), []byte("decision: warn"), 1), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if broken {
		if err := os.Remove(filepath.Join(root, "import-control", "plan.json")); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		copyFile(t, p, filepath.Join(to, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRegressExitCodes: 0 when every scenario that ran matched (the
// container one skipped, never passed), 1 on a regression, 2 when one
// could not run or the flags are wrong; all without terraform or Docker.
func TestRegressExitCodes(t *testing.T) {
	t.Parallel()
	good, regressed, broken := scenarioLib(t, false, false), scenarioLib(t, true, false), scenarioLib(t, false, true)
	tests := []struct {
		name string
		o    regressOptions
		code int
		out  string
	}{
		{"all match, docker skipped", regressOptions{Paths: []string{good}}, 0, "1 skipped, not passed: docker unavailable: docker: not on this machine"},
		{"regressed", regressOptions{Paths: []string{regressed}}, 1, "1 regressed"},
		{"broken scenario", regressOptions{Paths: []string{broken}}, 2, "1 error(s)"},
		{"regressed and broken: trouble wins", regressOptions{Paths: []string{regressed, broken}}, 2, ""},
		{"require docker", regressOptions{Paths: []string{good}, RequireDocker: true}, 2, ""},
		{"json", regressOptions{Paths: []string{good}, Format: "json"}, 0, `"schema": "rehearse.regress/v1"`},
		{"--color always", regressOptions{Paths: []string{regressed}}, 1, "\x1b[31mREGRESSED"},
		{"format sarif", regressOptions{Paths: []string{good}, Format: "sarif"}, 2, ""},
		{"parallel 0", regressOptions{Paths: []string{good}, Parallel: 0}, 2, ""},
		{"bad shard", regressOptions{Paths: []string{good}, Shard: "4/3"}, 2, ""},
		{"nowhere", regressOptions{Paths: []string{filepath.Join(good, "nowhere")}}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, out := testFactory()
			o := tt.o
			if strings.HasPrefix(tt.name, "--color always") {
				f.ui.color = "always"
			}
			o.Factory = f
			if o.Format == "" {
				o.Format = "text"
			}
			if o.Parallel == 0 && tt.name != "parallel 0" {
				o.Parallel = 2
			}
			err := regressRun(context.Background(), &o)
			if got := exitCode(err); got != tt.code {
				t.Fatalf("exit %d (%v), want %d\n%s", got, err, tt.code, out)
			}
			if !strings.Contains(out.String(), tt.out) {
				t.Errorf("output lacks %q:\n%s", tt.out, out)
			}
		})
	}
}

// TestReplayExitCodes: 0 match, 1 mismatch, 2 could not run (a container
// scenario without Docker included: replay asked for it, and it did not
// run); without terraform or Docker.
func TestReplayExitCodes(t *testing.T) {
	t.Parallel()
	good, regressed, broken := scenarioLib(t, false, false), scenarioLib(t, true, false), scenarioLib(t, false, true)
	tests := []struct {
		name, path, format string
		code               int
		out                string
	}{
		{"match", filepath.Join(good, "import-control"), "text", 0, "MATCH"},
		{"mismatch", filepath.Join(regressed, "env-recreate-minor-fix"), "text", 1, "MISMATCH: 1 difference(s)"},
		{"mismatch json", filepath.Join(regressed, "env-recreate-minor-fix"), "json", 1, `"status": "regressed"`},
		{"no docker", filepath.Join(good, "readonly-query-control"), "text", 2, ""},
		{"missing plan", filepath.Join(broken, "import-control"), "text", 2, ""},
		{"no scenario", filepath.Join(good, "nowhere"), "text", 2, ""},
		{"bad format", filepath.Join(good, "import-control"), "junit", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, out := testFactory()
			err := replayRun(context.Background(), &replayOptions{Factory: f, Path: tt.path, Format: tt.format})
			if got := exitCode(err); got != tt.code {
				t.Fatalf("exit %d (%v), want %d\n%s", got, err, tt.code, out)
			}
			if !strings.Contains(out.String(), tt.out) {
				t.Errorf("output lacks %q:\n%s", tt.out, out)
			}
		})
	}
}

// TestRecordExitCodes: a plan records (0); a directory with terraform
// absent, an environment with Docker absent and a bad name cannot (2).
func TestRecordExitCodes(t *testing.T) {
	t.Parallel()
	plan := filepath.Join(lib, "import-control", "plan.json")
	env := filepath.Join(lib, "readonly-query-control", "env.yaml")
	tests := []struct {
		name string
		rec  scenarios.RecordOptions
		code int
		out  string // in the output, or in the error
	}{
		{"plan", scenarios.RecordOptions{Name: "imp", Plan: plan}, 0, "replay it with: rehearse replay"},
		{"dir without terraform", scenarios.RecordOptions{Name: "d", Dir: t.TempDir()}, 2, "/nonexistent/terraform"},
		{"containers without docker", scenarios.RecordOptions{Name: "c", Containers: env}, 2, "docker: not on this machine"},
		{"bad name", scenarios.RecordOptions{Name: "Bad Name", Plan: plan}, 2, "Bad Name"},
		{"no input", scenarios.RecordOptions{Name: "n"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, out := testFactory()
			tt.rec.Out = filepath.Join(t.TempDir(), "out")
			err := recordRun(context.Background(), &recordOptions{Factory: f, Rec: tt.rec, Timeout: time.Minute})
			if got := exitCode(err); got != tt.code {
				t.Fatalf("exit %d (%v), want %d\n%s", got, err, tt.code, out)
			}
			if said := out.String() + fmt.Sprint(err); !strings.Contains(said, tt.out) {
				t.Errorf("neither output nor error says %q:\n%s", tt.out, said)
			}
		})
	}
}
