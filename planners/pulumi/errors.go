package pulumi

import (
	"errors"
	"fmt"

	"github.com/rehearse-dev/rehearse/internal/strictjson"
)

// ReadError is a preview rehearse cannot fully understand. Its message is
// one line that names the file and the problem.
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

// Errors a ReadError can wrap, for errors.Is.
var (
	ErrEmpty     = strictjson.ErrEmpty
	ErrTruncated = strictjson.ErrTruncated
	ErrInvalid   = strictjson.ErrInvalid
	ErrTooDeep   = strictjson.ErrTooDeep
	ErrDuplicate = strictjson.ErrDuplicate
	ErrEncoding  = strictjson.ErrEncoding

	ErrNotPreview = errors.New("not a Pulumi preview")
	ErrAction     = errors.New("unknown value")
	ErrKeyCase    = errors.New("a key in the wrong case")
	ErrIncomplete = errors.New("the preview is not complete")
	ErrFailed     = errors.New("the preview failed")
)

// readErr wraps a strictjson error (which carries its offset) or another
// error for file.
func readErr(file string, err error) error {
	var se *strictjson.Error
	if errors.As(err, &se) {
		return &ReadError{File: file, Offset: se.Offset, Err: se.Err}
	}
	return &ReadError{File: file, Offset: -1, Err: err}
}
