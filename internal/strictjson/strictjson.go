// Package strictjson decodes the JSON documents the CloudFormation and Pulumi
// readers take, failing closed where encoding/json is lenient: a key given
// twice in one object, nesting past a bound, invalid UTF-8 (which
// encoding/json silently replaces) and data after the document are errors,
// and a document cut short is told apart from one that is malformed.
package strictjson

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// MaxDepth bounds how deeply a document may nest. Neither tool writes
// values anywhere near this deep.
const MaxDepth = 256

// MaxSize bounds how much is read: a change set or preview is far smaller.
const MaxSize = 512 << 20

// Errors the decoder returns, for errors.Is.
var (
	ErrEmpty     = errors.New("empty file")
	ErrTruncated = errors.New("truncated JSON")
	ErrInvalid   = errors.New("invalid JSON")
	ErrTooDeep   = fmt.Errorf("nested more than %d levels deep", MaxDepth)
	ErrDuplicate = errors.New("duplicate key")
	ErrEncoding  = errors.New("not UTF-8")
	ErrTooLarge  = fmt.Errorf("larger than %d MiB", MaxSize>>20)
)

// Error is a decoding problem at a byte offset (-1 when it has none).
type Error struct {
	Offset int64
	Err    error
}

func (e *Error) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("%v (at byte %d)", e.Err, e.Offset)
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// ReadAll reads r, bounded by MaxSize, drops a UTF-8 byte order mark and
// checks the bytes are UTF-8.
func ReadAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, &Error{Offset: -1, Err: err}
	}
	if len(data) > MaxSize {
		return nil, &Error{Offset: -1, Err: ErrTooLarge}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		off := int64(0)
		for i := 0; i < len(data); {
			c, n := utf8.DecodeRune(data[i:])
			if c == utf8.RuneError && n <= 1 {
				off = int64(i)
				break
			}
			i += n
		}
		return nil, &Error{Offset: off, Err: ErrEncoding}
	}
	return data, nil
}

// Decoder reads one or more JSON values from a byte slice.
type Decoder struct {
	data []byte
	dec  *json.Decoder
}

// NewDecoder returns a decoder over data (as ReadAll returned it).
func NewDecoder(data []byte) *Decoder {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return &Decoder{data: data, dec: dec}
}

// Offset is the byte offset just after the last value decoded.
func (d *Decoder) Offset() int64 { return d.dec.InputOffset() }

// More reports whether another value follows (white space aside).
func (d *Decoder) More() bool {
	rest := d.data[min(int(d.dec.InputOffset()), len(d.data)):]
	return len(bytes.TrimSpace(rest)) > 0
}

// Value decodes the next value: objects as map[string]any, arrays as
// []any, numbers as json.Number.
func (d *Decoder) Value() (any, error) {
	if !d.More() {
		if len(bytes.TrimSpace(d.data)) == 0 {
			return nil, &Error{Offset: -1, Err: ErrEmpty}
		}
		return nil, &Error{Offset: d.Offset(), Err: ErrTruncated}
	}
	return d.value(0)
}

func (d *Decoder) token() (json.Token, error) {
	off := d.dec.InputOffset()
	t, err := d.dec.Token()
	if err != nil {
		return nil, d.classify(err, off)
	}
	return t, nil
}

func (d *Decoder) classify(err error, off int64) error {
	var syn *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Offset: int64(len(d.data)), Err: ErrTruncated}
	case errors.As(err, &syn):
		// encoding/json reports a literal cut short ("tru") as a syntax
		// error at the end of the input.
		if syn.Offset >= int64(len(bytes.TrimRight(d.data, " \t\r\n"))) {
			return &Error{Offset: int64(len(d.data)), Err: ErrTruncated}
		}
		return &Error{Offset: syn.Offset, Err: fmt.Errorf("%w: %s", ErrInvalid, syn.Error())}
	}
	return &Error{Offset: off, Err: fmt.Errorf("%w: %v", ErrInvalid, err)}
}

func (d *Decoder) value(depth int) (any, error) {
	off := d.dec.InputOffset()
	t, err := d.token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		if depth+1 > MaxDepth {
			return nil, &Error{Offset: off, Err: ErrTooDeep}
		}
		switch t {
		case '{':
			m := map[string]any{}
			for d.dec.More() {
				koff := d.keyOffset()
				k, err := d.token()
				if err != nil {
					return nil, err
				}
				key, ok := k.(string)
				if !ok {
					return nil, &Error{Offset: koff, Err: ErrInvalid}
				}
				if _, dup := m[key]; dup {
					return nil, &Error{Offset: koff, Err: fmt.Errorf("%w %q", ErrDuplicate, key)}
				}
				v, err := d.value(depth + 1)
				if err != nil {
					return nil, err
				}
				m[key] = v
			}
			if _, err := d.token(); err != nil {
				return nil, err
			}
			return m, nil
		case '[':
			l := []any{}
			for d.dec.More() {
				v, err := d.value(depth + 1)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			if _, err := d.token(); err != nil {
				return nil, err
			}
			return l, nil
		}
		return nil, &Error{Offset: off, Err: ErrInvalid}
	default:
		return t, nil
	}
}

// keyOffset is the offset of the next key: past the white space and the
// comma InputOffset still points before.
func (d *Decoder) keyOffset() int64 {
	i := int(d.dec.InputOffset())
	for i < len(d.data) && (d.data[i] == ' ' || d.data[i] == '\t' || d.data[i] == '\r' || d.data[i] == '\n' || d.data[i] == ',') {
		i++
	}
	return int64(i)
}

// Document decodes data as exactly one JSON value.
func Document(data []byte) (any, error) {
	d := NewDecoder(data)
	v, err := d.Value()
	if err != nil {
		return nil, err
	}
	if d.More() {
		return nil, &Error{Offset: d.Offset(), Err: fmt.Errorf("%w: data after the document", ErrInvalid)}
	}
	return v, nil
}

// Digest is "sha256:" and the hash of v's canonical form: encoding/json's,
// object keys sorted, no white space, numbers as written. Two encodings of
// one value give one digest; any change to any value gives another.
func Digest(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Decoded JSON always encodes.
		panic("strictjson: digest: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Errors of the typed getters.
var (
	ErrType    = errors.New("wrong type")
	ErrKeyCase = errors.New("a key in the wrong case")
)

// Obj is a decoded object read field by field; Path names it in errors.
type Obj struct {
	M    map[string]any
	Path string
}

// AsObj returns v as an object: null gives an empty one and ok false, any
// other type ErrType.
func AsObj(v any, path string) (o Obj, ok bool, err error) {
	switch t := v.(type) {
	case nil:
		return Obj{M: map[string]any{}, Path: path}, false, nil
	case map[string]any:
		return Obj{M: t, Path: path}, true, nil
	}
	return Obj{}, false, fmt.Errorf("%w: %s is %s, not an object", ErrType, path, KindOf(v))
}

// KindOf names a decoded value's JSON type.
func KindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func (o Obj) at(k string) string {
	if o.Path == "" {
		return k
	}
	return o.Path + "." + k
}

// CheckCase refuses a key that is one of names in another case: the tool
// writes each key one way, and a variant would be read one way by rehearse
// and another by the tool.
func (o Obj) CheckCase(names ...string) error {
	for k := range o.M {
		for _, n := range names {
			if k != n && strings.EqualFold(k, n) {
				return fmt.Errorf("%w: %q in %s, the tool writes %q", ErrKeyCase, k, o.pathOr(), n)
			}
		}
	}
	return nil
}

func (o Obj) pathOr() string {
	if o.Path == "" {
		return "the document"
	}
	return o.Path
}

// Has reports whether k is present and not null.
func (o Obj) Has(k string) bool { return o.M[k] != nil }

// Str is a string field; absent or null gives "".
func (o Obj) Str(k string) (string, error) {
	switch t := o.M[k].(type) {
	case nil:
		return "", nil
	case string:
		return t, nil
	}
	return "", fmt.Errorf("%w: %s is %s, not a string", ErrType, o.at(k), KindOf(o.M[k]))
}

// Bool is a boolean field; absent or null gives false.
func (o Obj) Bool(k string) (bool, error) {
	switch t := o.M[k].(type) {
	case nil:
		return false, nil
	case bool:
		return t, nil
	}
	return false, fmt.Errorf("%w: %s is %s, not a boolean", ErrType, o.at(k), KindOf(o.M[k]))
}

// Obj is an object field; absent or null gives an empty one.
func (o Obj) Obj(k string) (Obj, error) {
	sub, _, err := AsObj(o.M[k], o.at(k))
	return sub, err
}

// List is an array field; absent or null gives nil.
func (o Obj) List(k string) ([]any, error) {
	switch t := o.M[k].(type) {
	case nil:
		return nil, nil
	case []any:
		return t, nil
	}
	return nil, fmt.Errorf("%w: %s is %s, not an array", ErrType, o.at(k), KindOf(o.M[k]))
}

// Strings is an array-of-strings field.
func (o Obj) Strings(k string) ([]string, error) {
	l, err := o.List(k)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(l))
	for i, v := range l {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%w: %s[%d] is %s, not a string", ErrType, o.at(k), i, KindOf(v))
		}
		out = append(out, s)
	}
	return out, nil
}

// ReadError is a document a reader cannot fully understand. Its message is
// one line that names the file and the problem. The planners' readers all
// return it (each under its own name), so the CLI reports them alike.
type ReadError struct {
	File   string
	Offset int64 // byte offset of the problem, or -1
	Err    error
}

func (e *ReadError) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("%s: %v (at byte %d)", e.File, e.Err, e.Offset)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *ReadError) Unwrap() error { return e.Err }

// Wrap makes err a ReadError for file, with the offset an *Error carries.
func Wrap(file string, err error) error {
	var se *Error
	if errors.As(err, &se) {
		return &ReadError{File: file, Offset: se.Offset, Err: se.Err}
	}
	return &ReadError{File: file, Offset: -1, Err: err}
}
