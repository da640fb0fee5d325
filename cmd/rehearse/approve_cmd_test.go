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

func TestApproveFlags(t *testing.T) {
	t.Parallel()
	def := func(o approveOptions) *approveOptions {
		if o.Approvals == "" {
			o.Approvals = ".rehearse/approvals.yaml"
		}
		o.dir.Refresh = true
		return &o
	}
	tests := []struct {
		args []string
		want *approveOptions // nil: a flag or argument error
	}{
		{[]string{"plan.json", "--finding", "RH-1", "--finding", "RH-2", "--by", "a@example.com", "--reason", "r", "--rollback", "rb",
			"--expires", "72h", "--sign-key", "k", "--approvals", "ap.yaml", "--policy", "p.yaml", "--base-policy", "b.yaml", "--origin", "ai", "--origin-range", "a..b", "--workspace", "prod"},
			def(approveOptions{File: "plan.json", Findings: []string{"RH-1", "RH-2"}, By: "a@example.com", Reason: "r", Rollback: "rb", Expires: "72h", SignKey: "k", Approvals: "ap.yaml",
				judgeOptions: judgeOptions{Policy: "p.yaml", BasePolicy: "b.yaml", Origin: "ai", OriginRange: "a..b", Workspace: "prod"},
				dir:          planOptions{Files: []string{"plan.json"}}})},
		{[]string{"--dir", "infra", "--destroy", "--var", "a=b", "--target", "t", "--terraform", "tofu", "--input", "terraform", "--finding", "RH-1"},
			def(approveOptions{Findings: []string{"RH-1"}, dir: planOptions{Files: []string{}, Dirs: []string{"infra"}, Dir: "infra", Destroy: true, Vars: []string{"a=b"}, Targets: []string{"t"}, Terraform: "tofu", Input: "terraform"}})},
		// Many inputs are many stacks: no one File.
		{[]string{"a.json", "b.json"}, def(approveOptions{dir: planOptions{Files: []string{"a.json", "b.json"}}})},
		// What is missing is the run's to say, all of it at once.
		{[]string{}, def(approveOptions{dir: planOptions{Files: []string{}}})},
		{[]string{"plan.json", "--expires"}, nil},
		{[]string{"plan.json", "--refresh=often"}, nil},
		{[]string{"plan.json", "--fail-on", "warn"}, nil},
		{[]string{"plan.json", "--format", "json"}, nil},
	}
	for _, tt := range tests {
		f, _ := testFactory()
		var got *approveOptions
		ran := tt.want != nil
		parse(t, newCmdApprove(f, func(_ context.Context, o *approveOptions) error { got = o; return nil }), tt.args, &ran)
		if tt.want == nil {
			continue
		}
		if got.Factory != f || got.dir.Factory != f {
			t.Errorf("%v: the run does not read the world through the factory", tt.args)
		}
		got.Factory, got.dir.Factory = nil, nil
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v:\n got %+v\nwant %+v", tt.args, got, tt.want)
		}
	}
}

// blockingFinding is the first blocking finding of plan, judged as the
// tests' Factory judges it.
func blockingFinding(t *testing.T, plan string) string {
	t.Helper()
	f, out := testFactory()
	err := planRun(context.Background(), &planOptions{Factory: f, Files: []string{plan}, FailOn: "block", CommentLimit: "github", output: outputOptions{Format: "json"}})
	if exitCode(err) != exitBlock {
		t.Fatalf("plan %s: %v, want a block\n%s", plan, err, out)
	}
	for _, fd := range decodeVerdict(t, out.String()).Findings {
		if fd.Severity == "block" {
			return fd.ID
		}
	}
	t.Fatalf("plan %s: no blocking finding", plan)
	return ""
}

// TestApproveExitCodes: an approval is written (0) with the Factory's
// clock for its time and expiry; anything missing or wrong is 2, one
// line, and nothing written. No terraform, no Docker, nothing set on the
// process's environment.
func TestApproveExitCodes(t *testing.T) {
	t.Parallel()
	plan := filepath.Join("..", "..", "examples", "plans", "env-recreate-minor-fix.json")
	id := blockingFinding(t, plan)
	full := func(o approveOptions) approveOptions {
		if o.File == "" && len(o.dir.Dirs) == 0 {
			o.File = plan
		}
		if o.Findings == nil {
			o.Findings = []string{id}
		}
		if o.By == "" {
			o.By = "alice@example.com"
		}
		if o.Reason == "" {
			o.Reason = "planned"
		}
		if o.Rollback == "" {
			o.Rollback = "restore the snapshot"
		}
		return o
	}
	tests := []struct {
		name     string
		o        approveOptions
		env      map[string]string
		existing string // the approvals file's content before the run
		code     int
		said     string // in the output, or in the error
	}{
		{name: "approved, at the factory's time", o: full(approveOptions{}), code: 0, said: "by alice@example.com at 2026-12-01T00:00:00Z"},
		// In the future of the Factory's clock, in the past of the real one.
		{name: "expires, by the factory's clock", o: full(approveOptions{Expires: "2026-12-01T12:00:00Z"}), code: 0, said: "expires: 2026-12-01T12:00:00Z"},
		{name: "expires as a duration", o: full(approveOptions{Expires: "7d"}), code: 0, said: "expires: 2026-12-08T00:00:00Z"},
		{name: "expired", o: full(approveOptions{Expires: "2026-11-30T00:00:00Z"}), code: 2, said: "--expires 2026-11-30T00:00:00Z is not in the future"},
		{name: "bad expires", o: full(approveOptions{Expires: "soon"}), code: 2, said: `--expires "soon" is neither a duration from now`},
		{name: "nothing given", o: approveOptions{File: plan}, code: 2, said: "approve needs --finding, --by, --reason, --rollback"},
		{name: "no rollback", o: full(approveOptions{Rollback: " "}), code: 2, said: "approve needs --rollback"},
		{name: "no approvals file", o: full(approveOptions{}), code: 2, said: "--approvals must name a file"},
		{name: "not a finding of the change", o: full(approveOptions{Findings: []string{"RH-0000000000"}}), code: 2, said: "no finding RH-0000000000 in this change; its findings are: " + id},
		{name: "malformed approvals file", o: full(approveOptions{}), existing: "approvals: {not: [a list\n", code: 2, said: "approvals.yaml"},
		{name: "dir, terraform absent", o: full(approveOptions{dir: planOptions{Dirs: []string{"."}, Dir: "."}}), code: 2, said: "/nonexistent/terraform"},
		{name: "sign key missing", o: full(approveOptions{SignKey: "/nonexistent/id_ed25519"}), code: 2, said: "/nonexistent/id_ed25519"},
		{name: "bad origin in the environment", o: full(approveOptions{}), env: map[string]string{"REHEARSE_ORIGIN": "robot"}, code: 2, said: "origin must be"},
		// An observed change is run again: not without Docker.
		{name: "environment file, docker absent", o: full(approveOptions{File: filepath.Join("..", "..", "examples", "sandbox", "env.yaml")}), code: 2, said: "docker: not on this machine"},
		{name: "container scenario, docker absent", o: full(approveOptions{File: filepath.Join(lib, "readonly-query-control")}), code: 2, said: "docker: not on this machine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, out := testFactory()
			f.Getenv = func(k string) string { return tt.env[k] }
			o := tt.o
			o.Factory, o.dir.Factory, o.dir.Refresh = f, f, true
			file := filepath.Join(t.TempDir(), "approvals.yaml")
			if tt.existing != "" {
				must(t, os.WriteFile(file, []byte(tt.existing), 0o644))
			}
			if tt.name != "no approvals file" {
				o.Approvals = file
			}
			err := approveRun(context.Background(), &o)
			if got := exitCode(err); got != tt.code {
				t.Fatalf("exit %d (%v), want %d\n%s", got, err, tt.code, out)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("the error is not one line: %q", err)
			}
			if said := out.String() + fmt.Sprint(err); !strings.Contains(said, tt.said) {
				t.Errorf("neither output nor error says %q:\n%s", tt.said, said)
			}
			b, _ := os.ReadFile(file)
			if wrote := string(b) != tt.existing; wrote != (tt.code == 0) {
				t.Errorf("exit %d, and the approvals file was written: %v\n%s", tt.code, wrote, b)
			}
		})
	}
}
