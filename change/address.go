package change

import "strings"

// ConfigAddress strips instance keys from a resource instance address:
// module.a["x"].aws_db.main[0] becomes module.a.aws_db.main. Brackets inside
// quoted keys are respected.
func ConfigAddress(addr string) string {
	var b strings.Builder
	b.Grow(len(addr))
	depth, inQuote, escaped := 0, false, false
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		switch {
		case inQuote:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inQuote = false
			}
		case c == '"' && depth > 0:
			inQuote = true
		case c == '[':
			depth++
		case c == ']':
			if depth > 0 {
				depth--
			}
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// ModulePath returns the module part of a resource address ("" for the root
// module): module.a["x"].module.b.aws_db.main → module.a["x"].module.b.
func ModulePath(addr string) string {
	parts := SplitAddress(addr)
	end := 0
	for i := 0; i+1 < len(parts); i += 2 {
		if parts[i] != "module" {
			break
		}
		end = i + 2
	}
	return strings.Join(parts[:end], ".")
}

// SplitAddress splits an address on the dots that are outside brackets
// and quotes: module.a["x.y"].aws_db.main → module, a["x.y"], aws_db, main.
func SplitAddress(addr string) []string {
	var parts []string
	start, depth, inQuote, escaped := 0, 0, false, false
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		switch {
		case inQuote:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inQuote = false
			}
		case c == '"':
			inQuote = true
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '.' && depth == 0:
			parts = append(parts, addr[start:i])
			start = i + 1
		}
	}
	return append(parts, addr[start:])
}
