package verdict

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/rehearse-dev/rehearse/change"
)

// Environment name matching. In the default "token" mode a value names an
// environment when the environment's name appears among the value's
// tokens: prod-eu-west-1, PROD_EU, euProd and prd01 are prod, prd, but
// producer, nonprod and reproduce are not. A name preceded by a negating
// token (non-prod, pre-prod, pre_production) does not count: those are the
// environments before or beside production. The "exact" mode compares the
// whole value, in any case.
const (
	MatchToken = "token"
	MatchExact = "exact"
)

// negators are the tokens that, just before an environment name, say the
// value is something other than that environment.
var negators = []string{"non", "pre", "not"}

// tokens splits s into the words it is made of: at every character that is
// neither a letter nor a digit (- _ . / : space, quotes, brackets…),
// between letters and digits, and where a lower-case letter is followed by
// an upper-case one (euProd → eu, Prod).
func tokens(s string) []string {
	var out []string
	start := -1
	var prev rune
	for i, c := range s {
		word := unicode.IsLetter(c) || unicode.IsDigit(c)
		if start >= 0 && (!word ||
			unicode.IsDigit(c) != unicode.IsDigit(prev) ||
			unicode.IsLower(prev) && unicode.IsUpper(c)) {
			out = append(out, s[start:i])
			start = -1
		}
		if word && start < 0 {
			start = i
		}
		prev = c
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// matchName reports whether value names the environment name under mode.
func matchName(mode, value, name string) bool {
	if value == "" || name == "" {
		return false
	}
	if mode == MatchExact {
		return strings.EqualFold(value, name)
	}
	return containsTokens(tokens(value), tokens(name))
}

// containsTokens reports whether want appears as a run in toks, in any
// case, not just after a negating token.
func containsTokens(toks, want []string) bool {
	if len(want) == 0 {
		return false
	}
	for i := 0; i+len(want) <= len(toks); i++ {
		ok := true
		for j := range want {
			if !strings.EqualFold(toks[i+j], want[j]) {
				ok = false
				break
			}
		}
		if ok && !(i > 0 && isNegator(toks[i-1])) {
			return true
		}
	}
	return false
}

func isNegator(tok string) bool {
	for _, n := range negators {
		if strings.EqualFold(tok, n) {
			return true
		}
	}
	return false
}

// protectedName returns the protected environment value names, if any.
func (p *Policy) protectedName(value string) (string, bool) {
	return p.protectedNameIn(nil, value, p.valueTokens(value))
}

// nameTokens are the tokens of the names values are matched against,
// made once for a placer rather than again for every value: protected[i]
// is tokens(Environments.Protected[i]), known[i] tokens(wellKnownEnvs[i]).
// A nil *nameTokens has them made as they are needed.
type nameTokens struct {
	protected, known [][]string
}

func (p *Policy) nameTokens() *nameTokens {
	nt := &nameTokens{}
	for _, e := range p.Environments.Protected {
		nt.protected = append(nt.protected, tokens(e))
	}
	for _, e := range wellKnownEnvs {
		nt.known = append(nt.known, tokens(e))
	}
	return nt
}

// protectedNameIn is protectedName with the value's tokens made (vt) and
// the names' in nt.
func (p *Policy) protectedNameIn(nt *nameTokens, value string, vt []string) (string, bool) {
	for i, e := range p.Environments.Protected {
		var toks []string
		if nt != nil {
			toks = nt.protected[i]
		}
		if p.nameIs(vt, value, e, toks) {
			return strings.ToLower(e), true
		}
	}
	return "", false
}

// valueTokens tokenizes a value once for all the names it is matched
// against (nil with exact matching, which does not need them).
func (p *Policy) valueTokens(value string) []string {
	if p.Environments.Match == MatchExact || value == "" {
		return nil
	}
	return tokens(value)
}

// nameIs is matchName with the value's tokens already made, and the
// name's (nameToks) when not nil.
func (p *Policy) nameIs(valueToks []string, value, name string, nameToks []string) bool {
	if value == "" || name == "" {
		return false
	}
	if p.Environments.Match == MatchExact {
		return strings.EqualFold(value, name)
	}
	if nameToks == nil {
		nameToks = tokens(name)
	}
	return containsTokens(valueToks, nameToks)
}

// guessName returns the environment a module name or instance key names:
// a protected one first, then a well-known unprotected one (staging,
// dev…), so a staging module is reported as staging. Module names are
// split into tokens in both modes ("exact" splits on - and _ only, as
// names are written); an instance key is a value like a tag's.
func (p *Policy) guessName(s string, isKey bool) (env string, protected bool) {
	return p.guessNameIn(nil, s, isKey)
}

// guessNameIn is guessName with the names' tokens in nt.
func (p *Policy) guessNameIn(nt *nameTokens, s string, isKey bool) (env string, protected bool) {
	mode := p.Environments.Match
	value := s
	if mode == MatchExact && !isKey {
		for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '-' }) {
			if env, protected = p.guessNameIn(nt, part, true); env != "" {
				return env, protected
			}
		}
		return "", false
	}
	// One tokenization of the value for both kinds of name.
	vt := p.valueTokens(value)
	if env, ok := p.protectedNameIn(nt, value, vt); ok {
		return env, true
	}
	for i, e := range wellKnownEnvs {
		var toks []string
		if nt != nil {
			toks = nt.known[i]
		}
		if p.nameIs(vt, value, e, toks) {
			return e, false
		}
	}
	return "", false
}

// addressPart is one module call or the resource in an address, with its
// instance key.
type addressPart struct {
	module bool
	name   string
	key    string // unquoted string key; "" for none or a number
}

// addressParts splits module.a["x"].module.b.aws_db.main["k"] into its
// module calls and resource (or data source, or action) name, each with its
// string instance key.
func addressParts(addr string) []addressPart {
	return appendAddressParts(nil, addr, 0)
}

// appendAddressParts appends the parts of addr from byte offset start, which
// is 0 or just after a dot between segments (see change.NextSegment), as
// addressParts makes them from the segments there on. It reads the
// segments in place, without the slice change.SplitAddress makes, so a
// caller with a buffer on its stack allocates nothing.
func appendAddressParts(out []addressPart, addr string, start int) []addressPart {
	for pos := start; pos <= len(addr); {
		seg, next := change.NextSegment(addr, pos)
		more := next <= len(addr) // another segment follows
		if seg == "module" && more {
			name, after := change.NextSegment(addr, next)
			n, key := splitKey(name)
			out = append(out, addressPart{module: true, name: n, key: key})
			pos = after
			continue
		}
		if seg == "data" || seg == "action" {
			pos = next
			continue
		}
		// type, then name[key]
		if more {
			name, _ := change.NextSegment(addr, next)
			n, key := splitKey(name)
			out = append(out, addressPart{name: n, key: key})
		}
		break
	}
	return out
}

func splitKey(seg string) (name, key string) {
	i := strings.IndexByte(seg, '[')
	if i < 0 {
		return seg, ""
	}
	name, raw := seg[:i], strings.TrimSuffix(seg[i+1:], "]")
	if s, err := strconv.Unquote(raw); err == nil {
		return name, s
	}
	return name, ""
}
