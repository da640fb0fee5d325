package planjson

import (
	"encoding/json"
	"errors"
	"fmt"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/rehearse-dev/rehearse/change"
)

// A resource change is converted from its bytes on the converter
// goroutine (pipeline.go): its identity fields and actions, then what the
// action needs of the values (labels.go, attributes.go). With a nil
// interner every fast path is off: that is the general code the tests
// compare the fast paths with.

// convertActions maps the plan's action list onto the model. Anything that
// is not one of the lists Terraform documents is an error: rehearse fails
// closed rather than guess.
func convertActions(a tfjson.Actions) (change.Action, change.ReplaceOrder, error) {
	switch {
	case a.NoOp():
		return change.NoOp, "", nil
	case a.Create():
		return change.Create, "", nil
	case a.Read():
		return change.Read, "", nil
	case a.Update():
		return change.Update, "", nil
	case a.Delete():
		return change.Delete, "", nil
	case a.DestroyBeforeCreate():
		return change.Replace, change.DeleteThenCreate, nil
	case a.CreateBeforeDestroy():
		return change.Replace, change.CreateThenDelete, nil
	case a.Forget():
		return change.Forget, "", nil
	}
	b, _ := json.Marshal(a)
	return "", "", fmt.Errorf("%w %s", ErrAction, b)
}

// errWrongType is a field of a resource change whose value has the wrong
// JSON type, as decoding into tfjson.ResourceChange reported it.
var errWrongType = errors.New("a field has the wrong type")

// converter turns one resource change, as raw JSON, into a change.Resource.
// It decodes the fields tfjson.ResourceChange has, and of the attribute
// values only what the action needs: all of before and after for updates
// and replaces (to diff them), the labels and top-level scalars otherwise.
type converter struct {
	rc        tfjson.ResourceChange
	hasChange bool
	index     []byte
	actions   tfjson.Actions
	importing *tfjson.Importing
	// Raw values of the change object; nil when absent.
	before, after, afterUnknown, beforeSensitive, afterSensitive, replacePaths []byte
	hasReplacePaths                                                            bool
	typeErr                                                                    string
	caseErr                                                                    error

	list string // which list the change is in

	// Kept across resources.
	dig digester
	// byName counts values hidden because their names say secret.
	byName  int
	scratch pickScratch
}

// pickScratch are the picker's slices, reused from one change to the next.
type pickScratch struct {
	bm, am  []rawMember
	roots   []string
	changes []change.AttrChange
}

func (cv *converter) wrongType(field string, c byte) {
	if cv.typeErr == "" {
		cv.typeErr = field + " has the wrong type (" + kind(c) + ")"
	}
}

// str decodes a string field: null leaves it, another type is an error.
func (cv *converter) str(p *vparser, field string, dst *string, intern *interner) {
	raw := p.raw()
	switch raw[0] {
	case '"':
		*dst = interned(intern, raw)
	case 'n':
	default:
		cv.wrongType(field, raw[0])
	}
}

// resource converts one element of resource_changes (or resource_drift, or
// a deferred change) sitting depth levels deep in the document. addr is the
// address, for errors.
func (cv *converter) resource(raw []byte, intern *interner, depth int, list string) (r change.Resource, addr string, err error) {
	*cv = converter{dig: cv.dig, byName: cv.byName, scratch: cv.scratch, list: list}
	digest, err := cv.dig.digest(raw, depth)
	if err != nil {
		return change.Resource{}, "", err
	}
	p := &vparser{b: raw}
	switch c := p.ws(); c {
	case 'n':
	case '{':
		p.i++
		for first := true; p.next('}', first); first = false {
			cv.field(p, p.key(), intern)
		}
	default:
		return change.Resource{}, "", fmt.Errorf("%w: the element is a %s, not an object", errWrongType, kind(c))
	}
	if cv.caseErr != nil {
		return change.Resource{}, cv.rc.Address, cv.caseErr
	}
	if cv.typeErr != "" {
		return change.Resource{}, cv.rc.Address, fmt.Errorf("%w: %s", errWrongType, cv.typeErr)
	}
	r, err = cv.convert(intern)
	r.Digest = digest
	return r, cv.rc.Address, err
}

// checkCase records a key that is a known one in another case.
func (cv *converter) checkCase(k string, names []string) {
	if n, ok := caseOf(k, names); ok && cv.caseErr == nil {
		cv.caseErr = fmt.Errorf("%w: %q, terraform writes %q", ErrKeyCase, k, n)
	}
}

func (cv *converter) field(p *vparser, rawKey []byte, intern *interner) {
	rc := &cv.rc
	k := keyString(rawKey)
	switch {
	case keyIs(k, "address"):
		cv.str(p, "address", &rc.Address, nil)
	case keyIs(k, "previous_address"):
		cv.str(p, "previous_address", &rc.PreviousAddress, nil)
	case keyIs(k, "module_address"):
		cv.str(p, "module_address", &rc.ModuleAddress, intern)
	case keyIs(k, "mode"):
		s := string(rc.Mode)
		cv.str(p, "mode", &s, intern)
		rc.Mode = tfjson.ResourceMode(s)
	case keyIs(k, "type"):
		cv.str(p, "type", &rc.Type, intern)
	case keyIs(k, "name"):
		cv.str(p, "name", &rc.Name, intern)
	case keyIs(k, "index"):
		cv.index = p.raw()
	case keyIs(k, "provider_name"):
		cv.str(p, "provider_name", &rc.ProviderName, intern)
	case keyIs(k, "deposed"):
		cv.str(p, "deposed", &rc.DeposedKey, nil)
	case keyIs(k, "action_reason"):
		s := string(rc.ActionReason)
		cv.str(p, "action_reason", &s, intern)
		rc.ActionReason = tfjson.ActionReason(s)
	case keyIs(k, "change"):
		switch c := p.open(); c {
		case '{':
			cv.hasChange = true
			for first := true; p.next('}', first); first = false {
				cv.changeField(p, keyString(p.key()))
			}
		case '[':
			p.i--
			cv.wrongType("change", p.raw()[0])
		default:
			if v := p.raw(); v[0] == 'n' {
				cv.hasChange = false
				cv.before, cv.after, cv.afterUnknown, cv.beforeSensitive, cv.afterSensitive, cv.replacePaths = nil, nil, nil, nil, nil, nil
				cv.actions, cv.importing = nil, nil
			} else {
				cv.wrongType("change", v[0])
			}
		}
	default:
		cv.checkCase(k, resourceKeys)
		p.skip()
	}
}

func (cv *converter) changeField(p *vparser, k string) {
	switch {
	case keyIs(k, "actions"):
		raw := p.raw()
		switch raw[0] {
		case 'n':
			cv.actions = nil
		case '[':
			cv.actions = tfjson.Actions{}
			q := &vparser{b: raw, i: 1}
			for first := true; q.next(']', first); first = false {
				v := q.raw()
				switch v[0] {
				case '"':
					cv.actions = append(cv.actions, tfjson.Action(decodeString(v)))
				case 'n':
					cv.actions = append(cv.actions, "")
				default:
					cv.wrongType("change.actions", v[0])
				}
			}
		default:
			cv.wrongType("change.actions", raw[0])
		}
	case keyIs(k, "before"):
		cv.before = cv.objectOrNull(p, "change.before")
	case keyIs(k, "after"):
		cv.after = cv.objectOrNull(p, "change.after")
	case keyIs(k, "after_unknown"):
		cv.afterUnknown = cv.mark(p, "change.after_unknown")
	case keyIs(k, "before_sensitive"):
		cv.beforeSensitive = cv.mark(p, "change.before_sensitive")
	case keyIs(k, "after_sensitive"):
		cv.afterSensitive = cv.mark(p, "change.after_sensitive")
	case keyIs(k, "replace_paths"):
		cv.hasReplacePaths = true
		raw := p.raw()
		switch raw[0] {
		case '[':
			cv.replacePaths = raw
		case 'n':
			cv.replacePaths = nil
		default:
			cv.wrongType("change.replace_paths", raw[0])
		}
	case keyIs(k, "importing"):
		raw := p.raw()
		switch raw[0] {
		case 'n':
			cv.importing = nil
		case '{':
			if cv.importing == nil {
				cv.importing = &tfjson.Importing{}
			}
			q := &vparser{b: raw, i: 1}
			for first := true; q.next('}', first); first = false {
				switch k := decodeString(q.key()); {
				case keyIs(k, "id"):
					cv.str(q, "change.importing.id", &cv.importing.ID, nil)
				case keyIs(k, "unknown"):
					switch v := q.raw(); v[0] {
					case 't':
						cv.importing.Unknown = true
					case 'f':
						cv.importing.Unknown = false
					case 'n':
					default:
						cv.wrongType("change.importing.unknown", v[0])
					}
				default:
					q.skip()
				}
			}
		default:
			cv.wrongType("change.importing", raw[0])
		}
	case keyIs(k, "generated_config"):
		var s string
		cv.str(p, "change.generated_config", &s, nil)
	default:
		cv.checkCase(k, changeKeys)
		p.skip()
	}
}

// objectOrNull reads a resource's before or after value, which terraform
// writes as an object or null: anything else is the wrong type.
func (cv *converter) objectOrNull(p *vparser, field string) []byte {
	raw := p.raw()
	if raw[0] != '{' && raw[0] != 'n' {
		cv.wrongType(field, raw[0])
	}
	return raw
}

// mark reads an unknown or sensitivity mark: a bool, or an object or list
// of marks, or null. A mark of another type cannot be read, and what it
// would hide is not known: the wrong type.
func (cv *converter) mark(p *vparser, field string) []byte {
	raw := p.raw()
	switch raw[0] {
	case 't', 'f', '{', '[', 'n':
	default:
		cv.wrongType(field, raw[0])
	}
	return raw
}

// isObject reports whether a raw value is a JSON object.
func isObject(raw []byte) bool { return len(raw) > 0 && raw[0] == '{' }

func (cv *converter) convert(intern *interner) (change.Resource, error) {
	rc := &cv.rc
	if !cv.hasChange {
		return change.Resource{}, fmt.Errorf("%w: no change object", ErrNotPlan)
	}
	if rc.Address == "" && cv.list == "resource_drift" && rc.Type != "" && rc.Name != "" {
		// Terraform 1.0.0 wrote drift without addresses. Drift is
		// only reported, so it is named by what it has.
		rc.Address = rc.Type + "." + rc.Name
		if len(cv.index) > 0 && cv.index[0] != 'n' {
			rc.Address += "[" + string(cv.index) + "]"
		}
		if rc.ModuleAddress != "" {
			rc.Address = rc.ModuleAddress + "." + rc.Address
		}
	}
	if rc.Address == "" || rc.Type == "" {
		return change.Resource{}, fmt.Errorf("%w: a resource change without address or type", ErrNotPlan)
	}
	act, order, err := convertActions(cv.actions)
	if err != nil {
		return change.Resource{}, err
	}
	r := change.Resource{
		Address:         rc.Address,
		PreviousAddress: rc.PreviousAddress,
		Module:          rc.ModuleAddress,
		Mode:            change.Mode(rc.Mode),
		Type:            rc.Type,
		Name:            rc.Name,
		Provider:        rc.ProviderName,
		Deposed:         rc.DeposedKey,
		Action:          act,
		ReplaceOrder:    order,
		Reason:          string(rc.ActionReason),
	}
	switch r.Mode {
	case "":
		r.Mode = change.Managed
	case change.Managed, change.Data:
	default:
		return change.Resource{}, fmt.Errorf("%w: mode %q (terraform writes managed or data)", ErrNotPlan, r.Mode)
	}
	if index := decodeValue(cv.index); index != nil {
		b, _ := json.Marshal(index)
		r.Index = string(b)
	}
	if cv.importing != nil {
		r.Importing, r.ImportID = true, cv.importing.ID
	}
	r.Kind = manifestKind(rc.Type, cv.before, cv.after)
	if act == change.Update || act == change.Replace {
		return cv.full(r, intern)
	}
	// No diff: only the labels, and for a delete the scalars, are needed.
	switch {
	case isObject(cv.after) && act != change.Delete:
		if m, ok := rawLabels(cv.after, cv.afterSensitive, intern); ok {
			r.Labels = m
			break
		}
		after := partialObject(cv.after, false)
		r.Labels = labels(after, markSource(after, cv.afterSensitive), intern)
	case isObject(cv.before):
		destructive := act.Destructive()
		if !destructive {
			if m, ok := rawLabels(cv.before, cv.beforeSensitive, intern); ok {
				r.Labels = m
				break
			}
		}
		before := partialObject(cv.before, destructive)
		sens := markSource(before, cv.beforeSensitive)
		if destructive {
			r.Before = scalars(before, sens, &cv.byName)
			r.LabelsSensitive = labelsMarked(decodeMarks(cv.beforeSensitive))
		}
		r.Labels = labels(before, sens, intern)
	}
	return r, nil
}

// manifestKind is the kind of the object a generic Kubernetes manifest
// resource holds: kubernetes_manifest keeps it in manifest.kind,
// kubectl_manifest in kind.
func manifestKind(typ string, beforeRaw, afterRaw []byte) string {
	var path []string
	switch typ {
	case "kubernetes_manifest":
		path = []string{"manifest", "kind"}
	case "kubectl_manifest":
		path = []string{"kind"}
	default:
		return ""
	}
	for _, raw := range [][]byte{beforeRaw, afterRaw} {
		if !isObject(raw) {
			continue
		}
		var v any = decodeValue(raw)
		for _, k := range path {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		if s, ok := v.(string); ok && s != "" {
			return s
		}
	}
	return ""
}
