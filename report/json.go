package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"slices"

	"github.com/rehearse-dev/rehearse/verdict"
)

// jsonVerdict adds the headline and the version of rehearse that judged
// to the Verdict's own fields.
type jsonVerdict struct {
	*verdict.Verdict
	Summary         string `json:"summary"`
	RehearseVersion string `json:"rehearse_version"`
}

// summary is the headline of a verdict, over all its stacks when it has
// them.
func summary(v *verdict.Verdict) string {
	if len(v.Stacks) > 0 {
		return StacksHeadline(v)
	}
	return Headline(v)
}

// renderJSON writes what json.Encoder with SetIndent("", "  ") writes for
// jsonVerdict, byte for byte, without building the whole document: the
// verdict is encoded without its findings and passed lists, and those,
// which grow with the plan, are written in their place element by element.
func renderJSON(w io.Writer, v *verdict.Verdict, o Options) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	shell := *v
	shell.Findings, shell.Passed = nil, nil
	doc, err := json.MarshalIndent(jsonVerdict{&shell, summary(v), o.version()}, "", "  ")
	if err != nil {
		return err
	}
	type splice struct {
		at, end int
		write   func() error
	}
	var splices []splice
	for _, l := range []struct {
		key   string
		write func() error
	}{
		{"findings", func() error { return writeArray(bw, v.Findings) }},
		{"passed", func() error { return writeArray(bw, v.Passed) }},
	} {
		// A raw newline is only ever white space between tokens, so
		// this is the top-level member.
		marker := []byte("\n  \"" + l.key + "\": null")
		i := bytes.Index(doc, marker)
		if i < 0 || bytes.Contains(doc[i+len(marker):], marker) {
			return renderJSONWhole(w, v, o)
		}
		at := i + len(marker) - len("null")
		splices = append(splices, splice{at, at + len("null"), l.write})
	}
	slices.SortFunc(splices, func(a, b splice) int { return a.at - b.at })
	from := 0
	for _, s := range splices {
		if _, err := bw.Write(doc[from:s.at]); err != nil {
			return err
		}
		if err := s.write(); err != nil {
			return err
		}
		from = s.end
	}
	bw.Write(doc[from:])
	bw.WriteByte('\n')
	return bw.Flush()
}

// writeArray writes a top-level member's list as the indenting encoder
// does: null, [], or one element per line at depth two.
func writeArray[T any](bw *bufio.Writer, list []T) error {
	if list == nil {
		_, err := bw.WriteString("null")
		return err
	}
	if len(list) == 0 {
		_, err := bw.WriteString("[]")
		return err
	}
	bw.WriteString("[\n    ")
	for i := range list {
		if i > 0 {
			bw.WriteString(",\n    ")
		}
		b, err := json.MarshalIndent(&list[i], "    ", "  ")
		if err != nil {
			return err
		}
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	_, err := bw.WriteString("\n  ]")
	return err
}

// renderJSONWhole is the plain encoding, for a verdict whose shape the
// splicing does not recognize.
func renderJSONWhole(w io.Writer, v *verdict.Verdict, o Options) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(jsonVerdict{v, summary(v), o.version()}); err != nil {
		return err
	}
	return bw.Flush()
}
