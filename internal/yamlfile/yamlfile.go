// Package yamlfile is rehearse's one strict YAML loader, for the files that
// come with a change (policy, scenario, environment, approvals): a file that
// is not fully understood must fail closed, and the person who wrote it
// must be told where and why in their own words.
//
// Decode refuses unknown keys (with a "did you mean"), duplicate keys,
// values of the wrong shape, more than one document and merge keys, and
// reports every problem of the file at once, each with its line and the key
// path as the file spells it:
//
//	policy.yaml: line 7: thresholds.max_destructive: want a whole number, got "three"
//	policy.yaml: line 9: origin.ai_escalate: unknown key; did you mean ai_escalates?
//
// Every error is an *Error. Checks that run after decoding (a value out of
// range, a missing file) can point at their line too: Parse the file, Decode
// the Doc, and build problems with Doc.Problemf.
package yamlfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong in a file: its line (0 when the parser could
// not say), the key path in the file's words (e.g. "expect.findings[0]",
// empty for the whole document) and what is wrong.
type Problem struct {
	Line int
	Path string
	Msg  string
}

// String renders the problem without the file name.
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Error is every problem found in one file. Error() gives one line per
// problem, each naming the file, so the first line alone is a complete
// message.
type Error struct {
	File     string
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = e.File + ": " + p.String()
	}
	return strings.Join(lines, "\n")
}

// Decode parses data, the contents of the file called name, into v, a
// pointer (usually to a struct with yaml tags). Values already in *v stay
// where the file leaves a key out, so defaults can be decoded over. On any
// problem v may be partly written and the error is an *Error.
func Decode(name string, data []byte, v any) error {
	d, err := Parse(name, data)
	if err != nil {
		return err
	}
	return d.Decode(v)
}

// Doc is a parsed file, kept to point later problems at their lines.
type Doc struct {
	name string
	size int        // bytes, to bound the work aliases can cause
	root *yaml.Node // the document's content node
}

// Parse reads one YAML document and refuses what no target type could
// make sense of: syntax errors, an empty file, several documents, a key
// given twice in one mapping, merge keys.
func Parse(name string, data []byte) (*Doc, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: name, Problems: []Problem{{Line: 1, Msg: "the file is empty"}}}
		}
		return nil, &Error{File: name, Problems: []Problem{syntaxProblem(err)}}
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		// A second document would be ignored by a reader, and could hide
		// what a reviewer reading the top does not see.
		return nil, &Error{File: name, Problems: []Problem{{Line: extra.Line, Msg: "a second YAML document (---): give one document per file"}}}
	case !errors.Is(err, io.EOF):
		return nil, &Error{File: name, Problems: []Problem{syntaxProblem(err)}}
	}
	if len(doc.Content) == 0 {
		return nil, &Error{File: name, Problems: []Problem{{Line: 1, Msg: "the file is empty"}}}
	}
	if r := doc.Content[0]; r.Kind == yaml.ScalarNode && r.Tag == "!!null" {
		return nil, &Error{File: name, Problems: []Problem{{Line: 1, Msg: "the file is empty"}}}
	}
	return FromNode(name, doc.Content[0], len(data))
}

// FromNode is Parse for a node of a file already read (a compose file's
// extension, say): the Doc's lines are the file's, its paths start at n.
// size bounds the work aliases may cause, as the file's length does for
// Parse. Duplicate and merge keys under n are refused.
func FromNode(name string, n *yaml.Node, size int) (*Doc, error) {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	var ps []Problem
	checkKeys(n, nil, &ps)
	if len(ps) > 0 {
		return nil, &Error{File: name, Problems: ps}
	}
	return &Doc{name: name, size: size, root: n}, nil
}

var lineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// syntaxProblem turns yaml.v3's "yaml: line 3: did not find expected key"
// into a Problem at line 3.
func syntaxProblem(err error) Problem {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Problem{Line: line, Msg: m[2]}
	}
	return Problem{Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// Decode decodes the document into v, a non-nil pointer; see the package
// Decode.
func (d *Doc) Decode(v any) error {
	var ps []Problem
	check(d.root, v, &ps, d.size)
	if len(ps) > 0 {
		return &Error{File: d.name, Problems: ps}
	}
	if err := d.root.Decode(v); err != nil {
		// check accepted what yaml.v3 refuses: still fail closed.
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, e := range te.Errors {
				ps = append(ps, syntaxProblem(errors.New(e)))
			}
		} else {
			ps = append(ps, syntaxProblem(err))
		}
		return &Error{File: d.name, Problems: ps}
	}
	return nil
}

// Problemf describes a problem found after decoding, at the node path
// names: mapping keys as strings, list indexes as ints. The line is the
// key's (or the item's); when the path is not in the file (a key left
// out), it is the deepest node found.
func (d *Doc) Problemf(path []any, format string, args ...any) Problem {
	return Problem{Line: d.Line(path...), Path: KeyPath(path...), Msg: fmt.Sprintf(format, args...)}
}

// Err is nil with no problems, and otherwise an *Error for the file.
func (d *Doc) Err(ps ...Problem) error {
	if len(ps) == 0 {
		return nil
	}
	return &Error{File: d.name, Problems: ps}
}

// Line is the line of the node at path, as Problemf finds it, for a
// message that names its key itself.
func (d *Doc) Line(path ...any) int {
	n := d.root
	line := n.Line
	for _, p := range path {
		n = deref(n)
		switch k := p.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return line
			}
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					line, n, found = n.Content[i].Line, n.Content[i+1], true
					break
				}
			}
			if !found {
				return line
			}
		case int:
			if n.Kind != yaml.SequenceNode || k < 0 || k >= len(n.Content) {
				return line
			}
			n = n.Content[k]
			line = n.Line
		default:
			return line
		}
	}
	return line
}

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// KeyPath spells a node path (mapping keys as strings, list indexes as
// ints) the way a reader finds it in the file, as every Problem does:
// thresholds.max_destructive, expect.findings[0], services["web.1"].
func KeyPath(path ...any) string {
	var b strings.Builder
	for _, p := range path {
		switch k := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", k)
		case string:
			if !plainKey.MatchString(k) {
				fmt.Fprintf(&b, "[%q]", k)
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(k)
		default:
			fmt.Fprintf(&b, "[%v]", k)
		}
	}
	return b.String()
}
