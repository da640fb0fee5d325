package pulumi

import (
	"errors"

	"github.com/rehearse-dev/rehearse/internal/strictjson"
)

// ReadError is a preview rehearse cannot fully understand. Its message is
// one line that names the file and the problem.
type ReadError = strictjson.ReadError

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
func readErr(file string, err error) error { return strictjson.Wrap(file, err) }
