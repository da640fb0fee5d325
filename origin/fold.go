package origin

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Fold returns the form in which identities, trailer keys and agent names
// are compared, so that an identity cannot dodge an agent name by looking
// like it: NFKC (fullwidth and other compatibility forms become plain
// letters), invisible characters removed (zero-width spaces and joiners,
// bidi marks, soft hyphens, BOM, combining marks, Hangul fillers), case
// folded, confusable characters replaced by their Unicode TR39 prototypes
// (Cyrillic "а" and Greek "α" become "a"), and runs of spaces made one.
// Folding both sides keeps matching symmetric: Fold("Clаude") contains
// Fold("claude").
func Fold(s string) string {
	s = cases.Fold().String(dropInvisible(norm.NFKC.String(s)))
	s = strings.ToLower(dropInvisible(skeleton(s)))
	return strings.Join(strings.Fields(s), " ")
}

// NormalizeEmail returns an e-mail address in the form Result.Authors
// lists it: NFKC, invisible characters removed, lower-case, trimmed.
// Unlike Fold it keeps the address readable, so it can be compared with
// an approver's principal normalized the same way.
func NormalizeEmail(s string) string {
	return strings.TrimSpace(strings.ToLower(dropInvisible(norm.NFKC.String(s))))
}

// dropInvisible removes what renders as nothing: format characters (Cf:
// U+00AD, U+200B–U+200F, U+202A–U+202E, U+2060–U+2064, U+FEFF…),
// combining and enclosing marks, which after NFD are the accents a
// look-alike hides behind, and the Hangul fillers, which are letters that
// draw blank.
func dropInvisible(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me):
			return -1
		case r == 0x115F, r == 0x1160, r == 0x3164, r == 0xFFA0:
			return -1
		}
		return r
	}, s)
}

// visible makes a value safe and honest to quote in DecidedBy: what
// renders as nothing is written as <U+XXXX>, and a long value is cut.
func visible(s string) string {
	const limit = 200
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n++; n > limit {
			b.WriteString("…")
			break
		}
		switch {
		case unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me) || !unicode.IsPrint(r) && r != ' ':
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
