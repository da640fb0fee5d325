package change

import "strings"

// ConfigAddress strips instance keys from a resource instance address:
// module.a["x"].aws_db.main[0] becomes module.a.aws_db.main. Brackets inside
// quoted keys are respected. An address without brackets (most are: only
// instances of count and for_each have keys) is returned as it is.
func ConfigAddress(addr string) string {
	if strings.IndexByte(addr, '[') < 0 && strings.IndexByte(addr, ']') < 0 {
		return addr
	}
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
// module): module.a["x"].module.b.aws_db.main → module.a["x"].module.b. It is
// a substring of addr.
func ModulePath(addr string) string {
	end, _ := ModulePrefix(addr)
	return addr[:end]
}

// ModulePrefix returns where the module path of addr ends (addr[:end] is
// ModulePath(addr)) and how many module calls it holds.
func ModulePrefix(addr string) (end, calls int) {
	for pos := 0; pos <= len(addr); {
		seg, next := NextSegment(addr, pos)
		if next > len(addr) || seg != "module" {
			break
		}
		_, after := NextSegment(addr, next)
		calls++
		end = after - 1
		pos = after
	}
	return end, calls
}

// SplitAddress splits an address on the dots that are outside brackets
// and quotes: module.a["x.y"].aws_db.main → module, a["x.y"], aws_db, main.
func SplitAddress(addr string) []string {
	var parts []string
	for pos := 0; pos <= len(addr); {
		var seg string
		seg, pos = NextSegment(addr, pos)
		parts = append(parts, seg)
	}
	return parts
}

// NextSegment returns the segment of addr that starts at byte offset start
// (0, or just after a dot a segment ended at) and the offset of the one
// after it, len(addr)+1 when it is the last: SplitAddress one segment at a
// time, for callers that walk an address without a slice. A scan is in its
// starting state (outside brackets and quotes) just after each dot it
// splits on, so the segments are those of one scan of the whole address.
func NextSegment(addr string, start int) (seg string, next int) {
	depth, inQuote, escaped := 0, false, false
	for i := start; i < len(addr); i++ {
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
			return addr[start:i], i + 1
		}
	}
	return addr[start:], len(addr) + 1
}
