package sandbox

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
)

// Redacted replaces a secret in probe and step output.
const Redacted = "[redacted]"

// credentials are what looks like a credential whatever variable it came
// from, each with what replaces it: AWS access key ids, PEM private keys
// (header to footer, or to the end when the output was cut), GitHub
// tokens, bearer and basic authorization values, and key=value or
// key: value pairs whose key says secret. The replacement keeps the key.
var credentials = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b`), Redacted},
	{regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----(?s:.*?-----END [A-Z ]*PRIVATE KEY-----|.*)`), Redacted},
	{regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{20,}\b`), Redacted},
	{regexp.MustCompile(`(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{8,}`), "${1}${2}" + Redacted},
	{regexp.MustCompile(`(?i)(\b[a-z0-9_.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)[a-z0-9_.-]*["']?\s*[=:]\s*["']?)[^\s"'&;,]+`), "${1}" + Redacted},
}

// redactor hides secrets in what a sandbox's commands print before it
// reaches a snapshot, an error or a report.
type redactor struct {
	values []string // secret values, longest first
}

// newRedactor collects the values of the environment's variables whose
// names say secret (change.SecretName), from services, updates and
// script steps.
func newRedactor(env *Environment) *redactor {
	set := map[string]bool{}
	add := func(m map[string]string) {
		for k, v := range m {
			if change.SecretName(k) && len(v) >= 4 {
				set[v] = true
			}
		}
	}
	if env != nil {
		for _, s := range env.Services {
			add(s.Env)
		}
		for _, st := range env.Change {
			if st.Update != nil {
				add(st.Update.Env)
			}
			if st.Script != nil {
				add(st.Script.Env)
			}
		}
	}
	vals := slices.Collect(maps.Keys(set))
	slices.SortFunc(vals, func(a, b string) int { return len(b) - len(a) })
	return &redactor{values: vals}
}

// Redact hides every secret value and credential-looking string in s.
func (r *redactor) Redact(s string) string {
	for _, v := range r.values {
		s = strings.ReplaceAll(s, v, Redacted)
	}
	for _, c := range credentials {
		s = c.re.ReplaceAllString(s, c.with)
	}
	return s
}

// RedactOutput hides secrets in output the environment's commands printed:
// the values of its secret-named variables and anything that looks like a
// credential. Callers that print what a sandbox gave use it too.
func RedactOutput(env *Environment, s string) string { return newRedactor(env).Redact(s) }
