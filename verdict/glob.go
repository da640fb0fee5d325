package verdict

import (
	"errors"
	"unicode/utf8"
)

// Policy rule globs: "*" matches any run of characters, dots, slashes,
// brackets and quotes included, so aws_* matches aws_s3_object.x["a/b"];
// "?" matches one character; "\" makes the next character literal. Every
// other character, "[" and "]" among them, stands for itself, so an
// instance key is written as it appears: module.env["prod"].*.

var errGlobEscape = errors.New(`ends in "\"`)

// checkGlob reports a pattern globMatch cannot read.
func checkGlob(pattern string) error {
	if !utf8.ValidString(pattern) {
		return errors.New("is not valid UTF-8")
	}
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == '\\' {
			if i+1 == len(pattern) {
				return errGlobEscape
			}
			i++
		}
	}
	return nil
}

// globMatch reports whether s matches pattern. An unreadable pattern
// matches nothing (the policy's validation rejects it first).
func globMatch(pattern, s string) bool {
	if checkGlob(pattern) != nil {
		return false
	}
	p, t := []rune(pattern), []rune(s)
	// The classic two-pointer match: on a mismatch, go back to the last
	// "*" and let it swallow one more character.
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case pi < len(p) && p[pi] == '?':
			pi++
			ti++
		case pi < len(p) && literal(p, &pi, t[ti]):
			ti++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// literal reports whether the pattern character at *pi (after an escape)
// is c, and if so moves past it.
func literal(p []rune, pi *int, c rune) bool {
	i := *pi
	if p[i] == '\\' {
		i++
	}
	if i < len(p) && p[i] == c {
		*pi = i + 1
		return true
	}
	return false
}
