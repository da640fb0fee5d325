package approval

import (
	"strings"
	"unicode/utf8"
)

// Message is the canonical encoding of an entry that its signature covers:
// the RFC 8785 (JCS) JSON of {at, by, expires, finding, fingerprint,
// reason, rollback} (see the package doc). The signature itself is not
// part of it. ok is false for text that is not valid UTF-8, which has no
// canonical form and cannot be signed or verified.
func Message(e *Entry) (msg []byte, ok bool) {
	// Members in JCS order: sorted by name (all ASCII, so by byte).
	members := [...]struct{ name, val string }{
		{"at", e.At},
		{"by", e.By},
		{"expires", e.Expires},
		{"finding", e.Finding},
		{"fingerprint", e.Fingerprint},
		{"reason", e.Reason},
		{"rollback", e.Rollback},
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, m := range members {
		if !utf8.ValidString(m.val) {
			return nil, false
		}
		if i > 0 {
			b.WriteByte(',')
		}
		jcsString(&b, m.name)
		b.WriteByte(':')
		jcsString(&b, m.val)
	}
	b.WriteByte('}')
	return []byte(b.String()), true
}

// jcsString writes s as RFC 8785 serializes a string (ECMAScript's
// JSON.stringify): only the quote, the backslash and control characters
// are escaped.
func jcsString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if c < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xf])
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}
