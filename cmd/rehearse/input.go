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
	top, inner, truncated, synErr := scanKeys(prefix)
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
