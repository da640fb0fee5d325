package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// newSandboxCmd is `rehearse sandbox` on the real process's world around
// the given streams, for the tests that run containers (sandbox_test.go).
func newSandboxCmd(s streams) *cobra.Command { return newCmdSandbox(osFactory(s)) }

func TestSandboxRunFlags(t *testing.T) {
	t.Parallel()
	def := func(o sandboxRunOptions) *sandboxRunOptions {
		if o.FailOn == "" {
			o.FailOn = "block"
		}
		if o.Timeout == 0 {
			o.Timeout = 10 * time.Minute
		}
		if o.output.Format == "" {
			o.output.Format = "text"
		}
		return &o
	}
	tests := []struct {
		args []string
		want *sandboxRunOptions // nil: a flag or argument error
	}{
		{[]string{"env.yaml"}, def(sandboxRunOptions{File: "env.yaml"})},
		{[]string{"--compose", "c.yaml", "--change", "ch.yaml", "--profile", "a", "--profile", "b", "--keep", "--run-id", "r1", "--trust-env-file", "--keep-images",
			"--approvals", "ap.yaml", "--fail-on", "warn", "--timeout", "1m", "--policy", "p.yaml", "--origin", "ai", "--format", "json", "--output", "sarif=o.sarif"},
			def(sandboxRunOptions{Compose: "c.yaml", Change: "ch.yaml", Profiles: []string{"a", "b"}, Keep: true, RunID: "r1", TrustEnvFile: true, KeepImages: true,
				Approvals: "ap.yaml", FailOn: "warn", Timeout: time.Minute, judgeOptions: judgeOptions{Policy: "p.yaml", Origin: "ai"},
				output: outputOptions{Format: "json", Outputs: []string{"sarif=o.sarif"}}})},
		{[]string{}, def(sandboxRunOptions{})}, // the run says what is missing
		{[]string{"a.yaml", "b.yaml"}, nil},
		{[]string{"env.yaml", "--timeout", "forever"}, nil},
		{[]string{"env.yaml", "--workspace", "prod"}, nil},
		{[]string{"env.yaml", "--keep=maybe"}, nil},
	}
	for _, tt := range tests {
		f, _ := testFactory()
		var got *sandboxRunOptions
		ran := tt.want != nil
		parse(t, newCmdSandboxRun(f, func(_ context.Context, o *sandboxRunOptions) error { got = o; return nil }), tt.args, &ran)
		if tt.want == nil {
			continue
		}
		if got.Factory != f {
			t.Errorf("%v: the run does not read the world through the factory", tt.args)
		}
		got.Factory, got.output.cmd = nil, nil
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v:\n got %+v\nwant %+v", tt.args, got, tt.want)
		}
	}
}

func TestSandboxPruneFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want *sandboxPruneOptions
	}{
		{[]string{}, &sandboxPruneOptions{}},
		{[]string{"--run", "r1", "--older-than", "1h", "--all", "--dry-run", "--keep-images"}, &sandboxPruneOptions{}},
		{[]string{"r1"}, nil},
		{[]string{"--older-than", "old"}, nil},
	}
	tests[1].want.Run, tests[1].want.OlderThan, tests[1].want.All, tests[1].want.DryRun, tests[1].want.KeepImages = "r1", time.Hour, true, true, true
	for _, tt := range tests {
		f, _ := testFactory()
		var got *sandboxPruneOptions
		ran := tt.want != nil
		parse(t, newCmdSandboxPrune(f, func(_ context.Context, o *sandboxPruneOptions) error { got = o; return nil }), tt.args, &ran)
		if tt.want == nil {
			continue
		}
		got.Factory = nil
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v:\n got %+v\nwant %+v", tt.args, got, tt.want)
		}
	}
}

// TestSandboxExitCodes: everything checked before Docker is needed is 2
// with its one line, and so is Docker unreachable (the Factory's, which
// never answers): nothing runs, no container is created.
func TestSandboxExitCodes(t *testing.T) {
	t.Parallel()
	env := filepath.Join("..", "..", "examples", "sandbox", "env.yaml")
	dir := t.TempDir()
	bad := filepath.Join(dir, "approvals.yaml")
	must(t, os.WriteFile(bad, []byte("apiVersion: rehearse/v1\nkind: Approvals\napprovals: {not: [a list\n"), 0o644))
	broken := filepath.Join(dir, "env.yaml")
	must(t, os.WriteFile(broken, []byte("apiVersion: rehearse/v1\nkind: Environment\nbogus: 1\n"), 0o644))
	tests := []struct {
		name string
		o    sandboxRunOptions
		env  map[string]string
		said string // in the error
	}{
		{name: "docker unreachable", o: sandboxRunOptions{File: env}, said: "docker: not on this machine"},
		{name: "bad fail-on", o: sandboxRunOptions{File: env, FailOn: "pass"}, said: `--fail-on must be block or warn, not "pass"`},
		{name: "bad format", o: sandboxRunOptions{File: env, output: outputOptions{Format: "yaml"}}, said: `--format: unknown format "yaml"`},
		{name: "file and compose", o: sandboxRunOptions{File: env, Compose: "c.yaml", Change: "ch.yaml"}, said: "give an environment file or --compose, not both"},
		{name: "compose without change", o: sandboxRunOptions{Compose: "c.yaml"}, said: "--compose needs --change"},
		{name: "change without compose", o: sandboxRunOptions{File: env, Change: "ch.yaml"}, said: "--change and --profile go with --compose"},
		{name: "profile without compose", o: sandboxRunOptions{File: env, Profiles: []string{"debug"}}, said: "--change and --profile go with --compose"},
		{name: "nothing", o: sandboxRunOptions{}, said: "give an environment file, or --compose and --change"},
		{name: "environment file not understood", o: sandboxRunOptions{File: broken}, said: "env.yaml"},
		{name: "malformed approvals, before docker", o: sandboxRunOptions{File: env, Approvals: bad}, said: "approvals.yaml"},
		{name: "bad origin in the environment", o: sandboxRunOptions{File: env}, env: map[string]string{"REHEARSE_ORIGIN": "robot"}, said: "origin must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, out := testFactory()
			f.Getenv = func(k string) string { return tt.env[k] }
			o := tt.o
			o.Factory = f
			if o.FailOn == "" {
				o.FailOn = "block"
			}
			if o.output.Format == "" {
				o.output.Format = "text"
			}
			err := sandboxRun(context.Background(), &o)
			if got := exitCode(err); got != exitCannot {
				t.Fatalf("exit %d (%v), want 2\n%s", got, err, out)
			}
			if e := fmt.Sprint(err); !strings.Contains(e, tt.said) || strings.Contains(e, "\n") {
				t.Errorf("error %q: want one line saying %q", e, tt.said)
			}
			if tt.name != "docker unreachable" && strings.Contains(fmt.Sprint(err), "docker:") {
				t.Errorf("reached Docker: %v", err)
			}
		})
	}
	f, _ := testFactory()
	if err := sandboxPruneRun(context.Background(), &sandboxPruneOptions{Factory: f}); exitCode(err) != exitCannot || !strings.Contains(fmt.Sprint(err), "docker: not on this machine") {
		t.Errorf("prune without docker: %v, want exit 2 saying so", err)
	}
}
