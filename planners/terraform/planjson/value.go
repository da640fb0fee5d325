package planjson

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"unicode/utf8"
)

// vparser walks JSON whose syntax the scanner has already checked, building
// only what is asked for. Values decode as encoding/json does with
// UseNumber: map[string]any, []any, json.Number, string, bool and nil.
type vparser struct {
	b []byte
	i int
}

func (p *vparser) ws() byte {
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c
		}
		p.i++
	}
	return 0
}

// next moves through a container like scanner.next; the input is valid.
func (p *vparser) next(close byte, first bool) bool {
	c := p.ws()
	if c == close {
		p.i++
		return false
	}
	if !first { // a comma
		p.i++
		p.ws()
	}
	return true
}

// open consumes '{' or '[' and returns it, or 0 (consuming nothing) for
// any other value.
func (p *vparser) open() byte {
	c := p.ws()
	if c == '{' || c == '[' {
		p.i++
		return c
	}
	return 0
}

// key reads an object key and its colon.
func (p *vparser) key() []byte {
	raw := p.strRaw()
	p.ws()
	p.i++ // the colon
	p.ws()
	return raw
}

// strRaw consumes a string and returns it with its quotes.
func (p *vparser) strRaw() []byte {
	start := p.i
	p.i = strEnd(p.b, p.i+1)
	return p.b[start:p.i]
}

// strEnd returns the index after the closing quote of the valid string
// whose body starts at i, looking at eight bytes at a time.
func strEnd(b []byte, i int) int {
	for {
		for i+8 <= len(b) {
			if m := strSpecialMask(binary.LittleEndian.Uint64(b[i:])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		for i < len(b) && b[i] != '"' && b[i] != '\\' {
			i++
		}
		if i >= len(b) {
			return len(b)
		}
		if b[i] == '"' {
			return i + 1
		}
		i += 2 // an escape; a \u's hex digits are plain bytes
	}
}

// skipClass sorts the bytes skip looks at: 1 a quote, 2 an opening and 3
// a closing bracket; the rest are 0.
var skipClass = func() (t [256]uint8) {
	t['"'] = 1
	t['{'], t['['] = 2, 2
	t['}'], t[']'] = 3, 3
	return
}()

// skip consumes one value. The input is valid, so a container ends at the
// close that brings the depth back to zero, counting brackets outside
// strings.
func (p *vparser) skip() {
	c := p.ws()
	switch c {
	case '"':
		p.i = strEnd(p.b, p.i+1)
		return
	case '{', '[':
	default:
		for p.i < len(p.b) && !isDelim(p.b[p.i]) {
			p.i++
		}
		return
	}
	b := p.b
	depth := 0
	for i := p.i; i < len(b); i++ {
		switch skipClass[b[i]] {
		case 1:
			i = strEnd(b, i+1) - 1
		case 2:
			depth++
		case 3:
			depth--
			if depth == 0 {
				p.i = i + 1
				return
			}
		}
	}
	p.i = len(b)
}

func isDelim(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\n', '\r', ':':
		return true
	}
	return false
}

// raw consumes one value and returns its bytes.
func (p *vparser) raw() []byte {
	p.ws()
	start := p.i
	p.skip()
	return p.b[start:p.i]
}

// value decodes one value.
func (p *vparser) value() any {
	switch c := p.ws(); c {
	case '{':
		p.i++
		m := make(map[string]any)
		for first := true; p.next('}', first); first = false {
			k := decodeString(p.key())
			m[k] = p.value()
		}
		return m
	case '[':
		p.i++
		l := []any{}
		for first := true; p.next(']', first); first = false {
			l = append(l, p.value())
		}
		return l
	case '"':
		return decodeString(p.strRaw())
	case 't':
		p.i += 4
		return true
	case 'f':
		p.i += 5
		return false
	case 'n':
		p.i += 4
		return nil
	default:
		start := p.i
		for p.i < len(p.b) && !isDelim(p.b[p.i]) {
			p.i++
		}
		return json.Number(p.b[start:p.i])
	}
}

// decodeString decodes a quoted JSON string. Plain ASCII or UTF-8 without
// escapes is copied; anything else goes through encoding/json, so escapes
// and invalid UTF-8 come out exactly as they always did.
func decodeString(raw []byte) string {
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return string(body)
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// decodeValue decodes a whole raw value, or returns nil for none.
func decodeValue(raw []byte) any {
	if raw == nil {
		return nil
	}
	p := vparser{b: raw}
	return p.value()
}

// kind names a JSON value's type as encoding/json's type errors do.
func kind(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}
