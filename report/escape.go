package report

import (
	"github.com/rehearse-dev/rehearse/internal/textsafe"
	"strings"
	"unicode/utf8"
)

// Everything a plan names is written by whoever wrote the change. Each
// output format has one function here that makes such text inert in it:
// TermSafe for terminals and plain text (and, under them, for SARIF and
// JUnit), mdEscape and mdCode for Markdown, xmlSafe for XML. JSON is data
// and keeps values exact; encoding/json escapes what JSON needs.

// TermSafe returns s with what a terminal would act on, or a reader would
// not see, spelled out as Go escapes: see textsafe.Term.
func TermSafe(s string) string { return textsafe.Term(s) }

// termSafe is TermSafe, under the name the renderers use.
func termSafe(s string) string { return TermSafe(s) }

// hidden reports whether TermSafe spells r out.
func hidden(r rune) bool { return textsafe.Hidden(r) }

// noncharacter reports whether r is a Unicode noncharacter.
func noncharacter(r rune) bool { return textsafe.Noncharacter(r) }

// mdEscape makes text inert in a GitHub comment, as prose: see mdText.
func mdEscape(s string) string { return mdText(s, true) }

// mdCode renders text as inline code with HTML rather than backticks: a
// backtick span cannot escape a backtick, and GitHub parses Markdown
// inside <code>, so the text is escaped as everywhere else.
func mdCode(s string) string { return "<code>" + mdText(s, false) + "</code>" }

// mdText makes text inert in Markdown and in the HTML GitHub allows in it.
//
// What TermSafe spells out is spelled out, so a line break cannot end a
// table row and nothing hidden reaches the page. HTML's own characters and
// the table pipe become character references. Every other ASCII character
// that can open emphasis, strikethrough, code, a link or an image, math, a
// heading, a mention or an autolink (the colon of "https://", the dot of
// "www."), or a block at the start of the text (a list item, a quote, a
// heading) is backslash-escaped, which CommonMark renders as the character
// and never as syntax.
//
// Escaping is not enough for what GitHub finds in the text after parsing,
// with references decoded and escapes gone: e-mail addresses (cmark-gfm
// looks for them once it has merged the text around an escape), and,
// outside code, @mentions, which notify, #123 references and :emoji:
// codes. In prose a zero-width space after the @, # or colon stops them.
// In code, where GitHub links no mention, reference or emoji, an empty
// <wbr> after the @ ends the text node instead, so that a copied address
// is the address.
func mdText(s string, prose bool) string {
	s = termSafe(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			b.WriteByte(c) // TermSafe left only valid UTF-8
			continue
		case mdEntity[c] != "":
			b.WriteString(mdEntity[c])
		case strings.IndexByte(mdPunct, c) >= 0,
			c == ':' && i+1 < len(s) && s[i+1] != ' ',
			i == 0 && strings.IndexByte("-+=", c) >= 0,
			c == '.' && i >= 3 && strings.EqualFold(s[i-3:i], "www"),
			(c == '.' || c == ')') && orderedMarker(s[:i]):
			b.WriteByte('\\')
			b.WriteByte(c)
		case i == 0 && c == ' ':
			b.WriteString("&#32;")
		default:
			b.WriteByte(c)
			continue
		}
		switch {
		case prose && (c == '@' || c == '#' || c == ':') && i+1 < len(s) && s[i+1] != ' ':
			b.WriteString("&#8203;")
		case !prose && c == '@':
			b.WriteString("<wbr>")
		}
	}
	return b.String()
}

// mdEntity and mdPunct are the characters mdText always escapes: as a
// character reference where HTML reads them, with a backslash otherwise. A
// colon is escaped unless a space follows it: then it can start neither a
// URL nor an emoji code.
var mdEntity = [utf8.RuneSelf]string{'&': "&amp;", '<': "&lt;", '>': "&gt;", '"': "&quot;", '\'': "&#39;", '|': "&#124;"}

const mdPunct = "\\`*_[]!~#@$"

// orderedMarker reports whether prefix, the text before a "." or ")", is
// the number of an ordered list item at the start of a line.
func orderedMarker(prefix string) bool {
	if prefix == "" || len(prefix) > 9 {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if prefix[i] < '0' || prefix[i] > '9' {
			return false
		}
	}
	return true
}
