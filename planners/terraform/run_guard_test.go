package terraform

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The names are assembled so that this file does not match itself.
var (
	stateChangingMethods = func() map[string]bool {
		m := map[string]bool{}
		for _, n := range []string{"App" + "ly", "Dest" + "roy", "Imp" + "ort", "State" + "Rm", "State" + "Mv", "Tai" + "nt", "Untai" + "nt"} {
			m[n] = true
			m[n+"JSON"] = true
		}
		return m
	}()
	stateChangingSubcommands = func() map[string]bool {
		m := map[string]bool{}
		for _, s := range []string{"app" + "ly", "dest" + "roy", "imp" + "ort", "tai" + "nt", "untai" + "nt", "st" + "ate", "for" + "ce-unlock", "work" + "space"} {
			m[s] = true
		}
		return m
	}()
)

// allowedSelector reports whether a selector with a state-changing name is
// one of the two harmless uses: tfexec's -destroy flag of plan
// (tfexec.Destroy(true)), and reading RunOptions.Destroy (o.Destroy,
// opts.Destroy). A method call on a *tfexec.Terraform is neither.
func allowedSelector(n *ast.SelectorExpr, called bool) bool {
	x, ok := n.X.(*ast.Ident)
	if !ok || n.Sel.Name != "Dest"+"roy" {
		return false
	}
	switch x.Name {
	case "tfexec":
		return called
	case "o", "opts":
		return !called
	}
	return false
}

// TestNoStateChangingCommands fails unless the only commands this package
// can start are version, init, plan and show: the subcommand type has
// exactly those four values, nothing converts another value to it, the one
// process start (cli.command) passes a subcommand first, and no string in
// the package looks like a state-changing subcommand.
func TestNoStateChangingCommands(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files: %v", err)
	}
	fset := token.NewFileSet()
	consts := map[string]bool{}
	starts := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		checkSelectors(t, fset, f)
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if s, err := strconv.Unquote(n.Value); err == nil && n.Kind == token.STRING && stateChangingSubcommands[s] {
					t.Errorf("%s: string %q looks like a state-changing subcommand", fset.Position(n.Pos()), s)
				}
			case *ast.ValueSpec:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "subcommand" {
					for _, v := range n.Values {
						lit, ok := v.(*ast.BasicLit)
						if !ok {
							t.Errorf("%s: a subcommand that is not a string literal", fset.Position(v.Pos()))
							continue
						}
						s, err := strconv.Unquote(lit.Value)
						if err != nil {
							t.Errorf("%s: a subcommand that is not a string literal", fset.Position(v.Pos()))
							continue
						}
						consts[s] = true
					}
				}
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "subcommand" {
					t.Errorf("%s: converts a value to subcommand: only the four constants may be run", fset.Position(n.Pos()))
				}
				if isExecCommand(n.Fun) {
					starts++
					if !startsWithSubcommand(n) {
						t.Errorf("%s: starts a process whose first argument is not a subcommand", fset.Position(n.Pos()))
					}
				}
			}
			return true
		})
	}
	want := "init,plan,show,version"
	if got := strings.Join(slices.Sorted(maps.Keys(consts)), ","); got != want {
		t.Errorf("subcommands = %s, want %s", got, want)
	}
	// Guard the guard: it must see the process start it exists to police.
	if starts != 1 {
		t.Errorf("%d process starts, want 1 (cli.command); update this test", starts)
	}
}

// startsWithSubcommand reports whether an exec.CommandContext call reads
// exec.CommandContext(ctx, path, append([]string{string(sub)}, args...)...).
func startsWithSubcommand(call *ast.CallExpr) bool {
	if len(call.Args) != 3 {
		return false
	}
	app, ok := call.Args[2].(*ast.CallExpr)
	if !ok || len(app.Args) == 0 {
		return false
	}
	lit, ok := app.Args[0].(*ast.CompositeLit)
	if !ok || len(lit.Elts) != 1 {
		return false
	}
	conv, ok := lit.Elts[0].(*ast.CallExpr)
	if !ok || len(conv.Args) != 1 {
		return false
	}
	fn, ok := conv.Fun.(*ast.Ident)
	arg, ok2 := conv.Args[0].(*ast.Ident)
	return ok && ok2 && fn.Name == "string" && arg.Name == "sub"
}

// TestNoPlannerApplies extends the rule to every planner: none calls a
// state-changing tfexec method, and none starts a process with a
// state-changing subcommand among its arguments. Only guard/ ever runs
// apply, and only the plan file it judged.
func TestNoPlannerApplies(t *testing.T) {
	fset := token.NewFileSet()
	seen := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		seen++
		for _, imp := range f.Imports {
			if imp.Path.Value == `"github.com/hashicorp/terraform-exec/tfexec"` {
				checkSelectors(t, fset, f)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || !isExecCommand(call.Fun) {
				return true
			}
			for _, a := range call.Args {
				if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil && stateChangingSubcommands[s] {
						t.Errorf("%s: starts a process with %q: planners may only read and plan", fset.Position(lit.Pos()), s)
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 10 {
		t.Fatalf("only %d planner files seen; update this test", seen)
	}
}

func checkSelectors(t *testing.T, fset *token.FileSet, f *ast.File) {
	t.Helper()
	called := map[*ast.SelectorExpr]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if s, ok := c.Fun.(*ast.SelectorExpr); ok {
				called[s] = true
			}
		}
		return true
	})
	ast.Inspect(f, func(n ast.Node) bool {
		if n, ok := n.(*ast.SelectorExpr); ok && stateChangingMethods[n.Sel.Name] && !allowedSelector(n, called[n]) {
			t.Errorf("%s: refers to .%s: rehearse may only run version, init, plan and show", fset.Position(n.Pos()), n.Sel.Name)
		}
		return true
	})
}

// isExecCommand reports whether fun is exec.Command or exec.CommandContext.
func isExecCommand(fun ast.Expr) bool {
	s, ok := fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := s.X.(*ast.Ident)
	return ok && x.Name == "exec" && (s.Sel.Name == "Command" || s.Sel.Name == "CommandContext")
}
