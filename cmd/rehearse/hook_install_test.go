package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHookInstallEveryAgentIdempotent(t *testing.T) {
	files := map[string]string{
		"claude": ".claude/settings.json", "codex": ".codex/hooks.json", "gemini": ".gemini/settings.json",
		"copilot": ".github/hooks/rehearse.json", "cursor": ".cursor/hooks.json", "kiro": ".kiro/agents/default.json",
	}
	for agent, file := range files {
		t.Run(agent, func(t *testing.T) {
			t.Chdir(t.TempDir())
			if agent == "kiro" {
				// Kiro's agent config is the user's: rehearse does not create one.
				if code, _, errw := runCLI(t, "", "hook", "install", agent); code != exitCannot || !strings.Contains(errw, "--file") {
					t.Fatalf("kiro without an agent config: exit %d\n%s", code, errw)
				}
				writeTestFile(t, file, `{"name": "default", "tools": ["*"]}`)
			}
			code, out, errw := runCLI(t, "", "hook", "install", agent, "--dry-run")
			if code != 0 || !strings.Contains(out, "+++ "+file) || !strings.Contains(out, "rehearse hook "+agent) {
				t.Fatalf("dry run: exit %d\n%s%s", code, out, errw)
			}
			if agent != "kiro" {
				if _, err := os.Stat(file); err == nil {
					t.Fatal("--dry-run wrote the file")
				}
			}
			if code, _, errw := runCLI(t, "", "hook", "install", agent); code != 0 {
				t.Fatalf("install: exit %d\n%s", code, errw)
			}
			first, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(first, &v); err != nil {
				t.Fatalf("%s is not JSON: %v\n%s", file, err, first)
			}
			code, out, _ = runCLI(t, "", "hook", "install", agent)
			again, _ := os.ReadFile(file)
			if code != 0 || string(again) != string(first) || !strings.Contains(out, "already installed") {
				t.Fatalf("second install changed something (exit %d):\n%s\n%s", code, out, again)
			}
		})
	}
}

func TestHookInstallKeepsOtherSettings(t *testing.T) {
	t.Chdir(t.TempDir())
	old := `{
    "permissions": {"allow": ["Bash(ls:*)"], "deny": []},
    "hooks": {
        "PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "gofmt -w"}]}],
        "PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "/old/bin/rehearse hook claude", "timeout": 5}, {"type": "command", "command": "audit.sh"}]},
            {"matcher": "Write", "hooks": [{"type": "command", "command": "check-write"}]}
        ]
    },
    "model": "opus",
    "url": "https://example.com/?a=1&b=<2>"
}`
	writeTestFile(t, ".claude/settings.json", old)
	code, out, errw := runCLI(t, "", "hook", "install", "claude")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errw)
	}
	b, _ := os.ReadFile(".claude/settings.json")
	got := string(b)
	// Keys stay in their order; the old rehearse entry is replaced where
	// it was, the user's hook beside it kept.
	order := []string{`"permissions"`, `"PostToolUse"`, `"gofmt -w"`, `"PreToolUse"`, `"rehearse hook claude"`, `"audit.sh"`, `"check-write"`, `"model"`, `"url"`}
	last := -1
	for _, k := range order {
		i := strings.Index(got, k)
		if i < 0 || i < last {
			t.Fatalf("%s missing or out of order in:\n%s", k, got)
		}
		last = i
	}
	if strings.Contains(got, "/old/bin/rehearse") || strings.Count(got, "rehearse hook") != 1 {
		t.Fatalf("old entry not replaced:\n%s", got)
	}
	if !strings.Contains(got, `"https://example.com/?a=1&b=<2>"`) || !strings.Contains(got, `"timeout": 60`) {
		t.Fatalf("values rewritten:\n%s", got)
	}
	if !strings.Contains(out, "-            {\"matcher\": \"Bash\"") && !strings.Contains(out, "@@") {
		t.Errorf("no diff:\n%s", out)
	}
	// A file rehearse cannot read is left alone.
	writeTestFile(t, ".claude/settings.json", `{"hooks": [}`)
	if code, _, errw := runCLI(t, "", "hook", "install", "claude"); code != exitCannot || !strings.Contains(errw, "fix it by hand") {
		t.Fatalf("broken file: exit %d\n%s", code, errw)
	}
	if b, _ := os.ReadFile(".claude/settings.json"); string(b) != `{"hooks": [}` {
		t.Fatal("a broken file was rewritten")
	}
}

func TestHookInstallGlobalAndPrint(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Chdir(t.TempDir())
	if code, _, errw := runCLI(t, "", "hook", "install", "codex", "--global", "--timeout", "90s"); code != 0 {
		t.Fatalf("exit %d\n%s", code, errw)
	}
	b, err := os.ReadFile(filepath.Join(home, ".codex", "hooks.json"))
	if err != nil || !strings.Contains(string(b), "hook codex --timeout 1m30s") || !strings.Contains(string(b), `"timeout": 90`) {
		t.Fatalf("global codex hooks (%v):\n%s", err, b)
	}
	if code, _, _ := runCLI(t, "", "hook", "install", "copilot", "--global"); code != exitCannot {
		t.Fatalf("copilot --global: exit %d", code)
	}
	code, out, _ := runCLI(t, "", "hook", "print", "gemini")
	if code != 0 || !strings.Contains(out, `"BeforeTool"`) || !strings.Contains(out, `"run_shell_command"`) || !strings.Contains(out, `"timeout": 60000`) {
		t.Fatalf("print: exit %d\n%s", code, out)
	}
}

func TestUnifiedDiff(t *testing.T) {
	a := []byte("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n")
	b := []byte("1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n")
	want := "--- a\n+++ b\n@@ -2,9 +2,10 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n 9\n 10\n+11\n"
	if got := unifiedDiff("a", "b", a, b); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := unifiedDiff("a", "b", nil, []byte("x\n")); got != "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n" {
		t.Errorf("new file:\n%s", got)
	}
	if unifiedDiff("a", "b", a, a) != "" {
		t.Error("equal inputs differ")
	}
}
