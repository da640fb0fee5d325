package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/rehearse-dev/rehearse/internal/buildinfo"
)

// Exit codes, like diff(1): 0 the change may go, 1 it is blocked, 2 rehearse
// could not judge it.
const (
	exitPass   = 0
	exitBlock  = 1
	exitCannot = 2
)

// exitError carries an exit code out of a command. A nil err with a code
// means the command already said what it had to.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// cannotJudge wraps an error as exit 2.
func cannotJudge(err error) error { return &exitError{code: exitCannot, err: err} }

// streams are a command's standard streams, and the global flags that say
// how to use them (shared by pointer: they are parsed after the commands
// are built).
type streams struct {
	in       io.Reader
	out, err io.Writer
	ui       *uiFlags
}

// uiFlags are the root's persistent --color and --quiet.
type uiFlags struct {
	color string // auto, always or never
	quiet bool
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// useColor is --color auto: colour a terminal, unless NO_COLOR is set.
func useColor(w io.Writer) bool {
	return colorFor("auto", w)
}

// colorFor decides colour for w under --color mode: always and never are
// what they say (an explicit flag beats NO_COLOR, as no-color.org asks);
// auto colours only a terminal, and never with NO_COLOR set.
func colorFor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return false
	}
	return isTerminal(w)
}

// useColor is colorFor with the --color the command line gave.
func (s streams) useColor(w io.Writer) bool {
	if s.ui == nil {
		return useColor(w)
	}
	return colorFor(s.ui.color, w)
}

// progress is where terraform's streamed output goes: stderr, or nowhere
// with --quiet. Warnings and errors are kept apart from it and still shown.
func (s streams) progress() io.Writer {
	if s.ui != nil && s.ui.quiet {
		return io.Discard
	}
	return s.err
}

func newRootCmd(s streams) *cobra.Command {
	if s.ui == nil {
		s.ui = &uiFlags{}
	}
	root := &cobra.Command{
		Use:   "rehearse",
		Short: "Rehearse an infrastructure change before it reaches production",
		Long: `rehearse reads or produces a Terraform plan, or runs a change in ephemeral
containers, flags every destroy and replace that touches an environment or a
data-bearing resource, and gives a verdict: pass, warn or block.

Exit codes: 0 pass (or warn without --fail-on warn), 1 block, 2 could not judge.

Conventions: - is standard input for a plan and for policy check, and
standard output in --output FORMAT=-; flag values from a fixed set
(--format, --fail-on, --input, --origin, --color, --comment-limit) are
case-insensitive; report files are written whole and created 0644.`,
		Version:       buildinfo.Version(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return normalizeFlags(cmd)
		},
	}
	root.SetVersionTemplate(versionText())
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)
	pf := root.PersistentFlags()
	pf.StringVar(&s.ui.color, "color", "auto", "colour the text report: auto (a terminal, unless NO_COLOR is set), always (CI logs that show ANSI) or never")
	pf.BoolVarP(&s.ui.quiet, "quiet", "q", false, "do not stream terraform's output while planning (warnings and errors are still shown)")
	f := osFactory(s)
	root.AddCommand(newCmdPlan(f, nil), newCmdApprove(f, nil), newCmdPolicy(f), newCmdSandbox(f), newCmdReplay(f, nil), newCmdRegress(f, nil), newCmdRecord(f, nil), newCmdHook(f, nil), newCmdGuard(f, nil), newCmdVersion(f, nil), newCmdMCP(f, nil))
	registerCompletions(root)
	return root
}

// enumValues are the values a flag takes from a fixed set, for completion
// and for case-insensitive parsing; nil for a free-form flag. --format and
// --origin take fewer values in some commands.
func enumValues(cmd *cobra.Command, flag string) []string {
	switch flag {
	case "format":
		if n := cmd.Name(); n == "regress" || n == "replay" {
			return []string{"text", "json"}
		}
		return []string{"text", "json", "markdown", "sarif", "junit"}
	case "fail-on":
		return []string{"block", "warn"}
	case "input":
		return []string{inputTerraform, inputCloudFormation, inputPulumi}
	case "origin":
		if cmd.Name() == "record" {
			return []string{"ai", "human"}
		}
		return []string{"human", "ai", "auto"}
	case "color":
		return []string{"auto", "always", "never"}
	case "comment-limit":
		return []string{"github", "gitlab", "bitbucket", "azure"}
	}
	return nil
}

// registerCompletions makes shell completion suggest the values of every
// enumerated flag, in every command that has one. It walks each command's
// own flags (Flags before parsing holds no inherited ones):
// LocalNonPersistentFlags would merge every parent's persistent flags
// into a new set per command, in every process, rehearse hook's too.
func registerCompletions(cmd *cobra.Command) {
	cmd.Flags().VisitAll(func(f *pflag.Flag) { registerCompletion(cmd, f) })
	cmd.PersistentFlags().VisitAll(func(f *pflag.Flag) { registerCompletion(cmd, f) })
	for _, c := range cmd.Commands() {
		registerCompletions(c)
	}
}

func registerCompletion(cmd *cobra.Command, f *pflag.Flag) {
	values := enumValues(cmd, f.Name)
	if values == nil {
		return
	}
	// Registering twice is an error cobra returns; the walk visits each
	// command's own flags once.
	_ = cmd.RegisterFlagCompletionFunc(f.Name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	})
}

// normalizeFlags lower-cases the value of every enumerated flag given, so
// --format JSON and --fail-on Warn mean what --format json and --fail-on
// warn do, in every command alike; and checks --color.
func normalizeFlags(cmd *cobra.Command) error {
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Changed || enumValues(cmd, f.Name) == nil || f.Value.Type() != "string" {
			return
		}
		if low := strings.ToLower(f.Value.String()); low != f.Value.String() {
			if e := f.Value.Set(low); e != nil && err == nil {
				err = e
			}
		}
	})
	if err != nil {
		return err
	}
	if c := cmd.Flag("color"); c != nil {
		switch c.Value.String() {
		case "auto", "always", "never":
		default:
			return fmt.Errorf("--color must be auto, always or never, not %q", c.Value.String())
		}
	}
	return nil
}

// run executes the CLI and returns the exit code.
func run(ctx context.Context, args []string, in io.Reader, out, errw io.Writer) int {
	root := newRootCmd(streams{in: in, out: out, err: errw})
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitPass
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			printError(errw, userError(ee.err))
		}
		return ee.code
	}
	// Flag and argument errors, and anything unexpected: the tool could
	// not judge.
	printError(errw, userError(err))
	return exitCannot
}

// userError words Go's context errors for a person: Ctrl-C or SIGTERM
// ("context canceled") is "interrupted", and a --timeout that ran out
// ("context deadline exceeded") says so.
func userError(err error) error {
	msg := err.Error()
	r := strings.NewReplacer(
		context.Canceled.Error(), "interrupted",
		context.DeadlineExceeded.Error(), "timed out (--timeout)",
	)
	if out := r.Replace(msg); out != msg {
		return errors.New(out)
	}
	return err
}
