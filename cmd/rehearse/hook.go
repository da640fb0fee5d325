package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/guard"
	"github.com/rehearse-dev/rehearse/verdict"
)

// hookOptions are the flags of `rehearse hook AGENT`, and the Factory the
// run reads the world through.
type hookOptions struct {
	*Factory
	Agent      string
	Timeout    time.Duration
	BasePolicy string
	Terraform  string
}

// newCmdHook builds `rehearse hook` and its install and print; runF runs
// it (nil: hookRun).
func newCmdHook(f *Factory, runF func(context.Context, *hookOptions) error) *cobra.Command {
	o := &hookOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "hook AGENT",
		Short: "Answer a coding agent's pre-tool hook: allow, ask or deny the shell command it is about to run",
		Long: `hook reads one pre-tool event from standard input in the agent's own format
(claude, codex, gemini, copilot, cursor, kiro), parses the shell command as
the shell would, and answers in that format. A terraform or tofu apply or
destroy is planned in an isolated copy of its directory (init, plan and show
only, the real backend read and never written or locked) and judged under
the repository's rehearse.yaml over the base policy ($REHEARSE_BASE_POLICY):
block is deny, with the findings and the approval a human must give; warn
is ask; pass is allow. Every other command is answered at once.

Whatever goes wrong (an event it cannot read, a plan that fails, the
hook's timeout) is a deny: rehearse fails closed, in each agent's way.

Install it with "rehearse hook install AGENT".`,
		Example: `  rehearse hook install claude
  echo '{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"},"cwd":"/tmp"}' | rehearse hook claude`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Agent = args[0]
			if runF == nil {
				runF = hookRun
			}
			return runF(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.DurationVar(&o.Timeout, "timeout", 0, "the agent's hook timeout; the answer comes before it (default: what the event says, else the agent's documented default)")
	fl.StringVar(&o.BasePolicy, "base-policy", "", "the trusted policy (default $REHEARSE_BASE_POLICY, else the built-in policy)")
	fl.StringVar(&o.Terraform, "terraform", "", "terraform or tofu to plan with (default: the one the command names, on PATH)")
	cmd.AddCommand(newCmdHookInstall(f, nil), newCmdHookPrint(f, nil))
	return cmd
}

// hookRun answers one event; the exit code is the agent's dialect's (an
// *exitError when it is not 0).
func hookRun(ctx context.Context, o *hookOptions) error {
	if code := o.answer(ctx); code != 0 {
		return &exitError{code: code}
	}
	return nil
}

// answer answers one event and returns the exit code. It never fails
// open: every error, and a panic, is answered as a deny. Its deadlines are
// the real clock's (time.Now), not the Factory's: they bound real waiting.
func (o *hookOptions) answer(ctx context.Context) (code int) {
	w := o.answerTo()
	deny := func(format string, args ...any) int {
		return guard.Answer(o.Agent, guard.Decision{Permission: guard.Deny, Reason: "denied by rehearse: " + fmt.Sprintf(format, args...) + ". rehearse denies what it cannot judge."}, w)
	}
	defer func() {
		if p := recover(); p != nil {
			code = deny("internal error: %v", p)
		}
	}()
	start := time.Now()
	ev, err := guard.ParseEvent(o.Agent, o.in)
	if err != nil {
		return deny("could not read the hook event: %s", oneLine(err.Error()))
	}
	if !ev.Shell {
		return guard.Answer(o.Agent, guard.Decision{Permission: guard.Allow}, w)
	}
	budget := o.budget(ev)
	ctx, cancel := context.WithDeadline(ctx, start.Add(budget))
	defer cancel()

	// Decide in a goroutine so a plan that does not stop in time (a
	// provider ignoring the interrupt) still gets its deny before the
	// agent's own timeout, which in Claude Code would let the command run.
	done := make(chan guard.Decision, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- guard.Decision{Permission: guard.Deny, Reason: fmt.Sprintf("denied by rehearse: internal error: %v. rehearse denies what it cannot judge.", p)}
			}
		}()
		done <- o.decide(ctx, ev, budget-time.Since(start))
	}()
	hard := time.NewTimer(budget + o.grace(budget))
	defer hard.Stop()
	select {
	case d := <-done:
		return guard.Answer(o.Agent, d, w)
	case <-hard.C:
		return deny("could not judge %q within %s, before the agent's hook timeout", printable(ev.Command), budget.Round(time.Second))
	}
}

// answerTo is where the answer goes: standard output, except for the
// agents that read only the exit code and give standard error to the
// model (Kiro, Amazon Q).
func (o *hookOptions) answerTo() io.Writer {
	switch o.Agent {
	case "kiro", "amazon-q":
		return o.err
	}
	return o.out
}

// decide is the decision for the whole command line: the strongest of its
// commands', terraform applies planned and judged.
func (o *hookOptions) decide(ctx context.Context, ev guard.Event, budget time.Duration) guard.Decision {
	invs, err := guard.Analyze(ev.Command, ev.Cwd)
	if err != nil {
		return guard.Decision{Permission: guard.Deny, Reason: fmt.Sprintf("denied by rehearse: could not read the command line: %s. rehearse denies what it cannot parse.", printable(oneLine(err.Error())))}
	}
	if o.plainLine(invs, ev.Cwd) {
		return guard.Decision{Permission: guard.Allow}
	}
	j := o.judge(budget)
	var found *guard.FoundPolicy
	var ds []guard.Decision
	for i := range invs {
		if found == nil {
			// Read only when there is a command to classify, and once.
			f, err := j.PolicyFor(ev.Cwd)
			if err != nil {
				return guard.Decision{Permission: guard.Deny, Reason: fmt.Sprintf("denied by rehearse: the policy for %s: %s.", printable(ev.Cwd), printable(oneLine(err.Error())))}
			}
			found = &f
		}
		d, tc := found.Classify(&invs[i])
		if tc != nil {
			d = guard.Strongest(d, j.Terraform(ctx, tc))
		}
		ds = append(ds, d)
		if d.Permission == guard.Deny {
			break // nothing after it can make the line less dangerous
		}
	}
	return guard.Strongest(ds...)
}

// plainLine reports whether every command of the line is plain (ls, git
// status: guard.Plain) and no policy could add a rule for it: no base
// policy is given, $REHEARSE_POLICY is unset and no policy file governs
// dir. Such a line is allowed without reading or parsing any policy,
// which is most of what an agent runs; a stat that fails is left to the
// full path, which denies.
func (o *hookOptions) plainLine(invs []guard.Invocation, dir string) bool {
	for i := range invs {
		if !guard.Plain(&invs[i]) {
			return false
		}
	}
	if o.BasePolicy != "" || o.Getenv("REHEARSE_BASE_POLICY") != "" || o.Getenv("REHEARSE_POLICY") != "" {
		return false
	}
	file, _, err := guard.FindPolicyFile(dir)
	return err == nil && file == ""
}

// judge is how terraform applies are planned and judged for this hook.
func (o *hookOptions) judge(budget time.Duration) *guard.Judge {
	return &guard.Judge{
		LoadPolicy: policyLoader(o.BasePolicy, o.Getenv),
		Origin:     verdict.OriginInfo{Origin: verdict.OriginAI, DecidedBy: "rehearse hook " + o.Agent},
		Approvals: func(file string, pol *verdict.Policy, policyFile string) ([]verdict.Approval, []string, error) {
			// The change is the agent's, made in this session and not
			// committed: its author is the agent, which is no approver.
			// So approvals.forbid_self voids no human's approval here (an
			// empty author list is known to hold no one, where nil would
			// be unknown and void them all); with allowed signers, only a
			// key listed there can give one.
			return loadApprovals(file, pol, policyFile, []string{}, o.Now())
		},
		Binary:     o.terraform(o.Terraform),
		Timeout:    budget,
		PolicyFile: o.Getenv("REHEARSE_POLICY"),
		Progress:   nil, // the agent reads stdout and stderr: keep terraform's chatter out
	}
}

// hookTimeouts are the agents' documented default hook timeouts, for an
// event that does not say and a hook installed without --timeout.
func hookTimeout(agent string) time.Duration {
	name := agent
	if name == "amazon-q" {
		name = "kiro"
	}
	if a, ok := agentHooks[name]; ok {
		return a.timeout
	}
	return 30 * time.Second
}

// budget is how long the hook may take to decide: the agent's timeout
// less a margin for answering and for the agent's own bookkeeping.
func (o *hookOptions) budget(ev guard.Event) time.Duration {
	t := o.Timeout
	if t <= 0 {
		t = ev.HookTimeout
	}
	if t <= 0 {
		t = hookTimeout(o.Agent)
	}
	margin := min(max(t/10, 2*time.Second), 10*time.Second)
	return max(t-margin, t/2)
}

// grace is how long past the budget the hook waits for a plan being
// cancelled to stop before answering without it.
func (o *hookOptions) grace(budget time.Duration) time.Duration {
	return min(time.Second, budget/20)
}
