// Package report renders a verdict.Verdict as text, JSON, Markdown, SARIF or
// JUnit. It decides nothing: every judgement is already in the Verdict.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/rehearse-dev/rehearse/internal/buildinfo"
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
	// CommentLimit is the most characters a Markdown report may have (a
	// platform's comment size limit, see CommentLimits); 0 means GitHub's.
	// Past it the riskiest findings are kept and the rest counted.
	CommentLimit int
	// FullReport names the JSON report written alongside (--output
	// json=FILE), which a Markdown report cut to its limit points to.
	FullReport string
	// ApproveArgs are the arguments that judge this change again, shell
	// quoted (the inputs and the flags that change the verdict), for the
	// approval command a Markdown report ends with.
	ApproveArgs string
	// Version is rehearse's version, for every report that names its
	// tool; "" is this binary's (buildinfo.Version: "dev" in tests and
	// plain builds, so goldens stay put).
	Version string
}

func (o Options) commentLimit() int {
	if o.CommentLimit <= 0 {
		return GitHubCommentLimit
	}
	return o.CommentLimit
}

func (o Options) version() string {
	if o.Version == "" {
		return buildinfo.Version()
	}
	return o.Version
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
		return renderJSON(w, v, o)
	case Markdown:
		return renderMarkdown(w, v, o)
	case SARIF:
		return renderSARIF(w, v, o)
	case JUnit:
		return renderJUnit(w, v, o)
	}
	return fmt.Errorf("report: unknown format %q", f)
}
