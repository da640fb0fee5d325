package guard

import (
	"path/filepath"
	"strings"
)

// TerraformCall is a terraform, tofu or terragrunt command that changes
// infrastructure (apply, destroy, apply -refresh-only), as Classify read
// it, for the caller to plan and judge before it runs. Nothing here has
// been run or checked against the files it names.
type TerraformCall struct {
	// Argv is the command as the shell would run it (Invocation.Argv),
	// for a caller that reads the flags itself.
	Argv []string
	// Binary is the program as invoked (terraform, tofu, terragrunt, or
	// a path to one).
	Binary string
	// Subcommand is apply or destroy; for terragrunt run-all / run
	// --all, the terraform subcommand it runs.
	Subcommand string
	// RunAll is set for terragrunt run-all and run --all: every module
	// under Dir.
	RunAll bool
	// Dir is where terraform works: the invocation's directory, moved by
	// -chdir=DIR (terragrunt: --working-dir / --terragrunt-working-dir).
	Dir string
	// DirUnknown is set when Dir is not known before the line runs.
	DirUnknown bool
	// Workspace is TF_WORKSPACE from the line's environment, "" when the
	// line does not set it (then the selected workspace applies).
	Workspace string
	// PlanFile is the saved plan apply was given, "" when none.
	PlanFile string
	// Destroy is set for destroy and apply -destroy.
	Destroy bool
	// RefreshOnly is set for apply -refresh-only.
	RefreshOnly bool
	// AutoApprove is set for -auto-approve (and terragrunt's
	// --non-interactive): nobody will be asked to confirm.
	AutoApprove bool
	// Vars are -var values as written (NAME=VALUE), in order.
	Vars []string
	// VarFiles are -var-file paths as written, in order.
	VarFiles []string
	// Targets and Replace are -target and -replace addresses.
	Targets []string
	Replace []string
	// Args are the flags Classify did not read, in order (-lock=false,
	// -parallelism=5, -input=false…), for the caller to pass on or
	// refuse.
	Args []string
	// Env is the line's environment for the command (TF_VAR_x,
	// TF_CLI_ARGS…), as Invocation.Env.
	Env map[string]string
	// Unknown says what of the command is not known before it runs
	// ($X in an argument, xargs input), "" when everything is: a plan of
	// what the line shows may not be what runs.
	Unknown string
}

// isTerraform reports whether prog is terraform, tofu or terragrunt.
func isTerraformTool(prog string) bool {
	switch strings.TrimSuffix(filepath.Base(prog), ".exe") {
	case "terraform", "tofu", "terragrunt", "opentofu":
		return true
	}
	return false
}

// terraformSub returns the index of inv's subcommand (after the global
// flags) and the directory -chdir names ("" when none).
func tfSubcommand(inv *Invocation) (sub int, chdir string, chdirKnown bool) {
	chdirKnown = true
	for i := 1; i < len(inv.Argv); i++ {
		s := inv.Argv[i]
		if !strings.HasPrefix(s, "-") {
			return i, chdir, chdirKnown
		}
		for _, f := range []string{"-chdir=", "--chdir=", "--working-dir=", "--terragrunt-working-dir="} {
			if v, ok := strings.CutPrefix(s, f); ok {
				chdir, chdirKnown = v, inv.WordKnown(i)
			}
		}
		if (s == "--working-dir" || s == "--terragrunt-working-dir" || s == "-chdir") && i+1 < len(inv.Argv) {
			chdir, chdirKnown = inv.Argv[i+1], inv.WordKnown(i+1)
			i++
		}
	}
	return len(inv.Argv), chdir, chdirKnown
}

// terraformCall reads a mutation from inv; sub is the index of apply or
// destroy in Argv.
func readTerraformCall(inv *Invocation, sub int, runAll bool, chdir string, chdirKnown bool) *TerraformCall {
	tc := &TerraformCall{
		Argv:       inv.Argv,
		Binary:     inv.Argv[0],
		Subcommand: inv.Argv[sub],
		RunAll:     runAll,
		Dir:        inv.Dir,
		DirUnknown: inv.DirUnknown || inv.Dir == "" || !chdirKnown,
		Workspace:  inv.Env["TF_WORKSPACE"],
		Destroy:    inv.Argv[sub] == "destroy",
		Env:        inv.Env,
	}
	if chdir != "" {
		tc.Dir = absDir(inv.Dir, chdir)
	}
	if w, ok := inv.Env["TF_WORKSPACE"]; ok && w == "$TF_WORKSPACE" {
		tc.Unknown = "TF_WORKSPACE is set at run time"
	}
	// Flags take -name=value or -name value; terragrunt also --name.
	valued := map[string]*[]string{"var": &tc.Vars, "var-file": &tc.VarFiles, "target": &tc.Targets, "replace": &tc.Replace}
	for i := sub + 1; i < len(inv.Argv); i++ {
		s := inv.Argv[i]
		if !inv.WordKnown(i) && tc.Unknown == "" {
			tc.Unknown = "argument " + s + " is not known until the command runs"
		}
		if s == "--" {
			continue
		}
		if !strings.HasPrefix(s, "-") {
			if tc.PlanFile == "" && !runAll {
				tc.PlanFile = s
			} else {
				tc.Args = append(tc.Args, s)
			}
			continue
		}
		name := strings.TrimLeft(s, "-")
		name, value, hasValue := strings.Cut(name, "=")
		if dst, ok := valued[name]; ok {
			if !hasValue && i+1 < len(inv.Argv) {
				i++
				value = inv.Argv[i]
				if !inv.WordKnown(i) && tc.Unknown == "" {
					tc.Unknown = "-" + name + " " + value + " is not known until the command runs"
				}
			}
			*dst = append(*dst, value)
			continue
		}
		on := !hasValue || value == "true"
		switch name {
		case "auto-approve", "non-interactive", "terragrunt-non-interactive":
			tc.AutoApprove = on
		case "destroy":
			tc.Destroy = on
		case "refresh-only":
			tc.RefreshOnly = on
		default:
			tc.Args = append(tc.Args, s)
		}
	}
	if tc.Unknown == "" && inv.Hidden != "" {
		tc.Unknown = inv.Hidden
	}
	if tc.Unknown == "" && inv.Injected != "" {
		tc.Unknown = inv.Injected
	}
	for k := range inv.Env {
		if k == "TF_CLI_ARGS" || strings.HasPrefix(k, "TF_CLI_ARGS_") {
			if tc.Unknown == "" {
				tc.Unknown = k + " adds arguments the guard does not read"
			}
		}
	}
	if tc.Unknown == "" && tc.DirUnknown {
		tc.Unknown = "the directory it runs in is not known until the line runs"
	}
	return tc
}
