package terraform

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
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

// TestNoStateChangingCommands fails if any Go file of this package refers to
// a tfexec method or option that changes infrastructure or state, or if the
// runner's own files pass such a subcommand to a process directly.
func TestNoStateChangingCommands(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files: %v", err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		runner := !strings.HasSuffix(name, "_test.go") && !strings.HasPrefix(name, "read") &&
			(strings.HasPrefix(name, "run") || strings.HasPrefix(name, "discover") || strings.HasPrefix(name, "isolate") || strings.HasPrefix(name, "version"))
		checkSelectors(t, fset, f)
		ast.Inspect(f, func(n ast.Node) bool {
			if n, ok := n.(*ast.BasicLit); ok && runner {
				if s, err := strconv.Unquote(n.Value); err == nil && n.Kind == token.STRING && stateChangingSubcommands[s] {
					t.Errorf("%s: string %q looks like a state-changing subcommand", fset.Position(n.Pos()), s)
				}
			}
			return true
		})
	}
	// Guard the guard: it must see the tfexec calls it exists to police.
	src, err := os.ReadFile("run_cli.go")
	if err != nil || !strings.Contains(string(src), "c.tf.Plan(") {
		t.Fatalf("run_cli.go no longer calls tfexec Plan; update this test: %v", err)
	}
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
