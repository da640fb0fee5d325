package planjson

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
)

// scanner checks the syntax of JSON read from an io.Reader through a sliding
// window, so the plan is never held whole. A caller that needs the bytes of
// a value sets keep to its start: the window then grows instead of
// dropping them. encoding/json checks syntax at a few hundred MB/s; this
// does it several times faster, with a table for the bytes inside strings,
// which are most of a plan.
type scanner struct {
	ctx      context.Context // checked at each refill, so a cancelled read stops within a window
	r        io.Reader
	buf      []byte
	pos, end int
	base     int64 // input offset of buf[0]
	keep     int   // buf[keep:] survives a refill; -1 when nothing is kept
	eof      bool
	rerr     error // a read error other than io.EOF
	stack    []byte
	// depth is how many containers the reader has opened around the
	// value being scanned: the nesting limit counts from the document's
	// top.
	depth int
	// keys holds one copy of each object key key has read (raw → decoded),
	// up to maxKeys of them. The keys the reader walks are the format's
	// few names, attribute and module names, each met once per resource:
	// decoding each anew was a third of the reader's allocations.
	keys map[string]string
}

// maxKeys bounds scanner.keys, so a document of distinct keys costs what
// it did without it.
const maxKeys = 4096

// depthError is nesting past maxDepth.
type depthError struct{ Offset int64 }

func (e *depthError) Error() string { return errTooDeep.Error() }

func newScanner(ctx context.Context, r io.Reader) *scanner {
	return &scanner{ctx: ctx, r: r, buf: make([]byte, 256<<10), keep: -1}
}

// errUnexpectedEOF is truncation inside a value.
var errUnexpectedEOF = io.ErrUnexpectedEOF

// syntaxError is invalid JSON at an input offset.
type syntaxError struct {
	msg    string
	Offset int64
}

func (e *syntaxError) Error() string { return e.msg }

func (s *scanner) offset() int64 { return s.base + int64(s.pos) }

// fill reads more input into the window and reports whether it got any.
func (s *scanner) fill() bool {
	if s.eof {
		return false
	}
	if err := s.ctx.Err(); err != nil {
		s.rerr, s.eof = err, true
		return false
	}
	from := s.pos
	if s.keep >= 0 && s.keep < from {
		from = s.keep
	}
	if from > 0 {
		n := copy(s.buf, s.buf[from:s.end])
		s.base += int64(from)
		s.pos -= from
		s.end = n
		if s.keep >= 0 {
			s.keep -= from
		}
	}
	if s.end == len(s.buf) {
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for range 100 {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			if err != io.EOF {
				s.rerr = err
			}
			s.eof = true
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.rerr, s.eof = io.ErrNoProgress, true
	return false
}

// eofErr is the error for input that ends where more is needed.
func (s *scanner) eofErr() error {
	if s.rerr != nil {
		return s.rerr
	}
	return errUnexpectedEOF
}

func (s *scanner) syntax(c byte, context string) error {
	return &syntaxError{msg: fmt.Sprintf("invalid character %s %s", quoteChar(c), context), Offset: s.offset() + 1}
}

func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	s := fmt.Sprintf("%q", rune(c))
	return "'" + s[1:len(s)-1] + "'"
}

// ws skips white space and returns the next byte without consuming it.
func (s *scanner) ws() (byte, error) {
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			if c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
				return c, nil
			}
			s.pos++
		}
		if !s.fill() {
			return 0, s.eofErr()
		}
	}
}

// strSpecial marks the bytes a string scan must stop at.
var strSpecial = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return
}()

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// strSpecialMask sets the high bit of the lowest byte of x that is a quote,
// a backslash or a control character (and perhaps of bytes above it): zero
// when none is.
func strSpecialMask(x uint64) uint64 {
	q := x ^ (ones * '"')
	b := x ^ (ones * '\\')
	return ((q-ones)&^q | (b-ones)&^b | (x-ones*0x20)&^x) & highs
}

// str consumes a string; s.pos is at its opening quote.
func (s *scanner) str() error {
	s.pos++
	for {
		i := s.pos
		// Eight bytes at a time while none of them is special.
		for i+8 <= s.end {
			if m := strSpecialMask(binary.LittleEndian.Uint64(s.buf[i:])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		for i < s.end && !strSpecial[s.buf[i]] {
			i++
		}
		s.pos = i
		if i == s.end {
			if !s.fill() {
				return s.eofErr()
			}
			continue
		}
		switch c := s.buf[i]; {
		case c == '"':
			s.pos++
			return nil
		case c < 0x20:
			return s.syntax(c, "in string literal")
		}
		// An escape: make sure its bytes are in the window.
		for s.end-s.pos < 6 && s.fill() {
		}
		if s.end-s.pos < 2 {
			return s.eofErr()
		}
		switch e := s.buf[s.pos+1]; e {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			s.pos += 2
		case 'u':
			s.pos += 2
			for k := 0; k < 4; k++ {
				if s.pos >= s.end {
					return s.eofErr()
				}
				if !isHex(s.buf[s.pos]) {
					return s.syntax(s.buf[s.pos], "in \\u hexadecimal character escape")
				}
				s.pos++
			}
		default:
			s.pos++
			return s.syntax(e, "in string escape code")
		}
	}
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// number consumes a number, checking its grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	// state: 0 start, 1 after '-', 2 after leading 0, 3 in integer digits,
	// 4 after '.', 5 in fraction, 6 after e, 7 after e sign, 8 in exponent
	state := 0
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			digit := c >= '0' && c <= '9'
			switch state {
			case 0:
				switch {
				case c == '-':
					state = 1
				case c == '0':
					state = 2
				case digit:
					state = 3
				}
			case 1:
				switch {
				case c == '0':
					state = 2
				case digit:
					state = 3
				default:
					return s.syntax(c, "in numeric literal")
				}
			case 2, 3:
				switch {
				case digit && state == 3:
				case c == '.':
					state = 4
				case c == 'e' || c == 'E':
					state = 6
				default:
					return nil
				}
			case 4:
				if !digit {
					return s.syntax(c, "after decimal point in numeric literal")
				}
				state = 5
			case 5:
				switch {
				case digit:
				case c == 'e' || c == 'E':
					state = 6
				default:
					return nil
				}
			case 6:
				switch {
				case c == '+' || c == '-':
					state = 7
				case digit:
					state = 8
				default:
					return s.syntax(c, "in exponent of numeric literal")
				}
			case 7:
				if !digit {
					return s.syntax(c, "in exponent of numeric literal")
				}
				state = 8
			case 8:
				if !digit {
					return nil
				}
			}
			s.pos++
		}
		if !s.fill() {
			if s.rerr != nil {
				return s.rerr
			}
			// Complete at the end of input; inside a container, the
			// caller finds the missing close.
			if state == 1 || state == 4 || state == 6 || state == 7 {
				return errUnexpectedEOF
			}
			return nil
		}
	}
}

// literal consumes true, false or null.
func (s *scanner) literal(word string) error {
	for k := 0; k < len(word); k++ {
		if s.pos >= s.end && !s.fill() {
			return s.eofErr()
		}
		if c := s.buf[s.pos]; c != word[k] {
			return s.syntax(c, "in literal "+word+" (expecting "+quoteChar(word[k])+")")
		}
		s.pos++
	}
	return nil
}

// scalar consumes a string, number or literal starting with c.
func (s *scanner) scalar(c byte) error {
	switch {
	case c == '"':
		return s.str()
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return s.syntax(c, "looking for beginning of value")
}

// objectKey consumes a key and its colon; c is the byte at s.pos.
func (s *scanner) objectKey(c byte) error {
	if c != '"' {
		return s.syntax(c, "looking for beginning of object key string")
	}
	if err := s.str(); err != nil {
		return err
	}
	c, err := s.ws()
	if err != nil {
		return err
	}
	if c != ':' {
		return s.syntax(c, "after object key")
	}
	s.pos++
	return nil
}

// value consumes one value and checks its syntax.
func (s *scanner) value() error {
	stack := s.stack[:0]
	defer func() { s.stack = stack[:0] }()
	for {
		c, err := s.ws()
		if err != nil {
			return err
		}
		// A value starts at c.
		switch c {
		case '{', '[':
			s.pos++
			c2, err := s.ws()
			if err != nil {
				return err
			}
			if (c == '{' && c2 == '}') || (c == '[' && c2 == ']') {
				s.pos++
				break
			}
			stack = append(stack, c)
			if s.depth+len(stack) > maxDepth {
				return &depthError{Offset: s.offset()}
			}
			if c == '{' {
				if err := s.objectKey(c2); err != nil {
					return err
				}
			}
			continue
		default:
			if err := s.scalar(c); err != nil {
				return err
			}
		}
		// After a value: a comma, a close, or the end.
		for {
			if len(stack) == 0 {
				return nil
			}
			c, err := s.ws()
			if err != nil {
				return err
			}
			top := stack[len(stack)-1]
			if c == ',' {
				s.pos++
				if top == '{' {
					c2, err := s.ws()
					if err != nil {
						return err
					}
					if err := s.objectKey(c2); err != nil {
						return err
					}
				}
				break
			}
			if top == '{' && c == '}' || top == '[' && c == ']' {
				s.pos++
				stack = stack[:len(stack)-1]
				continue
			}
			if top == '{' {
				return s.syntax(c, "after object key:value pair")
			}
			return s.syntax(c, "after array element")
		}
	}
}

// capture consumes one value and returns its bytes, valid until the next
// call on s.
func (s *scanner) capture() ([]byte, error) {
	if _, err := s.ws(); err != nil {
		return nil, err
	}
	s.keep = s.pos
	err := s.value()
	start := s.keep
	s.keep = -1
	if err != nil {
		return nil, err
	}
	return s.buf[start:s.pos], nil
}

// next moves through a container: after its opening byte, and after each
// element, it consumes a comma or the closing byte, and reports whether an
// element follows. first says whether no element has been read yet.
func (s *scanner) next(close byte, first bool) (bool, error) {
	c, err := s.ws()
	if err != nil {
		return false, err
	}
	if c == close {
		s.pos++
		return false, nil
	}
	if first {
		return true, nil
	}
	if c != ',' {
		if close == '}' {
			return false, s.syntax(c, "after object key:value pair")
		}
		return false, s.syntax(c, "after array element")
	}
	s.pos++
	if _, err := s.ws(); err != nil {
		return false, err
	}
	return true, nil
}

// key reads an object key and its colon.
func (s *scanner) key() (string, error) {
	c, err := s.ws()
	if err != nil {
		return "", err
	}
	if c != '"' {
		return "", s.syntax(c, "looking for beginning of object key string")
	}
	raw, err := s.capture()
	if err != nil {
		return "", err
	}
	k, ok := s.keys[string(raw)]
	if !ok {
		k = decodeString(raw)
		if s.keys == nil {
			s.keys = map[string]string{}
		}
		if len(s.keys) < maxKeys {
			s.keys[string(raw)] = k
		}
	}
	if c, err = s.ws(); err != nil {
		return "", err
	}
	if c != ':' {
		return "", s.syntax(c, "after object key")
	}
	s.pos++
	return k, nil
}
