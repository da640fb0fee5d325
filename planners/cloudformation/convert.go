package cloudformation

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/internal/strictjson"
)

var resourceChangeKeys = []string{"Action", "LogicalResourceId", "PhysicalResourceId", "ResourceType", "Replacement",
	"Scope", "Details", "ChangeSetId", "ModuleInfo", "BeforeContext", "AfterContext", "PolicyAction",
	"PreviousDeploymentContext", "ResourceDriftStatus", "ResourceDriftIgnoredAttributes"}

var detailKeys = []string{"Target", "Evaluation", "ChangeSource", "CausingEntity"}

var targetKeys = []string{"Attribute", "Name", "Path", "RequiresRecreation", "BeforeValue", "AfterValue",
	"AttributeChangeType", "BeforeValueFrom", "AfterValueFrom", "Drift"}

// policyActions maps PolicyAction to what happens to the old object, as
// Resource.Before["deletion_policy"] tells the verdict.
var policyActions = map[string]string{
	"Delete": "Delete", "ReplaceAndDelete": "Delete",
	"Retain": "Retain", "ReplaceAndRetain": "Retain",
	"Snapshot": "Snapshot", "ReplaceAndSnapshot": "Snapshot",
}

// resourceChange converts one Changes[] entry. drift reports a
// SyncWithActual change, which records drift rather than changing the
// resource.
func (cs *changeSet) resourceChange(k keys, v any, path string) (change.Resource, bool, error) {
	c, _, err := strictjson.AsObj(v, path)
	if err != nil {
		return change.Resource{}, false, err
	}
	if err := c.CheckCase(k.all("Type", "ResourceChange", "HookInvocationCount")...); err != nil {
		return change.Resource{}, false, err
	}
	typ, err := c.Str(k.of("Type"))
	if err != nil {
		return change.Resource{}, false, err
	}
	if typ != "Resource" {
		return change.Resource{}, false, fmt.Errorf("%w: %s.%s %q (CloudFormation writes Resource)", ErrAction, path, k.of("Type"), typ)
	}
	rc, err := c.Obj(k.of("ResourceChange"))
	if err != nil {
		return change.Resource{}, false, err
	}
	path += "." + k.of("ResourceChange")
	if err := rc.CheckCase(k.all(resourceChangeKeys...)...); err != nil {
		return change.Resource{}, false, err
	}
	get := func(key string) (string, error) { return rc.Str(k.of(key)) }
	logical, err := get("LogicalResourceId")
	if err != nil {
		return change.Resource{}, false, err
	}
	if logical == "" {
		return change.Resource{}, false, fmt.Errorf("%w: %s has no %s", ErrNotChangeSet, path, k.of("LogicalResourceId"))
	}
	rtype, err := get("ResourceType")
	if err != nil {
		return change.Resource{}, false, err
	}
	if rtype == "" {
		return change.Resource{}, false, fmt.Errorf("%w: %s (%s) has no %s", ErrNotChangeSet, path, logical, k.of("ResourceType"))
	}
	at := fmt.Sprintf("%s (%s)", path, logical)
	r := change.Resource{
		Address: logical, Mode: change.Managed, Type: rtype, Name: logical, Provider: "aws",
		Digest: strictjson.Digest(c.M),
	}
	action, err := get("Action")
	if err != nil {
		return change.Resource{}, false, err
	}
	replacement, err := get("Replacement")
	if err != nil {
		return change.Resource{}, false, err
	}
	drift := false
	switch action {
	case "Add":
		r.Action = change.Create
	case "Remove":
		r.Action = change.Delete
	case "Import":
		r.Action, r.Importing = change.NoOp, true
		if r.ImportID, err = get("PhysicalResourceId"); err != nil {
			return change.Resource{}, false, err
		}
	case "Dynamic":
		// Decided only when the change set runs: it may replace.
		r.Action, r.Conditional, r.ReplaceOrder = change.Replace, true, change.CreateThenDelete
		r.Reason = "its change is Dynamic: CloudFormation decides it only when the change set runs"
	case "SyncWithActual":
		r.Action, drift = change.Update, true
	case "Modify":
		switch replacement {
		case "True":
			r.Action, r.ReplaceOrder = change.Replace, change.CreateThenDelete
		case "Conditional":
			r.Action, r.ReplaceOrder, r.Conditional = change.Replace, change.CreateThenDelete, true
		case "False":
			r.Action = change.Update
		default:
			return change.Resource{}, false, fmt.Errorf("%w: %s: Modify with %s %q (True, False or Conditional)", ErrAction, at, k.of("Replacement"), replacement)
		}
	default:
		return change.Resource{}, false, fmt.Errorf("%w: %s: %s %q", ErrAction, at, k.of("Action"), action)
	}
	if action != "Modify" && replacement != "" && replacement != "False" && !(action == "Dynamic" && replacement == "Conditional") {
		return change.Resource{}, false, fmt.Errorf("%w: %s: %s with %s %q", ErrAction, at, action, k.of("Replacement"), replacement)
	}
	if _, err := rc.Strings(k.of("Scope")); err != nil {
		return change.Resource{}, false, err
	}
	if err := cs.details(k, rc, at, &r); err != nil {
		return change.Resource{}, false, err
	}
	before, after, err := contexts(k, rc, at)
	if err != nil {
		return change.Resource{}, false, err
	}
	if before != nil || after != nil {
		cs.hasContext = true
	}
	if err := placeLabels(&r, before, after); err != nil {
		return change.Resource{}, false, fmt.Errorf("%s: %w", at, err)
	}
	r.Before = beforeScalars(before)
	pa, err := get("PolicyAction")
	if err != nil {
		return change.Resource{}, false, err
	}
	if pa != "" {
		dp, ok := policyActions[pa]
		if !ok {
			return change.Resource{}, false, fmt.Errorf("%w: %s: %s %q", ErrAction, at, k.of("PolicyAction"), pa)
		}
		setBefore(&r, "deletion_policy", dp)
	} else if before != nil && r.Action.Destructive() {
		key := "DeletionPolicy"
		if r.Action == change.Replace {
			key = "UpdateReplacePolicy"
		}
		if s, ok := before.M[key].(string); ok && s != "" {
			setBefore(&r, "deletion_policy", s)
		} else {
			setBefore(&r, "deletion_policy", "Delete")
		}
	}
	if rtype == "AWS::CloudFormation::Stack" {
		child, err := get("ChangeSetId")
		if err != nil {
			return change.Resource{}, false, err
		}
		if child != "" {
			cs.children[logical] = child
		}
	}
	if !r.Action.Destructive() && r.Action != change.Update {
		r.Before = nil
	}
	return r, drift, nil
}

func setBefore(r *change.Resource, k string, v change.Value) {
	if r.Before == nil {
		r.Before = map[string]change.Value{}
	}
	r.Before[k] = v
}

// details reads the changed attributes: each target with its values, the
// ones that force a recreation, and the cause of the first that does.
func (cs *changeSet) details(k keys, rc strictjson.Obj, at string, r *change.Resource) error {
	list, err := rc.List(k.of("Details"))
	if err != nil {
		return err
	}
	var cause string
	for i, v := range list {
		p := fmt.Sprintf("%s.%s[%d]", at, k.of("Details"), i)
		d, _, err := strictjson.AsObj(v, p)
		if err != nil {
			return err
		}
		if err := d.CheckCase(k.all(detailKeys...)...); err != nil {
			return err
		}
		t, err := d.Obj(k.of("Target"))
		if err != nil {
			return err
		}
		if err := t.CheckCase(k.all(targetKeys...)...); err != nil {
			return err
		}
		str := func(o strictjson.Obj, key string) string {
			if err == nil {
				var s string
				s, err = o.Str(k.of(key))
				return s
			}
			return ""
		}
		attr, name, tpath, recreate := str(t, "Attribute"), str(t, "Name"), str(t, "Path"), str(t, "RequiresRecreation")
		eval, source, entity := str(d, "Evaluation"), str(d, "ChangeSource"), str(d, "CausingEntity")
		if err != nil {
			return err
		}
		switch recreate {
		case "", "Never", "Conditionally", "Always":
		default:
			return fmt.Errorf("%w: %s: RequiresRecreation %q", ErrAction, p, recreate)
		}
		switch eval {
		case "", "Static", "Dynamic":
		default:
			return fmt.Errorf("%w: %s: Evaluation %q", ErrAction, p, eval)
		}
		switch source {
		case "", "ResourceReference", "ParameterReference", "ResourceAttribute", "DirectModification", "Automatic", "NoModification":
		default:
			return fmt.Errorf("%w: %s: ChangeSource %q", ErrAction, p, source)
		}
		ac := change.AttrChange{Path: attrPath(attr, name, tpath)}
		bv, hasB := t.M[k.of("BeforeValue")]
		av, hasA := t.M[k.of("AfterValue")]
		if hasB {
			ac.Before = bv
		}
		if hasA {
			ac.After = av
		}
		if eval == "Dynamic" && hasB && !hasA {
			ac.Unknown = true
		}
		if change.SecretName(name) {
			ac.Before, ac.After, ac.Sensitive, ac.ByName = nil, nil, true, true
		}
		if !slices.ContainsFunc(r.Changes, func(c change.AttrChange) bool { return c.Path == ac.Path }) {
			r.Changes = append(r.Changes, ac)
		}
		if recreate == "Always" || recreate == "Conditionally" {
			if !slices.ContainsFunc(r.ReplacePaths, func(c change.AttrChange) bool { return c.Path == ac.Path }) {
				r.ReplacePaths = append(r.ReplacePaths, ac)
			}
			if cause == "" {
				cause = because(source, entity, ac.Path, recreate)
			}
		}
	}
	if r.Action == change.Replace && cause != "" {
		if r.Reason != "" {
			r.Reason += "; "
		}
		r.Reason += cause
	}
	if r.Action != change.Replace {
		r.ReplacePaths = nil
	}
	return nil
}

// attrPath names a target: the property's name, else its path without
// the /Properties/ prefix, else the attribute (Tags, Metadata…).
func attrPath(attr, name, path string) string {
	switch {
	case name != "":
		return name
	case path != "":
		return strings.ReplaceAll(strings.Trim(strings.TrimPrefix(path, "/Properties/"), "/"), "/", ".")
	case attr != "":
		return attr
	}
	return "(unnamed)"
}

// because says what caused a forcing change, for the evidence line
// "because parameter DbClass changed".
func because(source, entity, path, recreate string) string {
	cond := ""
	if recreate == "Conditionally" {
		cond = " (it may force a replacement, decided when the change set runs)"
	}
	switch source {
	case "ParameterReference":
		return "parameter " + entity + " changed" + cond
	case "ResourceReference":
		return "resource " + entity + " changed" + cond
	case "ResourceAttribute":
		return entity + " changed" + cond
	case "Automatic":
		return "a nested stack's template changed" + cond
	}
	return path + " changed in the template" + cond
}

// contexts decodes BeforeContext and AfterContext: JSON strings of the
// resource's template entry (Properties, DeletionPolicy…), strictly, like
// the document itself.
func contexts(k keys, rc strictjson.Obj, at string) (before, after *strictjson.Obj, err error) {
	read := func(key string) (*strictjson.Obj, error) {
		v := rc.M[k.of(key)]
		var doc any
		switch t := v.(type) {
		case nil:
			return nil, nil
		case string:
			d, err := strictjson.Document([]byte(t))
			if err != nil {
				return nil, fmt.Errorf("%w: %s.%s: %v", ErrNotChangeSet, at, k.of(key), err)
			}
			doc = d
		case map[string]any:
			doc = t // an export that decoded the string already
		default:
			return nil, fmt.Errorf("%w: %s.%s is %s, not a string", ErrNotChangeSet, at, k.of(key), strictjson.KindOf(v))
		}
		o, _, err := strictjson.AsObj(doc, at+"."+k.of(key))
		if err != nil {
			return nil, err
		}
		return &o, nil
	}
	if before, err = read("BeforeContext"); err != nil {
		return nil, nil, err
	}
	if after, err = read("AfterContext"); err != nil {
		return nil, nil, err
	}
	return before, after, nil
}

// placeLabels reads the tags of both sides: Properties.Tags as a list of
// {Key, Value} or a map.
func placeLabels(r *change.Resource, before, after *strictjson.Obj) error {
	bl, err := tags(before)
	if err != nil {
		return err
	}
	al, err := tags(after)
	if err != nil {
		return err
	}
	switch {
	case r.Action == change.Delete:
		r.Labels = bl
	default:
		r.Labels, r.BeforeLabels = al, bl
		if r.Action == change.Create {
			r.BeforeLabels = nil
		}
	}
	return nil
}

func tags(ctx *strictjson.Obj) (map[string]string, error) {
	if ctx == nil {
		return nil, nil
	}
	props, err := ctx.Obj("Properties")
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	switch t := props.M["Tags"].(type) {
	case nil:
	case []any:
		for i, e := range t {
			o, _, err := strictjson.AsObj(e, fmt.Sprintf("Properties.Tags[%d]", i))
			if err != nil {
				return nil, err
			}
			key, err := o.Str("Key")
			if err != nil {
				return nil, err
			}
			val, err := o.Str("Value")
			if err != nil {
				return nil, err
			}
			if _, dup := out[key]; dup {
				return nil, fmt.Errorf("%w: tag %q twice", ErrDuplicate, key)
			}
			out[key] = val
		}
	case map[string]any:
		for key, v := range t {
			s, ok := v.(string)
			if !ok {
				s = fmt.Sprint(v)
			}
			out[key] = s
		}
	default:
		return nil, fmt.Errorf("%w: Properties.Tags is %s", ErrNotChangeSet, strictjson.KindOf(t))
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// propertyHints maps CloudFormation properties to the attribute names the
// verdict's recoverability rules read.
var propertyHints = map[string]string{
	"DeletionProtection":        "deletion_protection",
	"DeletionProtectionEnabled": "deletion_protection",
	"BackupRetentionPeriod":     "backup_retention_period",
	"DeleteAutomatedBackups":    "delete_automated_backups",
	"PendingWindowInDays":       "deletion_window_in_days",
}

// beforeScalars keeps the old object's top-level scalar properties, names
// that say secret left out, and the recoverability ones under the names
// the verdict reads.
func beforeScalars(before *strictjson.Obj) map[string]change.Value {
	if before == nil {
		return nil
	}
	props, err := before.Obj("Properties")
	if err != nil {
		return nil
	}
	out := map[string]change.Value{}
	for key, v := range props.M {
		if change.SecretName(key) {
			continue
		}
		switch v.(type) {
		case string, bool, json.Number:
			out[key] = v
			if alias, ok := propertyHints[key]; ok {
				out[alias] = normalize(v)
			}
		}
	}
	for _, key := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
		if s, ok := before.M[key].(string); ok {
			out[key] = s
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// normalize turns the strings CloudFormation renders booleans and numbers
// as ("true", "0") into the values the hint rules compare with.
func normalize(v change.Value) change.Value {
	s, ok := v.(string)
	if !ok {
		return v
	}
	switch s {
	case "true":
		return true
	case "false":
		return false
	}
	if n := json.Number(s); s != "" {
		if _, err := n.Int64(); err == nil {
			return n
		}
	}
	return v
}
