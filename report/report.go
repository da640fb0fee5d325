// Package report renders a verdict.Verdict as text, JSON, Markdown, SARIF or
// JUnit. It decides nothing: every judgement is already in the Verdict.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/rehearse-dev/rehearse/verdict"
)

// Format names an output format.
type Format string

// The formats rehearse writes.
const (
	Text     Format = "text"
	JSON     Format = "json"
	Markdown Format = "markdown"
	SARIF    Format = "sarif"
	JUnit    Format = "junit"
)

// Formats lists every format, for flag help and validation.
var Formats = []Format{Text, JSON, Markdown, SARIF, JUnit}

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == strings.ToLower(s) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q (want one of %s)", s, joinFormats())
}

func joinFormats() string {
	var s []string
	for _, f := range Formats {
		s = append(s, string(f))
	}
	return strings.Join(s, ", ")
}

// Options tune rendering.
type Options struct {
	// Color enables ANSI colour in text output. The caller decides: only
	// on a terminal, never with NO_COLOR.
	Color bool
	// MaxItems caps the findings and passed changes listed in text and
	// Markdown; the rest are counted in an "and N more" line. 0 means the
	// default of 50. JSON, SARIF and JUnit always carry everything.
	MaxItems int
}

func (o Options) max() int {
	if o.MaxItems <= 0 {
		return 50
	}
	return o.MaxItems
}

// Render writes v to w in the given format.
func Render(w io.Writer, f Format, v *verdict.Verdict, o Options) error {
	switch f {
	case Text:
		return renderText(w, v, o)
	case JSON:
		return renderJSON(w, v)
	case Markdown:
		return renderMarkdown(w, v, o)
	case SARIF:
		return renderSARIF(w, v, o)
	case JUnit:
		return renderJUnit(w, v, o)
	}
	return fmt.Errorf("report: unknown format %q", f)
}
