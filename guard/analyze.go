package guard

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// maxDepth bounds how deep Analyze follows scripts inside scripts (bash -c
// inside eval inside $(…)); a line nested deeper is refused, not guessed.
const maxDepth = 16

// maxInvocations bounds how many simple commands one line may hold.
const maxInvocations = 4096

// ErrTooComplex is returned for a line nested or repeated past what
// Analyze follows; the caller denies it like any line it cannot read.
var ErrTooComplex = errors.New("command line too complex to follow")

// Analyze parses a command line as bash would (zsh when bash cannot) and
// returns every simple command it would run, in order, each with the
// directory it runs in (following cd from cwd), its env prefixes, and
// what is not known before it runs. It looks through pipelines, lists,
// subshells, blocks, functions, loops, command and process substitution,
// here-documents, `bash|sh|zsh -c SCRIPT`, eval, and wrappers (env,
// sudo, xargs, nohup, time, exec, command, timeout, nice, npx…).
//
// It runs nothing and reads no file. A line it cannot parse is an error:
// the caller must deny it (fail closed).
func Analyze(command, cwd string) ([]Invocation, error) {
	if cwd == "" || !filepath.IsAbs(cwd) {
		cwd = filepath.Clean("/" + cwd)
		// A relative or missing cwd cannot be resolved: keep it as a
		// root-relative path and let Dir-dependent rules treat it as
		// unknown through Tree, which is compared as given.
	}
	a := &analyzer{tree: filepath.Clean(cwd)}
	sc := &scope{dir: a.tree}
	if err := a.script(command, sc, "", 0); err != nil {
		return nil, err
	}
	terraformSequence(a.out)
	return a.out, nil
}

// terraformSequence marks what a terraform apply or destroy on the line
// inherits from the commands before it, which a plan made now would not
// see: a workspace selected earlier on the line becomes its TF_WORKSPACE;
// an init that changes the backend, or any command that may change the
// files it applies (git checkout, sed -i, a redirect…), makes it Hidden.
func terraformSequence(invs []Invocation) {
	workspace := map[string]string{} // effective dir → selected workspace
	changed := ""
	for i := range invs {
		inv := &invs[i]
		if len(inv.Argv) == 0 {
			continue
		}
		prog := progName(inv.Argv[0])
		if !isTerraformTool(prog) || !inv.WordKnown(0) {
			if changed == "" && !harmlessBefore(inv, prog) {
				changed = strings.Join(inv.Argv, " ")
			}
			continue
		}
		sub, chdir, _ := tfSubcommand(inv)
		dir := inv.Dir
		if chdir != "" {
			dir = absDir(inv.Dir, chdir)
		}
		if sub >= len(inv.Argv) {
			continue
		}
		switch name := inv.Argv[sub]; name {
		case "workspace":
			j := sub + 1
			for j < len(inv.Argv) && strings.HasPrefix(inv.Argv[j], "-") {
				j++
			}
			if j+1 < len(inv.Argv) && (inv.Argv[j] == "select" || inv.Argv[j] == "new") {
				k := j + 1
				for k < len(inv.Argv)-1 && strings.HasPrefix(inv.Argv[k], "-") {
					k++
				}
				if inv.WordKnown(k) {
					workspace[dir] = inv.Argv[k]
				} else {
					workspace[dir] = unknownVar
				}
			}
		case "init":
			for _, a := range inv.Argv[sub+1:] {
				if strings.HasPrefix(a, "-backend-config") || strings.HasPrefix(a, "-reconfigure") || strings.HasPrefix(a, "-migrate-state") || strings.HasPrefix(a, "--backend-config") {
					if changed == "" {
						changed = strings.Join(inv.Argv, " ")
					}
				}
			}
		case "apply", "destroy", "run-all", "run", "apply-all", "destroy-all", "stack":
			if ws, ok := workspace[dir]; ok {
				if _, set := inv.Env["TF_WORKSPACE"]; !set {
					env := make(map[string]string, len(inv.Env)+1)
					for k, v := range inv.Env {
						env[k] = v
					}
					if ws == unknownVar {
						ws = "$TF_WORKSPACE"
						if inv.Hidden == "" {
							inv.Hidden = "the workspace selected before it on the line is not known until it runs"
						}
					}
					env["TF_WORKSPACE"] = ws
					inv.Env = env
				}
			}
			if changed != "" && inv.Hidden == "" {
				inv.Hidden = "`" + changed + "` runs before it on the line and may change what it applies; run that first, then this on its own"
			}
		}
	}
}

// harmlessBefore reports whether inv, run before a terraform apply on the
// same line, leaves what it applies alone: it writes no file the guard
// can see and is one of the read-only commands.
func harmlessBefore(inv *Invocation, prog string) bool {
	if inv.writes {
		return false
	}
	switch prog {
	case "echo", "printf", "true", "false", "pwd", "ls", "cat", "test", "[", "[[", "grep", "rg", "head", "tail", "wc", "which", "type", "env", "date", "sleep", "whoami", "id", "uname", "jq", "yq", "find", "tree", "stat", "du", "df", "git", "aws", "gcloud", "az", "kubectl", "sort", "uniq", "cut", "tr", "less", "more", "read", "set", "source", ".", "export", "command":
		if prog == "git" && len(inv.Argv) > 1 {
			switch inv.Argv[1] {
			case "status", "log", "diff", "show", "branch", "rev-parse", "remote", "fetch", "config", "describe", "ls-files", "blame":
				return true
			}
			return false
		}
		if prog == "source" || prog == "." {
			return false
		}
		if prog == "find" {
			for _, a := range inv.Argv {
				if a == "-delete" || strings.HasPrefix(a, "-exec") || strings.HasPrefix(a, "-ok") {
					return false
				}
			}
		}
		return true
	}
	return false
}

type analyzer struct {
	tree    string
	out     []Invocation
	printer *syntax.Printer
	err     error
}

// scope is what a shell carries from one command to the next: its
// directory and the variables the line set.
type scope struct {
	dir        string
	dirUnknown bool
	// vars are variables assigned on the line; a value of unknownVar
	// means assigned to something not known.
	vars map[string]string
	// exported are the names exported on the line (export X=y), which
	// later commands see in their environment.
	exported map[string]bool
	// dirs is pushd's stack.
	dirs []string
}

const unknownVar = "\x00unknown"

func (s *scope) clone() *scope {
	c := *s
	c.vars = maps.Clone(s.vars)
	c.exported = maps.Clone(s.exported)
	c.dirs = append([]string(nil), s.dirs...)
	return &c
}

func (s *scope) set(name, value string, known bool) {
	if s.vars == nil {
		s.vars = map[string]string{}
	}
	if !known {
		value = unknownVar
	}
	s.vars[name] = value
}

// script parses src and analyzes it in sc. via names how it was reached.
func (a *analyzer) script(src string, sc *scope, via string, depth int) error {
	if depth > maxDepth {
		return ErrTooComplex
	}
	f, err := parse(src, via)
	if err != nil {
		return err
	}
	a.stmts(f.Stmts, sc, via, depth)
	return a.err
}

func parse(src, via string) (*syntax.File, error) {
	lang := syntax.LangBash
	if strings.HasPrefix(via, "zsh") {
		lang = syntax.LangZsh
	}
	f, err := syntax.NewParser(syntax.Variant(lang)).Parse(strings.NewReader(src), "")
	if err == nil {
		return f, nil
	}
	// An agent's shell may be zsh (macOS) or bash: accept a line either
	// one reads, and refuse one neither does.
	other := syntax.LangZsh
	if lang == syntax.LangZsh {
		other = syntax.LangBash
	}
	if f, err2 := syntax.NewParser(syntax.Variant(other)).Parse(strings.NewReader(src), ""); err2 == nil {
		return f, nil
	}
	return nil, fmt.Errorf("parse command: %w", err)
}

func (a *analyzer) stmts(ss []*syntax.Stmt, sc *scope, via string, depth int) {
	for _, s := range ss {
		a.stmt(s, sc, via, depth, nil)
	}
}

// pipeIn is what the previous command of a pipeline writes, when the
// line shows it.
type pipeIn struct {
	text  string
	known bool
}

func (a *analyzer) stmt(s *syntax.Stmt, sc *scope, via string, depth int, in *pipeIn) {
	if s == nil || a.err != nil {
		return
	}
	if len(a.out) > maxInvocations {
		a.err = ErrTooComplex
		return
	}
	var stdin *pipeIn = in
	writes := false
	for _, r := range s.Redirs {
		if r.Word != nil {
			a.wordSubst(r.Word, sc, via, depth)
		}
		switch r.Op {
		case syntax.RdrOut, syntax.AppOut, syntax.RdrAll, syntax.AppAll, syntax.ClbOut, syntax.RdrInOut:
			if r.Word != nil {
				if t, _ := a.word(r.Word, sc, via, depth, true); !strings.HasPrefix(t, "/dev/") && !isFD(t) {
					writes = true
				}
			}
		case syntax.Hdoc, syntax.DashHdoc:
			if r.Hdoc != nil {
				t, k := a.hdoc(r.Hdoc, sc, via, depth)
				stdin = &pipeIn{text: t, known: k}
			}
		case syntax.WordHdoc:
			t, k := a.word(r.Word, sc, via, depth, true)
			stdin = &pipeIn{text: t + "\n", known: k}
		case syntax.RdrIn:
			stdin = &pipeIn{known: false}
		}
	}
	if s.Background {
		// A background command does not change the shell's directory
		// for the commands after it, but runs all the same.
		sc = sc.clone()
	}
	before := len(a.out)
	a.command(s.Cmd, sc, via, depth, stdin)
	if writes {
		for i := before; i < len(a.out); i++ {
			a.out[i].writes = true
		}
	}
}

func isFD(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return s == "-"
		}
	}
	return s != ""
}

func (a *analyzer) command(c syntax.Command, sc *scope, via string, depth int, in *pipeIn) {
	switch c := c.(type) {
	case nil:
	case *syntax.CallExpr:
		a.call(c, sc, via, depth, in)
	case *syntax.BinaryCmd:
		switch c.Op {
		case syntax.Pipe, syntax.PipeAll:
			// Each side of a pipe runs in a subshell of its own.
			before := len(a.out)
			a.stmt(c.X, sc.clone(), via, depth, in)
			next := &pipeIn{}
			if len(a.out) == before+1 {
				next.text, next.known = pipedText(a.out[before])
			}
			a.stmt(c.Y, sc.clone(), via, depth, next)
		default: // && || : the right side runs in the shell the left one left
			a.stmt(c.X, sc, via, depth, in)
			a.stmt(c.Y, sc, via, depth, nil)
		}
	case *syntax.Subshell:
		a.stmts(c.Stmts, sc.clone(), via, depth)
	case *syntax.Block:
		a.stmts(c.Stmts, sc, via, depth)
	case *syntax.IfClause:
		for ; c != nil; c = c.Else {
			a.stmts(c.Cond, sc, via, depth)
			a.stmts(c.Then, sc, via, depth)
		}
	case *syntax.WhileClause:
		a.stmts(c.Cond, sc, via, depth)
		a.stmts(c.Do, sc, via, depth)
	case *syntax.ForClause:
		switch l := c.Loop.(type) {
		case *syntax.WordIter:
			for _, w := range l.Items {
				a.wordSubst(w, sc, via, depth)
			}
			if l.Name != nil {
				sc.set(l.Name.Value, "", false)
			}
		case *syntax.CStyleLoop:
			a.arithm(l.Init, sc, via, depth)
			a.arithm(l.Cond, sc, via, depth)
			a.arithm(l.Post, sc, via, depth)
		}
		a.stmts(c.Do, sc, via, depth)
	case *syntax.CaseClause:
		a.wordSubst(c.Word, sc, via, depth)
		for _, it := range c.Items {
			for _, p := range it.Patterns {
				a.wordSubst(p, sc, via, depth)
			}
			a.stmts(it.Stmts, sc, via, depth)
		}
	case *syntax.FuncDecl:
		// A function runs when called, perhaps later on the line: judge
		// its body where it is declared, as if it ran.
		a.stmt(c.Body, sc.clone(), via, depth, nil)
	case *syntax.TimeClause:
		a.stmt(c.Stmt, sc, via, depth, in)
	case *syntax.CoprocClause:
		a.stmt(c.Stmt, sc.clone(), via, depth, nil)
	case *syntax.DeclClause:
		a.decl(c, sc, via, depth)
	case *syntax.LetClause:
		for _, e := range c.Exprs {
			a.arithm(e, sc, via, depth)
		}
	case *syntax.ArithmCmd:
		a.arithm(c.X, sc, via, depth)
	case *syntax.TestClause:
		a.test(c.X, sc, via, depth)
	case *syntax.TestDecl:
		a.stmt(c.Body, sc.clone(), via, depth, nil)
	default:
		a.err = fmt.Errorf("parse command: unsupported shell construct %T", c)
	}
}

// pipedText is what inv writes to a pipe when the line shows it: echo's
// and printf's arguments, cat's here-document.
func pipedText(inv Invocation) (string, bool) {
	if len(inv.Argv) == 0 || inv.Hidden != "" {
		return "", false
	}
	switch filepath.Base(inv.Argv[0]) {
	case "echo", "printf":
		args := inv.Argv[1:]
		for len(args) > 0 && strings.HasPrefix(args[0], "-") && inv.Argv[0] == "echo" {
			args = args[1:]
		}
		return strings.Join(args, " ") + "\n", len(inv.Unknown) == 0
	case "cat":
		if len(inv.Argv) == 1 {
			return inv.Stdin, inv.Stdin != ""
		}
	}
	return "", false
}

func (a *analyzer) decl(c *syntax.DeclClause, sc *scope, via string, depth int) {
	export := c.Variant != nil && c.Variant.Value == "export"
	for _, as := range c.Args {
		if as.Naked {
			if as.Name != nil && export {
				if sc.exported == nil {
					sc.exported = map[string]bool{}
				}
				sc.exported[as.Name.Value] = true
			} else if as.Value != nil {
				// declare -x: a flag, not a name
				v, _ := a.word(as.Value, sc, via, depth, false)
				if strings.Contains(v, "x") && strings.HasPrefix(v, "-") {
					export = true
				}
			}
			continue
		}
		a.assign(as, sc, via, depth)
		if export && as.Name != nil {
			if sc.exported == nil {
				sc.exported = map[string]bool{}
			}
			sc.exported[as.Name.Value] = true
		}
	}
}

func (a *analyzer) assign(as *syntax.Assign, sc *scope, via string, depth int) (name, value string, known bool) {
	if as.Name == nil {
		return "", "", false
	}
	known = as.Index == nil && as.Array == nil && !as.Append
	if as.Array != nil {
		for _, e := range as.Array.Elems {
			if e.Value != nil {
				a.wordSubst(e.Value, sc, via, depth)
			}
		}
	}
	if as.Value != nil {
		v, k := a.word(as.Value, sc, via, depth, true)
		value, known = v, known && k
	}
	a.arithm(as.Index, sc, via, depth)
	sc.set(as.Name.Value, value, known)
	return as.Name.Value, value, known
}

// call turns one simple command into invocations.
func (a *analyzer) call(c *syntax.CallExpr, sc *scope, via string, depth int, in *pipeIn) {
	if len(c.Args) == 0 {
		for _, as := range c.Assigns {
			a.assign(as, sc, via, depth)
		}
		return
	}
	inv := Invocation{Dir: sc.dir, DirUnknown: sc.dirUnknown, Tree: a.tree, Via: via}
	for name := range sc.exported {
		if v, ok := sc.vars[name]; ok {
			inv.setEnv(name, v, v != unknownVar)
		}
	}
	// Prefix assignments hold for this command only.
	local := sc
	if len(c.Assigns) > 0 {
		local = sc.clone()
	}
	for _, as := range c.Assigns {
		name, v, k := a.assign(as, local, via, depth)
		if name != "" {
			inv.setEnv(name, v, k)
		}
	}
	for _, w := range c.Args {
		s, k := a.word(w, sc, via, depth, false)
		if !k {
			inv.Unknown = append(inv.Unknown, len(inv.Argv))
		}
		inv.Argv = append(inv.Argv, s)
	}
	if in != nil {
		inv.Stdin = in.text
		if !in.known {
			inv.Stdin = ""
		}
	}
	a.invoke(inv, sc, depth)
}

func (inv *Invocation) setEnv(name, value string, known bool) {
	if inv.Env == nil {
		inv.Env = map[string]string{}
	}
	if !known {
		value = "$" + name
		if inv.Hidden == "" {
			inv.Hidden = "$" + name + " is set at run time"
		}
	}
	inv.Env[name] = value
}

// emit records inv as a command that runs.
func (a *analyzer) emit(inv Invocation) {
	a.out = append(a.out, inv)
}

// abs resolves dir against base.
func absDir(base, dir string) string {
	if filepath.IsAbs(dir) {
		return filepath.Clean(dir)
	}
	return filepath.Join(base, dir)
}

func (a *analyzer) arithm(e syntax.ArithmExpr, sc *scope, via string, depth int) {
	if e == nil {
		return
	}
	syntax.Walk(e, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.CmdSubst:
			a.stmts(n.Stmts, sc.clone(), via, depth+1)
			return false
		case *syntax.ProcSubst:
			a.stmts(n.Stmts, sc.clone(), via, depth+1)
			return false
		}
		return true
	})
}

func (a *analyzer) test(e syntax.TestExpr, sc *scope, via string, depth int) {
	if e == nil {
		return
	}
	syntax.Walk(e, func(n syntax.Node) bool {
		if w, ok := n.(*syntax.Word); ok {
			a.wordSubst(w, sc, via, depth)
			return false
		}
		return true
	})
}
