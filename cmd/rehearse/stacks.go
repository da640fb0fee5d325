package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/internal/memlimit"
	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
	"github.com/rehearse-dev/rehearse/planners/terragrunt"
	"github.com/rehearse-dev/rehearse/verdict"
)

// stackInput is one input of `rehearse plan A B …`: a plan document (or a
// directory of a CloudFormation stack's change sets) to read, or a
// Terraform directory to plan. Each is judged as a stack of its own.
type stackInput struct {
	name string
	file string // a plan document, "-", or a change sets directory
	dir  string // a Terraform directory to plan
}

// dirsValue is --dir, repeatable: every directory in Dirs, and the first
// in Dir, which a command that plans one directory reads.
type dirsValue struct{ o *planOptions }

func (d dirsValue) String() string { return strings.Join(d.o.Dirs, ",") }
func (d dirsValue) Type() string   { return "stringArray" }

func (d dirsValue) Set(s string) error {
	d.o.Dirs = append(d.o.Dirs, s)
	if d.o.Dir == "" {
		d.o.Dir = s
	}
	return nil
}

// inputs lists what `rehearse plan` judges: the file arguments (globs
// expanded, directories of plan documents walked), every --dir, and every
// --stack NAME=PATH, each named by its path relative to the working
// directory unless --stack names it.
func (o *planOptions) inputs() ([]stackInput, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	var ins []stackInput
	for _, arg := range o.Files {
		got, err := expandArg(arg, o.Input)
		if err != nil {
			return nil, err
		}
		ins = append(ins, got...)
	}
	for _, d := range o.Dirs {
		ins = append(ins, stackInput{dir: d})
	}
	for _, spec := range o.Stacks {
		name, path, ok := strings.Cut(spec, "=")
		if !ok || name == "" || path == "" {
			return nil, fmt.Errorf("--stack %q: want NAME=PATH", spec)
		}
		i := slices.IndexFunc(ins, func(in stackInput) bool { return samePath(in.file+in.dir, path) })
		if i < 0 {
			in := stackInput{file: path}
			if hasTerraformFiles(path) {
				in = stackInput{dir: path}
			}
			ins = append(ins, in)
			i = len(ins) - 1
		}
		ins[i].name = name
	}
	seen := map[string]string{}
	for i := range ins {
		in := &ins[i]
		if in.name == "" {
			in.name = stackName(cwd, in.file+in.dir)
		}
		if prev, dup := seen[in.name]; dup {
			return nil, fmt.Errorf("%s and %s are both stack %q: name them apart with --stack NAME=PATH", prev, in.file+in.dir, in.name)
		}
		seen[in.name] = in.file + in.dir
	}
	return ins, nil
}

// expandArg turns one argument into inputs: "-", a file, a glob, a
// CloudFormation stack's directory of change sets, or a directory of plan
// documents (walked, each *.json a stack; a subdirectory of only change
// sets is one stack).
func expandArg(arg, input string) ([]stackInput, error) {
	if arg == "-" {
		return []stackInput{{file: "-"}}, nil
	}
	st, err := os.Stat(arg)
	if err != nil && strings.ContainsAny(arg, "*?[") {
		matches, gerr := filepath.Glob(arg)
		if gerr != nil {
			return nil, fmt.Errorf("%s: %w", arg, gerr)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("%s: matches no file", arg)
		}
		var out []stackInput
		for _, m := range matches {
			got, err := expandArg(m, input)
			if err != nil {
				return nil, err
			}
			out = append(out, got...)
		}
		return out, nil
	}
	if err != nil || !st.IsDir() {
		// A missing file is read, and fails, where the reader says why.
		return []stackInput{{file: arg}}, nil
	}
	return walkPlans(arg, input)
}

// walkPlans lists the stacks of a directory: the directory itself when
// its *.json files are all CloudFormation change sets (a root stack and
// its nested stacks', read together), else each *.json file, and the
// stacks of each subdirectory, in name order. Hidden directories and
// terraform's and terragrunt's caches are skipped.
func walkPlans(dir, input string) ([]stackInput, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files, subdirs []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir() && !strings.HasPrefix(name, ".") && name != "node_modules":
			subdirs = append(subdirs, filepath.Join(dir, name))
		case e.Type().IsRegular() && strings.HasSuffix(strings.ToLower(name), ".json"):
			files = append(files, filepath.Join(dir, name))
		}
	}
	if len(files) > 0 && (input == inputCloudFormation || input == "" && allChangeSets(files)) {
		return []stackInput{{file: dir}}, nil
	}
	var out []stackInput
	for _, f := range files {
		out = append(out, stackInput{file: f})
	}
	for _, d := range subdirs {
		got, err := walkPlans(d, input)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: a directory with no *.json plan, change set or preview in it (to plan a Terraform directory use --dir)", dir)
	}
	return out, nil
}

// allChangeSets reports whether every file is told to be a CloudFormation
// change set by its structure.
func allChangeSets(files []string) bool {
	for _, f := range files {
		if kind, err := peekKind(f); err != nil || kind != inputCloudFormation {
			return false
		}
	}
	return true
}

// peekKind tells a file's format from its first bytes, as readInput does.
func peekKind(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	prefix, _ := bufio.NewReaderSize(f, peekSize).Peek(peekSize)
	return detectInput(prefix, len(prefix) < peekSize)
}

func hasTerraformFiles(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	return len(m) > 0
}

// stackName names an input by its path relative to the working
// directory (../ included), with forward slashes, so the name, which the
// fingerprint binds, is the same on every machine that checks the
// repository out.
func stackName(cwd, path string) string {
	if path == "-" {
		return "stdin"
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.ToSlash(filepath.Clean(path))
	}
	if rel, err := filepath.Rel(cwd, abs); err == nil {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(abs)
}

func samePath(a, b string) bool {
	if a == b {
		return true
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// judgeStacks reads and judges every input, in parallel but never more at
// once than there are CPUs, and joins the verdicts. Each input's Set is
// judged as soon as it is read and dropped: only its verdict is kept, so
// memory grows with the largest plans being read at once, not with them
// all. The first input that cannot be read, in input order, fails the
// whole run (a verdict over some of the stacks is no verdict), and is the
// one named, whichever failed first.
func (o *planOptions) judgeStacks(ctx context.Context, ins []stackInput, pol verdict.Policy, opts verdict.Options) ([]verdict.Judged, error) {
	judged := make([]verdict.Judged, len(ins))
	errs := make([]error, len(ins))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	per := verdict.StackOptions(opts)
	if os.Getenv("GOMEMLIMIT") == "" {
		memlimit.Raise(stacksMemoryLimit(ins, cap(sem)))
	}
	// Inputs planned at once (--dir) write terraform's output to the same
	// stream: each through its own writer that passes on whole lines,
	// prefixed with the stack's name, one writer at a time.
	var mu sync.Mutex
	writers := make([]*stackWriter, len(ins))
	for i := range ins {
		writers[i] = &stackWriter{mu: &mu, w: o.err, prefix: "[" + ins[i].name + "] "}
	}
	defer func() {
		for _, w := range writers {
			w.flush()
		}
	}()
	var wg sync.WaitGroup
	for i := range ins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			set, notes, err := o.readStackTo(ctx, ins[i], writers[i])
			if err != nil {
				// The others run to their end: the error reported is
				// then the first input's, whichever failed first.
				errs[i] = err
				return
			}
			so := per
			so.Notes = notes
			judged[i] = verdict.Judged{Name: ins[i].name, Verdict: verdict.Evaluate(set, pol, so)}
		}()
	}
	wg.Wait()
	if err := firstError(errs); err != nil {
		return nil, err
	}
	return judged, nil
}

// judgeTerragrunt plans the units of --terragrunt and judges each as a
// stack named by its directory relative to the working directory, one
// unit's plan in memory at a time.
func (o *planOptions) judgeTerragrunt(ctx context.Context, pol verdict.Policy, opts verdict.Options) ([]verdict.Judged, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	per := verdict.StackOptions(opts)
	var judged []verdict.Judged
	err = terragrunt.Plan(ctx, terragrunt.Options{Dir: o.Terragrunt, Binary: o.TerragruntBinary, Progress: o.err}, func(unit string, plan io.Reader) error {
		set, err := planjson.Read(ctx, plan, planjson.File(unit+" (terragrunt show -json)"))
		if err != nil {
			return err
		}
		set.Source.Tool = "terragrunt"
		judged = append(judged, verdict.Judged{Name: stackName(cwd, unit), Verdict: verdict.Evaluate(set, pol, per)})
		return nil
	})
	return judged, err
}

// stacksMemoryLimit is the soft memory limit for reading inputs n at a
// time: planjson.MemoryLimit of the n largest files together, since that
// many Sets can be live at once.
func stacksMemoryLimit(ins []stackInput, n int) int64 {
	var sizes []int64
	for _, in := range ins {
		if st, err := os.Stat(in.file); in.file != "" && err == nil && st.Mode().IsRegular() {
			sizes = append(sizes, st.Size())
		}
	}
	slices.Sort(sizes)
	var sum int64
	for i := len(sizes) - 1; i >= 0 && i >= len(sizes)-n; i-- {
		sum += sizes[i]
	}
	return planjson.MemoryLimit(sum)
}

// readStack reads one input as readSet reads the single one.
func (o *planOptions) readStack(ctx context.Context, in stackInput) (change.Set, []string, error) {
	return o.readStackTo(ctx, in, o.err)
}

// readStackTo is readStack with progress and warnings to stderr.
func (o *planOptions) readStackTo(ctx context.Context, in stackInput, stderr io.Writer) (change.Set, []string, error) {
	one, f := *o, *o.Factory
	f.err = stderr
	one.File, one.Dir, one.Factory = in.file, in.dir, &f
	return one.readSet(ctx)
}

// stackWriter passes whole lines on to w, each prefixed, holding mu while
// it writes, so the output of stacks planned at once does not interleave
// within a line.
type stackWriter struct {
	mu     *sync.Mutex
	w      io.Writer
	prefix string
	buf    []byte
}

func (s *stackWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = append(s.buf, p...)
	for {
		i := bytes.IndexByte(s.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		if _, err := fmt.Fprintf(s.w, "%s%s\n", s.prefix, s.buf[:i]); err != nil {
			return len(p), err
		}
		s.buf = s.buf[i+1:]
	}
}

// flush writes what is left of a last line without a line break.
func (s *stackWriter) flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.buf) > 0 {
		fmt.Fprintf(s.w, "%s%s\n", s.prefix, s.buf)
		s.buf = nil
	}
}

// firstError is the first error, in input order.
func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// judgeStacks judges approve's inputs as `rehearse plan` judges them when
// they are more than one change (several files, a directory of plans,
// --dir twice, --stack, --terragrunt), so an approval names the same
// fingerprint and finding ids the gate will see; many reports false for
// one change, which approve reads as before.
func (o *approveOptions) judgeStacks(ctx context.Context, pol verdict.Policy, opts verdict.Options) (v verdict.Verdict, many bool, err error) {
	p := &o.dir
	p.Factory, p.judgeOptions = o.Factory, o.judgeOptions
	if len(p.Files) <= 1 && len(p.Dirs) <= 1 && len(p.Stacks) == 0 && p.Terragrunt == "" {
		if len(p.Files) == 0 || !isDir(p.Files[0]) && !strings.ContainsAny(p.Files[0], "*?[") {
			return verdict.Verdict{}, false, nil
		}
		// A scenario's folder is one observed change (judgeSandbox).
		if kind, _, err := approveInput(p.Files[0]); err != nil || kind != notSandbox {
			return verdict.Verdict{}, false, nil
		}
	}
	if err := p.checkSource(); err != nil {
		return verdict.Verdict{}, true, err
	}
	v, err = p.judge(ctx, pol, opts, nil)
	return v, true, err
}
