package approval

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/ssh"
)

// AllowedSigner is one line of an allowed_signers file (man ssh-keygen,
// ALLOWED SIGNERS): who may sign with which key, where and when.
type AllowedSigner struct {
	// Principals is the pattern-list of identities the key may sign as,
	// e.g. "alice@example.com,*@ops.example.com".
	Principals string
	// Namespaces, when HasNamespaces, is the pattern-list of namespaces the
	// key may sign in.
	Namespaces    string
	HasNamespaces bool
	// ValidAfter and ValidBefore bound when the key may be used; zero
	// means no bound.
	ValidAfter, ValidBefore time.Time
	// CertAuthority marks a key that signs certificates rather than
	// approvals.
	CertAuthority bool
	Key           ssh.PublicKey
	// Line is the line number in the file, for messages.
	Line int
}

// AllowedSigners is a parsed allowed_signers file.
type AllowedSigners struct {
	File    string
	Signers []AllowedSigner
}

// LoadAllowedSigners reads and parses an allowed_signers file.
func LoadAllowedSigners(file string) (*AllowedSigners, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("allowed signers: %w", err)
	}
	return ParseAllowedSigners(file, b)
}

// ParseAllowedSigners parses an allowed_signers file named name, strictly:
// ssh-keygen skips a line it cannot read when looking for another
// principal, but a list of who may approve production changes that does
// not say what its author meant is an error, naming the file and line.
// Empty lines and lines starting with # are comments.
func ParseAllowedSigners(name string, b []byte) (*AllowedSigners, error) {
	as := &AllowedSigners{File: name}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSuffix(line, "\r")
		s, err := parseSignerLine(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, i+1, err)
		}
		if s != nil {
			s.Line = i + 1
			as.Signers = append(as.Signers, *s)
		}
	}
	return as, nil
}

// parseSignerLine parses one line; a comment or blank line is nil, nil.
func parseSignerLine(line string) (*AllowedSigner, error) {
	rest := strings.TrimLeft(line, " \t")
	if rest == "" || rest[0] == '#' {
		return nil, nil
	}
	for _, r := range rest {
		if r != '\t' && unicode.IsControl(r) {
			return nil, errors.New("control character in line")
		}
	}
	var s AllowedSigner
	// Principals, quoted or not.
	if rest[0] == '"' {
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return nil, errors.New("principals: missing closing quote")
		}
		s.Principals, rest = rest[1:1+end], rest[2+end:]
		if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
			return nil, errors.New("principals: text right after the closing quote")
		}
	} else {
		end := strings.IndexAny(rest, " \t")
		if end < 0 {
			return nil, errors.New("no key after the principals")
		}
		s.Principals, rest = rest[:end], rest[end:]
	}
	if err := checkPatternList(s.Principals); err != nil {
		return nil, fmt.Errorf("principals %q: %w", s.Principals, err)
	}
	rest = strings.TrimLeft(rest, " \t")
	word, after := nextWord(rest)
	if word == "" {
		return nil, errors.New("no key after the principals")
	}
	// Options, when the word is not a key type and a key type follows it;
	// otherwise the word is where the key type belongs.
	if next, _ := nextWord(strings.TrimLeft(after, " \t")); !keyTypes[word] && keyTypes[next] {
		if err := s.parseOptions(word); err != nil {
			return nil, err
		}
		rest = strings.TrimLeft(after, " \t")
	} else if !keyTypes[word] && strings.ContainsAny(word, "=,\"") {
		if err := s.parseOptions(word); err != nil {
			return nil, err
		}
		return nil, errors.New("no key after the options")
	}
	key, err := parseKey(rest)
	if err != nil {
		return nil, err
	}
	s.Key = key
	return &s, nil
}

// keyTypes are the key types an allowed_signers line may list: plain
// keys, not certificates.
var keyTypes = map[string]bool{
	ssh.KeyAlgoRSA: true, ssh.KeyAlgoDSA: true, ssh.KeyAlgoED25519: true,
	ssh.KeyAlgoECDSA256: true, ssh.KeyAlgoECDSA384: true, ssh.KeyAlgoECDSA521: true,
	ssh.KeyAlgoSKED25519: true, ssh.KeyAlgoSKECDSA256: true,
}

// nextWord splits off the text up to the first space or tab outside
// double quotes (where \" is a quote, not the end).
func nextWord(s string) (word, rest string) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if quoted {
				i++
			}
		case '"':
			quoted = !quoted
		case ' ', '\t':
			if !quoted {
				return s[:i], s[i:]
			}
		}
	}
	return s, ""
}

func parseKey(s string) (ssh.PublicKey, error) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return nil, errors.New("no key: want a key type and the base64 key")
	}
	if !keyTypes[f[0]] {
		if strings.Contains(f[0], "-cert-") {
			return nil, fmt.Errorf("key type %q is a certificate: list the certificate authority's key with cert-authority", f[0])
		}
		return nil, fmt.Errorf("unknown key type %q", f[0])
	}
	blob, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	key, err := ssh.ParsePublicKey(blob)
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	if key.Type() != f[0] {
		return nil, fmt.Errorf("key: the line says %s but the key is %s", f[0], key.Type())
	}
	return key, nil
}

// parseOptions reads comma-separated options as ssh-keygen does: names in
// any case, values in double quotes.
func (s *AllowedSigner) parseOptions(opts string) error {
	for _, opt := range splitOptions(opts) {
		name, val, hasVal := strings.Cut(opt, "=")
		name = strings.ToLower(name)
		seen := func(done bool) error {
			if done {
				return fmt.Errorf("option %s given twice", name)
			}
			return nil
		}
		if name == "cert-authority" {
			if hasVal {
				return errors.New("option cert-authority takes no value")
			}
			if err := seen(s.CertAuthority); err != nil {
				return err
			}
			s.CertAuthority = true
			continue
		}
		if !hasVal {
			return fmt.Errorf("unknown option %q", opt)
		}
		v, err := dequote(val)
		if err != nil {
			return fmt.Errorf("option %s: %w", name, err)
		}
		switch name {
		case "namespaces":
			if err := seen(s.HasNamespaces); err != nil {
				return err
			}
			if err := checkPatternList(v); err != nil {
				return fmt.Errorf("option namespaces %q: %w", v, err)
			}
			s.Namespaces, s.HasNamespaces = v, true
		case "valid-after", "valid-before":
			t, err := parseSignerTime(v)
			if err != nil {
				return fmt.Errorf("option %s: %w", name, err)
			}
			dst := &s.ValidAfter
			if name == "valid-before" {
				dst = &s.ValidBefore
			}
			if err := seen(!dst.IsZero()); err != nil {
				return err
			}
			*dst = t
		default:
			return fmt.Errorf("unknown option %q", name)
		}
	}
	return nil
}

// splitOptions splits at commas outside double quotes.
func splitOptions(s string) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if quoted {
				i++
			}
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// dequote takes the value out of its double quotes. ssh-keygen allows \"
// inside; no namespace, time or pattern needs it, so it is refused here
// rather than guessed at.
func dequote(v string) (string, error) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", fmt.Errorf("value %s must be in double quotes", v)
	}
	v = v[1 : len(v)-1]
	if strings.ContainsAny(v, `"\`) {
		return "", fmt.Errorf("value %q: quotes and backslashes are not supported inside", v)
	}
	return v, nil
}

// parseSignerTime reads YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]: UTC with Z,
// else the local time zone, as ssh-keygen reads them.
func parseSignerTime(v string) (time.Time, error) {
	loc := time.Local
	digits := v
	if d, ok := strings.CutSuffix(v, "Z"); ok {
		loc, digits = time.UTC, d
	}
	var layout string
	switch len(digits) {
	case 8:
		layout = "20060102"
	case 12:
		layout = "200601021504"
	case 14:
		layout = "20060102150405"
	default:
		return time.Time{}, fmt.Errorf("%q is not YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]", v)
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return time.Time{}, fmt.Errorf("%q is not YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]", v)
		}
	}
	t, err := time.ParseInLocation(layout, digits, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: %w", v, err)
	}
	return t, nil
}

// checkPatternList refuses a pattern-list with an empty pattern: "a,,b"
// or a lone "!" is more likely a typo than a wish.
func checkPatternList(list string) error {
	if list == "" {
		return errors.New("empty")
	}
	for _, p := range strings.Split(list, ",") {
		if strings.TrimPrefix(p, "!") == "" {
			return errors.New("empty pattern")
		}
		if strings.ContainsAny(p, " \t\"") {
			return fmt.Errorf("pattern %q has a space or a quote", p)
		}
	}
	return nil
}

// matchList matches s against a pattern-list as ssh does (ssh_config
// PATTERNS): true when a pattern matches and no negated one (!pattern)
// does. Case matters, as in ssh-keygen's principal and namespace checks.
func matchList(s, list string) bool {
	positive := false
	for _, p := range strings.Split(list, ",") {
		neg := strings.HasPrefix(p, "!")
		if neg {
			p = p[1:]
		}
		if matchPattern(s, p) {
			if neg {
				return false
			}
			positive = true
		}
	}
	return positive
}

// matchPattern reports whether s matches p, where * matches any run of
// bytes and ? any one byte, as ssh's match_pattern does.
func matchPattern(s, p string) bool {
	si, pi, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			si++
			pi++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// isLiteral reports whether a pattern names exactly one identity.
func isLiteral(p string) bool { return !strings.ContainsAny(p, "*?!") }
