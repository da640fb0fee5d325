package verdict

import (
	"slices"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
)

// IncompleteError is a change that stopped part way (a sandbox step
// failed) and whose verdict, on what it did before stopping, does not
// block: what it did not do was never judged, so no pass or warn may be
// claimed for it.
type IncompleteError struct {
	Err error // why the change stopped
}

func (e *IncompleteError) Error() string { return "the change did not complete: " + e.Err.Error() }

func (e *IncompleteError) Unwrap() error { return e.Err }

// EvaluateIncomplete judges an observed change that may have stopped part
// way: stopped is why (nil when it ran to its end, and then this is
// Evaluate). A change that stopped is judged on what it did, with a note
// saying so, and that verdict stands only when it already blocks: a block
// on half a change is a block on the whole. Otherwise the verdict is
// returned with an *IncompleteError, and the caller must report that the
// change could not be judged (exit 2), not the verdict.
//
// `rehearse sandbox run` and a container scenario's replay both follow
// this one rule.
func EvaluateIncomplete(set change.Set, p Policy, opts Options, stopped error) (Verdict, error) {
	if stopped == nil {
		return Evaluate(set, p, opts), nil
	}
	opts.Notes = append(slices.Clip(opts.Notes), "the change did not complete: "+strings.Join(strings.Fields(stopped.Error()), " "))
	v := Evaluate(set, p, opts)
	if v.Decision == Block {
		return v, nil
	}
	return v, &IncompleteError{Err: stopped}
}
