package report

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// termSafe escapes control characters (ANSI escapes among them) and invalid
// UTF-8, so a hostile resource name cannot drive the terminal.
func termSafe(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			b.WriteString(`\x` + hex2(s[i]))
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r):
			if r < 0x100 {
				b.WriteString(`\x` + hex2(byte(r)))
			} else {
				b.WriteString(`\u` + hex2(byte(r>>8)) + hex2(byte(r)))
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}

// mdEscape makes text safe inside Markdown and the HTML GitHub allows in
// it: HTML is escaped, the Markdown punctuation that starts emphasis, code,
// links, mentions or references is backslash-escaped, table
// pipes cannot end a cell and line breaks cannot end a row.
func mdEscape(s string) string {
	s = termSafe(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#39;")
		case '|':
			b.WriteString("&#124;")
		case '\\', '`', '*', '_', '[', ']', '#', '!', '~', '@':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode renders text as inline code with HTML, where escaping works, unlike
// inside a backtick span.
func mdCode(s string) string {
	return "<code>" + strings.ReplaceAll(html.EscapeString(termSafe(s)), "|", "&#124;") + "</code>"
}
