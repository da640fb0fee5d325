package guard

import (
	"os"
	"path/filepath"
	"strings"
)

// invoke records inv after looking through the builtins that change the
// shell (cd, pushd, unset) and the wrappers that run another command:
// that command is the invocation, reached Via the wrapper.
func (a *analyzer) invoke(inv Invocation, sc *scope, depth int) {
	for range maxDepth {
		if len(inv.Argv) == 0 {
			return
		}
		if !inv.WordKnown(0) {
			a.emit(inv)
			return
		}
		name := inv.Argv[0]
		switch name {
		case "cd", "pushd":
			a.cd(inv, sc, name == "pushd")
			return
		case "popd":
			if n := len(sc.dirs); n > 0 {
				sc.dir, sc.dirs = sc.dirs[n-1], sc.dirs[:n-1]
			} else {
				sc.dirUnknown = true
			}
			return
		case "unset":
			for _, v := range inv.Argv[1:] {
				delete(sc.vars, v)
			}
			return
		case "export", "readonly", "declare", "typeset", "local":
			// Reached only through a wrapper or with quoted names; the
			// parser turns plain ones into assignments.
			a.emit(inv)
			return
		case "eval":
			a.inner(inv, 1, strings.Join(inv.Argv[1:], " "), sc, "eval", depth)
			return
		case "watch":
			rest := skipFlags(inv, 1, "n", "d", "g", "x", "c", "p", "t", "e", "b")
			if rest < len(inv.Argv) {
				a.inner(inv, rest, strings.Join(inv.Argv[rest:], " "), sc, "watch", depth)
				return
			}
		case "su":
			if i := flagValue(inv, "-c", "--command"); i > 0 {
				a.inner(inv, i, inv.Argv[i], sc, "su -c", depth)
				return
			}
		}
		if shell := shellName(name); shell != "" {
			if i := shellScript(inv); i > 0 {
				a.inner(inv, i, inv.Argv[i], sc, shell+" -c", depth)
				return
			}
			a.emit(inv)
			return
		}
		next, ok := unwrap(&inv)
		if !ok {
			if filepath.Base(name) == "find" {
				a.findExec(inv, sc, depth)
			}
			a.emit(inv)
			return
		}
		inv = next
	}
	inv.Hidden = "wrapped past what the guard follows"
	a.emit(inv)
}

// inner analyzes the script in Argv[i] of inv, a shell or eval.
func (a *analyzer) inner(inv Invocation, i int, src string, sc *scope, via string, depth int) {
	for _, u := range inv.Unknown {
		if u >= i {
			// The script itself is not known: the wrapper is the command.
			inv.Hidden = "the script " + via + " runs is not known until it runs"
			a.emit(inv)
			return
		}
	}
	if inv.Via != "" {
		via = inv.Via + " → " + via
	}
	inner := sc.clone()
	if len(inv.Env) > 0 {
		if inner.exported == nil {
			inner.exported = map[string]bool{}
		}
		for k, v := range inv.Env {
			inner.set(k, v, v != "$"+k)
			inner.exported[k] = true
		}
	}
	inner.dir, inner.dirUnknown = inv.Dir, inv.DirUnknown
	if err := a.script(src, inner, via, depth+1); err != nil && a.err == nil {
		a.err = err
	}
	if via == "eval" {
		// eval runs in the current shell: its cd holds after it.
		sc.dir, sc.dirUnknown = inner.dir, inner.dirUnknown
	}
}

func (a *analyzer) cd(inv Invocation, sc *scope, push bool) {
	i := 1
	for i < len(inv.Argv) && strings.HasPrefix(inv.Argv[i], "-") && inv.Argv[i] != "-" {
		if inv.Argv[i] == "--" {
			i++
			break
		}
		i++
	}
	if push {
		sc.dirs = append(sc.dirs, sc.dir)
	}
	if i >= len(inv.Argv) {
		if home := os.Getenv("HOME"); filepath.IsAbs(home) {
			sc.dir = filepath.Clean(home)
		} else {
			sc.dirUnknown = true
		}
		return
	}
	d := inv.Argv[i]
	switch {
	case !inv.WordKnown(i) || d == "-" || strings.HasPrefix(d, "~") && !strings.HasPrefix(d, "~/") && d != "~":
		sc.dirUnknown = true
	case d == "~" || strings.HasPrefix(d, "~/"):
		home := os.Getenv("HOME")
		if !filepath.IsAbs(home) {
			sc.dirUnknown = true
			return
		}
		sc.dir = filepath.Join(home, strings.TrimPrefix(d, "~"))
	default:
		// cd into a relative directory from an unknown one stays unknown.
		sc.dir = absDir(sc.dir, d)
		if filepath.IsAbs(d) {
			sc.dirUnknown = false
		}
	}
}

// shellName returns the shell a program is, "" when it is not one.
func shellName(prog string) string {
	switch b := filepath.Base(prog); b {
	case "bash", "sh", "zsh", "dash", "ksh", "mksh", "ash", "busybox":
		return b
	}
	return ""
}

// shellScript returns the index of the script a shell runs with -c, 0
// when it runs none.
func shellScript(inv Invocation) int {
	args := inv.Argv
	start := 1
	if filepath.Base(args[0]) == "busybox" {
		if len(args) < 2 || shellName(args[1]) == "" {
			return 0
		}
		start = 2
	}
	c := false
	for i := start; i < len(args); i++ {
		s := args[i]
		switch {
		case s == "--" || s == "-":
			if c && i+1 < len(args) {
				return i + 1
			}
			return 0
		case s == "-o" || s == "+o" || s == "-O" || s == "+O" || s == "--rcfile" || s == "--init-file":
			i++
		case strings.HasPrefix(s, "--"):
		case strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+"):
			if strings.ContainsRune(s[1:], 'c') {
				c = true
			}
		default:
			if c {
				return i
			}
			return 0
		}
	}
	return 0
}

// skipFlags returns the index of the first argument from i on that is not
// a flag, skipping the values of the named short flags.
func skipFlags(inv Invocation, i int, withValue ...string) int {
	for i < len(inv.Argv) {
		s := inv.Argv[i]
		if s == "--" {
			return i + 1
		}
		if !strings.HasPrefix(s, "-") || s == "-" {
			return i
		}
		i++
		if strings.HasPrefix(s, "--") {
			if !strings.Contains(s, "=") && hasString(withValue, s[2:]) {
				i++
			}
			continue
		}
		// -n 5, -n5: the value is joined or next.
		if len(s) == 2 && hasString(withValue, s[1:]) {
			i++
		}
	}
	return i
}

// flagValue returns the index of the value of one of the flags, 0 when
// none is given.
func flagValue(inv Invocation, flags ...string) int {
	for i := 1; i+1 < len(inv.Argv); i++ {
		if hasString(flags, inv.Argv[i]) {
			return i + 1
		}
	}
	return 0
}

func hasString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// rest returns inv running Argv[i:], reached via the wrapper.
func (inv Invocation) rest(i int, via string) Invocation {
	out := inv
	out.Argv = inv.Argv[i:]
	out.Unknown = nil
	for _, u := range inv.Unknown {
		if u >= i {
			out.Unknown = append(out.Unknown, u-i)
		}
	}
	if out.Via != "" {
		out.Via += " → " + via
	} else {
		out.Via = via
	}
	return out
}

// unwrap returns the command a wrapper runs, and false when inv is no
// wrapper (or runs nothing: sudo -l, command -v).
func unwrap(inv *Invocation) (Invocation, bool) {
	args := inv.Argv
	switch name := filepath.Base(args[0]); name {
	case "env":
		i := 1
		for i < len(args) {
			s := args[i]
			switch {
			case s == "--":
				i++
			case s == "-u" || s == "--unset" || s == "-P":
				i += 2
				continue
			case s == "-C" || s == "--chdir":
				if i+1 < len(args) {
					inv.chdir(args[i+1], inv.WordKnown(i+1))
				}
				i += 2
				continue
			case strings.HasPrefix(s, "--chdir="):
				inv.chdir(strings.TrimPrefix(s, "--chdir="), inv.WordKnown(i))
				i++
				continue
			case s == "-S" || s == "--split-string" || strings.HasPrefix(s, "--split-string="):
				// env -S 'terraform destroy' splits its argument as a
				// shell would: treat it as a script.
				if v, ok := strings.CutPrefix(s, "--split-string="); ok {
					return inv.script(v, "env -S", inv.WordKnown(i)), true
				}
				if i+1 < len(args) {
					return inv.script(strings.Join(args[i+1:], " "), "env -S", inv.WordKnown(i+1)), true
				}
				return Invocation{}, false
			case strings.HasPrefix(s, "-"):
				i++
				continue
			case strings.Contains(s, "=") && !strings.HasPrefix(s, "="):
				k, v, _ := strings.Cut(s, "=")
				inv.setEnv(k, v, inv.WordKnown(i))
				i++
				continue
			}
			break
		}
		if i >= len(args) {
			return Invocation{}, false
		}
		return inv.rest(i, "env"), true
	case "sudo", "doas":
		i := 1
		for i < len(args) {
			s := args[i]
			if s == "--" {
				i++
				break
			}
			if !strings.HasPrefix(s, "-") {
				if k, v, ok := strings.Cut(s, "="); ok && k != "" {
					inv.setEnv(k, v, inv.WordKnown(i))
					i++
					continue
				}
				break
			}
			switch s {
			case "-l", "--list", "-v", "--validate", "-K", "--remove-timestamp", "-V", "--version", "--help", "-e", "--edit":
				return Invocation{}, false // lists, validates or edits: runs no command
			case "-u", "-g", "-C", "-h", "-p", "-r", "-t", "-T", "-U", "--user", "--group", "--close-from", "--host", "--prompt", "--role", "--type", "--command-timeout", "--other-user":
				i++
			case "-D", "--chdir":
				if i+1 < len(args) {
					inv.chdir(args[i+1], inv.WordKnown(i+1))
				}
				i++
			case "-s", "--shell", "-i", "--login":
				// sudo -s CMD runs CMD through the shell.
				if i+1 < len(args) {
					return inv.script(strings.Join(args[i+1:], " "), name+" "+s, !hasUnknownFrom(*inv, i+1)), true
				}
				return Invocation{}, false
			}
			i++
		}
		if i >= len(args) {
			return Invocation{}, false
		}
		return inv.rest(i, name), true
	case "nohup", "exec", "builtin", "chronic", "caffeinate", "unbuffer", "setsid", "nocache", "catchsegv", "time", "strace", "ltrace":
		i := 1
		switch name {
		case "exec":
			i = skipFlags(*inv, 1, "a")
		case "time":
			i = skipFlags(*inv, 1, "o", "f", "output", "format")
		case "strace", "ltrace":
			i = skipFlags(*inv, 1, "o", "e", "p", "s", "u", "E", "a", "b", "I", "P", "S", "X")
		case "setsid", "caffeinate":
			i = skipFlags(*inv, 1, "w")
		}
		if i >= len(args) {
			return Invocation{}, false
		}
		return inv.rest(i, name), true
	case "command":
		i := 1
		for i < len(args) && strings.HasPrefix(args[i], "-") {
			if strings.ContainsAny(args[i], "vV") {
				return Invocation{}, false // command -v: a lookup, runs nothing
			}
			i++
		}
		if i >= len(args) {
			return Invocation{}, false
		}
		return inv.rest(i, name), true
	case "nice", "ionice", "chrt", "taskset", "stdbuf", "flock", "timeout", "gtimeout", "cpulimit", "firejail", "unshare", "numactl", "systemd-run", "runuser", "chroot":
		i := skipFlags(*inv, 1, "n", "c", "p", "s", "k", "i", "o", "e", "u", "g", "w", "E", "x", "l",
			"signal", "kill-after", "adjustment", "class", "classdata", "pid", "setenv", "unit", "property", "uid", "gid", "user", "group")
		switch name {
		case "timeout", "gtimeout", "flock", "chrt", "taskset", "chroot":
			i++ // the duration, lock file, priority, mask or root
		case "runuser":
			// runuser -u USER -- CMD is handled by skipFlags; runuser
			// USER -c CMD runs a script.
			if j := flagValue(*inv, "-c", "--command"); j > 0 {
				return inv.script(args[j], "runuser -c", inv.WordKnown(j)), true
			}
		}
		if name == "chroot" {
			inv.Dir, inv.DirUnknown = "/", true
		}
		if i >= len(args) {
			return Invocation{}, false
		}
		return inv.rest(i, name), true
	case "xargs":
		i, replace := 1, false
		for i < len(args) {
			s := args[i]
			if s == "--" {
				i++
				break
			}
			if !strings.HasPrefix(s, "-") || s == "-" {
				break
			}
			switch {
			case s == "-I" || s == "-i" || strings.HasPrefix(s, "-I") || strings.HasPrefix(s, "-i") || strings.HasPrefix(s, "--replace"):
				replace = true
				if s == "-I" {
					i++
				}
			case s == "-n" || s == "-L" || s == "-P" || s == "-s" || s == "-d" || s == "-E" || s == "-a" || s == "-e":
				i++
			}
			i++
		}
		out := Invocation{Argv: []string{"echo"}}
		if i < len(args) {
			out = inv.rest(i, "xargs")
		} else {
			out = inv.rest(len(args), "xargs")
			out.Argv = []string{"echo"}
		}
		if replace {
			for j, s := range out.Argv {
				if strings.Contains(s, "{}") && j > 0 {
					out.Unknown = append(out.Unknown, j)
				}
			}
			if out.Hidden == "" {
				out.Hidden = "xargs fills in arguments from its input"
			}
		} else if out.Hidden == "" {
			out.Hidden = "xargs adds arguments from its input"
		}
		out.Stdin = ""
		return out, true
	case "npx", "bunx", "pnpx":
		i := skipFlags(*inv, 1, "p", "package", "c", "call")
		if i >= len(args) {
			return Invocation{}, false
		}
		return inv.rest(i, name), true
	case "pnpm", "yarn", "bun":
		if len(args) > 2 && (args[1] == "dlx" || args[1] == "exec" || name == "bun" && args[1] == "x") {
			return inv.rest(2, name+" "+args[1]), true
		}
	case "npm":
		if len(args) > 2 && (args[1] == "exec" || args[1] == "x") {
			i := skipFlags(*inv, 2, "p", "package", "c", "call")
			if i < len(args) {
				return inv.rest(i, "npm exec"), true
			}
		}
	case "uv", "poetry", "pipenv", "pdm", "hatch", "rye", "mise", "rtx", "asdf", "devbox", "nix-shell", "direnv", "bundle", "dotenv", "dotenvx", "op", "doppler", "infisical", "aws-vault", "granted", "assume", "chamber", "sops", "with-contenv", "nix", "tfenv", "tofuenv":
		if i := runIndex(*inv, name); i > 0 && i < len(args) {
			out := inv.rest(i, name)
			switch name {
			case "aws-vault", "granted", "assume", "op", "doppler", "infisical", "chamber", "sops", "dotenv", "dotenvx", "direnv", "with-contenv":
				// The command runs with credentials or variables the line
				// does not show; a profile named there is kept in view.
				what := strings.Join(args[:i], " ")
				out.Injected = "`" + strings.TrimSuffix(what, " --") + "` sets credentials or variables the line does not show"
				if name == "aws-vault" && len(args) > 2 && inv.WordKnown(2) {
					out.setEnv("AWS_PROFILE", args[2], true)
				}
			}
			return out, true
		}
	}
	return Invocation{}, false
}

// runIndex returns where the command starts for tools that run one:
// `uv run CMD`, `aws-vault exec PROFILE -- CMD`, `direnv exec DIR CMD`,
// `doppler run -- CMD`; 0 when inv runs none.
func runIndex(inv Invocation, name string) int {
	args := inv.Argv
	if i := argIndex(args, "--"); i > 0 {
		sub := ""
		if len(args) > 1 {
			sub = args[1]
		}
		switch sub {
		case "run", "exec", "x", "shell", "develop":
			return i + 1
		}
		if name == "dotenv" || name == "sops" || name == "with-contenv" {
			return i + 1
		}
	}
	if len(args) < 3 {
		return 0
	}
	switch {
	case name == "direnv" && args[1] == "exec":
		return 3
	case name == "aws-vault" && args[1] == "exec":
		return skipFlags(inv, 3, "d", "duration", "region", "mfa-token", "t")
	case name == "mise" && (args[1] == "exec" || args[1] == "x"):
		return 0 // mise exec needs --
	case name == "bundle" && args[1] == "exec", name == "asdf" && args[1] == "exec", name == "devbox" && args[1] == "run":
		return 2
	case args[1] == "run":
		return skipFlags(inv, 2, "p", "project", "with", "python", "env", "e", "config", "c", "directory", "package")
	}
	return 0
}

func argIndex(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func hasUnknownFrom(inv Invocation, i int) bool {
	for _, u := range inv.Unknown {
		if u >= i {
			return true
		}
	}
	return false
}

// script returns an invocation standing for a wrapper that runs src
// through a shell: the wrapper itself, with the script for Analyze to
// follow (see analyzer.invoke).
func (inv *Invocation) script(src, via string, known bool) Invocation {
	out := inv.rest(len(inv.Argv), via)
	out.Argv = []string{"sh", "-c", src}
	if !known {
		out.Unknown = []int{2}
	}
	return out
}

// chdir moves inv's directory, as env -C and sudo -D do.
func (inv *Invocation) chdir(dir string, known bool) {
	if !known {
		inv.DirUnknown = true
		return
	}
	inv.Dir = absDir(inv.Dir, dir)
}

// findExec records the commands find runs with -exec, -execdir, -ok and
// -okdir: each is an invocation of its own whose {} is not known.
func (a *analyzer) findExec(inv Invocation, sc *scope, depth int) {
	for i := 1; i < len(inv.Argv); i++ {
		switch inv.Argv[i] {
		case "-exec", "-execdir", "-ok", "-okdir":
		default:
			continue
		}
		end := i + 1
		for end < len(inv.Argv) && inv.Argv[end] != ";" && inv.Argv[end] != "+" {
			end++
		}
		if end == i+1 {
			continue
		}
		sub := inv.rest(i+1, "find "+inv.Argv[i])
		sub.Argv = inv.Argv[i+1 : end]
		sub.Unknown = nil
		for j, s := range sub.Argv {
			if !inv.WordKnown(i+1+j) || strings.Contains(s, "{}") {
				sub.Unknown = append(sub.Unknown, j)
			}
		}
		sub.Hidden = "find fills in {} with the files it finds"
		if inv.Argv[i] == "-execdir" || inv.Argv[i] == "-okdir" {
			sub.DirUnknown = true
		}
		a.invoke(sub, sc.clone(), depth+1)
		i = end
	}
}
