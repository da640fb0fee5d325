package terraform

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// subcommand is a terraform or tofu command the runner may start. Its four
// values are the only ones: none of them can change infrastructure or
// state, so a plan can never turn into an apply (run_guard_test.go holds
// this file to that).
type subcommand string

const (
	cmdVersion subcommand = "version"
	cmdInit    subcommand = "init"
	cmdPlan    subcommand = "plan"
	cmdShow    subcommand = "show"
)

// cli runs one terraform or tofu binary in one working directory, each
// command as its own process. It does not go through terraform-exec: that
// library probes `version -json` before init and plan and decodes a whole
// tfjson.Plan on show, and rehearse needs neither (one version probe, the
// show output streamed straight into the reader).
type cli struct {
	path string
	dir  string
	env  []string
	tool string // "terraform" or "tofu"; from version once it is known

	progress *prefixWriter
	// quiet keeps stderr out of progress, for a command whose failure is
	// expected and retried (a plan with the directory's own data directory).
	quiet  bool
	stderr bytes.Buffer // the last command's stderr, for its diagnostics
}

func newCLI(path, dir string) *cli {
	return &cli{path: path, dir: dir, env: commandEnv(os.Environ()), tool: toolFromBinary(path), progress: &prefixWriter{}}
}

// commandEnv is the environment every command runs with: the caller's,
// with automation mode on, no update check (terraform version waits for
// checkpoint's answer over the network), no logging that would pollute the
// diagnostics, and without TF_WORKSPACE, which the runner turns into the
// copy's selected workspace instead.
func commandEnv(environ []string) []string {
	env := make([]string, 0, len(environ)+2)
	checkpoint := false
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case workspaceEnv, "TF_IN_AUTOMATION", "TF_LOG", "TF_LOG_CORE", "TF_LOG_PROVIDER", "TF_LOG_PATH":
			continue
		case "CHECKPOINT_DISABLE":
			checkpoint = true
		}
		env = append(env, kv)
	}
	env = append(env, "TF_IN_AUTOMATION=1")
	if !checkpoint {
		env = append(env, "CHECKPOINT_DISABLE=1")
	}
	return env
}

// stream sends terraform's output to w, each line prefixed with the tool
// name. Lines written before start are held until it names the tool.
func (c *cli) stream(w io.Writer) { c.progress = &prefixWriter{w: w, held: true} }

// command prepares one subcommand. On cancellation terraform gets an
// interrupt, as from Ctrl-C, so it stops its providers gracefully; it is
// killed if it has not exited 10 seconds later.
func (c *cli) command(ctx context.Context, sub subcommand, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.path, append([]string{string(sub)}, args...)...)
	cmd.Dir = c.dir
	cmd.Env = c.env
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// run runs init or plan with its output as progress.
func (c *cli) run(ctx context.Context, sub subcommand, args ...string) error {
	c.stderr.Reset()
	cmd := c.command(ctx, sub, append([]string{"-input=false", "-no-color"}, args...)...)
	cmd.Stderr = &c.stderr
	if c.progress.w != nil {
		// Without a reader, stdout goes to /dev/null rather than
		// through a pipe into a writer that drops it.
		cmd.Stdout = c.progress
		if !c.quiet {
			cmd.Stderr = io.MultiWriter(c.progress, &c.stderr)
		}
	}
	return c.wrap(ctx, sub, cmd.Run())
}

// show runs show -json on a plan file and hands its stdout to consume as
// terraform writes it, so the plan is decoded once, by rehearse's reader,
// and never held whole. A failing show wins over what consume made of its
// output (a truncated document is explained by the failure); consume's
// error wins over a show that succeeded.
func (c *cli) show(ctx context.Context, planPath string, consume func(io.Reader) error) error {
	c.stderr.Reset()
	cmd := c.command(ctx, cmdShow, "-json", "-no-color", planPath)
	cmd.Stderr = &c.stderr
	if c.progress.w != nil && !c.quiet {
		cmd.Stderr = io.MultiWriter(c.progress, &c.stderr)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return c.wrap(ctx, cmdShow, err)
	}
	if err := cmd.Start(); err != nil {
		return c.wrap(ctx, cmdShow, err)
	}
	cerr := consume(out)
	// Whatever consume left unread is drained, so show is never killed by
	// a closed pipe and its exit status means what it says.
	io.Copy(io.Discard, out)
	if err := c.wrap(ctx, cmdShow, cmd.Wait()); err != nil {
		return err
	}
	return cerr
}

func (c *cli) wrap(ctx context.Context, sub subcommand, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s %s: %w", c.tool, sub, ctx.Err())
	}
	return &CommandError{Tool: c.tool, Command: string(sub), Diagnostics: diagnostics(c.stderr.String()), Err: err}
}

// CommandError is a failed terraform or tofu command. Its message carries the
// tool's own error diagnostics, trimmed, so a user can fix the configuration
// without rerunning terraform by hand.
type CommandError struct {
	Tool        string   // "terraform" or "tofu"
	Command     string   // "init", "plan" or "show"
	Diagnostics []string // the tool's error lines, trimmed
	Err         error    // from os/exec: the exit status
}

func (e *CommandError) Error() string {
	msg := e.Tool + " " + e.Command + " failed"
	if len(e.Diagnostics) == 0 {
		return msg + ": " + firstLine(e.Err.Error())
	}
	return msg + ": " + strings.Join(e.Diagnostics, "\n  ")
}

func (e *CommandError) Unwrap() error { return e.Err }

// maxDiagnosticLines bounds the message: the first error usually explains the
// rest, and a CI log line should not become a page.
const maxDiagnosticLines = 8

// diagnostics extracts the error diagnostics from terraform's -no-color
// stderr: it drops the box drawing, blank lines and warnings, and keeps at
// most maxDiagnosticLines lines. Output without an "Error:" line (a crash,
// a wrapper script) falls back to its last lines.
func diagnostics(stderr string) []string {
	var lines, all []string
	inError := false
	for _, raw := range strings.Split(stderr, "\n") {
		t := strings.TrimSpace(raw)
		if strings.HasPrefix(t, "╵") { // end of one diagnostic's box
			inError = false
			continue
		}
		l := strings.TrimSpace(strings.TrimLeft(t, "│╷"))
		if l == "" {
			continue
		}
		all = append(all, l)
		switch {
		case strings.HasPrefix(l, "Error:"):
			inError = true
		case strings.HasPrefix(l, "Warning:"):
			inError = false
		}
		if inError && len(lines) < maxDiagnosticLines {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 && len(all) > 0 {
		lines = all[max(0, len(all)-3):]
	}
	return lines
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// prefixWriter writes complete lines to w, each behind prefix. os/exec
// copies stdout and stderr from two goroutines, hence the lock. While held,
// it keeps what it is given: the prefix names the tool, which is known
// only once version has answered, and init may already be talking.
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	held   bool
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	if p.w == nil {
		return len(b), nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	if p.held {
		return len(b), nil
	}
	return len(b), p.lines()
}

// start sets the prefix and writes the lines held so far.
func (p *prefixWriter) start(prefix string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.prefix, p.held = prefix, false
	if p.w == nil {
		return nil
	}
	return p.lines()
}

func (p *prefixWriter) lines() error {
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			return nil
		}
		if err := p.line(p.buf[:i]); err != nil {
			return err
		}
		p.buf = p.buf[i+1:]
	}
}

// Flush writes a final unterminated line.
func (p *prefixWriter) Flush() error {
	if p.w == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.held = false
	if err := p.lines(); err != nil {
		return err
	}
	if len(p.buf) == 0 {
		return nil
	}
	err := p.line(p.buf)
	p.buf = p.buf[:0]
	return err
}

func (p *prefixWriter) line(l []byte) error {
	l = bytes.TrimRight(l, " \r")
	if len(l) == 0 {
		_, err := fmt.Fprintln(p.w, strings.TrimRight(p.prefix, " "))
		return err
	}
	_, err := fmt.Fprintf(p.w, "%s%s\n", p.prefix, l)
	return err
}
