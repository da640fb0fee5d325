// Package cloudformation turns CloudFormation change sets (aws
// cloudformation describe-change-set --output json, with or without
// --include-property-values, in the CLI's PascalCase or the camelCase some
// exports use) into a change.Set. It reads; it never runs anything.
package cloudformation

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/internal/strictjson"
)

// Tool is the Source.Tool of every Set this package reads.
const Tool = "cloudformation"

// Doc is one change set document, with the name errors give it.
type Doc struct {
	Name string
	R    io.Reader
}

// Read decodes one change set from r into a change.Set. name is used in
// errors and in the Set's source.
func Read(name string, r io.Reader) (change.Set, error) {
	return ReadAll(name, []Doc{{Name: name, R: r}})
}

// ReadDir reads every *.json file in dir as the change sets of one stack
// and its nested stacks (describe-change-set of the root and of each
// nested change set, IncludeNestedStacks).
func ReadDir(dir string) (change.Set, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return change.Set{}, err
	}
	var docs []Doc
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(strings.ToLower(e.Name()), ".json") || !e.Type().IsRegular() {
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return change.Set{}, err
		}
		files = append(files, f)
		docs = append(docs, Doc{Name: f.Name(), R: f})
	}
	if len(docs) == 0 {
		return change.Set{}, &ReadError{File: dir, Offset: -1, Err: fmt.Errorf("%w: no *.json change set in the directory", ErrNotChangeSet)}
	}
	return ReadAll(dir, docs)
}

// ReadAll reads several change sets, a root and its nested stacks' (each
// named by the ChangeSetId on the parent's AWS::CloudFormation::Stack
// change), into one Set: a nested stack's changes are addressed
// Parent/Child by the logical ids. name is the Set's source file.
func ReadAll(name string, docs []Doc) (change.Set, error) {
	var sets []*changeSet
	for _, d := range docs {
		cs, err := readDoc(d.Name, d.R)
		if err != nil {
			return change.Set{}, err
		}
		sets = append(sets, cs)
	}
	return assemble(name, sets)
}

// changeSet is one decoded document.
type changeSet struct {
	file       string
	name, id   string
	stack      string
	parentID   string
	nested     bool // IncludeNestedStacks
	resources  []change.Resource
	drift      []change.Resource
	children   map[string]string // logical id of a nested stack → its change set id
	params     map[string]string // Env, Environment, Stage parameters
	paramsRaw  any
	hasContext bool // some change has property values (--include-property-values)
}

// keys is a document's key case: the CLI's PascalCase or camelCase.
type keys struct{ camel bool }

func (k keys) of(name string) string {
	if k.camel {
		return strings.ToLower(name[:1]) + name[1:]
	}
	return name
}

func (k keys) all(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = k.of(n)
	}
	return out
}

var topKeys = []string{"ChangeSetName", "ChangeSetId", "StackId", "StackName", "Description", "Parameters",
	"CreationTime", "ExecutionStatus", "Status", "StatusReason", "NotificationARNs", "RollbackConfiguration",
	"Capabilities", "Tags", "Changes", "NextToken", "IncludeNestedStacks", "ParentChangeSetId", "RootChangeSetId",
	"OnStackFailure", "ImportExistingResources"}

func readDoc(file string, r io.Reader) (*changeSet, error) {
	data, err := strictjson.ReadAll(r)
	if err != nil {
		return nil, readErr(file, err)
	}
	v, err := strictjson.Document(data)
	if err != nil {
		return nil, readErr(file, err)
	}
	cs, err := decode(file, v)
	if err != nil {
		if errors.Is(err, strictjson.ErrType) {
			err = fmt.Errorf("%w: %w", ErrNotChangeSet, err)
		}
		if errors.Is(err, strictjson.ErrKeyCase) && !errors.Is(err, ErrKeyCase) {
			err = fmt.Errorf("%w: %w", ErrKeyCase, err)
		}
		return nil, readErr(file, err)
	}
	return cs, nil
}

func decode(file string, v any) (*changeSet, error) {
	top, isObj, err := strictjson.AsObj(v, "")
	if err != nil || !isObj {
		return nil, fmt.Errorf("%w: the document is not a JSON object", ErrNotChangeSet)
	}
	var k keys
	_, pascal := top.M["Changes"]
	_, camel := top.M["changes"]
	switch {
	case pascal && camel:
		return nil, fmt.Errorf("%w: both Changes and changes", ErrKeyCase)
	case camel:
		k.camel = true
	case !pascal:
		return nil, fmt.Errorf("%w: no Changes (is it describe-change-set output?)", ErrNotChangeSet)
	}
	_, pid := top.M[k.of("ChangeSetId")]
	_, pstack := top.M[k.of("StackName")]
	if !pid && !pstack {
		return nil, fmt.Errorf("%w: no %s or %s", ErrNotChangeSet, k.of("ChangeSetId"), k.of("StackName"))
	}
	if err := top.CheckCase(k.all(topKeys...)...); err != nil {
		return nil, err
	}
	cs := &changeSet{file: file, children: map[string]string{}}
	for _, f := range []struct {
		key string
		dst *string
	}{{"ChangeSetName", &cs.name}, {"ChangeSetId", &cs.id}, {"StackName", &cs.stack}, {"ParentChangeSetId", &cs.parentID}} {
		if *f.dst, err = top.Str(k.of(f.key)); err != nil {
			return nil, err
		}
	}
	if cs.nested, err = top.Bool(k.of("IncludeNestedStacks")); err != nil {
		return nil, err
	}
	if err := checkStatus(top, k); err != nil {
		return nil, err
	}
	if tok, err := top.Str(k.of("NextToken")); err != nil {
		return nil, err
	} else if tok != "" {
		return nil, fmt.Errorf("%w: NextToken is set, so more changes follow on another page (the AWS CLI fetches every page unless --max-items or --no-paginate is given)", ErrIncomplete)
	}
	if cs.params, cs.paramsRaw, err = parameters(top, k); err != nil {
		return nil, err
	}
	changes, err := top.List(k.of("Changes"))
	if err != nil {
		return nil, err
	}
	for i, c := range changes {
		path := fmt.Sprintf("%s[%d]", k.of("Changes"), i)
		r, drift, err := cs.resourceChange(k, c, path)
		if err != nil {
			return nil, err
		}
		if drift {
			cs.drift = append(cs.drift, r)
		} else {
			cs.resources = append(cs.resources, r)
		}
	}
	return cs, nil
}

// checkStatus refuses a change set CloudFormation has not finished or
// could not create; one that failed only because nothing changes is an
// empty change.
func checkStatus(top strictjson.Obj, k keys) error {
	status, err := top.Str(k.of("Status"))
	if err != nil {
		return err
	}
	reason, err := top.Str(k.of("StatusReason"))
	if err != nil {
		return err
	}
	switch status {
	case "", "CREATE_COMPLETE", "DELETE_COMPLETE":
		return nil
	case "CREATE_PENDING", "CREATE_IN_PROGRESS":
		return fmt.Errorf("%w: Status is %s: describe it again once it is CREATE_COMPLETE", ErrIncomplete, status)
	case "FAILED":
		if strings.Contains(reason, "didn't contain changes") || strings.Contains(reason, "No updates are to be performed") {
			return nil
		}
		return fmt.Errorf("%w: Status is FAILED (%s)", ErrIncomplete, oneLine(reason))
	case "DELETE_PENDING", "DELETE_IN_PROGRESS", "DELETE_FAILED":
		return nil
	}
	return fmt.Errorf("%w: Status %q", ErrAction, status)
}

// envParams are the stack parameters that say which environment the stack
// is, matched in any case.
var envParams = []string{"env", "environment", "stage"}

func parameters(top strictjson.Obj, k keys) (map[string]string, any, error) {
	l, err := top.List(k.of("Parameters"))
	if err != nil {
		return nil, nil, err
	}
	out := map[string]string{}
	for i, p := range l {
		o, _, err := strictjson.AsObj(p, fmt.Sprintf("%s[%d]", k.of("Parameters"), i))
		if err != nil {
			return nil, nil, err
		}
		if err := o.CheckCase(k.all("ParameterKey", "ParameterValue", "ResolvedValue", "UsePreviousValue")...); err != nil {
			return nil, nil, err
		}
		key, err := o.Str(k.of("ParameterKey"))
		if err != nil {
			return nil, nil, err
		}
		val, err := o.Str(k.of("ParameterValue"))
		if err != nil {
			return nil, nil, err
		}
		if slices.Contains(envParams, strings.ToLower(key)) && val != "" {
			out[key] = val
		}
	}
	return out, top.M[k.of("Parameters")], nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
