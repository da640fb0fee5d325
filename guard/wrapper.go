package guard

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/rehearse-dev/rehearse/verdict"
)

// defaultWrapperWords are used when a policy has no guard.wrapper_words
// at all (a Policy built in code); the built-in policy file lists the
// same words.
var defaultWrapperWords = []string{"deploy", "apply", "destroy", "release", "provision", "teardown", "nuke", "infra", "terraform", "tf", "tofu", "terragrunt", "pulumi", "cdk", "migrate", "migration", "rollout", "drop", "delete", "prune", "purge", "wipe", "down"}

// wrapperNames returns the names a wrapper runs (targets, a script, a
// package script) and whether prog is a wrapper at all.
func wrapperNames(inv *Invocation, prog string) ([]string, bool) {
	args := inv.Argv[1:]
	positional := func(from []string, valued ...string) []string {
		var out []string
		for i := 0; i < len(from); i++ {
			a := from[i]
			if strings.HasPrefix(a, "-") {
				if len(a) == 2 && hasString(valued, a[1:]) || strings.HasPrefix(a, "--") && !strings.Contains(a, "=") && hasString(valued, a[2:]) {
					i++
				}
				continue
			}
			out = append(out, a)
		}
		return out
	}
	switch prog {
	case "make", "gmake", "bmake":
		var out []string
		for _, t := range positional(args, "C", "f", "I", "o", "W", "j", "l", "directory", "file", "makefile", "include-dir") {
			if !strings.Contains(t, "=") {
				out = append(out, t)
			}
		}
		return out, true
	case "just", "task", "mage", "rake", "invoke", "inv", "gulp", "grunt", "earthly", "cake", "doit", "nox", "tox":
		return positional(args, "f", "d", "t", "justfile", "working-directory", "taskfile", "dir", "set", "e"), true
	case "npm", "pnpm", "yarn", "bun":
		pos := positional(args, "w", "workspace", "prefix", "C", "dir", "filter", "F")
		if len(pos) == 0 {
			return nil, false
		}
		switch pos[0] {
		case "run", "run-script", "rum", "urn":
			return pos[1:], true
		case "start", "stop", "restart", "test", "t", "tst":
			return pos, true
		case "install", "i", "add", "remove", "rm", "uninstall", "un", "ci", "update", "up", "upgrade", "link", "ln", "outdated", "ls", "list", "why", "info", "view", "audit", "init", "create", "publish", "pack", "version", "login", "logout", "config", "cache", "exec", "dlx", "x", "help", "install-test", "it", "dedupe", "prune", "fund", "explain", "search", "set":
			return nil, false
		}
		if prog != "npm" {
			return pos, true // yarn deploy, pnpm db:drop: a package script
		}
		return nil, false
	case "source", ".":
		return positional(args), true
	}
	if shellName(prog) != "" || prog == "python" || prog == "python3" || prog == "node" || prog == "ruby" || prog == "perl" || prog == "deno" || prog == "php" || prog == "pwsh" || prog == "powershell" {
		pos := positional(args, "c", "m", "e", "o", "O", "W", "X", "r")
		return pos, len(pos) > 0
	}
	if prog == "go" && len(args) > 1 && args[0] == "run" {
		return positional(args[1:], "C", "o", "tags", "ldflags", "gcflags", "mod", "p"), true
	}
	// A script or program of the repository's own: ./deploy.sh,
	// scripts/teardown, bin/apply.
	if a0 := inv.Argv[0]; strings.Contains(a0, "/") && !strings.HasPrefix(a0, "/usr/") && !strings.HasPrefix(a0, "/bin/") && !strings.HasPrefix(a0, "/sbin/") && !strings.HasPrefix(a0, "/opt/homebrew/") ||
		strings.HasSuffix(prog, ".sh") || strings.HasSuffix(prog, ".bash") || strings.HasSuffix(prog, ".ps1") {
		return append([]string{inv.Argv[0]}, positional(args)...), true
	}
	return nil, false
}

// classifyWrapper asks for a wrapper whose target, script or arguments
// name a deployment word or a protected environment: the guard does not
// read what a Makefile or script runs, and says so.
func classifyWrapper(inv *Invocation, p *verdict.Policy, prog string) (Decision, bool) {
	names, ok := wrapperNames(inv, prog)
	if !ok {
		return Decision{}, false
	}
	words := p.Guard.WrapperWords
	if words == nil {
		words = defaultWrapperWords
	}
	cmd := quote(strings.Join(inv.Argv, " "))
	if hasString(words, "*") {
		first := ""
		if len(names) > 0 {
			first = names[0]
		}
		return Decision{Permission: Ask, Reason: fmt.Sprintf("rehearse guard: %s runs %s, which rehearse did not read (guard.wrapper_words: \"*\" asks for every wrapper). A human must confirm it.", cmd, unread(prog, first))}, true
	}
	for _, n := range names {
		hit := ""
		if p.Protected(n) {
			hit = fmt.Sprintf("protected environment %q", protectedName(p, n))
		} else if w := wordToken(n, words); w != "" {
			hit = fmt.Sprintf("%q", w)
		}
		if hit != "" {
			return Decision{Permission: Ask, Reason: fmt.Sprintf("rehearse guard: %s runs %s, which rehearse did not read (it names %s): the commands in it may apply or destroy infrastructure. A human must confirm it, or run the terraform, kubectl… commands it holds directly so the guard can judge them.", cmd, unread(prog, n), hit)}, true
		}
	}
	return Decision{}, false
}

// unread names what a wrapper runs that the guard did not read: name is
// the target, script or package script the line gives, "" for none.
func unread(prog, name string) string {
	switch prog {
	case "make", "gmake", "bmake":
		if name == "" {
			return "the Makefile's default target"
		}
		return "the Makefile's target " + quote(name)
	case "npm", "pnpm", "yarn", "bun":
		return "package.json's script " + quote(name)
	case "go":
		return "the program " + quote(name)
	case "just", "task", "mage", "rake", "invoke", "inv", "gulp", "grunt", "earthly", "cake", "doit", "nox", "tox":
		if name == "" {
			return prog + "'s default target"
		}
		return prog + "'s target " + quote(name)
	}
	if name == "" {
		return "a script"
	}
	return "the script " + quote(name)
}

// wordToken returns the first of words that is a token of s (split at
// every non-letter-or-digit and at a lower-to-upper case change), "" when
// none is.
func wordToken(s string, words []string) string {
	start := -1
	var prev rune
	check := func(tok string) string {
		for _, w := range words {
			if strings.EqualFold(tok, w) {
				return w
			}
		}
		return ""
	}
	for i, c := range s {
		word := unicode.IsLetter(c) || unicode.IsDigit(c)
		if start >= 0 && (!word || unicode.IsLower(prev) && unicode.IsUpper(c)) {
			if w := check(s[start:i]); w != "" {
				return w
			}
			start = -1
		}
		if word && start < 0 {
			start = i
		}
		prev = c
	}
	if start >= 0 {
		return check(s[start:])
	}
	return ""
}
