// Package textsafe makes untrusted text inert on a terminal. It is a leaf
// package, so the guard's fast path and the CLI can use the one escaper the
// reports use without importing the reports.
package textsafe

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Term returns s with what a terminal would act on, or a reader would not
// see, spelled out as Go escapes (\x1b, \u202e, \U000e0041): control
// characters (ANSI and OSC sequences start with them), line and paragraph
// separators, bidi overrides and isolates, zero-width and other format
// characters, variation selectors, other default-ignorable characters,
// noncharacters, a U+FFFD and invalid UTF-8. So a hostile name can neither
// drive the terminal nor read as something other than what it is. Text
// without any of these is returned as it is.
func Term(s string) string {
	i := strings.IndexFunc(s, Hidden)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !Hidden(r):
			b.WriteString(s[i : i+w])
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xFFFF:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += w
	}
	return b.String()
}

// Line is Term for text that must stay on one line (an agent's reason, an
// error message): tabs and line breaks become spaces first.
func Line(s string) string {
	return Term(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s))
}

// Hidden reports whether Term spells r out.
func Hidden(r rune) bool {
	if r >= 0x20 && r < 0x7f {
		return false
	}
	return r == utf8.RuneError || unicode.IsControl(r) || Noncharacter(r) ||
		unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point)
}

// Noncharacter reports whether r is one of the 66 code points Unicode
// keeps out of interchange; XML 1.0 cannot carry U+FFFE and U+FFFF.
func Noncharacter(r rune) bool {
	return r&0xFFFE == 0xFFFE || (r >= 0xFDD0 && r <= 0xFDEF)
}
