package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestHookFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want *hookOptions // nil: a flag or argument error
	}{
		{[]string{"claude"}, &hookOptions{Agent: "claude"}},
		{[]string{"kiro", "--timeout", "45s", "--base-policy", "b.yaml", "--terraform", "tofu"}, &hookOptions{Agent: "kiro", Timeout: 45 * time.Second, BasePolicy: "b.yaml", Terraform: "tofu"}},
		{[]string{"vim"}, &hookOptions{Agent: "vim"}}, // an unknown agent is the run's to answer (exit 2)
		{[]string{}, nil},
		{[]string{"claude", "codex"}, nil},
		{[]string{"claude", "--timeout", "soon"}, nil},
		{[]string{"claude", "--policy", "p.yaml"}, nil},
	}
	for _, tt := range tests {
		f, _ := testFactory()
		var got *hookOptions
		ran := tt.want != nil
		parse(t, newCmdHook(f, func(_ context.Context, o *hookOptions) error { got = o; return nil }), tt.args, &ran)
		if tt.want == nil {
			continue
		}
		if got.Factory != f {
			t.Errorf("%v: the run does not read the world through the factory", tt.args)
		}
		got.Factory = nil
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v:\n got %+v\nwant %+v", tt.args, got, tt.want)
		}
	}
}

func TestHookInstallFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want *hookInstallOptions
	}{
		{[]string{"claude"}, &hookInstallOptions{Agent: "claude"}},
		{[]string{"codex", "--global", "--dry-run", "--file", "h.json", "--command", "rh hook codex", "--timeout", "2m"},
			&hookInstallOptions{Agent: "codex", Global: true, DryRun: true, File: "h.json", Command: "rh hook codex", Timeout: 2 * time.Minute}},
		{[]string{}, nil},
		{[]string{"claude", "codex"}, nil},
		{[]string{"claude", "--timeout", "long"}, nil},
		{[]string{"claude", "--global=sometimes"}, nil},
	}
	for _, tt := range tests {
		f, _ := testFactory()
		var got *hookInstallOptions
		ran := tt.want != nil
		// Through the parent, as the CLI reaches it; the parent's own
		// runF must not run.
		hook := newCmdHook(f, func(context.Context, *hookOptions) error { t.Errorf("%v: hook ran", tt.args); return nil })
		for _, c := range hook.Commands() {
			if c.Name() == "install" {
				hook.RemoveCommand(c)
			}
		}
		hook.AddCommand(newCmdHookInstall(f, func(_ context.Context, o *hookInstallOptions) error { got = o; return nil }))
		parse(t, hook, append([]string{"install"}, tt.args...), &ran)
		if tt.want == nil {
			continue
		}
		if got.Factory != f || got.home == nil {
			t.Errorf("%v: no factory or home directory", tt.args)
		}
		got.Factory, got.home = nil, nil
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v:\n got %+v\nwant %+v", tt.args, got, tt.want)
		}
	}
}

func TestHookPrintFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want *hookPrintOptions
	}{
		{[]string{"gemini"}, &hookPrintOptions{Agent: "gemini"}},
		{[]string{"gemini", "--timeout", "9s"}, &hookPrintOptions{Agent: "gemini", Timeout: 9 * time.Second}},
		{[]string{}, nil},
		{[]string{"gemini", "--global"}, nil},
		{[]string{"gemini", "--timeout", "-"}, nil},
	}
	for _, tt := range tests {
		f, _ := testFactory()
		var got *hookPrintOptions
		ran := tt.want != nil
		parse(t, newCmdHookPrint(f, func(_ context.Context, o *hookPrintOptions) error { got = o; return nil }), tt.args, &ran)
		if tt.want == nil {
			continue
		}
		got.Factory = nil
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v:\n got %+v\nwant %+v", tt.args, got, tt.want)
		}
	}
}

// claudeEvent is a Claude Code PreToolUse event for a Bash command.
func claudeEvent(t *testing.T, command, dir string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": map[string]string{"command": command}, "cwd": dir})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestHookExitCodes: the answer and exit code of each agent's dialect for
// an allowed line, a malformed event, an apply that cannot be planned
// (terraform absent) and a policy named by the Factory's environment that
// does not exist; without terraform or Docker, and nothing set on the
// process's environment.
func TestHookExitCodes(t *testing.T) {
	t.Parallel()
	plain := t.TempDir()
	infra := t.TempDir()
	if err := os.WriteFile(filepath.Join(infra, "main.tf"), []byte("resource \"terraform_data\" \"a\" {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	kiro := func(command, dir string) string {
		b, _ := json.Marshal(map[string]any{"hook_event_name": "preToolUse", "cwd": dir, "tool_name": "execute_bash", "tool_input": map[string]string{"command": command}})
		return string(b)
	}
	tests := []struct {
		name, agent, event string
		env                map[string]string
		code               int
		said               string // in the answer; "" is an allow, nothing denied
	}{
		{name: "claude: ls allowed", agent: "claude", event: claudeEvent(t, "ls -l", plain), code: 0, said: ""},
		{name: "claude: not json", agent: "claude", event: "not json", code: 0, said: "could not read the hook event"},
		{name: "claude: apply, terraform absent", agent: "claude", event: claudeEvent(t, "terraform apply -auto-approve", infra), code: 0, said: `"permissionDecision":"deny"`},
		{name: "claude: REHEARSE_POLICY missing", agent: "claude", event: claudeEvent(t, "ls", plain),
			env: map[string]string{"REHEARSE_POLICY": "/nonexistent/rehearse.yaml"}, code: 0, said: "/nonexistent/rehearse.yaml"},
		{name: "claude: REHEARSE_BASE_POLICY missing", agent: "claude", event: claudeEvent(t, "terraform apply", infra),
			env: map[string]string{"REHEARSE_BASE_POLICY": "/nonexistent/base.yaml"}, code: 0, said: "REHEARSE_BASE_POLICY"},
		{name: "kiro: ls allowed", agent: "kiro", event: kiro("ls", plain), code: 0, said: ""},
		{name: "kiro: apply, terraform absent", agent: "kiro", event: kiro("terraform apply", infra), code: 2, said: "denied by rehearse"},
		{name: "kiro: empty event", agent: "kiro", event: "", code: 2, said: "could not read the hook event"},
		{name: "unknown agent", agent: "vim", event: "{}", code: 2, said: `unknown agent "vim"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, out := testFactory()
			f.in = strings.NewReader(tt.event)
			f.Getenv = func(k string) string { return tt.env[k] }
			err := hookRun(context.Background(), &hookOptions{Factory: f, Agent: tt.agent, Timeout: 20 * time.Second})
			if got := exitCode(err); got != tt.code {
				t.Fatalf("exit %d (%v), want %d\n%s", got, err, tt.code, out)
			}
			if !strings.Contains(out.String(), tt.said) {
				t.Errorf("the answer lacks %q:\n%s", tt.said, out)
			}
			if tt.said == "" && strings.Contains(out.String(), "deny") {
				t.Errorf("not allowed:\n%s", out)
			}
		})
	}
}

// TestHookInstallExitCodes: install writes or shows the merge (0), and
// refuses (2, one line naming the file) an unknown agent, a file it
// cannot read as JSON, Kiro without its agent config, and --global for
// an agent without a user-wide file.
func TestHookInstallExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		o     hookInstallOptions
		files map[string]string // relative to the project
		code  int
		said  string // in the output, or in the error
		wrote string // the file written, relative to the project or home
	}{
		{name: "claude", o: hookInstallOptions{Agent: "claude"}, code: 0, said: "+++ ", wrote: ".claude/settings.json"},
		{name: "dry run writes nothing", o: hookInstallOptions{Agent: "claude", DryRun: true}, code: 0, said: "+++ "},
		{name: "already installed", o: hookInstallOptions{Agent: "cursor"}, files: map[string]string{".cursor/hooks.json": `{"version":1,"hooks":{"beforeShellExecution":[{"command":"rehearse hook cursor"}]}}`}, code: 0, said: "already installed"},
		{name: "global, in the home directory", o: hookInstallOptions{Agent: "codex", Global: true, Command: "rehearse hook codex"}, code: 0, said: "+++ ", wrote: "home/.codex/hooks.json"},
		{name: "unknown agent", o: hookInstallOptions{Agent: "vim"}, code: 2, said: `unknown agent "vim": want one of claude, codex, copilot, cursor, gemini, kiro`},
		{name: "not JSON", o: hookInstallOptions{Agent: "gemini"}, files: map[string]string{".gemini/settings.json": "{oops"}, code: 2, said: "rehearse does not rewrite a file it cannot read"},
		{name: "not an object", o: hookInstallOptions{Agent: "claude"}, files: map[string]string{".claude/settings.json": "[]"}, code: 2, said: "settings.json: not a JSON object"},
		{name: "kiro without its config", o: hookInstallOptions{Agent: "kiro"}, code: 2, said: "no such agent config"},
		{name: "copilot --global", o: hookInstallOptions{Agent: "copilot", Global: true}, code: 2, said: "copilot has no user-wide hooks file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, out := testFactory()
			dir := t.TempDir()
			for name, body := range tt.files {
				writeTestFile(t, filepath.Join(dir, name), body)
			}
			o := tt.o
			o.Factory, o.Dir = f, dir
			o.home = func() (string, error) { return filepath.Join(dir, "home"), nil }
			err := hookInstallRun(context.Background(), &o)
			if got := exitCode(err); got != tt.code {
				t.Fatalf("exit %d (%v), want %d\n%s", got, err, tt.code, out)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("the error is not one line: %q", err)
			}
			if said := out.String() + fmt.Sprint(err); !strings.Contains(said, tt.said) {
				t.Errorf("neither output nor error says %q:\n%s", tt.said, said)
			}
			written, _ := filepath.Glob(filepath.Join(dir, "*", "*.json"))
			home, _ := filepath.Glob(filepath.Join(dir, "home", "*", "*.json"))
			if tt.files == nil {
				var got []string
				for _, p := range append(written, home...) {
					rel, _ := filepath.Rel(dir, p)
					got = append(got, filepath.ToSlash(rel))
				}
				var want []string
				if tt.wrote != "" {
					want = []string{tt.wrote}
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("wrote %v, want %v", got, want)
				}
			}
		})
	}
}

func TestHookPrintExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		agent string
		code  int
		said  string
	}{
		{"claude", 0, `"command": "rehearse hook claude"`},
		{"copilot", 0, `"timeoutSec": 30`},
		{"vim", 2, `unknown agent "vim"`},
	}
	for _, tt := range tests {
		f, out := testFactory()
		err := hookPrintRun(context.Background(), &hookPrintOptions{Factory: f, Agent: tt.agent})
		if got := exitCode(err); got != tt.code {
			t.Fatalf("%s: exit %d (%v), want %d\n%s", tt.agent, got, err, tt.code, out)
		}
		if said := out.String() + fmt.Sprint(err); !strings.Contains(said, tt.said) {
			t.Errorf("%s: neither output nor error says %q:\n%s", tt.agent, tt.said, said)
		}
	}
}
