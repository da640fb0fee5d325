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
// hook must exit with. w is the hook's standard output, except for the
// agents that read only an exit code and standard error (kiro, amazon-q:
// see Stderr). A deny always blocks, in every dialect, whatever mode the
// agent runs in; an ask becomes a deny for agents that cannot ask (codex,
// gemini, copilot, kiro: fail closed). An allow writes nothing (cursor:
// permission allow), so the agent's own permission rules still apply. An
// unknown agent gets exit 2, which blocks in every agent that reads exit
// codes. It never panics.
//
// Per dialect:
//
//	claude    exit 0, {"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny|ask","permissionDecisionReason":…}}
//	          (a deny this way blocks even in bypassPermissions mode)
//	codex     exit 0, the same shape, deny only
//	gemini    exit 0, {"decision":"deny","reason":…}
//	copilot   exit 0, {"permissionDecision":"deny","permissionDecisionReason":…}
//	cursor    exit 0, {"permission":"allow|ask|deny","user_message":…,"agent_message":…}
//	kiro      exit 2 with the reason (to standard error); exit 0 allows
//
// AnswerEvent also knows the event's permission mode.
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

// answerCodex: Codex parses permissionDecision "ask" but does not act on
// it — it marks the hook failed and runs the command — so an ask is a
// deny here.
func answerCodex(d Decision, w io.Writer) int {
	if d.Permission == Allow {
		return 0
	}
	writeJSON(w, claudeOutput{claudeDecision{"PreToolUse", "deny", d.Reason}})
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

// answerGemini: Gemini CLI has no ask for BeforeTool; "decision" is
// allow or deny (block), so an ask is a deny.
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

// answerCopilot: Copilot acts only on permissionDecision "deny".
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

// answerCursor: Cursor reads permission allow, ask or deny. Its
// auto-review mode has been reported to run a command a hook asks about
// without asking, so a block is always a deny; an ask stays an ask.
// An allow is written out: with failClosed set, Cursor refuses a hook
// that prints nothing.
func answerCursor(d Decision, w io.Writer) int {
	writeJSON(w, cursorOutput{string(d.Permission), d.Reason, d.Reason})
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

// answerKiro: Kiro and Amazon Q Developer CLI read the exit code: 2
// blocks the tool and gives standard error to the model; anything else
// only warns. An ask is a deny.
func answerKiro(d Decision, w io.Writer) int {
	if d.Permission == Allow {
		return 0
	}
	fmt.Fprintln(w, d.Reason)
	return 2
}

// Stderr reports whether agent's answer goes on the hook's standard error
// (exit-code dialects) rather than its standard output.
func Stderr(agent string) bool { return agent == "kiro" || agent == "amazon-q" }

// DefaultHookTimeout is how long agent waits for a hook when its config
// does not say, taken low where the docs leave room: Claude Code 60 s,
// Codex 60 s, Gemini CLI 60 s, Copilot 30 s, Cursor 30 s, Kiro 30 s. The
// caller answers deny ("could not judge in time") before it runs out.
func DefaultHookTimeout(agent string) time.Duration {
	switch agent {
	case "claude", "codex", "gemini":
		return 60 * time.Second
	}
	return 30 * time.Second
}

// AnswerEvent is Answer for ev's agent, knowing its permission mode: where
// the agent would not ask a person (Claude Code or Codex in
// bypassPermissions or dontAsk mode) an ask is a deny.
func AnswerEvent(ev Event, d Decision, w io.Writer) int {
	if d.Permission == Ask {
		switch ev.PermissionMode {
		case "bypassPermissions", "dontAsk":
			d.Permission = Deny
			d.Reason += " (the agent runs in " + ev.PermissionMode + " mode, where nobody would be asked, so it is denied)"
		}
	}
	return Answer(ev.Agent, d, w)
}
