package guard

import (
	"fmt"
	"path/filepath"
	"strings"
)

// applyFlag says what a flag of terraform apply or destroy takes and which
// step it belongs to when guard splits the command into plan -out and
// apply of that plan.
type applyFlag struct {
	valued bool // takes a value, written -name=value
	step   step
}

// step is where a flag goes when guard splits apply into its two steps.
type step int

const (
	planStep  step = iota + 1 // shapes the plan: -var, -target, -destroy…
	applyStep                 // only how to apply: -auto-approve, -backup…
	bothSteps                 // both: -lock, -input, -no-color…
)

// applyFlags are the flags of terraform and tofu apply and destroy (1.x)
// that Classify leaves in TerraformCall.Args. A flag not here is refused:
// what guard cannot read it cannot judge.
var applyFlags = map[string]applyFlag{
	"refresh":   {false, planStep},
	"state-out": {true, applyStep}, "backup": {true, applyStep},
	"lock": {false, bothSteps}, "lock-timeout": {true, bothSteps}, "input": {false, bothSteps},
	"no-color": {false, bothSteps}, "compact-warnings": {false, bothSteps}, "parallelism": {true, bothSteps},
	"json": {false, bothSteps}, "state": {true, bothSteps},
}

// tfFlag is one flag Classify left in TerraformCall.Args, as written.
type tfFlag struct {
	name string // without dashes
	word string
	flag applyFlag
}

// tfCommand is a TerraformCall taken apart into the steps guard runs.
type tfCommand struct {
	call   *TerraformCall
	global []string // the words between the program and the subcommand (-chdir=…)
	rest   []tfFlag // the flags Classify did not read, in order
	// Refresh is false for -refresh=false; State is the legacy -state.
	Refresh bool
	State   string
}

// readCommand takes Classify's reading of the command (one parser: the
// TerraformCall) and refuses what guard cannot plan exactly as the
// command would run: a flag it does not know, a valued one written with
// its value apart (Classify reads only -var, -var-file, -target and
// -replace that way, and would take the value for the plan file), a
// -var-file after a -var (the order decides which value wins, and the
// runner cannot keep it), a boolean written other than -name, -name=true
// or -name=false.
func readCommand(tc *TerraformCall) (*tfCommand, error) {
	sub, _, _ := tfSubcommand(&Invocation{Argv: tc.Argv})
	if sub >= len(tc.Argv) {
		return nil, fmt.Errorf("%s: no subcommand", tc.Binary)
	}
	tool := toolName(tc.Binary) + " " + tc.Subcommand
	c := &tfCommand{call: tc, global: tc.Argv[1:sub], Refresh: true}
	seenVar := false
	for _, w := range tc.Argv[sub+1:] {
		name, value, hasValue := strings.Cut(strings.TrimLeft(w, "-"), "=")
		if !strings.HasPrefix(w, "-") || w == "--" {
			continue
		}
		switch {
		case name == "var":
			seenVar = true
		case name == "var-file" && seenVar:
			return nil, fmt.Errorf("%s: a -var-file after a -var: which value wins depends on their order, which rehearse does not keep; put the -var-file flags first", tool)
		case (name == "destroy" || name == "refresh-only" || name == "auto-approve") && hasValue && value != "true" && value != "false":
			return nil, fmt.Errorf("%s: write %s or -%s=false, not %s", tool, "-"+name, name, w)
		}
	}
	for _, w := range tc.Args {
		if !strings.HasPrefix(w, "-") {
			return nil, fmt.Errorf("%s: unexpected argument %s", tool, w)
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(w, "-"), "=")
		f, ok := applyFlags[name]
		switch {
		case !ok:
			return nil, fmt.Errorf("%s: flag %s is not one rehearse knows how to plan", tool, w)
		case f.valued && !hasValue:
			return nil, fmt.Errorf("%s: write %s=VALUE", tool, w)
		case !f.valued && hasValue && value != "true" && value != "false":
			return nil, fmt.Errorf("%s: write %s or -%s=false, not %s", tool, "-"+name, name, w)
		}
		switch name {
		case "refresh":
			c.Refresh = value != "false"
		case "state":
			c.State = value
		}
		c.rest = append(c.rest, tfFlag{name: name, word: w, flag: f})
	}
	return c, nil
}

// planArgs is the plan step: plan -out=out with every flag that shapes
// the plan or applies to both steps.
func (c *tfCommand) planArgs(out string) []string {
	tc := c.call
	args := append(append([]string{}, c.global...), "plan", "-out="+out)
	if tc.Destroy {
		args = append(args, "-destroy")
	}
	if tc.RefreshOnly {
		args = append(args, "-refresh-only")
	}
	for _, f := range tc.VarFiles {
		args = append(args, "-var-file="+f)
	}
	for _, v := range tc.Vars {
		args = append(args, "-var="+v)
	}
	for _, t := range tc.Targets {
		args = append(args, "-target="+t)
	}
	for _, r := range tc.Replace {
		args = append(args, "-replace="+r)
	}
	for _, f := range c.rest {
		if f.flag.step != applyStep {
			args = append(args, f.word)
		}
	}
	return args
}

// applyArgs is the apply step: apply of the judged plan file with the
// flags that say how to apply. There is no -auto-approve: a saved plan is
// applied without asking, which is why it must be the plan judged.
func (c *tfCommand) applyArgs(judged string) []string {
	args := append(append([]string{}, c.global...), "apply")
	for _, f := range c.rest {
		if f.flag.step != planStep {
			args = append(args, f.word)
		}
	}
	return append(args, judged)
}

// showArgs reads the judged plan file back as JSON.
func (c *tfCommand) showArgs(judged string) []string {
	return append(append([]string{}, c.global...), "show", "-json", judged)
}

// workspaceArgs asks the tool which workspace the plan was made in.
func (c *tfCommand) workspaceArgs() []string {
	return append(append([]string{}, c.global...), "workspace", "show")
}

// toolName names the tool argv0 runs: terraform, tofu or terragrunt,
// whatever directory it is installed in.
func toolName(argv0 string) string {
	base := strings.ToLower(strings.TrimSuffix(filepath.Base(argv0), ".exe"))
	if base == "opentofu" {
		return "tofu"
	}
	return base
}
