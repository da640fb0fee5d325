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

	version "github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-exec/tfexec"
)

// cli runs one terraform or tofu binary in one working directory. It wraps
// tfexec but has a method only for the commands that cannot change
// infrastructure or state: version, init, plan and show. A plan can never
// turn into an apply because nothing here can call one.
type cli struct {
	tf       *tfexec.Terraform
	path     string
	tool     string
	progress *prefixWriter
	stderr   bytes.Buffer // the last command's stderr, for its diagnostics
}

func newCLI(path, dir string) (*cli, error) {
	tf, err := tfexec.NewTerraform(dir, path)
	if err != nil {
		return nil, fmt.Errorf("set up %s: %w", path, err)
	}
	// On cancellation tfexec interrupts terraform, which then stops
	// gracefully; do not wait a full minute before killing it.
	if err := tf.SetWaitDelay(10 * time.Second); err != nil {
		return nil, fmt.Errorf("set up %s: %w", path, err)
	}
	return &cli{tf: tf, path: path, tool: toolFromBinary(path), progress: &prefixWriter{}}, nil
}

// stream sends terraform's output to w, each line prefixed with the tool name.
func (c *cli) stream(w io.Writer) {
	c.progress = &prefixWriter{w: w, prefix: c.tool + ": "}
	c.tf.SetStdout(c.progress)
	c.tf.SetStderr(io.MultiWriter(c.progress, &c.stderr))
}

// version runs `version` itself rather than through tfexec: tfexec only
// understands terraform's text format, and only the text format names the
// tool (OpenTofu's JSON keeps the terraform_version key). tfexec asks for
// `version -json` anyway before init and show; asking it now, alongside,
// caches its answer off the critical path and before progress streaming
// starts, which keeps that JSON out of the user's terminal.
func (c *cli) version(ctx context.Context, dir string) (string, *version.Version, error) {
	var wg sync.WaitGroup
	var cacheErr error
	wg.Go(func() { _, _, cacheErr = c.tf.Version(ctx, false) })

	cmd := exec.CommandContext(ctx, c.path, "version")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_IN_AUTOMATION=1")
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	wg.Wait()
	if err != nil {
		if ctx.Err() != nil {
			return "", nil, fmt.Errorf("%s version: %w", c.path, ctx.Err())
		}
		return "", nil, fmt.Errorf("%s version: %w: %s", c.path, err, strings.TrimSpace(stderr.String()))
	}
	tool, v, err := parseVersion(out, c.path)
	if err != nil {
		return "", nil, fmt.Errorf("%s version: %w", c.path, err)
	}
	c.tool = tool
	// Below 0.12 the caller refuses with a clearer message than tfexec's.
	if cacheErr != nil && v.GreaterThanOrEqual(minVersion) {
		return "", nil, fmt.Errorf("%s version -json: %w", c.path, cacheErr)
	}
	return tool, v, nil
}

func (c *cli) init(ctx context.Context, opts ...tfexec.InitOption) error {
	c.stderr.Reset()
	return c.wrap(ctx, "init", c.tf.Init(ctx, opts...))
}

func (c *cli) plan(ctx context.Context, opts ...tfexec.PlanOption) error {
	c.stderr.Reset()
	_, err := c.tf.Plan(ctx, opts...)
	return c.wrap(ctx, "plan", err)
}

// show returns the plan file as JSON, byte for byte as terraform printed it,
// so the reader sees every field, including ones terraform-json does not model.
func (c *cli) show(ctx context.Context, planPath string) ([]byte, error) {
	c.stderr.Reset()
	var out bytes.Buffer
	c.tf.SetStdout(&out) // the JSON is the result, not progress
	defer c.tf.SetStdout(c.progress)
	if _, err := c.tf.ShowPlanFile(ctx, planPath); err != nil {
		return nil, c.wrap(ctx, "show", err)
	}
	return out.Bytes(), nil
}

func (c *cli) wrap(ctx context.Context, command string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s %s: %w", c.tool, command, ctx.Err())
	}
	return &CommandError{Tool: c.tool, Command: command, Diagnostics: diagnostics(c.stderr.String()), Err: err}
}

// CommandError is a failed terraform or tofu command. Its message carries the
// tool's own error diagnostics, trimmed, so a user can fix the configuration
// without rerunning terraform by hand.
type CommandError struct {
	Tool        string   // "terraform" or "tofu"
	Command     string   // "init", "plan" or "show"
	Diagnostics []string // the tool's error lines, trimmed
	Err         error    // from tfexec; its text repeats the whole stderr
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

// prefixWriter writes complete lines to w, each behind prefix. tfexec copies
// stdout and stderr from two goroutines, hence the lock.
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	if p.w == nil {
		return len(b), nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		if err := p.line(p.buf[:i]); err != nil {
			return len(b), err
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
