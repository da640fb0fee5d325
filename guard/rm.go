package guard

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/rehearse-dev/rehearse/verdict"
)

// classifyRm decides rm -r (with or without -f): a target strictly inside
// the working tree is allowed; a target outside it, or one not known
// before the line runs, asks; /, ~, top-level directories, the tree
// itself and its ancestors are denied. rm without -r is allowed.
func classifyRm(inv *Invocation, p *verdict.Policy) (Decision, bool) {
	recursive, targets := rmArgs(inv)
	if !recursive {
		return Decision{}, false
	}
	cmd := quote(strings.Join(inv.Argv, " "))
	var ask Decision
	for _, i := range targets {
		where, perm := rmTarget(inv, i)
		switch perm {
		case Deny:
			return Decision{Permission: Deny, Reason: fmt.Sprintf("rehearse guard: %s deletes %s. Denied: do not retry it or work around it; a human must run it themselves.", cmd, where)}, true
		case Ask:
			if ask.Permission == "" {
				ask = Decision{Permission: Ask, Reason: fmt.Sprintf("rehearse guard: %s deletes %s. A human must confirm it.", cmd, where)}
			}
		}
	}
	if ask.Permission != "" {
		if env, from := protectedContext(inv, p, -1); env != "" {
			perm := protectedPermission(p)
			return Decision{Permission: perm, Reason: fmt.Sprintf("rehearse guard: %s deletes files outside the working tree, in protected environment %q (from %s). %s", cmd, env, quote(from), protectedAdvice(perm))}, true
		}
		return ask, true
	}
	if inv.Hidden != "" {
		return Decision{Permission: Ask, Reason: fmt.Sprintf("rehearse guard: %s deletes what is not known until it runs (%s). A human must confirm it.", cmd, inv.Hidden)}, true
	}
	return Decision{Permission: Allow}, true
}

// rmArgs reads rm's flags: whether it is recursive, and the indices of
// its targets.
func rmArgs(inv *Invocation) (recursive bool, targets []int) {
	opts := true
	for i := 1; i < len(inv.Argv); i++ {
		a := inv.Argv[i]
		switch {
		case opts && a == "--":
			opts = false
		case opts && strings.HasPrefix(a, "--") && inv.WordKnown(i):
			if a == "--recursive" || a == "--dir" && false {
				recursive = true
			}
		case opts && len(a) > 1 && a[0] == '-' && inv.WordKnown(i):
			if strings.ContainsAny(a[1:], "rR") {
				recursive = true
			}
		default:
			if !inv.WordKnown(i) && strings.HasPrefix(a, "-") {
				recursive = true // may be -rf
			}
			targets = append(targets, i)
		}
	}
	return recursive, targets
}

// rmTarget says where Argv[i] is and how rm -r of it is decided.
func rmTarget(inv *Invocation, i int) (string, Permission) {
	a := inv.Argv[i]
	if a == "~" || a == "~/" || strings.HasPrefix(a, "~") && !strings.Contains(a, "/") {
		return "a home directory", Deny
	}
	if strings.HasPrefix(a, "~/") {
		rest := strings.Trim(filepath.Clean(strings.TrimPrefix(a, "~/")), "/")
		if rest == "." || rest == "" || rest == "*" || rest == ".." {
			return "the home directory", Deny
		}
		return quote(a) + ", outside the working tree", Ask
	}
	known := inv.WordKnown(i)
	path := a
	if !known {
		// A glob expands below its literal directory; $X or $(…) can be
		// anything.
		if strings.ContainsAny(a, "$`") {
			return quote(a) + ", which is not known until the line runs", Ask
		}
		dir, _ := filepath.Split(a[:strings.IndexAny(a+"*", "*?[{")])
		if dir == "" {
			dir = "."
		}
		path = dir
	}
	if !filepath.IsAbs(path) && (inv.DirUnknown || inv.Dir == "") {
		return quote(a) + ", in a directory not known until the line runs", Ask
	}
	abs := absDir(inv.Dir, path)
	if abs == "/" {
		return "the root of the file system", Deny
	}
	tree := filepath.Clean(inv.Tree)
	if inv.Tree == "" || tree == "/" {
		return quote(a) + ", outside any working tree", Ask
	}
	switch {
	case abs == tree && !known:
		// rm -rf *.o at the top of the tree is ordinary; rm -rf * or .*
		// empties the tree (and .* can reach .. in some shells).
		base := a[len(a)-len(filepath.Base(a)):]
		if strings.Trim(base, "*?.") == "" {
			return "everything in the working tree " + tree, Ask
		}
		return "", Allow
	case abs == tree:
		return "the working tree " + tree + " itself, with its uncommitted work", Deny
	case within(abs, tree):
		return quote(a) + ", which holds the working tree " + tree, Deny
	case !within(tree, abs):
		if depth(abs) <= 1 {
			return quote(abs) + ", a top-level directory", Deny
		}
		return quote(abs) + ", outside the working tree " + tree, Ask
	}
	return "", Allow
}

// within reports whether path is dir or below it.
func within(dir, path string) bool {
	if dir == path {
		return true
	}
	return strings.HasPrefix(path, strings.TrimSuffix(dir, "/")+"/")
}

func depth(path string) int {
	return strings.Count(strings.Trim(path, "/"), "/") + 1
}

// classifyFind decides find … -delete like rm -r of find's start points,
// except that the working tree itself is fine (find filters what it
// deletes).
func classifyFind(inv *Invocation, p *verdict.Policy) (Decision, bool) {
	del := false
	var starts []int
	expr := false
	for i := 1; i < len(inv.Argv); i++ {
		a := inv.Argv[i]
		if a == "-delete" {
			del = true
		}
		if !expr && (strings.HasPrefix(a, "-") && a != "-" || a == "(" || a == "!") {
			if a != "-H" && a != "-L" && a != "-P" {
				expr = true
			}
			continue
		}
		if !expr {
			starts = append(starts, i)
		}
	}
	if !del {
		return Decision{}, false
	}
	cmd := quote(strings.Join(inv.Argv, " "))
	if len(starts) == 0 {
		starts = nil
		if inv.Dir == inv.Tree || within(inv.Tree, inv.Dir) && !inv.DirUnknown {
			return Decision{Permission: Allow}, true
		}
	}
	for _, i := range starts {
		where, perm := rmTarget(inv, i)
		if perm == Allow {
			continue
		}
		if abs := absDir(inv.Dir, inv.Argv[i]); inv.WordKnown(i) && !inv.DirUnknown && abs == filepath.Clean(inv.Tree) {
			continue
		}
		return Decision{Permission: Ask, Reason: fmt.Sprintf("rehearse guard: %s deletes files in %s. A human must confirm it.", cmd, where)}, true
	}
	_ = p
	return Decision{Permission: Allow}, true
}
