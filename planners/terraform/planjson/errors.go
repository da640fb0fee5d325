package planjson

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/rehearse-dev/rehearse/internal/strictjson"
	"github.com/rehearse-dev/rehearse/internal/textsafe"
)

// Every refusal is a *ReadError: one line naming the file, the problem and
// where it is. The functions here turn what the scanner, the digest and
// the converter report into one, with the error class (ErrInvalid,
// ErrDuplicate…) callers test with errors.Is.

// ReadError is a plan that rehearse cannot fully understand. Its message is
// one line that names the file and the problem.
type ReadError = strictjson.ReadError

// Errors a ReadError can wrap, for errors.Is.
var (
	ErrEmpty       = errors.New("empty file")
	ErrTruncated   = errors.New("truncated JSON")
	ErrInvalid     = errors.New("invalid JSON")
	ErrNotPlan     = errors.New("not a Terraform plan")
	ErrFormat      = errors.New("unsupported plan format version")
	ErrAction      = errors.New("unknown action")
	ErrErroredPlan = errors.New("the plan errored")
	ErrTooDeep     = errors.New("nested too deeply")
	ErrDuplicate   = errors.New("duplicate key")
	ErrKeyCase     = errors.New("a key in the wrong case")
	ErrEncoding    = errors.New("not UTF-8")
)

func (d *reader) fail(err error) error {
	return &ReadError{File: d.name, Offset: d.s.offset(), Err: err}
}

// jsonErr classifies a decoding error as truncation or invalid JSON.
func (d *reader) jsonErr(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", d.name, err)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return d.fail(ErrTruncated)
	}
	var syn *syntaxError
	if errors.As(err, &syn) {
		return &ReadError{File: d.name, Offset: syn.Offset, Err: fmt.Errorf("%w: %s", ErrInvalid, syn.Error())}
	}
	var jsyn *json.SyntaxError
	if errors.As(err, &jsyn) {
		return &ReadError{File: d.name, Offset: jsyn.Offset, Err: fmt.Errorf("%w: %s", ErrInvalid, jsyn.Error())}
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return &ReadError{File: d.name, Offset: typ.Offset, Err: fmt.Errorf("%w: %s has the wrong type (%s)", ErrNotPlan, typ.Field, typ.Value)}
	}
	var deep *depthError
	if errors.As(err, &deep) {
		return &ReadError{File: d.name, Offset: deep.Offset, Err: fmt.Errorf("%w: more than %d levels (terraform's values never nest this deep)", ErrTooDeep, maxDepth)}
	}
	var re *ReadError
	if errors.As(err, &re) {
		return err
	}
	return d.fail(fmt.Errorf("%w: %v", ErrInvalid, err))
}

// wrongType records a value of the wrong type; reading goes on.
func (d *reader) wrongType(field string, c byte) {
	if d.typeErr == nil {
		d.typeErr = &ReadError{File: d.name, Offset: d.s.offset(), Err: fmt.Errorf("%w: %s has the wrong type (%s)", ErrNotPlan, field, kind(c))}
	}
}

// caseVariant refuses a key that is one of names in another case:
// terraform writes each key in one case, and a variant is either a
// mistake or an attempt to be read differently by different tools.
func (d *reader) caseVariant(off int64, key string, names ...string) error {
	if n, ok := caseOf(key, names); ok {
		return &ReadError{File: d.name, Offset: off, Err: fmt.Errorf("%w: %q, terraform writes %q", ErrKeyCase, key, n)}
	}
	return nil
}

// valueErr turns a digest error inside the value at off into a ReadError.
func (d *reader) valueErr(field string, off int64, err error) error {
	if dup, ok := err.(*DuplicateKeyError); ok {
		return &ReadError{File: d.name, Offset: off + int64(dup.Offset), Err: fmt.Errorf("%w %q in %s: terraform never writes one", ErrDuplicate, dup.Key, field)}
	}
	if err == errTooDeep {
		return &ReadError{File: d.name, Offset: off, Err: fmt.Errorf("%w: %s: more than %d levels", ErrTooDeep, field, maxDepth)}
	}
	return &ReadError{File: d.name, Offset: off, Err: fmt.Errorf("%s: %w", field, err)}
}

// convErr is the ReadError for the change at index i of the list key,
// whose bytes start at off.
func (d *reader) convErr(key string, i int, off int64, addr string, err error) error {
	var dup *DuplicateKeyError
	switch {
	case errors.As(err, &dup):
		return &ReadError{File: d.name, Offset: off + int64(dup.Offset), Err: fmt.Errorf("%w %q in %s[%d]: terraform never writes one", ErrDuplicate, dup.Key, key, i)}
	case errors.Is(err, errTooDeep):
		return &ReadError{File: d.name, Offset: off, Err: fmt.Errorf("%w: %s[%d]: more than %d levels", ErrTooDeep, key, i, maxDepth)}
	case errors.Is(err, errWrongType):
		return &ReadError{File: d.name, Offset: off, Err: fmt.Errorf("%w: %s[%d]: %v", ErrNotPlan, key, i, err)}
	}
	// The address is the plan's: a line break or a control character in
	// it is spelled out, so the message stays one line.
	return &ReadError{File: d.name, Offset: off, Err: fmt.Errorf("%s[%d] (%s): %w", key, i, textsafe.Term(addr), err)}
}
