package terraform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
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
	// Set is the plan, read as terraform show -json streamed it: its
	// source names the tool and version, its workspace the one planned,
	// and its locations where each resource block is written.
	Set       change.Set
	Tool      string // "terraform" or "tofu"
	Version   string // the tool's version
	Workspace string // the workspace planned; with a plan file, the one the directory selects
}

// Run is for callers that keep the plan JSON itself (record writes it to a
// scenario): the JSON byte for byte as terraform show -json printed it,
// the tool and its version. Plan reads the same stream without holding it.
func Run(ctx context.Context, opts RunOptions) (plan []byte, tool, version string, err error) {
	r, err := run(ctx, opts, func(_ string, out io.Reader) (err error) {
		plan, err = io.ReadAll(out)
		return err
	})
	return plan, r.Tool, r.Version, err
}

// Plan makes a plan of opts.Dir and reads it into a change.Set, with the
// tool, its version and the workspace planned. The show -json output goes
// straight from terraform into the reader: the plan is decoded once.
//
// The workspace is the one terraform itself would use in opts.Dir:
// opts.Workspace, else $TF_WORKSPACE (which must agree with opts.Workspace
// when both are set), else the one selected in the data directory, else
// default. It is selected in the copy, and a workspace without a state is
// an error wrapping ErrNoWorkspace, never a plan of an empty state.
//
// Terraform runs in a temporary copy of the directory with -lock=false and
// -input=false, so the user's .terraform, lock file and state are never
// written; the copy is removed before Plan returns, also when ctx is
// cancelled. The copy links the directory's own providers and modules and
// first plans without init; init runs in the copy only when that plan
// fails (see reuseData). Only version, init, plan and show are ever run. A
// failing command gives a *CommandError carrying terraform's diagnostics.
func Plan(ctx context.Context, opts RunOptions) (Result, error) {
	var set change.Set
	r, err := run(ctx, opts, func(tool string, out io.Reader) (err error) {
		set, err = planjson.Read(ctx, out, planjson.File(opts.Dir+" ("+tool+" show -json)"))
		return err
	})
	if err != nil {
		return r, err
	}
	set.Source.Tool, set.Source.ToolVersion = r.Tool, r.Version
	set.Workspace = r.Workspace
	set.Locations = Locate(opts.Dir)
	r.Set = set
	return r, nil
}

// run plans opts.Dir and hands the show -json stream to consume, with the
// tool's name.
func run(ctx context.Context, opts RunOptions, consume func(tool string, out io.Reader) error) (Result, error) {
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

	c := newCLI(bin, ws.dir)
	c.stream(opts.Progress)
	defer c.progress.Flush()
	probe := probeVersion(ctx, c, ws.root)
	// The version is needed only by show; init and plan run meanwhile.
	r := Result{Workspace: name}
	var once sync.Once
	var verr error
	known := func() error {
		once.Do(func() {
			var tv toolVersion
			if tv, verr = probe.wait(); verr != nil {
				return
			}
			c.tool, r.Tool, r.Version = tv.tool, tv.tool, tv.v.String()
			verr = checkVersion(tv.tool, tv.v, opts.Warn)
		})
		return verr
	}
	err = opts.plan(ctx, c, ws, name, known, func(out io.Reader) error { return consume(c.tool, out) })
	if verr := known(); verr != nil {
		// A binary that is not a usable terraform explains whatever
		// else failed.
		return r, verr
	}
	var ce *CommandError
	if errors.As(err, &ce) {
		ce.Tool = c.tool
	}
	return r, err
}

// plan prepares the copy and runs plan and show in it, init only where it
// is needed. known must succeed before show runs.
func (o *RunOptions) plan(ctx context.Context, c *cli, ws *workspace, name string, known func() error, consume func(io.Reader) error) error {
	if o.PlanFile != "" {
		path, err := filepath.Abs(o.PlanFile)
		if err != nil {
			return fmt.Errorf("plan file: %w", err)
		}
		show := func() error {
			if err := known(); err != nil {
				return err
			}
			return c.show(ctx, path, consume)
		}
		// show needs the providers' schemas, not the backend: the plan
		// file already holds everything it describes.
		return o.withData(ctx, c, ws, name, show, "-backend=false")
	}

	if err := ws.selectWorkspace(name); err != nil {
		return err
	}
	var initArgs []string
	if o.State != "" {
		if err := ws.useState(o.State, name); err != nil {
			return err
		}
		// -reconfigure: the override replaces whatever backend the
		// configuration names, and nothing may be migrated to or from it.
		initArgs = append(initArgs, "-reconfigure")
	}
	local := ws.hasLocalWorkspace(name)
	out := filepath.Join(ws.root, "rehearse.tfplan")
	args, err := o.planArgs(out)
	if err != nil {
		return err
	}
	plan := func() error {
		if err := ws.checkWorkspace(c.tool, name, local); err != nil {
			return err
		}
		return c.run(ctx, cmdPlan, args...)
	}
	if err := o.withData(ctx, c, ws, name, plan, initArgs...); err != nil {
		return err
	}
	if err := known(); err != nil {
		return err
	}
	return c.show(ctx, out, consume)
}

// withData runs step in the copy with a data directory fit for it: first
// the source's own, linked (when reuseData allows), and if step fails
// there, a fresh one made by init with initArgs. The failed attempt's
// diagnostics are not shown: the retry's are the ones that count.
func (o *RunOptions) withData(ctx context.Context, c *cli, ws *workspace, name string, step func() error, initArgs ...string) error {
	if o.reuseData(ws, name) {
		if err := ws.linkData(ctx); err != nil {
			return err
		}
		c.quiet = true
		err := step()
		c.quiet = false
		if err == nil {
			// Its warnings, held back in case of a retry.
			_, err := c.progress.Write(c.stderr.Bytes())
			return err
		}
		var ce *CommandError
		if ctx.Err() != nil || !(errors.As(err, &ce) || errors.Is(err, ErrNoWorkspace)) {
			return err
		}
		fmt.Fprintf(c.progress, "with the directory's own %s: %s; running init in the copy and trying again\n", dataDir(), firstLine(err.Error()))
		if err := ws.resetData(name); err != nil {
			return err
		}
	}
	if err := c.run(ctx, cmdInit, initArgs...); err != nil {
		return err
	}
	return step()
}

// planArgs are plan's flags: the plan file to write, no lock, and what the
// caller asked for.
func (o *RunOptions) planArgs(out string) ([]string, error) {
	args := []string{"-lock=false", "-out=" + out}
	if !o.Refresh {
		args = append(args, "-refresh=false")
	}
	for _, v := range o.Vars {
		args = append(args, "-var", v)
	}
	for _, f := range o.VarFiles {
		path, err := varFilePath(f, o.Dir)
		if err != nil {
			return nil, err
		}
		args = append(args, "-var-file="+path)
	}
	for _, t := range o.Targets {
		args = append(args, "-target="+t)
	}
	for _, r := range o.Replace {
		args = append(args, "-replace="+r)
	}
	if o.Destroy {
		// The -destroy flag of plan, not the destroy command.
		args = append(args, "-destroy")
	}
	return args, nil
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
