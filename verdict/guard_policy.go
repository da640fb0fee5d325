package verdict

import (
	"fmt"
	"strings"
)

// GuardPolicy is the `guard:` section: how `rehearse hook` and `rehearse
// guard` decide commands that have no plan to judge (terraform state rm,
// kubectl delete, rm -rf, DROP TABLE…). The built-in rules live in the
// guard package (guard.BuiltinRules); this section adds to them and trims
// them.
type GuardPolicy struct {
	// Rules are checked before the built-in rules, first match wins, so a
	// rule here can add a command or decide a built-in one differently.
	Rules []GuardRule `yaml:"rules" json:"rules"`
	// Ignore drops built-in rules, named by their match.
	Ignore []string `yaml:"ignore" json:"ignore"`
	// ProtectedContext is the decision for a matched command that names a
	// protected environment (kubectl --context prod-eu delete pvc data):
	// deny (the default) or ask.
	ProtectedContext string `yaml:"protected_context" json:"protected_context"`
	// WrapperWords are the words that make a wrapper the guard cannot
	// look into (make deploy, npm run db:drop, ./scripts/teardown.sh,
	// just release) ask: a target or script named with one of them as a
	// token. "*" makes every wrapper ask.
	WrapperWords []string `yaml:"wrapper_words" json:"wrapper_words"`
}

// GuardRule decides the commands its match names.
type GuardRule struct {
	// Match is the command as words: the program first, then words that
	// must appear among its arguments in this order (flags may stand
	// anywhere). "a|b" is either word, "*" in a word any run of
	// characters, and a flag matches its long form or, for one letter, a
	// group of short flags (-r matches -rf). Example: "kubectl delete
	// ns|namespace", "aws s3 rm --recursive".
	Match string `yaml:"match" json:"match"`
	// Decision is allow, ask or deny.
	Decision string `yaml:"decision" json:"decision"`
	// Reason is shown to the agent; a default is made from the match.
	Reason string `yaml:"reason,omitempty" json:"reason,omitempty"`
}

func (g *GuardPolicy) validate() error {
	switch g.ProtectedContext {
	case "", "deny", "ask":
	default:
		return fmt.Errorf("guard.protected_context: %q is neither deny nor ask", g.ProtectedContext)
	}
	for i, r := range g.Rules {
		if len(strings.Fields(r.Match)) == 0 {
			return fmt.Errorf("guard.rules[%d]: match is empty", i)
		}
		switch r.Decision {
		case "allow", "ask", "deny":
		default:
			return fmt.Errorf("guard.rules[%d]: decision %q is not allow, ask or deny", i, r.Decision)
		}
	}
	return nil
}

// GuardWeakenings lists what p's guard section protects less than base's: a rule that
// decides weaker than the base's rule for the same match or than ask, an
// ignored built-in rule, protected_context lowered, a wrapper word
// removed. A repository's policy comes with the change — an agent can
// write it — so each is a weakening.
func GuardWeakenings(basePolicy, p Policy) []string {
	base, g := basePolicy.Guard, p.Guard
	var out []string
	rank := func(d string) int {
		switch d {
		case "deny":
			return 2
		case "ask":
			return 1
		}
		return 0
	}
	for i, r := range g.Rules {
		floor := 1 // a new rule may add protection, not allow what a built-in rule asks
		for _, b := range base.Rules {
			if normMatch(b.Match) == normMatch(r.Match) {
				floor = rank(b.Decision)
				break
			}
		}
		if rank(r.Decision) < floor {
			out = append(out, fmt.Sprintf("guard.rules[%d]: %q decided %s", i, r.Match, r.Decision))
		}
	}
	for _, m := range g.Ignore {
		found := false
		for _, b := range base.Ignore {
			found = found || normMatch(b) == normMatch(m)
		}
		if !found {
			out = append(out, fmt.Sprintf("guard.ignore: %q added", m))
		}
	}
	if base.ProtectedContext != "ask" && g.ProtectedContext == "ask" {
		out = append(out, "guard.protected_context: deny → ask")
	}
	for _, w := range base.WrapperWords {
		found := false
		for _, v := range g.WrapperWords {
			found = found || strings.EqualFold(v, w) || v == "*"
		}
		if !found {
			out = append(out, fmt.Sprintf("guard.wrapper_words: %q removed", w))
		}
	}
	return out
}

func normMatch(m string) string { return strings.Join(strings.Fields(m), " ") }
