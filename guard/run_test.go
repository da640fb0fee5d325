package guard

import (
	"bytes"
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// runner runs commands in dir as `rehearse guard --` would, capturing
// what they print.
func runner() (*Runner, *bytes.Buffer, *bytes.Buffer) {
	var out, errw bytes.Buffer
	return &Runner{Judge: aiJudge(""), Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errw}, &out, &errw
}

func readState(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// stateAddresses lists the resources a state file holds.
func stateAddresses(t *testing.T, b []byte) []string {
	t.Helper()
	var st struct {
		Resources []struct{ Type, Name string }
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range st.Resources {
		out = append(out, r.Type+"."+r.Name)
	}
	slices.Sort(out)
	return out
}

func TestRunRefusesDestructiveApplyStateUntouched(t *testing.T) {
	dir, bin := fixture(t, destructive)
	before := readState(t, dir)
	r, out, errw := runner()
	code := r.Run(context.Background(), []string{bin, "apply", "-auto-approve"}, dir)
	if code != ExitRefused {
		t.Fatalf("exit %d, want %d\n%s", code, ExitRefused, errw)
	}
	// terraform's plan output must not tell the user to apply the judged
	// file: guard removes it.
	if strings.Contains(out.String(), "judged.tfplan") {
		t.Errorf("the plan output names the judged file:\n%s", out)
	}
	if after := readState(t, dir); !bytes.Equal(before, after) {
		t.Fatalf("the state changed:\n%s", after)
	}
	for _, want := range []string{"denied by rehearse", "terraform_data.db12", "Nothing was applied"} {
		if !strings.Contains(errw.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errw)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "tfplan")); err == nil {
		t.Error("a plan file was left in the directory")
	}
}

func TestRunAppliesBenignApply(t *testing.T) {
	dir, bin := fixture(t, benign())
	r, out, errw := runner()
	var judged *Judged
	r.Report = func(jd *Judged) { judged = jd }
	if code := r.Run(context.Background(), []string{bin, "apply", "-auto-approve", "-no-color"}, dir); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errw)
	}
	if judged == nil || judged.Verdict.Blast.Actions["create"] != 1 {
		t.Fatalf("judged: %+v", judged)
	}
	if got := stateAddresses(t, readState(t, dir)); !slices.Contains(got, "terraform_data.cache") || len(got) != 13 {
		t.Fatalf("state holds %v, want the dozen and terraform_data.cache", got)
	}
	if !strings.Contains(out.String(), "Apply complete! Resources: 1 added, 0 changed, 0 destroyed.") {
		t.Errorf("stdout:\n%s", out)
	}
}

// TestRunStalePlanAppliesNothingUnjudged changes the state between the
// judged plan and its apply, as a concurrent run would: terraform refuses
// the stale plan, and the state holds only what the other run applied.
func TestRunStalePlanAppliesNothingUnjudged(t *testing.T) {
	dir, bin := fixture(t, benign())
	r, out, errw := runner()
	r.beforeApply = func() {
		// Another run applies in the same directory, to the same state.
		write(t, filepath.Join(dir, "main.tf"), dozen()+"resource \"terraform_data\" \"other\" {}\n")
		tfRun(t, bin, dir, "apply", "-auto-approve", "-input=false", "-no-color")
		write(t, filepath.Join(dir, "main.tf"), benign())
	}
	code := r.Run(context.Background(), []string{bin, "apply", "-auto-approve", "-no-color"}, dir)
	if code == 0 {
		t.Fatalf("the stale plan was applied\n%s\n%s", out, errw)
	}
	if !strings.Contains(errw.String(), "Saved plan is stale") {
		t.Fatalf("no stale-plan refusal from terraform:\n%s", errw)
	}
	got := stateAddresses(t, readState(t, dir))
	if slices.Contains(got, "terraform_data.cache") || !slices.Contains(got, "terraform_data.other") {
		t.Fatalf("state holds %v: the judged change must not be in it, the other run's must", got)
	}
}

func TestRunAppliesSavedPlanCopy(t *testing.T) {
	dir, bin := fixture(t, benign())
	tfRun(t, bin, dir, "plan", "-input=false", "-no-color", "-out=tfplan")
	r, out, errw := runner()
	r.beforeApply = func() {
		// Replace the user's plan file after it was judged: the copy is applied.
		os.WriteFile(filepath.Join(dir, "tfplan"), []byte("not a plan"), 0o644)
	}
	if code := r.Run(context.Background(), []string{bin, "apply", "tfplan"}, dir); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errw)
	}
	if got := stateAddresses(t, readState(t, dir)); !slices.Contains(got, "terraform_data.cache") {
		t.Fatalf("state holds %v", got)
	}
}

func TestRunOtherCommands(t *testing.T) {
	dir := t.TempDir()
	r, out, errw := runner()
	if code := r.Run(context.Background(), []string{"sh", "-c", "echo hello; exit 7"}, dir); code != 7 {
		t.Errorf("exit %d, want the command's own 7\n%s", code, errw)
	}
	if out.String() != "hello\n" {
		t.Errorf("stdout %q", out)
	}
	if code := r.Run(context.Background(), []string{"rm", "-rf", "/"}, dir); code != ExitRefused {
		t.Errorf("rm -rf /: exit %d", code)
	}
	// A command that needs a person's word is refused without one, and
	// runs with it.
	marker := filepath.Join(dir, "ran")
	cmd := []string{"sh", "-c", "touch " + marker + " && ./deploy.sh"}
	if code := r.Run(context.Background(), cmd, dir); code != ExitRefused {
		t.Errorf("unconfirmed: exit %d\n%s", code, errw)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("an unconfirmed command ran")
	}
	r.Confirm = func(Decision) bool { return true }
	write(t, filepath.Join(dir, "deploy.sh"), "#!/bin/sh\nexit 0\n")
	os.Chmod(filepath.Join(dir, "deploy.sh"), 0o755)
	if code := r.Run(context.Background(), cmd, dir); code != 0 {
		t.Errorf("confirmed: exit %d\n%s", code, errw)
	}
	if code := r.Run(context.Background(), []string{"no-such-program-rehearse"}, dir); code != 127 {
		t.Errorf("missing program: exit %d", code)
	}
	// terraform apply inside a wrapper cannot be split: refused.
	if code := r.Run(context.Background(), []string{"sh", "-c", "terraform apply -auto-approve"}, dir); code != ExitRefused || !strings.Contains(errw.String(), "rehearse guard -- terraform apply") {
		t.Errorf("wrapped apply: exit %d\n%s", code, errw)
	}
}

// TestApplyCallSiteTakesJudgedFile reads guard's own source: the only
// apply guard runs is applyArgs(judged) in run.go, applyArgs puts that
// file last, and judged is the file planned (or copied) and shown.
func TestApplyCallSiteTakesJudgedFile(t *testing.T) {
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*.go")
	applyLits := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if isExec(n.Fun) && name != "run.go" {
					t.Errorf("%s: starts a process; only run.go runs commands", fset.Position(n.Pos()))
				}
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "applyArgs" {
					if name != "run.go" || len(n.Args) != 1 || !isNamed(n.Args[0], "judged") {
						t.Errorf("%s: applyArgs must be called in run.go with the judged plan file", fset.Position(n.Pos()))
					}
				}
			case *ast.FuncDecl:
				if n.Name.Name == "applyArgs" {
					checkApplyArgs(t, fset, n)
				}
			case *ast.BasicLit:
				if s, err := strconv.Unquote(n.Value); err == nil && s == "apply" && name == "terraform_args.go" {
					applyLits++
				}
			}
			return true
		})
	}
	if applyLits != 1 {
		t.Errorf("terraform_args.go names the apply subcommand %d times, want once (in applyArgs)", applyLits)
	}
	src, err := os.ReadFile("run.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"c.planArgs(judged)", "copyPlan(under(tc.Dir, tc.PlanFile), judged)", "c.showArgs(judged)", "c.applyArgs(judged)"} {
		if strings.Count(string(src), want) != 1 {
			t.Errorf("run.go: want exactly one %s", want)
		}
	}
}

// checkApplyArgs: applyArgs(judged string) ends with return append(args, judged).
func checkApplyArgs(t *testing.T, fset *token.FileSet, fn *ast.FuncDecl) {
	t.Helper()
	params := fn.Type.Params.List
	if len(params) != 1 || len(params[0].Names) != 1 || params[0].Names[0].Name != "judged" {
		t.Errorf("%s: applyArgs must take the judged file alone", fset.Position(fn.Pos()))
		return
	}
	last, ok := fn.Body.List[len(fn.Body.List)-1].(*ast.ReturnStmt)
	if !ok || len(last.Results) != 1 {
		t.Errorf("%s: applyArgs must end in return append(args, judged)", fset.Position(fn.Pos()))
		return
	}
	call, ok := last.Results[0].(*ast.CallExpr)
	if !ok || !isNamed(call.Fun, "append") || len(call.Args) != 2 || !isNamed(call.Args[1], "judged") {
		t.Errorf("%s: applyArgs must end in return append(args, judged)", fset.Position(fn.Pos()))
	}
}

func isNamed(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func isExec(fun ast.Expr) bool {
	s, ok := fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := s.X.(*ast.Ident)
	return ok && x.Name == "exec" && (s.Sel.Name == "Command" || s.Sel.Name == "CommandContext")
}
