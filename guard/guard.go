// Package guard stands between a coding agent (or a person) and the shell:
// it reads an agent's pre-tool event in the agent's own dialect, parses the
// command as a shell would, decides allow, ask or deny — for terraform,
// tofu and terragrunt by computing and judging the plan — and answers in
// the dialect. `rehearse guard -- CMD` is the one place in rehearse that
// runs a user's own command: only after it passes, and for terraform only
// the plan file it judged.
package guard

import "github.com/rehearse-dev/rehearse/verdict"

// Permission is what the agent is told about one command.
type Permission string

// Permissions, weakest first.
const (
	Allow Permission = "allow"
	Ask   Permission = "ask"
	Deny  Permission = "deny"
)

func (p Permission) rank() int {
	switch p {
	case Deny:
		return 2
	case Ask:
		return 1
	}
	return 0
}

// Decision is the answer for a command, and why.
type Decision struct {
	Permission Permission
	// Reason is one paragraph the agent can act on: what would be
	// destroyed, in which environment, and what a human must do to
	// approve it. Empty for a plain allow.
	Reason string
	// Verdict is the judged plan, when one was computed.
	Verdict *verdict.Verdict
}

// Strongest returns the strongest of ds (deny over ask over allow), the
// first of equals; with none, a plain allow. A command line is as
// dangerous as the most dangerous command in it.
func Strongest(ds ...Decision) Decision {
	best := Decision{Permission: Allow}
	for _, d := range ds {
		if d.Permission.rank() > best.Permission.rank() {
			best = d
		}
	}
	return best
}

// Invocation is one simple command the shell would run, as the shell
// would run it.
type Invocation struct {
	// Argv is the program and its arguments after the shell's quoting,
	// with env prefixes removed.
	Argv []string
	// Env holds prefix assignments (TF_WORKSPACE=prod terraform apply).
	Env map[string]string
	// Dir is the absolute working directory the command runs in, after
	// any cd before it on the line; the event's cwd otherwise.
	Dir string
	// Via says how it was reached when not directly: "bash -c",
	// "sh -c", "xargs", "env"…; "" for a plain command.
	Via string
	// Tree is the working tree: the cwd the line was analyzed in, against
	// which rm's targets are judged.
	Tree string
	// DirUnknown is set when a cd before the command went where the line
	// does not say (cd -, cd $X, popd); Dir is then the last known one.
	DirUnknown bool
	// Unknown lists the indices in Argv of words the shell expands only
	// at run time ($X, $(…), globs, brace lists); they are kept as written.
	Unknown []int
	// Hidden says what the command gets at run time that the line does
	// not show (arguments xargs reads from its input, find -exec's {}),
	// "" when nothing.
	Hidden string
	// Injected names a wrapper that sets environment variables or
	// credentials the line does not show (aws-vault exec PROFILE, doppler
	// run, op run…), "" when none does.
	Injected string
	// Stdin is the text the command reads on standard input when the
	// line shows it: a here-document, a here-string, or echo or printf
	// piped into it; "" otherwise.
	Stdin string

	// writes is set when the command's output goes to a file.
	writes bool
}

// Known reports whether the line shows everything the command runs
// with: every word, its directory and its arguments.
func (inv *Invocation) Known() bool {
	return len(inv.Unknown) == 0 && inv.Hidden == "" && !inv.DirUnknown && inv.Dir != ""
}

// WordKnown reports whether Argv[i] is known before the command runs.
func (inv *Invocation) WordKnown(i int) bool {
	for _, u := range inv.Unknown {
		if u == i {
			return false
		}
	}
	return i >= 0 && i < len(inv.Argv)
}
