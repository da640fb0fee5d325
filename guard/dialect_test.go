package guard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/internal/golden"
)

// TestDialectGolden parses every event in testdata/AGENT/ (taken from
// the agent's docs, see SOURCE.md there) and answers it allow, ask and
// deny; the parsed event and the three answers are golden files.
func TestDialectGolden(t *testing.T) {
	for _, agent := range []string{"claude", "codex", "gemini", "copilot", "cursor", "kiro"} {
		files, err := filepath.Glob(filepath.Join("testdata", agent, "*.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no events (%v)", agent, err)
		}
		for _, f := range files {
			t.Run(agent+"/"+filepath.Base(f), func(t *testing.T) {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				ev, err := ParseEvent(agent, bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				var out bytes.Buffer
				js, _ := json.MarshalIndent(ev, "", "  ")
				fmt.Fprintf(&out, "event:\n%s\n", js)
				for _, d := range []Decision{
					{Permission: Allow},
					{Permission: Ask, Reason: "rehearse guard: `kubectl delete ns staging` deletes a namespace. A human must confirm it."},
					{Permission: Deny, Reason: "rehearse guard: `terraform destroy` destroys aws_db_instance.main in prod."},
				} {
					var w bytes.Buffer
					code := Answer(agent, d, &w)
					fmt.Fprintf(&out, "\n%s → exit %d, %s:\n%s", d.Permission, code, map[bool]string{true: "stderr", false: "stdout"}[Stderr(agent)], w.String())
				}
				golden.Check(t, strings.TrimSuffix(f, ".json")+".golden", out.Bytes())
			})
		}
	}
}

// TestAnswerBlocks checks, in every dialect, that deny and ask never
// let the command run where the agent cannot ask.
func TestAnswerBlocks(t *testing.T) {
	for _, agent := range Agents {
		for _, p := range []Permission{Deny, Ask, "", "bogus"} {
			var w bytes.Buffer
			code := Answer(agent, Decision{Permission: p, Reason: "r"}, &w)
			s := w.String()
			blocked := code == 2 || strings.Contains(s, `"deny"`) || (p == Ask && strings.Contains(s, `"ask"`) && (agent == "claude" || agent == "cursor"))
			if !blocked {
				t.Errorf("%s %q: exit %d, %q lets it run", agent, p, code, s)
			}
			if code != 0 && code != 2 {
				t.Errorf("%s: exit %d", agent, code)
			}
		}
	}
	if code := Answer("nope", Decision{Permission: Allow}, nil); code != 2 {
		t.Errorf("unknown agent: exit %d", code)
	}
	ev := Event{Agent: "claude", PermissionMode: "bypassPermissions"}
	var w bytes.Buffer
	AnswerEvent(ev, Decision{Permission: Ask, Reason: "r"}, &w)
	if !strings.Contains(w.String(), `"deny"`) {
		t.Errorf("ask in bypassPermissions: %s", w.String())
	}
}

func TestParseEventMalformed(t *testing.T) {
	bad := []string{
		"", "null", "[]", "{", `"x"`, `{"tool_name": 3}`,
		`{"hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}`,
		`{"tool_name":"Bash"}`, `{"tool_name":"Bash","tool_input":"ls"}`,
		`{"tool_name":"Bash","tool_input":{"command":""}}`,
		`{"tool_name":"Bash","tool_input":{"command":["ls"]}}`,
		`{"toolName":"bash","toolArgs":"{not json"}`,
		`{"hook_event_name":"beforeShellExecution","command":"  "}`,
	}
	for _, agent := range Agents {
		for _, in := range bad {
			if ev, err := ParseEvent(agent, strings.NewReader(in)); err == nil && ev.Shell {
				t.Errorf("%s %q: parsed as shell %+v", agent, in, ev)
			}
		}
	}
	if _, err := ParseEvent("nope", strings.NewReader("{}")); err == nil {
		t.Error("unknown agent parsed")
	}
}
