package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/approval"
	"github.com/rehearse-dev/rehearse/guard"
	"github.com/rehearse-dev/rehearse/internal/buildinfo"
	"github.com/rehearse-dev/rehearse/verdict"
)

// checkTool is the one tool `rehearse mcp` serves.
const checkTool = "rehearse_check"

// mcpOptions are the flags of `rehearse mcp`, and the Factory the run
// reads the world through.
type mcpOptions struct {
	*Factory
	BasePolicy string
	Terraform  string
	Timeout    time.Duration
}

// newCmdMCP builds `rehearse mcp`; runF runs it (nil: mcpRun).
func newCmdMCP(f *Factory, runF func(context.Context, *mcpOptions) error) *cobra.Command {
	o := &mcpOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve rehearse_check over MCP (stdio), so a coding agent can judge its own change before proposing it",
		Long: `mcp is a Model Context Protocol server on standard input and output with
one read-only tool, rehearse_check: give it a Terraform plan JSON file
(terraform show -json), a CloudFormation change set or Pulumi preview, or a
Terraform directory, and it returns the verdict as JSON and a paragraph the
agent can act on. A directory is planned as "rehearse plan --dir" plans it:
in an isolated copy, init, plan and show only, the backend read and never
locked or written. The change is judged as the agent's (origin ai) under
the repository's rehearse.yaml over the base policy, like "rehearse hook".

Add it to an agent, e.g. "claude mcp add rehearse -- rehearse mcp".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF == nil {
				runF = mcpRun
			}
			return runF(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.BasePolicy, "base-policy", "", "the trusted policy (default $REHEARSE_BASE_POLICY, else the built-in policy)")
	fl.StringVar(&o.Terraform, "terraform", "", "terraform or tofu binary (default $REHEARSE_TERRAFORM, then terraform, then tofu on PATH)")
	fl.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "bound one check, e.g. 2m (0: no limit)")
	return cmd
}

// mcpRun serves until the client closes standard input: 0 then, 2 when
// the transport fails.
func mcpRun(ctx context.Context, o *mcpOptions) error {
	if err := o.serve(ctx); err != nil {
		return cannotJudge(err)
	}
	return nil
}

// serve serves until the client closes standard input, and answers the
// requests read before that first.
func (o *mcpOptions) serve(ctx context.Context) error {
	p := &pending{}
	p.zero = sync.NewCond(&p.mu)
	// A client may write its requests and close its end at once
	// (printf … | rehearse mcp): the end of input waits for their answers.
	wait := max(o.Timeout, time.Minute) + 10*time.Second
	t := &mcp.IOTransport{
		Reader: io.NopCloser(&requestReader{r: bufio.NewReader(o.in), p: p, wait: wait}),
		Writer: &answerWriter{w: o.out, p: p},
	}
	err := o.server().Run(ctx, t)
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, context.Canceled) {
		return nil
	}
	return fmt.Errorf("mcp: %w", err)
}

// pending counts the requests read and not yet answered.
type pending struct {
	mu   sync.Mutex
	n    int
	zero *sync.Cond
}

func (p *pending) add(d int) {
	p.mu.Lock()
	p.n += d
	if p.n <= 0 {
		p.n = 0
		p.zero.Broadcast()
	}
	p.mu.Unlock()
}

// drain waits until every request read is answered, or d has passed.
func (p *pending) drain(d time.Duration) {
	t := time.AfterFunc(d, func() { p.add(-1 << 30) })
	defer t.Stop()
	p.mu.Lock()
	for p.n > 0 {
		p.zero.Wait()
	}
	p.mu.Unlock()
}

// message is what tells a JSON-RPC request (id and method) from a
// response (id, no method) and a notification (no id).
type message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
}

func kindOf(line []byte) (request, response bool) {
	var m message
	if json.Unmarshal(line, &m) != nil || len(m.ID) == 0 || string(m.ID) == "null" {
		return false, false
	}
	return m.Method != "", m.Method == ""
}

// requestReader passes the client's messages, one a line, to the server,
// counting requests; at the end of input it waits for their answers.
type requestReader struct {
	r    *bufio.Reader
	p    *pending
	wait time.Duration
	buf  []byte
}

func (r *requestReader) Read(b []byte) (int, error) {
	if len(r.buf) == 0 {
		line, err := r.r.ReadBytes('\n')
		if len(line) == 0 {
			if errors.Is(err, io.EOF) {
				r.p.drain(r.wait)
			}
			return 0, err
		}
		if req, _ := kindOf(line); req {
			r.p.add(1)
		}
		r.buf = line
	}
	n := copy(b, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// answerWriter passes the server's messages to the client, counting the
// answers.
type answerWriter struct {
	w    io.Writer
	p    *pending
	line []byte
}

func (w *answerWriter) Write(b []byte) (int, error) {
	n, err := w.w.Write(b)
	w.line = append(w.line, b[:n]...)
	for {
		i := bytes.IndexByte(w.line, '\n')
		if i < 0 {
			break
		}
		if _, resp := kindOf(w.line[:i]); resp {
			w.p.add(-1)
		}
		w.line = w.line[i+1:]
	}
	return n, err
}

func (w *answerWriter) Close() error { return nil }

// checkArgs are what rehearse_check is called with.
type checkArgs struct {
	Path      string `json:"path" jsonschema:"a Terraform plan JSON file (terraform show -json), a CloudFormation change set or Pulumi preview JSON file, or a Terraform directory to plan; relative to the server's working directory"`
	Workspace string `json:"workspace,omitempty" jsonschema:"the Terraform workspace: for a directory the one planned (default: its selected workspace); otherwise the environment of resources nothing else places"`
}

// server is the MCP server with rehearse_check.
func (o *mcpOptions) server() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "rehearse", Title: "rehearse", Version: buildinfo.Version()}, nil)
	open := true
	mcp.AddTool(s, &mcp.Tool{
		Name:  checkTool,
		Title: "Judge an infrastructure change before it is applied",
		Description: "Judge a Terraform/OpenTofu change (a plan JSON file or a directory to plan), a CloudFormation change set or a Pulumi preview, as `rehearse plan` does: " +
			"flags every destroy and replace of a data-bearing resource or environment in a protected environment. Returns the decision (pass, warn or block) " +
			"with a paragraph saying what would be destroyed and what to do, and the full verdict as JSON. Read-only: it never applies anything. " +
			"Call it before proposing or applying an infrastructure change; a block means do not apply it: revise it, or a human must approve that exact change.",
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: &open, Title: "rehearse check"},
	}, o.check)
	return s
}

// check is rehearse_check: the verdict, or why there is none. Could not
// judge is a tool error, never a pass.
func (o *mcpOptions) check(ctx context.Context, _ *mcp.CallToolRequest, in checkArgs) (*mcp.CallToolResult, any, error) {
	v, raw, err := o.judge(ctx, in)
	if err != nil {
		return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{
			Text: fmt.Sprintf("rehearse could not judge %s: %s. Treat the change as not checked: do not apply it until rehearse can judge it.", printable(in.Path), printable(oneLine(err.Error()))),
		}}}, nil, nil
	}
	return &mcp.CallToolResult{Content: []mcp.Content{
		&mcp.TextContent{Text: checkSummary(&v, in.Path)},
		&mcp.TextContent{Text: string(raw)},
	}}, nil, nil
}

// judge runs `rehearse plan` on the input, as the CLI would, and returns
// the verdict and its JSON.
func (o *mcpOptions) judge(ctx context.Context, in checkArgs) (verdict.Verdict, []byte, error) {
	if strings.TrimSpace(in.Path) == "" {
		return verdict.Verdict{}, nil, errors.New("path is empty: give a plan JSON file or a Terraform directory")
	}
	path, err := filepath.Abs(in.Path)
	if err != nil {
		return verdict.Verdict{}, nil, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return verdict.Verdict{}, nil, err
	}
	dir := path
	if !st.IsDir() {
		dir = filepath.Dir(path)
	}
	// The policy and approvals that govern the directory, found as the
	// hook finds them.
	policy, root, err := guard.FindPolicyFile(dir)
	if err != nil {
		return verdict.Verdict{}, nil, err
	}
	args := []string{"--format", "json", "--origin", "ai"}
	if o.BasePolicy != "" {
		args = append(args, "--base-policy", o.BasePolicy)
	}
	if env := o.Getenv("REHEARSE_POLICY"); env != "" {
		policy = env // as rehearse plan and the hook read it
	}
	if policy != "" {
		args = append(args, "--policy", policy)
	}
	if a := filepath.Join(root, approval.DefaultFile); fileExists(a) {
		args = append(args, "--approvals", a)
	}
	if in.Workspace != "" {
		args = append(args, "--workspace", in.Workspace)
	}
	if o.Timeout > 0 {
		args = append(args, "--timeout", o.Timeout.String())
	}
	if st.IsDir() {
		if o.Terraform != "" {
			args = append(args, "--terraform", o.Terraform)
		}
		args = append(args, "--dir", path)
	} else {
		args = append(args, "--", path)
	}
	var out, errw bytes.Buffer
	// rehearse plan reads the world through this server's Factory, with
	// streams of its own.
	pf := *o.Factory
	pf.streams = streams{in: strings.NewReader(""), out: &out, err: &errw}
	cmd := newCmdPlan(&pf, nil)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errw)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err = cmd.ExecuteContext(ctx)
	var ee *exitError
	if err != nil && (!errors.As(err, &ee) || ee.code != exitBlock) {
		if ee != nil && ee.err != nil {
			err = ee.err
		}
		return verdict.Verdict{}, nil, err
	}
	var v verdict.Verdict
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		return verdict.Verdict{}, nil, fmt.Errorf("reading rehearse plan's verdict: %w", err)
	}
	return v, bytes.TrimSpace(out.Bytes()), nil
}

func countIn(groups map[string][]string, keys []string) int {
	n := 0
	for _, k := range keys {
		n += len(groups[k])
	}
	return n
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// checkSummary is the paragraph the agent reads first: the decision,
// the findings that decide it, and what to do.
func checkSummary(v *verdict.Verdict, path string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "rehearse: %s for %s", strings.ToUpper(string(v.Decision)), printable(path))
	if v.Workspace != "" {
		fmt.Fprintf(&b, " (workspace %s)", printable(v.Workspace))
	}
	fmt.Fprintf(&b, ", fingerprint %s.", v.Fingerprint)
	var severity verdict.Severity
	switch v.Decision {
	case verdict.Block:
		severity = verdict.SeverityBlock
	case verdict.Warn:
		severity = verdict.SeverityWarn
	}
	var hits []verdict.Finding
	for _, f := range v.Findings {
		if severity != "" && f.Severity == severity && f.Approval == nil {
			hits = append(hits, f)
		}
	}
	// Findings with the same message are one sentence: "a, b, c and 9
	// more: data-bearing … is destroyed in protected environment prod."
	var order []string
	groups := map[string][]string{}
	for _, f := range hits {
		msg := strings.TrimSuffix(printable(oneLine(f.Message)), ".")
		what := f.Address
		if what == "" {
			what = f.Rule
		}
		if _, ok := groups[msg]; !ok {
			order = append(order, msg)
		}
		groups[msg] = append(groups[msg], printable(what))
	}
	const shown = 3
	for i, msg := range order {
		if i == shown {
			fmt.Fprintf(&b, " %d more finding(s) in the verdict.", len(hits)-countIn(groups, order[:shown]))
			break
		}
		who := groups[msg]
		list := strings.Join(who[:min(len(who), shown)], ", ")
		if len(who) > shown {
			list += fmt.Sprintf(" and %d more", len(who)-shown)
		}
		fmt.Fprintf(&b, " %s: %s.", list, msg)
	}
	switch v.Decision {
	case verdict.Block:
		b.WriteString(" Do not apply this change: revise it so nothing protected is destroyed or replaced, or have a human approve this exact change (rehearse approve, fingerprint above).")
	case verdict.Warn:
		b.WriteString(" Tell the user about these findings before the change is applied.")
	default:
		fmt.Fprintf(&b, " Nothing is destroyed or replaced in a way the policy holds; %d resource change(s) listed as passed.", len(v.Passed))
	}
	return b.String()
}
