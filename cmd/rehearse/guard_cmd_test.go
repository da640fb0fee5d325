package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestGuardFlags(t *testing.T) {
	t.Parallel()
	def := func(o guardOptions) *guardOptions {
		if o.FailOn == "" {
			o.FailOn = "block"
		}
		o.output.Format = "text"
		return &o
	}
	tests := []struct {
		args []string
		want *guardOptions // nil: a flag or argument error
		err  string        // the error, when want is nil and it is guard's own
	}{
		{args: []string{"--", "ls", "-l"}, want: def(guardOptions{Argv: []string{"ls", "-l"}})},
		{args: []string{"--fail-on", "warn", "--base-policy", "b.yaml", "--origin", "ai", "--origin-range", "a..b", "--", "terraform", "apply", "-auto-approve"},
			want: def(guardOptions{FailOn: "warn", judgeOptions: judgeOptions{BasePolicy: "b.yaml", Origin: "ai", OriginRange: "a..b"}, Argv: []string{"terraform", "apply", "-auto-approve"}})},
		// Flags after -- are the command's.
		{args: []string{"--", "terraform", "--policy", "x", "--fail-on", "warn"}, want: def(guardOptions{Argv: []string{"terraform", "--policy", "x", "--fail-on", "warn"}})},
		{args: []string{"terraform", "apply"}, err: "put the command after --: rehearse guard [flags] -- terraform apply"},
		{args: []string{"--fail-on", "warn", "terraform", "--", "apply"}, err: "put the command after --"},
		{args: []string{}},
		{args: []string{"--"}},
		{args: []string{"--workspace", "prod", "--", "ls"}},
		{args: []string{"--fail-on"}},
	}
	for _, tt := range tests {
		f, _ := testFactory()
		var got *guardOptions
		ran := tt.want != nil
		err := parse(t, newCmdGuard(f, func(_ context.Context, o *guardOptions) error { got = o; return nil }), tt.args, &ran)
		if tt.want == nil {
			if tt.err != "" && (exitCode(err) != exitCannot || !strings.Contains(fmt.Sprint(err), tt.err)) {
				t.Errorf("%v: exit %d, %v; want 2, %q", tt.args, exitCode(err), err, tt.err)
			}
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

// TestGuardExitCodes: the command's own code when it ran, 1 refused, 2
// could not judge (bad flags, a policy or origin the Factory's
// environment names wrongly, terraform absent); nothing set on the
// process's environment, no terraform, no Docker.
func TestGuardExitCodes(t *testing.T) {
	t.Parallel()
	infra := t.TempDir()
	if err := os.WriteFile(filepath.Join(infra, "main.tf"), []byte("resource \"terraform_data\" \"a\" {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		o    guardOptions
		env  map[string]string
		code int
		said string // in the output, or in the error
	}{
		{name: "ran", o: guardOptions{Argv: []string{"sh", "-c", "echo ran"}}, code: 0, said: "ran\n"},
		{name: "its own exit code", o: guardOptions{Argv: []string{"sh", "-c", "exit 3"}}, code: 3},
		{name: "refused", o: guardOptions{Argv: []string{"rm", "-rf", "/"}}, code: 1, said: "root of the file system"},
		{name: "needs a person, no terminal", o: guardOptions{Argv: []string{"./deploy.sh"}}, code: 1, said: "not confirmed"},
		{name: "terraform absent", o: guardOptions{Argv: []string{"/nonexistent/terraform", "apply", "-auto-approve"}}, code: 2},
		{name: "bad fail-on", o: guardOptions{Argv: []string{"ls"}, FailOn: "pass"}, code: 2, said: `--fail-on must be block or warn, not "pass"`},
		{name: "--policy", o: guardOptions{Argv: []string{"ls"}, judgeOptions: judgeOptions{Policy: "p.yaml"}}, code: 2, said: "--policy: guard reads the repository's rehearse.yaml itself"},
		{name: "bad format", o: guardOptions{Argv: []string{"ls"}, output: outputOptions{Format: "yaml"}}, code: 2, said: `--format: unknown format "yaml"`},
		{name: "REHEARSE_POLICY missing", o: guardOptions{Argv: []string{"ls"}}, env: map[string]string{"REHEARSE_POLICY": "/nonexistent/rehearse.yaml"}, code: 2, said: "/nonexistent/rehearse.yaml"},
		{name: "REHEARSE_ORIGIN wrong", o: guardOptions{Argv: []string{"ls"}}, env: map[string]string{"REHEARSE_ORIGIN": "robot"}, code: 2, said: "origin must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, out := testFactory()
			f.Getenv = func(k string) string { return tt.env[k] }
			o := tt.o
			o.Factory, o.dir = f, infra
			if o.FailOn == "" {
				o.FailOn = "block"
			}
			if o.output.Format == "" {
				o.output.Format = "text"
			}
			err := guardRun(context.Background(), &o)
			if got := exitCode(err); got != tt.code {
				t.Fatalf("exit %d (%v), want %d\n%s", got, err, tt.code, out)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("the error is not one line: %q", err)
			}
			if said := out.String() + fmt.Sprint(err); !strings.Contains(said, tt.said) {
				t.Errorf("neither output nor error says %q:\n%s", tt.said, said)
			}
		})
	}
}
