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
)

func TestPlanFlags(t *testing.T) {
	t.Parallel()
	def := func(o planOptions) *planOptions {
		if o.FailOn == "" {
			o.FailOn = "block"
		}
		if o.output.Format == "" {
			o.output.Format = "text"
		}
		if o.CommentLimit == "" {
			o.CommentLimit = "github"
		}
		o.Refresh = true
		return &o
	}
	noRefresh := func(o *planOptions) *planOptions { o.Refresh = false; return o }
	tests := []struct {
		args []string
		want *planOptions // nil: a flag or argument error
	}{
		{[]string{"p.json"}, def(planOptions{Files: []string{"p.json"}})},
		{[]string{}, def(planOptions{Files: []string{}})}, // no input is the run's to refuse, with its own message
		{[]string{"a.json", "plans/", "-"}, def(planOptions{Files: []string{"a.json", "plans/", "-"}})},
		{[]string{"--dir", "a", "--dir", "b", "--stack", "app=b", "--var", "x=1", "--var", "y=2", "--var-file", "v.tfvars",
			"--target", "t", "--replace", "r", "--destroy", "--refresh=false", "--state", "s", "--plan-file", "pf",
			"--terraform", "tofu", "--input", "terraform", "--timeout", "5m", "--workspace", "prod"},
			noRefresh(def(planOptions{Files: []string{}, Dirs: []string{"a", "b"}, Dir: "a", Stacks: []string{"app=b"}, Vars: []string{"x=1", "y=2"}, VarFiles: []string{"v.tfvars"},
				Targets: []string{"t"}, Replace: []string{"r"}, Destroy: true, State: "s", PlanFile: "pf",
				Terraform: "tofu", Input: "terraform", Timeout: 5 * time.Minute, judgeOptions: judgeOptions{Workspace: "prod"}}))},
		{[]string{"--policy", "p.yaml", "--base-policy", "b.yaml", "--origin", "ai", "--origin-range", "a..b", "--approvals", "ap.yaml",
			"--fail-on", "warn", "--format", "json", "--output", "sarif=o.sarif", "--output", "junit=o.xml", "--comment-limit", "gitlab",
			"--terragrunt", "tg", "--terragrunt-binary", "tgb", "x.json"},
			def(planOptions{Files: []string{"x.json"}, Approvals: "ap.yaml", FailOn: "warn", CommentLimit: "gitlab", Terragrunt: "tg", TerragruntBinary: "tgb",
				judgeOptions: judgeOptions{Policy: "p.yaml", BasePolicy: "b.yaml", Origin: "ai", OriginRange: "a..b"},
				output:       outputOptions{Format: "json", Outputs: []string{"sarif=o.sarif", "junit=o.xml"}}})},
		{[]string{"--timeout", "soon", "p.json"}, nil},
		{[]string{"--refresh=maybe", "p.json"}, nil},
		{[]string{"--destroy=perhaps", "p.json"}, nil},
		{[]string{"--dir"}, nil},
		{[]string{"--bogus", "p.json"}, nil},
	}
	for _, tt := range tests {
		f, _ := testFactory()
		var got *planOptions
		ran := tt.want != nil
		parse(t, newCmdPlan(f, func(_ context.Context, o *planOptions) error { got = o; return nil }), tt.args, &ran)
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

// TestPlanExitCodes: 0 pass or warn, 1 block (or warn with --fail-on
// warn), 2 for flags that do not go together and for an input that cannot
// be judged (terraform absent included); the environment is the
// Factory's, so none is set on the process. No terraform, no Docker.
func TestPlanExitCodes(t *testing.T) {
	t.Parallel()
	ex := func(name string) string { return filepath.Join("..", "..", "examples", "plans", name+".json") }
	pass, warn, block := ex("tag-only-update"), ex("rename-without-moved"), ex("env-recreate-minor-fix")
	stdin, err := os.ReadFile(pass)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		o     planOptions
		env   map[string]string
		stdin string
		code  int
		said  string // in the output, or in the error
	}{
		{name: "pass", o: planOptions{Files: []string{pass}}, code: 0, said: "PASS"},
		{name: "warn", o: planOptions{Files: []string{warn}}, code: 0, said: "WARN"},
		{name: "warn, --fail-on warn", o: planOptions{Files: []string{warn}, FailOn: "warn"}, code: 1, said: "WARN"},
		{name: "block", o: planOptions{Files: []string{block}}, code: 1, said: "BLOCK"},
		{name: "stdin from the factory", o: planOptions{Files: []string{"-"}}, stdin: string(stdin), code: 0, said: "PASS"},
		{name: "many stacks, one blocked", o: planOptions{Files: []string{pass, block}}, code: 1, said: "BLOCK"},
		{name: "origin from the factory's environment", o: planOptions{Files: []string{pass}, output: outputOptions{Format: "json"}},
			env: map[string]string{"REHEARSE_ORIGIN": "ai"}, code: 0, said: `"origin": "ai"`},
		{name: "bad origin in the environment", o: planOptions{Files: []string{pass}}, env: map[string]string{"REHEARSE_ORIGIN": "robot"}, code: 2, said: "origin must be"},
		{name: "base policy missing, from the environment", o: planOptions{Files: []string{pass}},
			env: map[string]string{"REHEARSE_BASE_POLICY": "/nonexistent/base.yaml"}, code: 2, said: "REHEARSE_BASE_POLICY"},
		{name: "dir without terraform", o: planOptions{Dirs: []string{t.TempDir()}}, code: 2, said: "/nonexistent/terraform"},
		{name: "no input", o: planOptions{}, code: 2, said: "give a plan JSON file argument, - for stdin, or --dir DIR"},
		{name: "bad fail-on", o: planOptions{Files: []string{pass}, FailOn: "pass"}, code: 2, said: `--fail-on must be block or warn, not "pass"`},
		{name: "bad format", o: planOptions{Files: []string{pass}, output: outputOptions{Format: "yaml"}}, code: 2, said: `--format: unknown format "yaml"`},
		{name: "bad output", o: planOptions{Files: []string{pass}, output: outputOptions{Format: "text", Outputs: []string{"sarif"}}}, code: 2, said: `--output "sarif": want FORMAT=FILE`},
		{name: "bad input", o: planOptions{Files: []string{pass}, Input: "helm"}, code: 2, said: `--input must be terraform, cloudformation or pulumi, not "helm"`},
		{name: "bad comment limit", o: planOptions{Files: []string{pass}, CommentLimit: "lots"}, code: 2, said: "lots"},
		{name: "--state without --dir", o: planOptions{Files: []string{pass}, State: "s.tfstate"}, code: 2, said: "need --dir"},
		{name: "--var without --dir", o: planOptions{Files: []string{pass}, Vars: []string{"a=b"}}, code: 2, said: "need --dir"},
		{name: "--state with two dirs", o: planOptions{Dirs: []string{"a", "b"}, State: "s.tfstate"}, code: 2, said: "give one --dir"},
		{name: "--dir with --input pulumi", o: planOptions{Dirs: []string{"a"}, Input: "pulumi"}, code: 2, said: "--input pulumi reads a file"},
		{name: "stdin beside a file", o: planOptions{Files: []string{"-", pass}}, code: 2, said: "- (stdin) is one input"},
		{name: "bad stack", o: planOptions{Files: []string{pass}, Stacks: []string{"nameless"}}, code: 2, said: `--stack "nameless": want NAME=PATH`},
		{name: "missing file", o: planOptions{Files: []string{"/nonexistent/plan.json"}}, code: 2, said: "/nonexistent/plan.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, out := testFactory()
			f.in = strings.NewReader(tt.stdin)
			f.Getenv = func(k string) string { return tt.env[k] }
			o := tt.o
			o.Factory = f
			if o.FailOn == "" {
				o.FailOn = "block"
			}
			if o.output.Format == "" {
				o.output.Format = "text"
			}
			if o.CommentLimit == "" {
				o.CommentLimit = "github"
			}
			err := planRun(context.Background(), &o)
			if got := exitCode(err); got != tt.code {
				t.Fatalf("exit %d (%v), want %d\n%s", got, err, tt.code, out)
			}
			if err != nil && tt.code == exitCannot && strings.Contains(err.Error(), "\n") {
				t.Errorf("the error is not one line: %q", err)
			}
			if said := out.String() + fmt.Sprint(err); !strings.Contains(said, tt.said) {
				t.Errorf("neither output nor error says %q:\n%s", tt.said, said)
			}
		})
	}
}
