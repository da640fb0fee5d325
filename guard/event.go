package guard

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Agents are the dialects ParseEvent and Answer speak. amazon-q is an
// alias of kiro (same hook protocol).
var Agents = []string{"claude", "codex", "gemini", "copilot", "cursor", "kiro", "amazon-q"}

// maxEvent bounds what ParseEvent reads: an event is a few kilobytes.
const maxEvent = 8 << 20

// Event is an agent's pre-tool event, in any dialect.
type Event struct {
	// Agent is the dialect, as given to ParseEvent (amazon-q stays
	// amazon-q).
	Agent string
	// Command is the shell command the agent is about to run; "" when
	// the tool is not a shell tool.
	Command string
	// Cwd is the directory the command runs in, from the event.
	Cwd string
	// ToolName is the tool as the agent names it (Bash,
	// run_shell_command, execute_bash, bash…).
	ToolName string
	// PermissionMode is the agent's permission mode when it says
	// (Claude Code: default, plan, acceptEdits, bypassPermissions…).
	PermissionMode string
	// HookTimeout is the hook's time limit when the event says; 0 when
	// it does not (then the caller uses the agent's documented default).
	HookTimeout time.Duration
	// Shell is true for a shell tool. For any other tool the answer is
	// allow: the guard judges commands only.
	Shell bool
}

// ParseEvent reads one pre-tool event in agent's dialect. An error means
// the event could not be read: answer it with Answer(agent, a Deny, w)
// (fail closed). It never panics.
func ParseEvent(agent string, r io.Reader) (ev Event, err error) {
	defer func() {
		if p := recover(); p != nil {
			ev, err = Event{Agent: agent}, fmt.Errorf("%s event: %v", agent, p)
		}
	}()
	ev.Agent = agent
	d, ok := dialect(agent)
	if !ok {
		return ev, fmt.Errorf("unknown agent %q (want one of %s)", agent, strings.Join(Agents, ", "))
	}
	b, err := io.ReadAll(io.LimitReader(r, maxEvent+1))
	if err != nil {
		return ev, fmt.Errorf("%s event: %w", agent, err)
	}
	if len(b) > maxEvent {
		return ev, fmt.Errorf("%s event: larger than %d bytes", agent, maxEvent)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return ev, fmt.Errorf("%s event: %w", agent, err)
	}
	if raw == nil {
		return ev, fmt.Errorf("%s event: not a JSON object", agent)
	}
	if err := d.parse(raw, &ev); err != nil {
		return ev, fmt.Errorf("%s event: %w", agent, err)
	}
	if ev.Shell && strings.TrimSpace(ev.Command) == "" {
		return ev, fmt.Errorf("%s event: %s without a command", agent, ev.ToolName)
	}
	return ev, nil
}

// str reads a string field; a missing field is "", any other type an
// error.
func str(raw map[string]json.RawMessage, key string) (string, error) {
	v, ok := raw[key]
	if !ok || string(v) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", fmt.Errorf("%s: not a string", key)
	}
	return s, nil
}

func object(raw map[string]json.RawMessage, key string) (map[string]json.RawMessage, error) {
	v, ok := raw[key]
	if !ok || string(v) == "null" {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, fmt.Errorf("%s: not an object", key)
	}
	return m, nil
}

// fields reads string fields in order, stopping at the first error.
func fields(raw map[string]json.RawMessage, keys map[string]*string) error {
	for k, dst := range keys {
		s, err := str(raw, k)
		if err != nil {
			return err
		}
		*dst = s
	}
	return nil
}

// shellCommand reads tool_input.command for a shell tool.
func shellCommand(raw map[string]json.RawMessage, key string, ev *Event) error {
	in, err := object(raw, key)
	if err != nil {
		return err
	}
	if in == nil {
		return fmt.Errorf("%s missing", key)
	}
	if ev.Command, err = str(in, "command"); err != nil {
		return fmt.Errorf("%s.%w", key, err)
	}
	if v, ok := in["command"]; !ok || string(v) == "null" {
		return fmt.Errorf("%s.command missing", key)
	}
	// Some shells tools take a working directory of their own.
	for _, k := range []string{"cwd", "dir_path", "directory", "working_directory"} {
		if d, err := str(in, k); err == nil && d != "" {
			ev.Cwd = joinDir(ev.Cwd, d)
			break
		}
	}
	return nil
}

func joinDir(base, d string) string {
	if strings.HasPrefix(d, "/") || base == "" {
		return d
	}
	return strings.TrimSuffix(base, "/") + "/" + d
}

var errNotObject = errors.New("not a JSON object")
