package guard

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"mvdan.cc/sh/v3/syntax"
)

// word returns w as the shell would pass it, and whether that is known
// before the line runs. An expansion ($X, $(…), a glob) is kept as
// written and makes the word unknown; command and process substitutions
// are analyzed as commands of their own (they run first). quoted says the
// word is not split or globbed (an assignment's value, a here-string).
func (a *analyzer) word(w *syntax.Word, sc *scope, via string, depth int, quoted bool) (string, bool) {
	if w == nil {
		return "", true
	}
	// The common word is one literal with nothing to unescape.
	if len(w.Parts) == 1 {
		if l, ok := w.Parts[0].(*syntax.Lit); ok && plainLit(l.Value, quoted) {
			return l.Value, true
		}
	}
	var b strings.Builder
	known := a.parts(&b, w.Parts, sc, via, depth, quoted, false)
	return b.String(), known
}

// plainLit reports whether an unquoted literal stands for itself: no
// escapes, globs, brace lists or tilde.
func plainLit(s string, quoted bool) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			return false
		case '*', '?', '[', '{', '~':
			if !quoted {
				return false
			}
		}
	}
	return true
}

// wordSubst analyzes the substitutions in w, for words whose value does
// not matter (redirect targets, loop lists, case patterns).
func (a *analyzer) wordSubst(w *syntax.Word, sc *scope, via string, depth int) {
	if w != nil {
		a.word(w, sc, via, depth, true)
	}
}

func (a *analyzer) parts(b *strings.Builder, parts []syntax.WordPart, sc *scope, via string, depth int, quoted, inDbl bool) bool {
	known := true
	for i, p := range parts {
		switch p := p.(type) {
		case *syntax.Lit:
			if inDbl {
				b.WriteString(unescapeDbl(p.Value))
				continue
			}
			if !quoted {
				if i == 0 && strings.HasPrefix(p.Value, "~") {
					// Tilde expansion: kept as written; rm and cd know it.
				}
				if hasGlob(p.Value) {
					known = false
				}
			}
			b.WriteString(unescape(p.Value))
		case *syntax.SglQuoted:
			if p.Dollar {
				b.WriteString(ansiC(p.Value))
			} else {
				b.WriteString(p.Value)
			}
		case *syntax.DblQuoted:
			if !a.parts(b, p.Parts, sc, via, depth, true, true) {
				known = false
			}
		case *syntax.ParamExp:
			if v, ok := a.param(p, sc); ok && (quoted || inDbl || !strings.ContainsAny(v, " \t\n*?[")) {
				b.WriteString(v)
				continue
			}
			known = false
			a.print(b, p)
		case *syntax.CmdSubst:
			known = false
			a.stmts(p.Stmts, sc.clone(), "$(…)", depth+1)
			a.print(b, p)
		case *syntax.ProcSubst:
			known = false
			a.stmts(p.Stmts, sc.clone(), "<(…)", depth+1)
			a.print(b, p)
		case *syntax.ArithmExp:
			known = false
			a.arithm(p.X, sc, via, depth)
			a.print(b, p)
		default: // ExtGlob, BraceExp
			known = false
			a.print(b, p)
		}
	}
	return known
}

// param returns the value of $NAME or ${NAME} when the line set it to
// something known.
func (a *analyzer) param(p *syntax.ParamExp, sc *scope) (string, bool) {
	if p.Param == nil || p.Flags != nil || p.Excl || p.Length || p.Width || p.IsSet ||
		p.NestedParam != nil || p.Index != nil || len(p.Modifiers) > 0 ||
		p.Slice != nil || p.Repl != nil || p.Names != 0 || p.Exp != nil {
		return "", false
	}
	v, ok := sc.vars[p.Param.Value]
	if !ok || v == unknownVar {
		return "", false
	}
	return v, true
}

func (a *analyzer) print(b *strings.Builder, n syntax.Node) {
	if a.printer == nil {
		a.printer = syntax.NewPrinter()
	}
	if err := a.printer.Print(b, n); err != nil {
		b.WriteString("…")
	}
}

// hdoc returns a here-document's body as the command reads it.
func (a *analyzer) hdoc(w *syntax.Word, sc *scope, via string, depth int) (string, bool) {
	var b strings.Builder
	known := true
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			b.WriteString(p.Value)
		default:
			if !a.parts(&b, []syntax.WordPart{p}, sc, via, depth, true, true) {
				known = false
			}
		}
	}
	return b.String(), known
}

// hasGlob reports whether an unquoted literal holds an unescaped glob
// character or a brace list the shell expands.
func hasGlob(s string) bool {
	brace := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '*', '?', '[':
			return true
		case '{':
			brace = i
		case '}':
			if brace >= 0 {
				in := s[brace+1 : i]
				if strings.Contains(in, ",") || strings.Contains(in, "..") {
					return true
				}
			}
		}
	}
	return false
}

// unescape removes the backslashes of an unquoted literal: \x is x, and a
// backslash-newline joins lines.
func unescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == '\n' {
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unescapeDbl removes the backslashes that escape inside double quotes:
// before $ ` " \ and newline; others stay.
func unescapeDbl(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case '$', '`', '"', '\\':
				i++
			case '\n':
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ansiC decodes a $'…' string's escapes.
func ansiC(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'e', 'E':
			b.WriteByte(0x1b)
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'x', 'u', 'U':
			max := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			j := i + 1
			for j < len(s) && j-i-1 < max && isHex(s[j]) {
				j++
			}
			if j == i+1 {
				b.WriteByte('\\')
				b.WriteByte(e)
				continue
			}
			n, _ := strconv.ParseUint(s[i+1:j], 16, 32)
			if e == 'x' {
				b.WriteByte(byte(n))
			} else if r := rune(n); utf8.ValidRune(r) {
				b.WriteRune(r)
			}
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j-i < 3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			n, _ := strconv.ParseUint(s[i:j], 8, 16)
			b.WriteByte(byte(n))
			i = j - 1
		case 'c':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i] & 0x1f)
			}
		default: // \\ \' \" \? and unknown escapes
			if e != '\\' && e != '\'' && e != '"' && e != '?' {
				b.WriteByte('\\')
			}
			b.WriteByte(e)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
