package planjson

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/rehearse-dev/rehearse/change"
)

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
	byName int
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

// interned decodes a string, sharing one copy of each value.
func interned(intern *interner, raw []byte) string {
	if intern == nil {
		return decodeString(raw)
	}
	if s, ok := intern.raw[string(raw)]; ok {
		return s
	}
	s := decodeString(raw)
	intern.raw[string(raw)] = s
	return s
}

// resource converts one element of resource_changes (or resource_drift, or
// a deferred change) sitting depth levels deep in the document. addr is the
// address, for errors.
func (cv *converter) resource(raw []byte, intern *interner, depth int, list string) (r change.Resource, addr string, err error) {
	dig, byName := cv.dig, cv.byName
	*cv = converter{dig: dig, byName: byName, list: list}
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

// resourceKeys are the keys of a resource change rehearse reads.
var resourceKeys = []string{"address", "previous_address", "module_address", "mode", "type", "name", "index",
	"provider_name", "deposed", "action_reason", "change"}

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

// knownKeys are the keys of a resource change and its change object.
var knownKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"address", "previous_address", "module_address", "mode", "type", "name", "index",
		"provider_name", "deposed", "action_reason", "change", "actions", "before", "after", "after_unknown",
		"before_sensitive", "after_sensitive", "replace_paths", "importing", "generated_config"} {
		m[k] = k
	}
	return m
}()

// keyString decodes an object key; the usual ones without allocating.
func keyString(raw []byte) string {
	if k, ok := knownKeys[string(raw[1:len(raw)-1])]; ok {
		return k
	}
	return decodeString(raw)
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

// markSource decodes a sensitivity mark, unless obj is empty and nothing
// will look at it.
func markSource(obj map[string]any, raw []byte) any {
	if len(obj) == 0 {
		return nil
	}
	return decodeMarks(raw)
}

// decodeMarks decodes sensitivity or unknown marks. Only a true mark
// counts anywhere they are read (markedAt, coveredAt, containsTrue), so
// marks without one, the common case, are nil: nothing to build.
func decodeMarks(raw []byte) any {
	if !bytes.Contains(raw, []byte("true")) {
		return nil
	}
	return decodeValue(raw)
}

// full converts an update or replace. It decodes the top-level attributes
// whose raw JSON differs between before and after, is unknown, forces the
// replace, holds labels or (for a replace) is a scalar; an attribute with
// the same bytes on both sides has the same value, and the diff skips it
// anyway.
func (cv *converter) full(r change.Resource, intern *interner) (change.Resource, error) {
	c := &tfjson.Change{
		AfterUnknown:    decodeMarks(cv.afterUnknown),
		BeforeSensitive: decodeMarks(cv.beforeSensitive),
		AfterSensitive:  decodeMarks(cv.afterSensitive),
	}
	if cv.replacePaths != nil {
		c.ReplacePaths, _ = decodeValue(cv.replacePaths).([]any)
	}
	if b, a, ok := pickSmall(cv.before, cv.after, c, r.Action, intern); ok {
		c.Before, c.After = b, a
	} else {
		c.Before, c.After = pickMaps(cv.before, cv.after, c, r.Action)
	}
	before, _ := c.Before.(map[string]any)
	after, _ := c.After.(map[string]any)
	if r.Action == change.Replace {
		for _, p := range c.ReplacePaths {
			steps, ok := p.([]any)
			if !ok {
				return change.Resource{}, fmt.Errorf("%w: replace_paths entry is not a path", ErrNotPlan)
			}
			r.ReplacePaths = append(r.ReplacePaths, pathChange(steps, c, &cv.byName))
		}
		// Formats 0.1 and 0.2 have no replace_paths: what changed is
		// listed instead, and the verdict says the plan does not tell.
		r.NoReplacePaths = !cv.hasReplacePaths
	}
	r.Changes = diff(before, after, c, &cv.byName)
	if r.Action.Destructive() {
		r.Before = scalars(before, c.BeforeSensitive, &cv.byName)
	}
	switch {
	case after != nil:
		r.Labels = labels(after, c.AfterSensitive, intern)
	case before != nil:
		r.Labels = labels(before, c.BeforeSensitive, intern)
	}
	// Where a replaced or updated object lives is said by its old tags as
	// much as by its new ones, and new tags unknown until apply may say
	// anything.
	if before != nil && after != nil {
		r.BeforeLabels = labels(before, c.BeforeSensitive, intern)
	}
	r.LabelsUnknown = labelsUnknown(c.AfterUnknown)
	r.LabelsSensitive = labelsMarked(c.BeforeSensitive) || labelsMarked(c.AfterSensitive)
	return r, nil
}

// labelsMarked reports whether a sensitivity mark covers any of the label
// attributes, or the whole object.
func labelsMarked(sensitive any) bool { return labelsUnknown(sensitive) }

// labelsUnknown reports whether an unknown mark covers any of the label
// attributes, or the whole object.
func labelsUnknown(unknown any) bool {
	if b, ok := unknown.(bool); ok {
		return b
	}
	for _, k := range labelKeys {
		if markedAt(unknown, []any{k}) {
			return true
		}
	}
	return markedAt(unknown, []any{"metadata", json.Number("0"), "labels"})
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

// pickMaps is pickSmall for any object, through maps of the members.
func pickMaps(beforeRaw, afterRaw []byte, c *tfjson.Change, act change.Action) (before, after any) {
	bRaw, bOK := topLevel(beforeRaw)
	aRaw, aOK := topLevel(afterRaw)
	if !bOK || !aOK {
		return decodeValue(beforeRaw), decodeValue(afterRaw)
	}
	need := map[string]bool{}
	unknownTop, _ := c.AfterUnknown.(map[string]any)
	for k, b := range bRaw {
		if a, ok := aRaw[k]; !ok || !bytes.Equal(a, b) {
			need[k] = true
		}
		if act == change.Replace && b[0] != '{' && b[0] != '[' {
			need[k] = true
		}
	}
	for k := range aRaw {
		if _, ok := bRaw[k]; !ok || containsTrue(unknownTop[k]) {
			need[k] = true
		}
	}
	for k := range unknownTop {
		if containsTrue(unknownTop[k]) {
			need[k] = true
		}
	}
	for _, k := range labelKeys {
		need[k] = true
	}
	need["metadata"] = true
	for _, p := range c.ReplacePaths {
		if steps, ok := p.([]any); ok && len(steps) > 0 {
			if k, ok := steps[0].(string); ok {
				need[k] = true
			}
		}
	}
	return pick(bRaw, need), pick(aRaw, need)
}

// topLevel splits a raw object into its members' raw values (the last one
// of a repeated key). ok is true for an object; for null or an absent
// value it is true too, with a nil map, since both decode to no object.
func topLevel(raw []byte) (map[string][]byte, bool) {
	if raw == nil || raw[0] == 'n' {
		return nil, true
	}
	if raw[0] != '{' {
		return nil, false
	}
	p := &vparser{b: raw, i: 1}
	out := map[string][]byte{}
	for first := true; p.next('}', first); first = false {
		k := decodeString(p.key())
		out[k] = p.raw()
	}
	return out, true
}

// pick decodes the members of obj that are needed; nil for no object.
func pick(obj map[string][]byte, need map[string]bool) any {
	if obj == nil {
		return nil
	}
	out := make(map[string]any, len(need))
	for k := range need {
		if raw, ok := obj[k]; ok {
			out[k] = decodeValue(raw)
		}
	}
	return out
}

// partialObject decodes the members of a raw object that labels reads, and
// with scalars its top-level scalars too; it skips the rest. A repeated key
// counts once, with its last value, as in a decoded map.
func partialObject(raw []byte, withScalars bool) map[string]any {
	p := &vparser{b: raw, i: 1}
	out := map[string]any{}
	for first := true; p.next('}', first); first = false {
		rawKey := p.key()
		c := p.ws()
		if isLabelKey(rawKey) {
			out[decodeString(rawKey)] = p.value()
			continue
		}
		if withScalars && c != '{' && c != '[' {
			out[decodeString(rawKey)] = p.value()
			continue
		}
		p.skip()
		if withScalars {
			delete(out, decodeString(rawKey))
		}
	}
	return out
}

// isLabelKey reports whether a raw key may name one of labelKeys or
// "metadata"; escaped keys are decoded to check.
func isLabelKey(rawKey []byte) bool {
	k := rawKey[1 : len(rawKey)-1]
	if bytes.IndexByte(k, '\\') >= 0 {
		k = []byte(decodeString(rawKey))
	}
	switch string(k) {
	case "tags_all", "labels", "tags", "user_labels", "metadata":
		return true
	}
	return false
}

// pathChange resolves one attribute path in before, after and the marks.
// A sensitive path hides its values, and below a value marked sensitive as
// a whole it hides the rest of the path too, which would name the keys of
// a sensitive map. A path through a name that says secret is hidden the
// same way, counted in byName.
func pathChange(steps []any, c *tfjson.Change, byName *int) change.AttrChange {
	for i := range steps {
		if coveredAt(c.BeforeSensitive, steps[:i+1]) || coveredAt(c.AfterSensitive, steps[:i+1]) {
			return change.AttrChange{Path: formatPath(steps[:i+1]), Sensitive: true}
		}
	}
	ac := change.AttrChange{Path: formatPath(steps)}
	if markedAt(c.BeforeSensitive, steps) || markedAt(c.AfterSensitive, steps) {
		ac.Sensitive = true
		return ac
	}
	for _, s := range steps {
		if k, ok := s.(string); ok && change.SecretName(k) {
			ac.Sensitive, ac.ByName = true, true
			*byName++
			return ac
		}
	}
	ac.Before = compact(redactByName(valueAt(c.Before, steps), byName))
	if markedAt(c.AfterUnknown, steps) {
		ac.Unknown = true
		return ac
	}
	ac.After = compact(redactByName(valueAt(c.After, steps), byName))
	return ac
}

// diff lists the top-level attributes that change, one level deeper for
// maps and objects (so a tag change reads "tags.env").
func diff(before, after map[string]any, c *tfjson.Change, byName *int) []change.AttrChange {
	keys := make(map[string]struct{}, len(before)+len(after))
	for k := range before {
		keys[k] = struct{}{}
	}
	for k := range after {
		keys[k] = struct{}{}
	}
	unknownTop, _ := c.AfterUnknown.(map[string]any)
	var out []change.AttrChange
	for _, k := range sortedKeys(keys) {
		step := []any{k}
		b, a := before[k], after[k]
		unknown := containsTrue(unknownTop[k])
		if !unknown && jsonEqual(b, a) {
			continue
		}
		bm, bok := b.(map[string]any)
		am, aok := a.(map[string]any)
		// A map marked sensitive as a whole is one change: its keys are
		// as secret as its values.
		hidden := coveredAt(c.BeforeSensitive, step) || coveredAt(c.AfterSensitive, step)
		if bok && aok && !unknown && !hidden {
			sub := make(map[string]struct{})
			for kk := range bm {
				sub[kk] = struct{}{}
			}
			for kk := range am {
				sub[kk] = struct{}{}
			}
			for _, kk := range sortedKeys(sub) {
				if jsonEqual(bm[kk], am[kk]) {
					continue
				}
				out = append(out, pathChange([]any{k, kk}, c, byName))
			}
			continue
		}
		out = append(out, pathChange(step, c, byName))
	}
	return out
}

// scalars keeps the top-level scalar attributes that are not sensitive:
// what the verdict needs to judge how recoverable a delete is.
func scalars(obj map[string]any, sensitive any, byName *int) map[string]change.Value {
	if len(obj) == 0 {
		return nil
	}
	out := make(map[string]change.Value)
	for k, v := range obj {
		switch v.(type) {
		case string, bool, json.Number, float64, nil:
		default:
			continue
		}
		if markedAt(sensitive, []any{k}) {
			continue
		}
		if change.SecretName(k) {
			*byName++
			continue
		}
		out[k] = v
	}
	return out
}

// labelKeys are the attributes that hold tags or labels across providers;
// later ones win.
var labelKeys = []string{"tags_all", "labels", "tags", "user_labels"}

func labels(obj map[string]any, sensitive any, intern *interner) map[string]string {
	var kv []labelKV
	if intern != nil {
		kv = intern.kv[:0]
	}
	set := func(k, v string) {
		for i := range kv {
			if kv[i].k == k {
				kv[i].v = v
				return
			}
		}
		kv = append(kv, labelKV{k, v})
	}
	add := func(m any, path []any) {
		mm, ok := m.(map[string]any)
		if !ok || coveredAt(sensitive, path) {
			return
		}
		for k, v := range mm {
			if s, ok := v.(string); ok && (sensitive == nil || !markedAt(sensitive, append(slices.Clone(path), k))) {
				set(k, s)
			}
		}
	}
	for _, k := range labelKeys {
		add(obj[k], []any{k})
	}
	// Kubernetes resources keep labels in a single metadata block.
	if md, ok := obj["metadata"].([]any); ok && len(md) == 1 {
		if m, ok := md[0].(map[string]any); ok {
			add(m["labels"], []any{"metadata", json.Number("0"), "labels"})
			if ns, ok := m["namespace"].(string); ok && ns != "" {
				set("kubernetes.namespace", ns)
			}
		}
	}
	if len(kv) == 0 {
		return nil
	}
	if intern == nil {
		out := make(map[string]string, len(kv))
		for _, e := range kv {
			out[e.k] = e.v
		}
		return out
	}
	intern.kv = kv[:0]
	return intern.labelSet(kv)
}

// labelKV is one label.
type labelKV struct{ k, v string }

// interner shares what repeats across resources: strings, and whole label
// sets, since many resources carry the same tags. A Resource's Labels map
// may therefore be shared with other resources: nothing may modify it.
type interner struct {
	raw     map[string]string            // raw JSON string → decoded
	strs    map[string]string            // decoded → shared copy
	sets    map[string]map[string]string // canonical label set → shared map
	kv      []labelKV
	key     []byte
	members []rawMember
	bm, am  []rawMember
	roots   []string
}

func newInterner() *interner {
	return &interner{raw: map[string]string{}, strs: map[string]string{}, sets: map[string]map[string]string{}}
}

func (in *interner) str(s string) string {
	if v, ok := in.strs[s]; ok {
		return v
	}
	in.strs[s] = s
	return s
}

// labelSet returns the shared map holding exactly the labels kv (whose
// keys are distinct).
func (in *interner) labelSet(kv []labelKV) map[string]string {
	slices.SortFunc(kv, func(a, b labelKV) int { return strings.Compare(a.k, b.k) })
	key := in.key[:0]
	for _, e := range kv {
		key = binary.AppendUvarint(key, uint64(len(e.k)))
		key = append(key, e.k...)
		key = binary.AppendUvarint(key, uint64(len(e.v)))
		key = append(key, e.v...)
	}
	in.key = key
	if m, ok := in.sets[string(key)]; ok {
		return m
	}
	m := make(map[string]string, len(kv))
	for _, e := range kv {
		m[in.str(e.k)] = in.str(e.v)
	}
	in.sets[string(key)] = m
	return m
}

// valueAt walks a decoded JSON value along a path of keys and indexes.
func valueAt(v any, steps []any) any {
	for _, s := range steps {
		switch cur := v.(type) {
		case map[string]any:
			k, ok := s.(string)
			if !ok {
				return nil
			}
			v = cur[k]
		case []any:
			i, ok := index(s)
			if !ok || i < 0 || i >= len(cur) {
				return nil
			}
			v = cur[i]
		default:
			return nil
		}
	}
	return v
}

// coveredAt reports whether a mark is true at the path or an ancestor: the
// whole value is marked, not just something beneath it. A mark whose
// shape does not fit the path (a list of marks where the value is an
// object) covers it if it holds a true anywhere: when marks and value
// disagree, hide more, not less.
func coveredAt(marks any, steps []any) bool {
	v := marks
	for _, s := range steps {
		if b, ok := v.(bool); ok {
			return b
		}
		next, fits := markStep(v, s)
		if !fits {
			return containsTrue(v)
		}
		if v = next; v == nil {
			return false
		}
	}
	b, _ := v.(bool)
	return b
}

// markedAt reports whether a sensitivity or unknown mark covers the path:
// the mark is true at the path, at an ancestor, or anywhere beneath it; a
// mark that does not fit the path's shape counts if it holds a true.
func markedAt(marks any, steps []any) bool {
	v := marks
	for _, s := range steps {
		if b, ok := v.(bool); ok {
			return b
		}
		next, fits := markStep(v, s)
		if !fits {
			return containsTrue(v)
		}
		if v = next; v == nil {
			return false
		}
	}
	return containsTrue(v)
}

// markStep takes one step into a mark structure. fits is false when the
// mark's shape cannot be stepped into that way.
func markStep(v, step any) (next any, fits bool) {
	switch cur := v.(type) {
	case nil:
		return nil, true
	case map[string]any:
		k, ok := step.(string)
		if !ok {
			return nil, false
		}
		return cur[k], true
	case []any:
		i, ok := index(step)
		if !ok {
			return nil, false
		}
		if i < 0 || i >= len(cur) {
			return nil, true
		}
		return cur[i], true
	}
	return nil, false
}

func index(s any) (int, bool) {
	switch n := s.(type) {
	case json.Number:
		i, err := strconv.Atoi(n.String())
		return i, err == nil
	case float64:
		return int(n), true
	}
	return 0, false
}

// containsTrue reports whether a mark structure holds true anywhere.
func containsTrue(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case map[string]any:
		for _, e := range t {
			if containsTrue(e) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if containsTrue(e) {
				return true
			}
		}
	}
	return false
}

// compact keeps scalars as they are and structures as their JSON, whole:
// JSON reports carry them so, and text and Markdown cut them for display.
func compact(v any) any {
	switch t := v.(type) {
	case map[string]any, []any:
		b, _ := json.Marshal(t)
		return json.RawMessage(b)
	}
	return v
}

// formatPath renders a path the way Terraform writes it: a.b[0]["x y"].
func formatPath(steps []any) string {
	var b strings.Builder
	for i, s := range steps {
		switch t := s.(type) {
		case string:
			if isIdent(t) {
				if i > 0 {
					b.WriteByte('.')
				}
				b.WriteString(t)
			} else {
				b.WriteString("[" + strconv.Quote(t) + "]")
			}
		default:
			fmt.Fprintf(&b, "[%v]", t)
		}
	}
	return b.String()
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// jsonEqual reports whether two decoded values encode to the same JSON, as
// comparing their json.Marshal output did, without encoding them.
func jsonEqual(a, b any) bool {
	switch at := a.(type) {
	case map[string]any:
		bt, ok := b.(map[string]any)
		if !ok || len(at) != len(bt) {
			return false
		}
		for k, av := range at {
			bv, ok := bt[k]
			if !ok || !jsonEqual(av, bv) {
				return false
			}
		}
		return true
	case []any:
		bt, ok := b.([]any)
		if !ok || len(at) != len(bt) {
			return false
		}
		for i := range at {
			if !jsonEqual(at[i], bt[i]) {
				return false
			}
		}
		return true
	}
	switch b.(type) {
	case map[string]any, []any:
		return false
	}
	return a == b
}

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortOutputs(o []change.OutputChange) {
	sort.Slice(o, func(i, j int) bool { return o[i].Name < o[j].Name })
}
