package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
)

// agentHook is where one agent keeps its hooks and how rehearse's entry
// looks there.
type agentHook struct {
	// project and global are the settings files, relative to the
	// project directory and to the home directory; global is "" when the
	// agent has none.
	project, global string
	// timeout is the agent's hook timeout that rehearse writes and plans
	// within; the agent's own default when the entry names none.
	timeout time.Duration
	// mustExist says the file is the user's own (Kiro's agent config):
	// rehearse adds its hook to it but does not create one.
	mustExist bool
	// install adds or replaces rehearse's entry in the settings root.
	install func(root *jsonNode, command string, timeout time.Duration) error
}

// agentHooks are the agents `rehearse hook` speaks to; see
// docs and /work/shared/reference/agent-hooks.md for each format.
var agentHooks = map[string]agentHook{
	"claude": {
		project: ".claude/settings.json", global: ".claude/settings.json", timeout: 60 * time.Second,
		install: func(root *jsonNode, cmd string, t time.Duration) error {
			return matcherGroup(root, "PreToolUse", "Bash", commandHook(cmd, "timeout", seconds(t)))
		},
	},
	"codex": {
		project: ".codex/hooks.json", global: ".codex/hooks.json", timeout: 600 * time.Second,
		install: func(root *jsonNode, cmd string, t time.Duration) error {
			return matcherGroup(root, "PreToolUse", "Bash", commandHook(cmd, "timeout", seconds(t)))
		},
	},
	"gemini": {
		project: ".gemini/settings.json", global: ".gemini/settings.json", timeout: 60 * time.Second,
		install: func(root *jsonNode, cmd string, t time.Duration) error {
			return matcherGroup(root, "BeforeTool", "run_shell_command", commandHook(cmd, "timeout", t.Milliseconds()))
		},
	},
	"copilot": {
		project: ".github/hooks/rehearse.json", timeout: 30 * time.Second,
		install: func(root *jsonNode, cmd string, t time.Duration) error {
			versioned(root)
			e := object()
			e.set("type", scalar("command"))
			e.set("bash", scalar(cmd))
			e.set("timeoutSec", number(seconds(t)))
			return flatEntry(root, "preToolUse", "bash", e)
		},
	},
	"cursor": {
		project: ".cursor/hooks.json", global: ".cursor/hooks.json", timeout: 30 * time.Second,
		install: func(root *jsonNode, cmd string, t time.Duration) error {
			versioned(root)
			e := object()
			e.set("command", scalar(cmd))
			return flatEntry(root, "beforeShellExecution", "command", e)
		},
	},
	"kiro": {
		project: ".kiro/agents/default.json", global: ".kiro/agents/default.json", timeout: 30 * time.Second, mustExist: true,
		install: func(root *jsonNode, cmd string, t time.Duration) error {
			e := object()
			e.set("matcher", scalar("execute_bash"))
			e.set("command", scalar(cmd))
			e.set("timeout_ms", number(t.Milliseconds()))
			return flatEntry(root, "preToolUse", "command", e)
		},
	},
}

// agentNames lists the agents in a stable order, for help and errors.
func agentNames() []string {
	names := make([]string, 0, len(agentHooks))
	for n := range agentHooks {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func lookupAgent(name string) (agentHook, error) {
	a, ok := agentHooks[name]
	if !ok {
		return agentHook{}, fmt.Errorf("unknown agent %q: want one of %s", name, strings.Join(agentNames(), ", "))
	}
	return a, nil
}

func seconds(t time.Duration) int64 { return int64(t.Round(time.Second) / time.Second) }

func number(n int64) *jsonNode { return scalar(json.Number(strconv.FormatInt(n, 10))) }

// rehearseCommand matches a hook command that runs `rehearse hook`, from
// PATH or a path, so a reinstall replaces it instead of adding another.
var rehearseCommand = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*(\S*/)?rehearse(\.exe)?\s+hook\s`) })

func isRehearse(cmd string) bool { return rehearseCommand().MatchString(cmd + " ") }

func commandHook(cmd, timeoutKey string, timeout int64) *jsonNode {
	h := object()
	h.set("type", scalar("command"))
	h.set("command", scalar(cmd))
	h.set(timeoutKey, number(timeout))
	return h
}

// versioned sets the "version": 1 a Copilot or Cursor hooks file starts with.
func versioned(root *jsonNode) {
	if root.get("version") == nil {
		root.keys = append([]string{"version"}, root.keys...)
		root.vals = append([]*jsonNode{number(1)}, root.vals...)
	}
}

// matcherGroup installs hook into root.hooks[event] in Claude's shape:
// [{matcher, hooks: [{type, command, timeout}]}]. An earlier rehearse
// hook in a group with the same matcher is replaced where it is; any
// other is removed (with its group, when nothing else is left in it); and
// without one to replace, a group of its own goes last.
func matcherGroup(root *jsonNode, event, matcher string, hook *jsonNode) error {
	hooks, err := root.child("hooks", 'o')
	if err != nil {
		return err
	}
	groups, err := hooks.child(event, 'a')
	if err != nil {
		return fmt.Errorf("hooks: %w", err)
	}
	placed := false
	var kept []*jsonNode
	for _, g := range groups.items {
		inner := g.get("hooks")
		if g.kind != 'o' || inner == nil || inner.kind != 'a' {
			kept = append(kept, g)
			continue
		}
		var items []*jsonNode
		removed := false
		for _, h := range inner.items {
			switch {
			case !isRehearse(h.get("command").str()):
				items = append(items, h)
			case !placed && g.get("matcher").str() == matcher:
				items, placed = append(items, hook), true
			default:
				removed = true
			}
		}
		inner.items = items
		if removed && len(items) == 0 {
			continue
		}
		kept = append(kept, g)
	}
	if !placed {
		group := object()
		group.set("matcher", scalar(matcher))
		group.set("hooks", &jsonNode{kind: 'a', items: []*jsonNode{hook}})
		kept = append(kept, group)
	}
	groups.items = kept
	return nil
}

// flatEntry installs entry into root.hooks[event] in the flat shape of
// Copilot, Cursor and Kiro: [{…, key: command}].
func flatEntry(root *jsonNode, event, key string, entry *jsonNode) error {
	hooks, err := root.child("hooks", 'o')
	if err != nil {
		return err
	}
	list, err := hooks.child(event, 'a')
	if err != nil {
		return fmt.Errorf("hooks: %w", err)
	}
	at := -1
	var kept []*jsonNode
	for _, e := range list.items {
		if isRehearse(e.get(key).str()) {
			if at < 0 {
				at = len(kept)
			}
			continue
		}
		kept = append(kept, e)
	}
	if at < 0 {
		at = len(kept)
	}
	list.items = slices.Insert(kept, at, entry)
	return nil
}

// hookInstallOptions are the flags of `rehearse hook install`, and the
// Factory the run reads the world through.
type hookInstallOptions struct {
	*Factory
	Agent   string
	Global  bool
	DryRun  bool
	File    string
	Command string
	Timeout time.Duration
	Dir     string // project directory; "" is the current one
	home    func() (string, error)
}

// newCmdHookInstall builds `rehearse hook install`; runF runs it (nil:
// hookInstallRun).
func newCmdHookInstall(f *Factory, runF func(context.Context, *hookInstallOptions) error) *cobra.Command {
	o := &hookInstallOptions{Factory: f, home: os.UserHomeDir}
	cmd := &cobra.Command{
		Use:   "install AGENT",
		Short: "Add rehearse's hook to an agent's settings, or replace it; prints the diff",
		Long: `install merges rehearse's pre-tool hook into the agent's settings file,
leaving every other setting as it was, and prints the change as a unified
diff. Installing again changes nothing.

  claude   .claude/settings.json       (--global: ~/.claude/settings.json)
  codex    .codex/hooks.json           (--global: ~/.codex/hooks.json)
  gemini   .gemini/settings.json       (--global: ~/.gemini/settings.json)
  copilot  .github/hooks/rehearse.json
  cursor   .cursor/hooks.json          (--global: ~/.cursor/hooks.json)
  kiro     .kiro/agents/default.json   (--global: ~/.kiro/agents/default.json;
           an existing agent config: name yours with --file)

The project files name rehearse from PATH, so they can be committed; the
global ones name this rehearse binary by its path.`,
		Example: `  rehearse hook install claude --dry-run
  rehearse hook install claude
  rehearse hook install codex --global
  rehearse hook install kiro --file .kiro/agents/infra.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Agent = args[0]
			if runF == nil {
				runF = hookInstallRun
			}
			return runF(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.Global, "global", false, "install for the user (in the home directory) rather than the project")
	fl.BoolVar(&o.DryRun, "dry-run", false, "print the diff, write nothing")
	fl.StringVar(&o.File, "file", "", "settings file to edit instead of the agent's default")
	fl.StringVar(&o.Command, "command", "", "command the agent runs (default: rehearse hook AGENT, with this binary's path for --global)")
	fl.DurationVar(&o.Timeout, "timeout", 0, "the agent's hook timeout to write; the hook answers before it (default: the agent's own)")
	return cmd
}

// hookInstallRun merges the hook into the agent's settings and prints the
// diff; 2 when the agent, its file or the flags are wrong.
func hookInstallRun(_ context.Context, o *hookInstallOptions) error {
	agent, err := lookupAgent(o.Agent)
	if err != nil {
		return cannotJudge(err)
	}
	path, err := o.path(agent)
	if err != nil {
		return cannotJudge(err)
	}
	old, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && agent.mustExist {
		return cannotJudge(fmt.Errorf("%s: no such agent config; create the agent first (kiro-cli agent create) and name its file with --file", path))
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return cannotJudge(err)
	}
	root, err := parseJSON(old)
	if err != nil {
		return cannotJudge(fmt.Errorf("%s: %w; fix it by hand, rehearse does not rewrite a file it cannot read", path, err))
	}
	if root.kind != 'o' {
		return cannotJudge(fmt.Errorf("%s: not a JSON object", path))
	}
	command, timeout := o.command(agent)
	if err := agent.install(root, command, timeout); err != nil {
		return cannotJudge(fmt.Errorf("%s: %w", path, err))
	}
	updated := root.encode()
	// Unchanged apart from layout: leave the file as the user wrote it.
	if again, err := parseJSON(old); err == nil && len(old) > 0 && string(again.encode()) == string(updated) {
		fmt.Fprintf(o.out, "%s: rehearse's %s hook is already installed\n", path, o.Agent)
		return nil
	}
	from := path
	if len(old) == 0 {
		from = "/dev/null"
	}
	fmt.Fprint(o.out, unifiedDiff(from, path, old, updated))
	if o.DryRun {
		return nil
	}
	if err := writeFileAtomic(path, updated); err != nil {
		return cannotJudge(err)
	}
	fmt.Fprintf(o.err, "rehearse: installed the %s hook in %s\n", o.Agent, path)
	return nil
}

// path is the settings file to edit.
func (o *hookInstallOptions) path(a agentHook) (string, error) {
	switch {
	case o.File != "":
		return o.File, nil
	case o.Global:
		if a.global == "" {
			return "", fmt.Errorf("%s has no user-wide hooks file rehearse knows; install in the project, or name the file with --file", o.Agent)
		}
		home, err := o.home()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, a.global), nil
	}
	return filepath.Join(o.Dir, a.project), nil
}

// command is what the agent runs, and the timeout written with it.
func (o *hookInstallOptions) command(a agentHook) (string, time.Duration) {
	timeout := a.timeout
	if o.Timeout > 0 {
		timeout = o.Timeout
	}
	if o.Command != "" {
		return o.Command, timeout
	}
	prog := "rehearse"
	if o.Global {
		if exe, err := os.Executable(); err == nil {
			prog = exe
		}
	}
	cmd := shellWord(prog) + " hook " + o.Agent
	if o.Timeout > 0 {
		cmd += " --timeout " + o.Timeout.String()
	}
	return cmd, timeout
}

// shellWord quotes s for the shell the agent runs the command in.
func shellWord(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[](){}<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeFileAtomic replaces path with b through a temporary file in the
// same directory, keeping the old file's mode, so an agent never reads
// half a settings file.
func writeFileAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".rehearse-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// hookPrintOptions are the flags of `rehearse hook print`, and the
// Factory the run reads the world through.
type hookPrintOptions struct {
	*Factory
	Agent   string
	Timeout time.Duration
}

// newCmdHookPrint builds `rehearse hook print`, which prints the snippet
// install would merge; runF runs it (nil: hookPrintRun).
func newCmdHookPrint(f *Factory, runF func(context.Context, *hookPrintOptions) error) *cobra.Command {
	o := &hookPrintOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "print AGENT",
		Short: "Print the hook settings for an agent, to merge by hand",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Agent = args[0]
			if runF == nil {
				runF = hookPrintRun
			}
			return runF(cmd.Context(), o)
		},
	}
	cmd.Flags().DurationVar(&o.Timeout, "timeout", 0, "the agent's hook timeout to write (default: the agent's own)")
	return cmd
}

// hookPrintRun prints the agent's hook settings on stdout, and on stderr
// the file they go in.
func hookPrintRun(_ context.Context, o *hookPrintOptions) error {
	a, err := lookupAgent(o.Agent)
	if err != nil {
		return cannotJudge(err)
	}
	command, t := (&hookInstallOptions{Agent: o.Agent, Timeout: o.Timeout}).command(a)
	root := object()
	if err := a.install(root, command, t); err != nil {
		return cannotJudge(err)
	}
	fmt.Fprintf(o.err, "# %s: merge into %s\n", o.Agent, a.project)
	_, err = o.out.Write(root.encode())
	return err
}
