package cloudformation

import (
	"errors"

	"github.com/rehearse-dev/rehearse/internal/strictjson"
)

// ReadError is a change set rehearse cannot fully understand. Its message is
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

	ErrNotChangeSet = errors.New("not a CloudFormation change set")
	ErrAction       = errors.New("unknown value")
	ErrKeyCase      = errors.New("a key in the wrong case")
	ErrIncomplete   = errors.New("the change set is not complete")
	ErrNested       = errors.New("nested stack change sets do not fit together")
)

// readErr wraps a strictjson error (which carries its offset) or another
// error for file.
func readErr(file string, err error) error { return strictjson.Wrap(file, err) }
