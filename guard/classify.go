package guard

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/rehearse-dev/rehearse/verdict"
)

// Classify decides one invocation without running anything.
//
// For terraform, tofu and terragrunt apply and destroy it returns the
// call to plan: the caller plans and judges it, and the command's
// decision is Strongest(d, the judged plan's). d is then Allow, or Ask
// when the line hides part of the command (an argument, the directory or
// the workspace is not known before it runs), so the plan may not be what
// runs.
//
// Every other invocation gets plan == nil and the decision of the first
// rule that holds, in this order: the policy's guard.rules; the built-in
// checks (terraform subcommands, rm -r, find -delete, SQL through psql,
// mysql, sqlite3…); the built-in rules (BuiltinRules) less guard.ignore;
// wrappers the guard cannot see into (make deploy, ./teardown.sh), which
// ask; a program not known before the line runs, which asks. Anything
// else is allowed. A rule that would hold only if a word not known until
// run time were the one it names asks, never denies. A matched command
// that names a protected environment (an argument, a flag's value, the
// line's environment, the directory cd went to) gets
// guard.protected_context: deny by default.
//
// inv is a pointer because invocations are passed around in slices; it is
// not modified. p may be nil: the built-in policy.
func Classify(inv *Invocation, p *verdict.Policy) (d Decision, plan *TerraformCall) {
	if inv == nil || len(inv.Argv) == 0 {
		return Decision{Permission: Allow}, nil
	}
	if p == nil {
		p = defaultPolicy()
	}
	if !inv.WordKnown(0) {
		return Decision{Permission: Ask, Reason: fmt.Sprintf("rehearse guard: the program %s runs is not known until the line runs (%s); a human must confirm it.", quote(inv.Argv[0]), "expanded at run time")}, nil
	}
	prog := progName(inv.Argv[0])
	for i := range p.Guard.Rules {
		r := compile(p.Guard.Rules[i])
		if m := r.match(inv, prog); m != noMatch {
			return ruleDecision(inv, p, r.src, m), nil
		}
	}
	if Plain(inv) {
		return Decision{Permission: Allow}, nil
	}
	switch {
	case isTerraformTool(prog):
		return classifyTerraform(inv, p, prog)
	case prog == "rm":
		if d, ok := classifyRm(inv, p); ok {
			return d, nil
		}
	case prog == "find":
		if d, ok := classifyFind(inv, p); ok {
			return d, nil
		}
	}
	if d, ok := classifySQL(inv, p, prog); ok {
		return d, nil
	}
	if d, ok := builtinDecision(inv, p, prog); ok {
		return d, nil
	}
	if d, ok := classifyWrapper(inv, p, prog); ok {
		return d, nil
	}
	if inv.Hidden != "" && (shellName(prog) != "" || prog == "eval" || prog == "sh") {
		return Decision{Permission: Ask, Reason: "rehearse guard: " + quote(strings.Join(inv.Argv, " ")) + ": " + inv.Hidden + "; a human must confirm it."}, nil
	}
	return Decision{Permission: Allow}, nil
}

// Plain reports whether Classify allows inv under every policy that has
// no guard.rules: its program is known, and no built-in check, rule or
// wrapper concerns it (ls, git status, go test). Nothing else in a policy
// (protected names, wrapper words, ignored rules) can change the answer
// for it, so a line of plain commands needs a policy only when a policy
// file may add rules: the hook answers `ls` without reading one when
// there is none.
func Plain(inv *Invocation) bool {
	if inv == nil || len(inv.Argv) == 0 {
		return true
	}
	if !inv.WordKnown(0) {
		return false
	}
	prog := progName(inv.Argv[0])
	if isTerraformTool(prog) || prog == "rm" || prog == "find" {
		return false
	}
	if _, sql := sqlFlags[prog]; sql || len(builtinFor(prog)) > 0 {
		return false
	}
	if _, wrapper := wrapperNames(inv, prog); wrapper {
		return false
	}
	return inv.Hidden == "" || shellName(prog) == "" && prog != "eval"
}

// ClassifyWith is Classify under a repository policy p read over the
// trusted base: the stronger of the two decisions, so a repository's
// rehearse.yaml (which comes with the change: an agent can write it) may
// add rules and protection but never lets through what the base would
// stop. base nil is Classify under p alone. The call to plan is p's.
func ClassifyWith(inv *Invocation, p, base *verdict.Policy) (Decision, *TerraformCall) {
	d, tc := Classify(inv, p)
	if base == nil || base == p {
		return d, tc
	}
	bd, btc := Classify(inv, base)
	if tc == nil {
		tc = btc
	}
	return Strongest(d, bd), tc
}

func builtinDecision(inv *Invocation, p *verdict.Policy, prog string) (Decision, bool) {
	return builtinDecisionFor(inv, p, prog, "")
}

// builtinDecisionFor is builtinDecision for the rules whose first word
// after the program is sub, when sub is not "" (a terraform subcommand:
// `xargs terraform destroy` is no state rm, whatever xargs adds).
func builtinDecisionFor(inv *Invocation, p *verdict.Policy, prog, sub string) (Decision, bool) {
	rules := builtinFor(prog)
	for i := range rules {
		r := &rules[i]
		if ignored(p, r.src.Match) || sub != "" && (len(r.pos) == 0 || !hasString(r.pos[0], sub)) {
			continue
		}
		if m := r.matchAt(inv, prog, sub != ""); m != noMatch {
			return ruleDecision(inv, p, r.src, m), true
		}
	}
	return Decision{}, false
}

func ignored(p *verdict.Policy, match string) bool {
	if len(p.Guard.Ignore) == 0 {
		return false
	}
	m := strings.Join(strings.Fields(match), " ")
	for _, ig := range p.Guard.Ignore {
		if strings.Join(strings.Fields(ig), " ") == m {
			return true
		}
	}
	return false
}

// ruleDecision is a matched rule's decision for inv: a deny or ask rule
// naming a protected environment gets guard.protected_context.
func ruleDecision(inv *Invocation, p *verdict.Policy, r verdict.GuardRule, m match) Decision {
	cmd := quote(strings.Join(inv.Argv, " "))
	what := r.Reason
	if what == "" {
		what = "matches guard rule " + quote(r.Match)
	}
	perm := Permission(r.Decision)
	if perm == Allow {
		return Decision{Permission: Allow}
	}
	if m == maybe {
		return Decision{Permission: Ask, Reason: fmt.Sprintf("rehearse guard: %s may be a command that %s: %s, so the guard cannot tell. A human must confirm it.", cmd, what, unknownWhat(inv))}
	}
	if env, from := protectedContext(inv, p, -1); env != "" {
		perm = protectedPermission(p)
		return Decision{Permission: perm, Reason: fmt.Sprintf("rehearse guard: %s %s, in protected environment %q (from %s). %s", cmd, what, env, quote(from), protectedAdvice(perm))}
	}
	if perm == Deny {
		return Decision{Permission: Deny, Reason: fmt.Sprintf("rehearse guard: %s %s; the policy denies it (guard.rules). A human must run it themselves.", cmd, what)}
	}
	if inv.Hidden != "" {
		what += " (" + inv.Hidden + ")"
	}
	return Decision{Permission: Ask, Reason: fmt.Sprintf("rehearse guard: %s %s. A human must confirm it.", cmd, what)}
}

func protectedPermission(p *verdict.Policy) Permission {
	if p.Guard.ProtectedContext == "ask" {
		return Ask
	}
	return Deny
}

func protectedAdvice(perm Permission) string {
	if perm == Deny {
		return "Denied: do not retry it or work around it; a human must run it themselves, or approve the change with rehearse first."
	}
	return "A human must confirm it."
}

func unknownWhat(inv *Invocation) string {
	if inv.Hidden != "" {
		return inv.Hidden
	}
	for _, u := range inv.Unknown {
		return inv.Argv[u] + " is not known until the line runs"
	}
	return "part of it is not known until the line runs"
}

// protectedContext returns the protected environment the invocation
// names, and the word that names it: any argument but skip (the SQL a
// client runs, say), a flag's value, a value of its environment, or a
// directory cd went to below the working tree.
func protectedContext(inv *Invocation, p *verdict.Policy, skip int) (env, from string) {
	for i, a := range inv.Argv[1:] {
		if i+1 == skip || !inv.WordKnown(i+1) {
			continue
		}
		if p.Protected(a) {
			return protectedName(p, a), a
		}
	}
	for k, v := range inv.Env {
		if p.Protected(v) {
			return protectedName(p, v), k + "=" + v
		}
	}
	if rel, err := filepath.Rel(inv.Tree, inv.Dir); err == nil && rel != "." && !strings.HasPrefix(rel, "..") && p.Protected(rel) {
		return protectedName(p, rel), "cd " + rel
	}
	return "", ""
}

// protectedName returns which protected name value holds (Protected says
// whether, not which).
func protectedName(p *verdict.Policy, value string) string {
	for _, e := range p.Environments.Protected {
		q := *p
		q.Environments.Protected = []string{e}
		if q.Protected(value) {
			return strings.ToLower(e)
		}
	}
	return value
}

var (
	defaultOnce sync.Once
	defaultPol  verdict.Policy
)

func defaultPolicy() *verdict.Policy {
	defaultOnce.Do(func() { defaultPol = verdict.DefaultPolicy() })
	return &defaultPol
}

// quote shows a command in a reason, shortened past what a person reads.
func quote(s string) string {
	const max = 200
	if len(s) > max {
		s = s[:max] + "…"
	}
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}

// terraform subcommands that change neither infrastructure nor state.
var tfReadOnly = map[string]bool{
	"plan": true, "show": true, "validate": true, "fmt": true, "init": true, "output": true,
	"version": true, "providers": true, "graph": true, "get": true, "console": true,
	"login": true, "logout": true, "metadata": true, "modules": true, "help": true,
	"untaint": true, "render-json": true, "hclfmt": true, "hcl": true, "info": true,
	"find": true, "list": true, "dag": true, "catalog": true, "scaffold": true,
	"output-module-groups": true, "graph-dependencies": true, "validate-inputs": true,
	"terragrunt-info": true, "aws-provider-patch": false,
}

// terraform subcommands whose second word decides.
var tfReadOnlySub = map[string]map[string]bool{
	"state":     {"list": true, "show": true, "pull": true},
	"workspace": {"list": true, "show": true, "select": true, "new": true},
	"providers": {"lock": true, "mirror": true, "schema": true},
}

func classifyTerraform(inv *Invocation, p *verdict.Policy, prog string) (Decision, *TerraformCall) {
	sub, chdir, chdirKnown := tfSubcommand(inv)
	if sub >= len(inv.Argv) {
		return Decision{Permission: Allow}, nil // -version, -help, or nothing
	}
	cmd := quote(strings.Join(inv.Argv, " "))
	if !inv.WordKnown(sub) {
		return Decision{Permission: Ask, Reason: fmt.Sprintf("rehearse guard: %s: the subcommand %s is not known until the line runs, so the guard cannot plan it. A human must confirm it.", cmd, inv.Argv[sub])}, nil
	}
	name := inv.Argv[sub]
	if d, ok := builtinDecisionFor(inv, p, prog, name); ok {
		return d, nil
	}
	runAll := false
	if prog == "terragrunt" || prog == "terragrunt.exe" {
		switch name {
		case "run-all", "run", "stack":
			// terragrunt run-all apply, run --all apply, run -- apply,
			// stack run apply: the terraform subcommand follows.
			j := sub + 1
			for j < len(inv.Argv) && (strings.HasPrefix(inv.Argv[j], "-") || inv.Argv[j] == "run") {
				if inv.Argv[j] == "--all" || inv.Argv[j] == "-a" {
					runAll = true
				}
				j++
			}
			runAll = runAll || name == "run-all" || name == "stack"
			if j >= len(inv.Argv) {
				return Decision{Permission: Allow}, nil
			}
			if !inv.WordKnown(j) {
				return Decision{Permission: Ask, Reason: fmt.Sprintf("rehearse guard: %s: the command terragrunt runs is not known until the line runs. A human must confirm it.", cmd)}, nil
			}
			sub, name = j, inv.Argv[j]
			// A terraform rule (state rm…) on what run-all runs.
			rest := inv.rest(sub, "terragrunt "+inv.Argv[sub-1])
			rest.Argv = append([]string{"terragrunt"}, rest.Argv...)
			for k := range rest.Unknown {
				rest.Unknown[k]++
			}
			if d, ok := builtinDecisionFor(&rest, p, "terragrunt", name); ok {
				return d, nil
			}
		case "apply-all", "destroy-all":
			runAll, name = true, strings.TrimSuffix(name, "-all")
		}
	}
	switch name {
	case "apply", "destroy":
		tc := readTerraformCall(inv, sub, runAll, chdir, chdirKnown)
		tc.Subcommand = name
		tc.Destroy = tc.Destroy || name == "destroy"
		if tc.Unknown != "" {
			return Decision{Permission: Ask, Reason: fmt.Sprintf("rehearse guard: %s: %s, so the plan the guard judges may not be what runs. A human must confirm it.", cmd, tc.Unknown)}, tc
		}
		return Decision{Permission: Allow}, tc
	}
	if tfReadOnly[name] {
		return Decision{Permission: Allow}, nil
	}
	if subs, ok := tfReadOnlySub[name]; ok {
		j := sub + 1
		for j < len(inv.Argv) && strings.HasPrefix(inv.Argv[j], "-") {
			j++
		}
		if j >= len(inv.Argv) || subs[inv.Argv[j]] && inv.WordKnown(j) {
			return Decision{Permission: Allow}, nil
		}
	}
	return Decision{Permission: Ask, Reason: fmt.Sprintf("rehearse guard: %s: the guard does not know what %s %s changes, so it cannot plan it. A human must confirm it.", cmd, prog, name)}, nil
}
