package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/planners/cloudformation"
	"github.com/rehearse-dev/rehearse/planners/pulumi"
	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
)

// The inputs `rehearse plan FILE` reads, as --input names them.
const (
	inputTerraform      = "terraform"
	inputCloudFormation = "cloudformation"
	inputPulumi         = "pulumi"
)

// peekSize is how much of a file input detection looks at: enough for the
// top-level keys every format writes first, without reading a large plan
// twice.
const peekSize = 256 << 10

const expected = "expected a Terraform plan (format_version with resource_changes or planned_values), a CloudFormation change set (Changes with ChangeSetId or StackName) or a Pulumi preview (pulumi preview --json: steps or changeSummary, or its streaming engine events); --input terraform|cloudformation|pulumi names one"

func checkInput(input string) error {
	switch input {
	case "", inputTerraform, inputCloudFormation, inputPulumi:
		return nil
	}
	return fmt.Errorf("--input must be terraform, cloudformation or pulumi, not %q", input)
}

// readInput reads a plan, change set or preview from br: the one input
// names, else the one its structure says.
func readInput(ctx context.Context, name, input string, br *bufio.Reader) (change.Set, error) {
	if input == "" {
		prefix, _ := br.Peek(peekSize)
		kind, err := detectInput(prefix, len(prefix) < peekSize)
		if err != nil {
			return change.Set{}, fmt.Errorf("%s: %w", name, err)
		}
		input = kind
	}
	switch input {
	case inputCloudFormation:
		return cloudformation.Read(name, br)
	case inputPulumi:
		return pulumi.Read(name, br)
	}
	return planjson.Read(ctx, br, planjson.File(name))
}

// detectInput tells the format from a prefix of the document (complete
// when it is the whole document) by its keys: the top-level ones, and
// those of the first change of a change set whose Changes come first.
func detectInput(prefix []byte, complete bool) (string, error) {
	if len(bytes.TrimSpace(prefix)) == 0 {
		return "", errors.New("empty file: " + expected)
	}
	// The quick scan first: its keys are the full scan's on valid JSON
	// (and never fewer on any input), and every rule below asks only
	// whether keys are there, so one kind from it is the full scan's
	// kind, or JSON the reader then refuses. Anything else is decided on
	// the full scan, which also names a syntax error.
	if top, inner, ok := scanKeysQuick(prefix); ok {
		if kinds := inputKinds(top, inner, complete); len(kinds) == 1 {
			return kinds[0], nil
		}
	}
	top, inner, truncated, synErr := scanKeys(prefix)
	kinds := inputKinds(top, inner, complete)
	switch {
	case len(kinds) == 1:
		return kinds[0], nil
	case len(kinds) > 1:
		return "", fmt.Errorf("ambiguous input: it has the keys of a %s: give --input", strings.Join(kinds, " and a "))
	case synErr != nil:
		return "", fmt.Errorf("invalid JSON: %v: %s", synErr, expected)
	case truncated && complete:
		return "", errors.New("truncated JSON: " + expected)
	}
	return "", errors.New("not a plan, change set or preview rehearse knows: " + expected)
}

// delimiter reports whether c ends a number or a literal.
func delimiter(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ',', ':', '[', ']', '{', '}', '"':
		return true
	}
	return false
}

// inputKinds lists the formats whose keys a document has.
func inputKinds(top, inner map[string]bool, complete bool) []string {
	has := func(names ...string) bool {
		for _, n := range names {
			if top[n] {
				return true
			}
		}
		return false
	}
	stream := has("sequence")
	for k := range top {
		if strings.HasSuffix(k, "Event") {
			stream = true
		}
	}
	var kinds []string
	if has("format_version") && (has("resource_changes", "planned_values") || !complete) {
		kinds = append(kinds, inputTerraform)
	}
	if has("Changes", "changes") && (has("ChangeSetId", "changeSetId", "StackName", "stackName") || inner["ResourceChange"] || inner["resourceChange"]) {
		kinds = append(kinds, inputCloudFormation)
	}
	if has("steps", "changeSummary") || stream {
		kinds = append(kinds, inputPulumi)
	}
	return kinds
}

// scanKeysQuick is scanKeys at memory speed, for the common case: it
// takes the same steps through the same tokens (a value in an object
// makes the next string a key, a value in an array counts an element),
// but finds strings with bytes.IndexByte and checks no syntax. On valid
// JSON, and on any prefix of it, it records exactly scanKeys' keys; on
// anything else it records at least the keys scanKeys met before the
// error. It exists because scanKeys' json.Decoder.Token takes 12 ms (and
// 3 MB of garbage) on the 256 KiB prefix of every plan. ok is false for a
// key with an escape or invalid UTF-8, which it does not decode.
func scanKeysQuick(p []byte) (top, inner map[string]bool, ok bool) {
	top, inner = map[string]bool{}, map[string]bool{}
	type frame struct {
		object bool
		key    bool // the next string in the object is a key
		index  int  // elements begun, in an array
	}
	var buf [16]frame
	stack := buf[:0]
	// begin is a value starting in the innermost container.
	begin := func() {
		if n := len(stack); n > 0 {
			if f := &stack[n-1]; f.object {
				f.key = true
			} else {
				f.index++
			}
		}
	}
	for i := 0; i < len(p); {
		switch c := p[i]; c {
		case ' ', '\t', '\n', '\r', ',', ':':
			i++
		case '"':
			end := i + 1
			for {
				q := bytes.IndexByte(p[end:], '"')
				if q < 0 {
					return top, inner, true // the prefix ends in a string
				}
				end += q + 1
				bs := 0
				for k := end - 2; k > i && p[k] == '\\'; k-- {
					bs++
				}
				if bs%2 == 0 {
					break
				}
			}
			n := len(stack)
			if n > 0 && stack[n-1].object && stack[n-1].key {
				s := p[i+1 : end-1]
				if bytes.IndexByte(s, '\\') >= 0 || !utf8.Valid(s) {
					return nil, nil, false
				}
				switch {
				case n == 1:
					top[string(s)] = true
				case (n == 4 || n == 3) && !stack[1].object && stack[1].index == 1:
					inner[string(s)] = true
				}
				stack[n-1].key = false
			} else {
				begin()
			}
			i = end
		case '{', '[':
			begin()
			stack = append(stack, frame{object: c == '{', key: c == '{'})
			i++
		case '}', ']':
			if len(stack) == 0 {
				return nil, nil, false
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return top, inner, true
			}
			i++
		default: // a number or a literal
			begin()
			for i < len(p) && !delimiter(p[i]) {
				i++
			}
		}
	}
	return top, inner, true
}

// scanKeys lists the keys of the first value's top-level object, and the
// keys inside the first element of its arrays (a change set's first
// change). truncated says the prefix ended inside the value; synErr is
// the syntax error when it is not JSON.
func scanKeys(prefix []byte) (top, inner map[string]bool, truncated bool, synErr error) {
	top, inner = map[string]bool{}, map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(prefix))
	type frame struct {
		object bool
		key    bool // the next token in an object is a key
		index  int  // elements seen, in an array
	}
	var stack []frame
	for {
		t, err := dec.Token()
		if err != nil {
			var syn *json.SyntaxError
			if errors.As(err, &syn) {
				return top, inner, false, err
			}
			return top, inner, !errors.Is(err, io.EOF) || len(stack) > 0, nil
		}
		if t == json.Delim('}') || t == json.Delim(']') {
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return top, inner, false, nil
			}
			continue
		}
		if n := len(stack); n > 0 && stack[n-1].object {
			f := &stack[n-1]
			if f.key {
				f.key = false
				if s, ok := t.(string); ok {
					switch {
					case n == 1:
						top[s] = true
					case n == 4 && !stack[1].object && stack[1].index == 1:
						// {"Changes":[{"ResourceChange":…}]}: top, Changes, the change, its keys
						inner[s] = true
					case n == 3 && !stack[1].object && stack[1].index == 1:
						inner[s] = true
					}
				}
				continue
			}
			f.key = true
		} else if n > 0 {
			stack[n-1].index++
		}
		switch t {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, key: true})
		case json.Delim('['):
			stack = append(stack, frame{})
		}
	}
}
