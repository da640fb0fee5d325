package guard

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// A dialect is one agent's hook protocol.
type dialectSpec struct {
	parse  func(raw map[string]json.RawMessage, ev *Event) error
	answer func(d Decision, w io.Writer) int
}

func dialect(agent string) (dialectSpec, bool) {
	switch agent {
	case "claude":
		return dialectSpec{parseClaude, answerClaude}, true
	case "codex":
		return dialectSpec{parseCodex, answerCodex}, true
	case "gemini":
		return dialectSpec{parseGemini, answerGemini}, true
	case "copilot":
		return dialectSpec{parseCopilot, answerCopilot}, true
	case "cursor":
		return dialectSpec{parseCursor, answerCursor}, true
	case "kiro", "amazon-q":
		return dialectSpec{parseKiro, answerKiro}, true
	}
	return dialectSpec{}, false
}

// Answer writes d to w in agent's dialect and returns the exit code the
// hook must exit with. A deny always blocks, in every dialect, whatever
// mode the agent runs in; an ask becomes a deny for agents that cannot
// ask (fail closed). An unknown agent gets exit 2, which blocks in every
// agent that reads exit codes. It never panics.
func Answer(agent string, d Decision, w io.Writer) (exitCode int) {
	defer func() {
		if p := recover(); p != nil {
			exitCode = 2
		}
	}()
	if w == nil {
		w = io.Discard
	}
	switch d.Permission {
	case Allow, Ask, Deny:
	default:
		d = Decision{Permission: Deny, Reason: fmt.Sprintf("rehearse guard: could not judge the command (decision %q)", d.Permission)}
	}
	if d.Permission != Allow && strings.TrimSpace(d.Reason) == "" {
		d.Reason = "rehearse guard: " + string(d.Permission) + " (no reason given)"
	}
	spec, ok := dialect(agent)
	if !ok {
		fmt.Fprintf(w, "rehearse guard: unknown agent %q\n", agent)
		return 2
	}
	return spec.answer(d, w)
}

func writeJSON(w io.Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	w.Write(append(b, '\n'))
}

// ---- Claude Code ----

func parseClaude(raw map[string]json.RawMessage, ev *Event) error {
	var event string
	if err := fields(raw, map[string]*string{"hook_event_name": &event, "tool_name": &ev.ToolName, "cwd": &ev.Cwd, "permission_mode": &ev.PermissionMode}); err != nil {
		return err
	}
	if event != "" && event != "PreToolUse" {
		return fmt.Errorf("hook_event_name %q, want PreToolUse", event)
	}
	if ev.ToolName != "Bash" {
		return nil
	}
	ev.Shell = true
	return shellCommand(raw, "tool_input", ev)
}

type claudeOutput struct {
	HookSpecificOutput claudeDecision `json:"hookSpecificOutput"`
}

type claudeDecision struct {
	HookEventName            string `json:"hookEventName"`
	PermissionDecision       string `json:"permissionDecision"`
	PermissionDecisionReason string `json:"permissionDecisionReason,omitempty"`
}

// answerClaude: exit 0 with hookSpecificOutput; allow writes nothing, so
// the user's own permission rules still apply (permissionDecision
// "allow" would skip them).
func answerClaude(d Decision, w io.Writer) int {
	if d.Permission == Allow {
		return 0
	}
	writeJSON(w, claudeOutput{claudeDecision{"PreToolUse", string(d.Permission), d.Reason}})
	return 0
}

// ---- Codex CLI ----

func parseCodex(raw map[string]json.RawMessage, ev *Event) error {
	var event string
	if err := fields(raw, map[string]*string{"hook_event_name": &event, "tool_name": &ev.ToolName, "cwd": &ev.Cwd, "permission_mode": &ev.PermissionMode}); err != nil {
		return err
	}
	if event != "" && event != "PreToolUse" {
		return fmt.Errorf("hook_event_name %q, want PreToolUse", event)
	}
	switch ev.ToolName {
	case "Bash", "shell", "local_shell", "exec_command", "shell_command":
	default:
		return nil
	}
	ev.Shell = true
	return shellCommand(raw, "tool_input", ev)
}

func answerCodex(d Decision, w io.Writer) int {
	if d.Permission == Allow {
		return 0
	}
	writeJSON(w, claudeOutput{claudeDecision{"PreToolUse", string(d.Permission), d.Reason}})
	return 0
}

// ---- Gemini CLI ----

func parseGemini(raw map[string]json.RawMessage, ev *Event) error {
	var event string
	if err := fields(raw, map[string]*string{"hook_event_name": &event, "tool_name": &ev.ToolName, "cwd": &ev.Cwd}); err != nil {
		return err
	}
	if event != "" && event != "BeforeTool" {
		return fmt.Errorf("hook_event_name %q, want BeforeTool", event)
	}
	if ev.ToolName != "run_shell_command" {
		return nil
	}
	ev.Shell = true
	return shellCommand(raw, "tool_input", ev)
}

type geminiOutput struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason,omitempty"`
}

func answerGemini(d Decision, w io.Writer) int {
	if d.Permission == Allow {
		return 0
	}
	writeJSON(w, geminiOutput{"deny", d.Reason})
	return 0
}

// ---- GitHub Copilot ----

func parseCopilot(raw map[string]json.RawMessage, ev *Event) error {
	if err := fields(raw, map[string]*string{"toolName": &ev.ToolName, "cwd": &ev.Cwd}); err != nil {
		return err
	}
	if ev.ToolName != "bash" && ev.ToolName != "shell" && ev.ToolName != "powershell" {
		return nil
	}
	ev.Shell = true
	args, err := str(raw, "toolArgs")
	if err != nil {
		// Some versions send the arguments as an object.
		obj, oerr := object(raw, "toolArgs")
		if oerr != nil {
			return err
		}
		return shellCommand(map[string]json.RawMessage{"toolArgs": mustJSON(obj)}, "toolArgs", ev)
	}
	var in map[string]json.RawMessage
	if err := json.Unmarshal([]byte(args), &in); err != nil || in == nil {
		return fmt.Errorf("toolArgs: not a JSON object")
	}
	return shellCommand(map[string]json.RawMessage{"toolArgs": json.RawMessage(args)}, "toolArgs", ev)
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

type copilotOutput struct {
	PermissionDecision       string `json:"permissionDecision"`
	PermissionDecisionReason string `json:"permissionDecisionReason,omitempty"`
}

func answerCopilot(d Decision, w io.Writer) int {
	if d.Permission == Allow {
		return 0
	}
	writeJSON(w, copilotOutput{"deny", d.Reason})
	return 0
}

// ---- Cursor ----

func parseCursor(raw map[string]json.RawMessage, ev *Event) error {
	var event string
	if err := fields(raw, map[string]*string{"hook_event_name": &event, "command": &ev.Command, "cwd": &ev.Cwd}); err != nil {
		return err
	}
	if event != "" && event != "beforeShellExecution" {
		return fmt.Errorf("hook_event_name %q, want beforeShellExecution", event)
	}
	ev.ToolName = "shell"
	ev.Shell = true
	if ev.Cwd == "" {
		var roots []string
		if v, ok := raw["workspace_roots"]; ok && json.Unmarshal(v, &roots) == nil && len(roots) > 0 {
			ev.Cwd = roots[0]
		}
	}
	return nil
}

type cursorOutput struct {
	Permission   string `json:"permission"`
	UserMessage  string `json:"user_message,omitempty"`
	AgentMessage string `json:"agent_message,omitempty"`
}

func answerCursor(d Decision, w io.Writer) int {
	if d.Permission == Allow {
		writeJSON(w, cursorOutput{Permission: "allow"})
		return 0
	}
	writeJSON(w, cursorOutput{"deny", d.Reason, d.Reason})
	return 0
}

// ---- Kiro / Amazon Q Developer CLI ----

func parseKiro(raw map[string]json.RawMessage, ev *Event) error {
	var event string
	if err := fields(raw, map[string]*string{"hook_event_name": &event, "tool_name": &ev.ToolName, "cwd": &ev.Cwd}); err != nil {
		return err
	}
	if event != "" && event != "preToolUse" && event != "PreToolUse" {
		return fmt.Errorf("hook_event_name %q, want preToolUse", event)
	}
	if ev.ToolName != "execute_bash" && ev.ToolName != "shell" && ev.ToolName != "execute_cmd" {
		return nil
	}
	ev.Shell = true
	return shellCommand(raw, "tool_input", ev)
}

func answerKiro(d Decision, w io.Writer) int {
	if d.Permission == Allow {
		return 0
	}
	fmt.Fprintln(w, d.Reason)
	return 2
}

var _ = time.Second
