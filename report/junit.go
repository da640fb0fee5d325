package report

import (
	"errors"
	"io"

	"github.com/rehearse-dev/rehearse/verdict"
)

// renderJUnit is written in the CI-integration change.
func renderJUnit(io.Writer, *verdict.Verdict, Options) error {
	return errors.New("report: junit is not available in this build")
}
