package scenarios

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/planners/cloudformation"
	"github.com/rehearse-dev/rehearse/planners/pulumi"
	"github.com/rehearse-dev/rehearse/planners/terraform"
	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
	"github.com/rehearse-dev/rehearse/sandbox"
	"github.com/rehearse-dev/rehearse/verdict"
)

// RecordOptions say what to record and where.
type RecordOptions struct {
	Options
	Name    string // scenario name (required)
	Out     string // folder to write; default: Name
	Summary string
	Source  string
	Origin  string // ai or human; "" leaves it out (human)
	// The change: a plan JSON file, or a Terraform directory with an
	// optional state snapshot (planned now and stored as a plan), and/or
	// a sandbox environment file.
	Plan       string
	ChangeSet  string // a CloudFormation change set file, or a directory of nested stacks' change sets
	Preview    string // a Pulumi preview (pulumi preview --json)
	Dir        string
	State      string
	Containers string
	Policy     string // optional policy file, copied into the folder
	// Force overwrites the files of an existing scenario folder.
	Force bool
}

// Recorded is what Record wrote.
type Recorded struct {
	Scenario *Scenario
	Verdict  verdict.Verdict
	Files    []string // relative to the scenario folder, in write order
	// Notes say what the user should check, e.g. that redaction changed
	// the verdict.
	Notes []string
}

// Record captures a change into a new scenario folder: the plan with every
// sensitive value redacted (RedactPlan), the environment file with its
// local build contexts, the policy, and a scenario.yaml whose expectation
// is the verdict the recorded files give now. Nothing in the files depends
// on the time or the machine, so recording the same input twice gives the
// same bytes.
func Record(ctx context.Context, o RecordOptions) (*Recorded, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if o.Out == "" {
		o.Out = o.Name
	}
	if err := prepareOut(o.Out, o.Force); err != nil {
		return nil, err
	}
	rec := &Recorded{}
	s := &Scenario{
		APIVersion: APIVersion, Kind: Kind, Name: o.Name,
		Summary: o.Summary, Source: o.Source, Origin: o.Origin,
		File: filepath.Join(o.Out, FileName),
	}
	var original []byte
	switch {
	case o.Plan != "":
		b, err := os.ReadFile(o.Plan)
		if err != nil {
			return nil, err
		}
		original = b
	case o.Dir != "":
		plan, _, _, err := terraform.Run(ctx, terraform.RunOptions{
			Dir: o.Dir, State: o.State, Binary: o.Terraform, Progress: o.Progress,
		})
		if err != nil {
			return nil, err
		}
		original = plan
	}
	if original != nil {
		// Refuse what rehearse cannot read before writing anything of it.
		if _, err := planjson.Read(ctx, bytes.NewReader(original), planjson.File(inputName(o))); err != nil {
			return nil, err
		}
		redacted, err := RedactPlan(original)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", inputName(o), err)
		}
		if err := rec.write(o.Out, "plan.json", redacted); err != nil {
			return nil, err
		}
		s.Terraform = &Terraform{Plan: "plan.json"}
	}
	var toolOriginal *change.Set
	if o.ChangeSet != "" || o.Preview != "" {
		set, err := rec.recordTool(o, s)
		if err != nil {
			return nil, err
		}
		toolOriginal = &set
	}
	if o.Containers != "" {
		if err := rec.copyEnv(o.Out, o.Containers); err != nil {
			return nil, err
		}
		s.Containers = "env.yaml"
	}
	if o.Policy != "" {
		b, err := os.ReadFile(o.Policy)
		if err != nil {
			return nil, err
		}
		if _, err := verdict.ParsePolicy(o.Policy, b); err != nil {
			return nil, err
		}
		if err := rec.write(o.Out, "policy.yaml", b); err != nil {
			return nil, err
		}
		s.Policy = "policy.yaml"
	}
	if s.Summary == "" {
		s.Summary = fmt.Sprintf("%s, recorded from %s", o.Name, filepath.Base(inputName(o)))
	}

	v, err := Judge(ctx, s, o.Options)
	if err != nil {
		return nil, err
	}
	if original != nil && s.Containers == "" {
		rec.Notes = append(rec.Notes, redactionNotes(ctx, s, original, &v)...)
	}
	if toolOriginal != nil && s.Containers == "" {
		rec.Notes = append(rec.Notes, setRedactionNotes(s, *toolOriginal, &v)...)
	}
	s.Expect = Actual(&v)
	b, err := marshalScenario(s)
	if err != nil {
		return nil, err
	}
	if err := rec.write(o.Out, FileName, b); err != nil {
		return nil, err
	}
	rec.Scenario, rec.Verdict = s, v
	return rec, nil
}

func (o *RecordOptions) check() error {
	switch {
	case !nameRE().MatchString(o.Name):
		return fmt.Errorf("--name %q: want lower-case letters, digits, '.', '_' or '-'", o.Name)
	case o.Plan == "" && o.Dir == "" && o.ChangeSet == "" && o.Preview == "" && o.Containers == "":
		return errors.New("nothing to record: give --plan, --dir (with --state), --changeset, --preview or --containers")
	case o.Plan != "" && o.Dir != "":
		return errors.New("give either --plan or --dir, not both")
	case countSet(o.Plan, o.Dir, o.ChangeSet, o.Preview) > 1:
		return errors.New("give one of --plan, --dir, --changeset and --preview")
	case o.State != "" && o.Dir == "":
		return errors.New("--state needs --dir")
	case o.Origin != "" && o.Origin != string(verdict.OriginAI) && o.Origin != string(verdict.OriginHuman):
		return fmt.Errorf("--origin must be ai or human, not %q", o.Origin)
	}
	return nil
}

func inputName(o RecordOptions) string {
	switch {
	case o.Plan != "":
		return o.Plan
	case o.Dir != "":
		return o.Dir
	case o.ChangeSet != "":
		return o.ChangeSet
	case o.Preview != "":
		return o.Preview
	}
	return o.Containers
}

func countSet(values ...string) int {
	n := 0
	for _, v := range values {
		if v != "" {
			n++
		}
	}
	return n
}

// recordTool writes a change set (a file, or a directory of nested stacks'
// change sets) or a preview, redacted, and returns the Set the original
// gives, for setRedactionNotes. What rehearse cannot read is refused
// before anything of it is written.
func (r *Recorded) recordTool(o RecordOptions, s *Scenario) (change.Set, error) {
	if o.Preview != "" {
		b, err := os.ReadFile(o.Preview)
		if err != nil {
			return change.Set{}, err
		}
		set, err := pulumi.Read(o.Preview, bytes.NewReader(b))
		if err != nil {
			return change.Set{}, err
		}
		red, err := RedactPreview(b)
		if err != nil {
			return change.Set{}, fmt.Errorf("%s: %w", o.Preview, err)
		}
		if err := r.write(o.Out, "preview.json", red); err != nil {
			return change.Set{}, err
		}
		s.Pulumi = &Pulumi{Preview: "preview.json"}
		return set, nil
	}
	st, err := os.Stat(o.ChangeSet)
	if err != nil {
		return change.Set{}, err
	}
	if !st.IsDir() {
		b, err := os.ReadFile(o.ChangeSet)
		if err != nil {
			return change.Set{}, err
		}
		set, err := cloudformation.Read(o.ChangeSet, bytes.NewReader(b))
		if err != nil {
			return change.Set{}, err
		}
		red, err := RedactChangeSet(b)
		if err != nil {
			return change.Set{}, fmt.Errorf("%s: %w", o.ChangeSet, err)
		}
		if err := r.write(o.Out, "changeset.json", red); err != nil {
			return change.Set{}, err
		}
		s.CloudFormation = &CloudFormation{ChangeSet: "changeset.json"}
		return set, nil
	}
	set, err := cloudformation.ReadDir(o.ChangeSet)
	if err != nil {
		return change.Set{}, err
	}
	files, _ := filepath.Glob(filepath.Join(o.ChangeSet, "*.json"))
	if err := os.MkdirAll(filepath.Join(o.Out, "changeset"), 0o755); err != nil {
		return change.Set{}, err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return change.Set{}, err
		}
		red, err := RedactChangeSet(b)
		if err != nil {
			return change.Set{}, fmt.Errorf("%s: %w", f, err)
		}
		if err := r.write(o.Out, filepath.Join("changeset", filepath.Base(f)), red); err != nil {
			return change.Set{}, err
		}
	}
	s.CloudFormation = &CloudFormation{ChangeSet: "changeset"}
	return set, nil
}

// setRedactionNotes says if the redacted copy judges differently from the
// original Set, which would mean a redacted value mattered.
func setRedactionNotes(s *Scenario, original change.Set, recorded *verdict.Verdict) []string {
	pol := verdict.DefaultPolicy()
	if s.Policy != "" {
		if p, err := verdict.LoadPolicy(s.Path(s.Policy)); err == nil {
			pol = p
		}
	}
	v := verdict.Evaluate(original, pol, verdict.Options{Origin: recorded.Origin})
	if diff := Compare(Actual(&v), recorded); len(diff) > 0 {
		notes := []string{"redaction changed the verdict; the expectation is the redacted input's:"}
		for _, d := range diff {
			notes = append(notes, "  "+d.String())
		}
		return notes
	}
	return nil
}

// prepareOut creates the folder; an existing non-empty one is refused
// unless force, so a recording never mixes with another's files.
func prepareOut(dir string, force bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return os.MkdirAll(dir, 0o755)
	case err != nil:
		return err
	case len(entries) > 0 && !force:
		return fmt.Errorf("%s exists and is not empty (--force to overwrite its scenario files)", dir)
	}
	return nil
}

func (r *Recorded) write(dir, name string, b []byte) error {
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		return err
	}
	r.Files = append(r.Files, name)
	return nil
}

// copyEnv copies an environment file as env.yaml, with the build contexts
// it names under its own folder, so the scenario runs from anywhere.
func (r *Recorded) copyEnv(out, file string) error {
	env, err := sandbox.Load(file)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	// The environment file comes with the change: its secrets are not
	// copied into a scenario that will be committed.
	b, n, err := redactEnvYAML(b)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if n > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("env.yaml: %d secret env value(s) replaced by %s", n, Placeholder))
	}
	if err := r.write(out, "env.yaml", b); err != nil {
		return err
	}
	copied := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(env.Services)) {
		bld := env.Services[name].Build
		if bld == nil || filepath.IsAbs(bld.Context) || copied[bld.Context] {
			continue
		}
		ctxDir := filepath.Clean(bld.Context)
		if ctxDir == "." || ctxDir == ".." || strings.HasPrefix(ctxDir, ".."+string(filepath.Separator)) {
			return fmt.Errorf("%s: service %s: build context %q is outside the environment file's folder; give it as an absolute path to record it", file, name, bld.Context)
		}
		if err := copyTree(filepath.Join(filepath.Dir(file), ctxDir), filepath.Join(out, ctxDir)); err != nil {
			return err
		}
		copied[bld.Context] = true
		r.Files = append(r.Files, ctxDir+"/")
	}
	return nil
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: only regular files can be recorded", path)
		}
		if isDotEnv(d.Name()) {
			return writeDotEnv(path, target)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

// redactionNotes judges the plan as given and says if the redacted copy
// judges differently, which would mean a redacted value mattered.
func redactionNotes(ctx context.Context, s *Scenario, original []byte, recorded *verdict.Verdict) []string {
	set, err := planjson.Read(ctx, bytes.NewReader(original), planjson.File(s.Path("plan.json")))
	if err != nil {
		return nil
	}
	pol := verdict.DefaultPolicy()
	if s.Policy != "" {
		if p, err := verdict.LoadPolicy(s.Path(s.Policy)); err == nil {
			pol = p
		}
	}
	v := verdict.Evaluate(set, pol, verdict.Options{Origin: recorded.Origin})
	if diff := Compare(Actual(&v), recorded); len(diff) > 0 {
		notes := []string{"redaction changed the verdict; the expectation is the redacted plan's:"}
		for _, d := range diff {
			notes = append(notes, "  "+d.String())
		}
		return notes
	}
	return nil
}

// marshalScenario writes a scenario file: a header saying where the
// expectation came from, then the fields in their fixed order.
func marshalScenario(s *Scenario) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("# Recorded by `rehearse record`. The expectation is the verdict these files\n")
	buf.WriteString("# gave when recorded: check that it is the verdict the change deserves.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
