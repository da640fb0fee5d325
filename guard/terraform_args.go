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
	valued bool // takes a value: -name=value, or -name value for the four Classify reads
	step   step
}

// step is where a flag goes when guard splits apply into its two steps.
type step int

const (
	planStep  step = iota + 1 // shapes the plan: -var, -target, -destroy…
	applyStep                 // only how to apply: -auto-approve, -backup…
	bothSteps                 // both: -lock, -input, -no-color…
)

// applyFlags are the flags of terraform and tofu apply and destroy (1.x).
// A flag not here is refused: what guard cannot read it cannot judge.
var applyFlags = map[string]applyFlag{
	"var": {true, planStep}, "var-file": {true, planStep}, "target": {true, planStep}, "replace": {true, planStep},
	"destroy": {false, planStep}, "refresh": {false, planStep}, "refresh-only": {false, planStep},
	"auto-approve": {false, applyStep}, "state-out": {true, applyStep}, "backup": {true, applyStep},
	"lock": {false, bothSteps}, "lock-timeout": {true, bothSteps}, "input": {false, bothSteps},
	"no-color": {false, bothSteps}, "compact-warnings": {false, bothSteps}, "parallelism": {true, bothSteps},
	"json": {false, bothSteps}, "state": {true, bothSteps},
}

// separateValue are the flags whose value may be the next word: the ones
// Classify reads that way. Any other valued flag must be written
// -name=value, or Classify would have taken its value for the plan file.
var separateValue = map[string]bool{"var": true, "var-file": true, "target": true, "replace": true}

// tfToken is one flag, with its value, or the plan file, as written.
type tfToken struct {
	name  string // without dashes; "" for the plan file argument
	value string
	words []string
	flag  applyFlag
}

// tfCommand is a TerraformCall taken apart into the steps guard runs.
type tfCommand struct {
	call   *TerraformCall
	global []string // the words between the program and the subcommand (-chdir=…)
	tokens []tfToken
	// Refresh is false for -refresh=false; State is the legacy -state.
	Refresh bool
	State   string
}

// readCommand walks tc's words after the subcommand in the order
// Classify read them, and refuses what guard cannot plan exactly as the
// command would run: unknown flags, a -var-file after a -var (the order
// decides which value wins, and the runner cannot keep it), values
// Classify did not see.
func readCommand(tc *TerraformCall) (*tfCommand, error) {
	sub, _, _ := tfSubcommand(&Invocation{Argv: tc.Argv})
	if sub >= len(tc.Argv) {
		return nil, fmt.Errorf("%s: no subcommand", tc.Binary)
	}
	c := &tfCommand{call: tc, global: tc.Argv[1:sub], Refresh: true}
	seenVar := false
	args := tc.Argv[sub+1:]
	for i := 0; i < len(args); i++ {
		s := args[i]
		if s == "--" {
			continue
		}
		if !strings.HasPrefix(s, "-") || s == "-" {
			c.tokens = append(c.tokens, tfToken{value: s, words: []string{s}})
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(s, "-"), "=")
		f, ok := applyFlags[name]
		if !ok {
			return nil, fmt.Errorf("%s %s: flag %s is not one rehearse knows how to plan", toolName(tc.Binary), tc.Subcommand, s)
		}
		t := tfToken{name: name, value: value, words: []string{s}, flag: f}
		if f.valued && !hasValue {
			if !separateValue[name] || i+1 == len(args) {
				return nil, fmt.Errorf("%s %s: write %s=VALUE", toolName(tc.Binary), tc.Subcommand, s)
			}
			i++
			t.value = args[i]
			t.words = append(t.words, args[i])
		}
		switch name {
		case "var":
			seenVar = true
		case "var-file":
			if seenVar {
				return nil, fmt.Errorf("%s %s: a -var-file after a -var: which value wins depends on their order, which rehearse does not keep; put the -var-file flags first", toolName(tc.Binary), tc.Subcommand)
			}
		case "refresh":
			c.Refresh = !hasValue || boolTrue(value)
		case "state":
			c.State = t.value
		}
		c.tokens = append(c.tokens, t)
	}
	return c, nil
}

func boolTrue(s string) bool {
	switch strings.ToLower(s) {
	case "1", "t", "true":
		return true
	}
	return false
}

// planArgs is the plan step of the command: plan -out=out with every flag
// that shapes the plan or applies to both steps.
func (c *tfCommand) planArgs(out string) []string {
	args := append(append([]string{}, c.global...), "plan", "-out="+out)
	if c.call.Subcommand == "destroy" {
		args = append(args, "-destroy")
	}
	for _, t := range c.tokens {
		if t.name != "" && t.flag.step != applyStep {
			args = append(args, t.words...)
		}
	}
	return args
}

// applyArgs is the apply step: apply of the judged plan file with the
// flags that say how to apply. -auto-approve is dropped: a saved plan is
// applied without asking, which is why it must be the plan judged.
func (c *tfCommand) applyArgs(judged string) []string {
	args := append(append([]string{}, c.global...), "apply")
	for _, t := range c.tokens {
		if t.name != "" && t.flag.step != planStep && t.name != "auto-approve" {
			args = append(args, t.words...)
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
