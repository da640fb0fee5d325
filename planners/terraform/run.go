package terraform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// RunOptions says which configuration to plan and how. Paths are relative to
// the current directory.
type RunOptions struct {
	Dir       string    // terraform working directory (required); never written
	Workspace string    // workspace to plan; "" plans the one terraform would use ($TF_WORKSPACE, then the selected one, then default)
	State     string    // optional state snapshot; plan against it, offline from the real backend
	PlanFile  string    // optional binary plan made elsewhere; then only init and show run
	Binary    string    // explicit terraform or tofu path or name; "" discovers one
	Vars      []string  // "name=value", as -var
	VarFiles  []string  // as -var-file; relative to the current directory, else to Dir
	Targets   []string  // as -target
	Replace   []string  // as -replace
	Destroy   bool      // plan destroying everything (-destroy), what apply -destroy does
	Refresh   bool      // false passes -refresh=false; callers default it to true
	Progress  io.Writer // terraform's output, each line prefixed with the tool name; nil discards
	Warn      io.Writer // warnings about the tool itself; nil discards
}

// Result is what Plan made of a directory.
type Result struct {
	Plan      []byte // the plan as JSON, byte for byte as terraform show -json printed it
	Tool      string // "terraform" or "tofu"
	Version   string // the tool's version
	Workspace string // the workspace planned; with a plan file, the one the directory selects
}

// Run is Plan for callers that need only the plan JSON, the tool and its
// version.
func Run(ctx context.Context, opts RunOptions) (plan []byte, tool, version string, err error) {
	r, err := Plan(ctx, opts)
	return r.Plan, r.Tool, r.Version, err
}

// Plan makes a plan of opts.Dir and returns it as JSON (terraform show
// -json), with the tool, its version and the workspace planned.
//
// The workspace is the one terraform itself would use in opts.Dir:
// opts.Workspace, else $TF_WORKSPACE (which must agree with opts.Workspace
// when both are set), else the one selected in the data directory, else
// default. It is selected in the copy, and a workspace without a state is
// an error wrapping ErrNoWorkspace, never a plan of an empty state.
//
// Terraform runs in a temporary copy of the directory with -lock=false and
// -input=false, so the user's .terraform, lock file and state are never
// written; the copy is removed before Run returns, also when ctx is
// cancelled. Only version, init, plan and show are ever run. A failing
// command gives a *CommandError carrying terraform's diagnostics.
func Plan(ctx context.Context, opts RunOptions) (Result, error) {
	if err := opts.check(); err != nil {
		return Result{}, err
	}
	name, err := resolveWorkspace(opts.Dir, opts.Workspace)
	if err != nil {
		return Result{}, err
	}
	bin, err := osFinder().find(opts.Binary)
	if err != nil {
		return Result{}, err
	}
	ws, err := isolate(ctx, opts.Dir)
	if err != nil {
		return Result{}, err
	}
	defer ws.remove()

	c, err := newCLI(bin, ws.dir)
	if err != nil {
		return Result{}, err
	}
	tool, v, err := c.version(ctx, ws.root)
	if err != nil {
		return Result{}, err
	}
	r := Result{Tool: tool, Version: v.String(), Workspace: name}
	if err := checkVersion(tool, v, opts.Warn); err != nil {
		return r, err
	}
	c.stream(opts.Progress)
	defer c.progress.Flush()

	r.Plan, err = opts.plan(ctx, c, ws, name)
	return r, err
}

func (o *RunOptions) plan(ctx context.Context, c *cli, ws *workspace, name string) ([]byte, error) {
	if o.PlanFile != "" {
		path, err := filepath.Abs(o.PlanFile)
		if err != nil {
			return nil, fmt.Errorf("plan file: %w", err)
		}
		// show needs the providers' schemas, not the backend: the plan
		// file already holds everything it describes.
		if err := c.init(ctx, tfexec.Backend(false)); err != nil {
			return nil, err
		}
		return c.show(ctx, path)
	}

	if err := ws.selectWorkspace(name); err != nil {
		return nil, err
	}
	var initOpts []tfexec.InitOption
	if o.State != "" {
		if err := ws.useState(o.State, name); err != nil {
			return nil, err
		}
		// -reconfigure: the override replaces whatever backend the
		// configuration names, and nothing may be migrated to or from it.
		initOpts = append(initOpts, tfexec.Reconfigure(true))
	}
	local := ws.hasLocalWorkspace(name)
	if err := c.init(ctx, initOpts...); err != nil {
		return nil, err
	}
	if err := ws.checkWorkspace(c.tool, name, local); err != nil {
		return nil, err
	}

	out := filepath.Join(ws.root, "rehearse.tfplan")
	planOpts := []tfexec.PlanOption{tfexec.Out(out), tfexec.Lock(false), tfexec.Refresh(o.Refresh)}
	for _, v := range o.Vars {
		planOpts = append(planOpts, tfexec.Var(v))
	}
	for _, f := range o.VarFiles {
		path, err := varFilePath(f, o.Dir)
		if err != nil {
			return nil, err
		}
		planOpts = append(planOpts, tfexec.VarFile(path))
	}
	for _, t := range o.Targets {
		planOpts = append(planOpts, tfexec.Target(t))
	}
	for _, r := range o.Replace {
		planOpts = append(planOpts, tfexec.Replace(r))
	}
	if o.Destroy {
		// The -destroy flag of plan, not the destroy command.
		planOpts = append(planOpts, tfexec.Destroy(true))
	}
	if err := c.plan(ctx, planOpts...); err != nil {
		return nil, err
	}
	return c.show(ctx, out)
}

// check rejects options that cannot mean what the user wants before anything
// runs.
func (o *RunOptions) check() error {
	if o.Dir == "" {
		return errors.New("terraform: no working directory given")
	}
	if o.PlanFile != "" && (o.State != "" || o.Destroy || len(o.Vars)+len(o.VarFiles)+len(o.Targets)+len(o.Replace) > 0) {
		return errors.New("terraform: a plan file already fixes its state, variables, targets, replacements and mode; do not combine it with them")
	}
	for _, v := range o.Vars {
		if name, _, ok := strings.Cut(v, "="); !ok || name == "" {
			return fmt.Errorf("terraform: variable %q: want NAME=VALUE", v)
		}
	}
	// An absolute TF_DATA_DIR would make init write the user's own data
	// directory instead of the copy's; a relative one stays in the copy,
	// unless it climbs out of it.
	if d := os.Getenv("TF_DATA_DIR"); d != "" && !filepath.IsLocal(d) {
		return fmt.Errorf("terraform: TF_DATA_DIR=%s would let terraform write outside its isolated copy; unset it or make it relative, inside the directory", d)
	}
	return nil
}

// varFilePath resolves a -var-file the way both habits expect: relative to
// the current directory (like every other path flag), or else relative to
// the working directory, as when running terraform inside it.
func varFilePath(f, dir string) (string, error) {
	for _, p := range []string{f, filepath.Join(dir, f)} {
		if _, err := os.Stat(p); err == nil {
			return filepath.Abs(p)
		}
		if filepath.IsAbs(f) {
			break
		}
	}
	return "", fmt.Errorf("terraform: var file %s: not found in the current directory or in %s", f, dir)
}
