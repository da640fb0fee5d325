package terraform

// The plan reader as it was before the streaming rewrite (encoding/json
// Decoder, tfjson.ResourceChange decoded whole), kept as the reference the
// equivalence test compares the streaming reader with. Frozen: do not
// change it to match the new reader.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/rehearse-dev/rehearse/bench/genplan/plangen"
	"github.com/rehearse-dev/rehearse/change"
)

// refRead decodes plan JSON (terraform show -json) from r into a change.Set.
// name is used in errors and in the Set's source. It streams: resource
// changes are decoded one at a time and the parts of the document the
// verdict does not need are skipped without being built.
func refRead(name string, r io.Reader) (change.Set, error) {
	d := &refReader{name: name, dec: json.NewDecoder(bufio.NewReaderSize(r, 256<<10))}
	d.dec.UseNumber()
	set, err := d.read()
	if err != nil {
		return change.Set{}, err
	}
	return set, nil
}

type refReader struct {
	name string
	dec  *json.Decoder
	set  change.Set

	formatVersion string
	seenPlanKey   bool
	errored       bool
	config        refConfigIndex
}

func (d *refReader) fail(err error) error {
	return &ReadError{File: d.name, Offset: d.dec.InputOffset(), Err: err}
}

// jsonErr classifies a decoding error as truncation or invalid JSON.
func (d *refReader) jsonErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return d.fail(ErrTruncated)
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return &ReadError{File: d.name, Offset: syn.Offset, Err: fmt.Errorf("%w: %s", ErrInvalid, syn.Error())}
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return &ReadError{File: d.name, Offset: typ.Offset, Err: fmt.Errorf("%w: %s has the wrong type (%s)", ErrNotPlan, typ.Field, typ.Value)}
	}
	var re *ReadError
	if errors.As(err, &re) {
		return err
	}
	return d.fail(fmt.Errorf("%w: %v", ErrInvalid, err))
}

func (d *refReader) read() (change.Set, error) {
	d.set = change.Set{Source: change.Source{Kind: change.Planned, Tool: "terraform", File: d.name}, Managed: -1}
	tok, err := d.dec.Token()
	if err == io.EOF {
		return change.Set{}, &ReadError{File: d.name, Offset: -1, Err: ErrEmpty}
	}
	if err != nil {
		return change.Set{}, d.jsonErr(err)
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return change.Set{}, d.fail(fmt.Errorf("%w: the document is not a JSON object", ErrNotPlan))
	}
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return change.Set{}, d.jsonErr(err)
		}
		key, _ := tok.(string)
		if err := d.field(key); err != nil {
			return change.Set{}, d.jsonErr(err)
		}
	}
	if _, err := d.dec.Token(); err != nil { // the closing brace
		return change.Set{}, d.jsonErr(err)
	}
	if _, err := d.dec.Token(); err != io.EOF {
		if err != nil {
			return change.Set{}, d.jsonErr(err)
		}
		return change.Set{}, d.fail(fmt.Errorf("%w: data after the plan object", ErrInvalid))
	}
	if err := d.check(); err != nil {
		return change.Set{}, err
	}
	d.set.Source.FormatVersion = d.formatVersion
	d.set.Dependents = d.config.dependents()
	return d.set, nil
}

func (d *refReader) check() error {
	if d.formatVersion == "" || !d.seenPlanKey {
		return &ReadError{File: d.name, Offset: -1, Err: fmt.Errorf("%w: no format_version and planned_values or resource_changes (is it a state file or another document?)", ErrNotPlan)}
	}
	if !refSupportedFormat(d.formatVersion) {
		return &ReadError{File: d.name, Offset: -1, Err: fmt.Errorf("%w %q: rehearse reads 0.1 to 1.x", ErrFormat, d.formatVersion)}
	}
	if d.errored {
		return &ReadError{File: d.name, Offset: -1, Err: fmt.Errorf("%w: terraform marked it \"errored\", so it is incomplete", ErrErroredPlan)}
	}
	return nil
}

// refSupportedFormat accepts "0.1" to "0.x" and "1.x".
func refSupportedFormat(v string) bool {
	major, minor, ok := strings.Cut(v, ".")
	if !ok {
		return false
	}
	maj, err1 := strconv.Atoi(major)
	min, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil || min < 0 {
		return false
	}
	return (maj == 0 && min >= 1) || maj == 1
}

func (d *refReader) field(key string) error {
	switch key {
	case "format_version":
		return d.dec.Decode(&d.formatVersion)
	case "terraform_version":
		return d.dec.Decode(&d.set.Source.ToolVersion)
	case "errored":
		return d.dec.Decode(&d.errored)
	case "planned_values":
		d.seenPlanKey = true
		return refSkipValue(d.dec)
	case "resource_changes":
		d.seenPlanKey = true
		return d.changes(key, &d.set.Resources)
	case "resource_drift":
		return d.changes(key, &d.set.Drift)
	case "output_changes":
		return d.outputs()
	case "prior_state":
		return d.priorState()
	case "configuration":
		return d.dec.Decode(&d.config)
	default:
		return refSkipValue(d.dec)
	}
}

func (d *refReader) changes(key string, into *[]change.Resource) error {
	tok, err := d.dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '[' {
		return d.fail(fmt.Errorf("%w: %s is not a list", ErrNotPlan, key))
	}
	for i := 0; d.dec.More(); i++ {
		var rc tfjson.ResourceChange
		if err := d.dec.Decode(&rc); err != nil {
			return err
		}
		res, err := refConvertResource(&rc)
		if err != nil {
			return d.fail(fmt.Errorf("%s[%d] (%s): %w", key, i, rc.Address, err))
		}
		*into = append(*into, res)
	}
	_, err = d.dec.Token()
	return err
}

func (d *refReader) outputs() error {
	var outs map[string]*tfjson.Change
	if err := d.dec.Decode(&outs); err != nil {
		return err
	}
	for name, c := range outs {
		if c == nil {
			continue
		}
		act, _, err := refConvertActions(c.Actions)
		if err != nil {
			return d.fail(fmt.Errorf("output_changes.%s: %w", name, err))
		}
		oc := change.OutputChange{Name: name, Action: act}
		if refContainsTrue(c.BeforeSensitive) || refContainsTrue(c.AfterSensitive) {
			oc.Sensitive = true
		} else {
			oc.Before, oc.After = c.Before, c.After
			if refContainsTrue(c.AfterUnknown) {
				oc.Unknown, oc.After = true, nil
			}
		}
		d.set.Outputs = append(d.set.Outputs, oc)
	}
	refSortOutputs(d.set.Outputs)
	return nil
}

// priorState counts managed resources without building their values.
func (d *refReader) priorState() error {
	var st struct {
		Values *refStateModuleWrap `json:"values"`
	}
	if err := d.dec.Decode(&st); err != nil {
		return err
	}
	n := 0
	if st.Values != nil {
		n = st.Values.RootModule.count()
	}
	d.set.Managed = n
	return nil
}

type refStateModuleWrap struct {
	RootModule refStateModule `json:"root_module"`
}

type refStateModule struct {
	Resources []struct {
		Mode string `json:"mode"`
	} `json:"resources"`
	ChildModules []refStateModule `json:"child_modules"`
}

func (m *refStateModule) count() int {
	n := 0
	for _, r := range m.Resources {
		if r.Mode == "managed" {
			n++
		}
	}
	for i := range m.ChildModules {
		n += m.ChildModules[i].count()
	}
	return n
}

// refSkipValue consumes one JSON value without building it.
func refSkipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if delim, ok := tok.(json.Delim); ok {
			switch delim {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// refIsJSONNull reports whether raw is the JSON null literal.
func refIsJSONNull(raw []byte) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// refConvertActions maps the plan's action list onto the model. Anything that
// is not one of the lists Terraform documents is an error: rehearse fails
// closed rather than guess.
func refConvertActions(a tfjson.Actions) (change.Action, change.ReplaceOrder, error) {
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

func refConvertResource(rc *tfjson.ResourceChange) (change.Resource, error) {
	if rc.Change == nil {
		return change.Resource{}, fmt.Errorf("%w: no change object", ErrNotPlan)
	}
	if rc.Address == "" || rc.Type == "" {
		return change.Resource{}, fmt.Errorf("%w: a resource change without address or type", ErrNotPlan)
	}
	act, order, err := refConvertActions(rc.Change.Actions)
	if err != nil {
		return change.Resource{}, err
	}
	c := rc.Change
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
	if r.Mode == "" {
		r.Mode = change.Managed
	}
	if rc.Index != nil {
		b, _ := json.Marshal(rc.Index)
		r.Index = string(b)
	}
	if c.Importing != nil {
		r.Importing, r.ImportID = true, c.Importing.ID
	}
	before, _ := c.Before.(map[string]any)
	after, _ := c.After.(map[string]any)
	if act == change.Replace {
		for _, p := range c.ReplacePaths {
			steps, ok := p.([]any)
			if !ok {
				return change.Resource{}, fmt.Errorf("%w: replace_paths entry is not a path", ErrNotPlan)
			}
			r.ReplacePaths = append(r.ReplacePaths, refPathChange(steps, c))
		}
	}
	if act == change.Update || act == change.Replace {
		r.Changes = refDiff(before, after, c)
	}
	if act.Destructive() {
		r.Before = refScalars(before, c.BeforeSensitive)
	}
	switch {
	case after != nil && act != change.Delete:
		r.Labels = refLabels(after, c.AfterSensitive)
	case before != nil:
		r.Labels = refLabels(before, c.BeforeSensitive)
	}
	return r, nil
}

// refPathChange resolves one replace path in before, after and the marks.
func refPathChange(steps []any, c *tfjson.Change) change.AttrChange {
	ac := change.AttrChange{Path: refFormatPath(steps)}
	if refMarkedAt(c.BeforeSensitive, steps) || refMarkedAt(c.AfterSensitive, steps) {
		ac.Sensitive = true
		return ac
	}
	ac.Before = refCompact(refValueAt(c.Before, steps))
	if refMarkedAt(c.AfterUnknown, steps) {
		ac.Unknown = true
		return ac
	}
	ac.After = refCompact(refValueAt(c.After, steps))
	return ac
}

// refDiff lists the top-level attributes that change, one level deeper for
// maps and objects (so a tag change reads "tags.env").
func refDiff(before, after map[string]any, c *tfjson.Change) []change.AttrChange {
	keys := make(map[string]struct{}, len(before)+len(after))
	for k := range before {
		keys[k] = struct{}{}
	}
	for k := range after {
		keys[k] = struct{}{}
	}
	unknownTop, _ := c.AfterUnknown.(map[string]any)
	var out []change.AttrChange
	for _, k := range refSortedKeys(keys) {
		step := []any{k}
		b, a := before[k], after[k]
		unknown := refContainsTrue(unknownTop[k])
		if !unknown && refJsonEqual(b, a) {
			continue
		}
		bm, bok := b.(map[string]any)
		am, aok := a.(map[string]any)
		if bok && aok && !unknown {
			sub := make(map[string]struct{})
			for kk := range bm {
				sub[kk] = struct{}{}
			}
			for kk := range am {
				sub[kk] = struct{}{}
			}
			for _, kk := range refSortedKeys(sub) {
				if refJsonEqual(bm[kk], am[kk]) {
					continue
				}
				out = append(out, refPathChange([]any{k, kk}, c))
			}
			continue
		}
		out = append(out, refPathChange(step, c))
	}
	return out
}

// refScalars keeps the top-level scalar attributes that are not sensitive:
// what the verdict needs to judge how recoverable a delete is.
func refScalars(obj map[string]any, sensitive any) map[string]change.Value {
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
		if refMarkedAt(sensitive, []any{k}) {
			continue
		}
		out[k] = v
	}
	return out
}

// refLabelKeys are the attributes that hold tags or refLabels across providers;
// later ones win.
var refLabelKeys = []string{"tags_all", "labels", "tags", "user_labels"}

func refLabels(obj map[string]any, sensitive any) map[string]string {
	out := map[string]string{}
	add := func(m any, path []any) {
		mm, ok := m.(map[string]any)
		if !ok || refCoveredAt(sensitive, path) {
			return
		}
		for k, v := range mm {
			if s, ok := v.(string); ok && !refMarkedAt(sensitive, append(slices.Clone(path), k)) {
				out[k] = s
			}
		}
	}
	for _, k := range refLabelKeys {
		add(obj[k], []any{k})
	}
	// Kubernetes resources keep refLabels in a single metadata block.
	if md, ok := obj["metadata"].([]any); ok && len(md) == 1 {
		if m, ok := md[0].(map[string]any); ok {
			add(m["labels"], []any{"metadata", json.Number("0"), "labels"})
			if ns, ok := m["namespace"].(string); ok && ns != "" {
				out["kubernetes.namespace"] = ns
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// refValueAt walks a decoded JSON value along a path of keys and indexes.
func refValueAt(v any, steps []any) any {
	for _, s := range steps {
		switch cur := v.(type) {
		case map[string]any:
			k, ok := s.(string)
			if !ok {
				return nil
			}
			v = cur[k]
		case []any:
			i, ok := refIndex(s)
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

// refCoveredAt reports whether a mark is true at the path or an ancestor: the
// whole value is marked, not just something beneath it.
func refCoveredAt(marks any, steps []any) bool {
	v := marks
	for _, s := range steps {
		if b, ok := v.(bool); ok {
			return b
		}
		if v = refValueAt(v, []any{s}); v == nil {
			return false
		}
	}
	b, _ := v.(bool)
	return b
}

// refMarkedAt reports whether a sensitivity or unknown mark covers the path:
// the mark is true at the path, at an ancestor, or anywhere beneath it.
func refMarkedAt(marks any, steps []any) bool {
	v := marks
	for _, s := range steps {
		if b, ok := v.(bool); ok {
			return b
		}
		v = refValueAt(v, []any{s})
		if v == nil {
			return false
		}
	}
	return refContainsTrue(v)
}

func refIndex(s any) (int, bool) {
	switch n := s.(type) {
	case json.Number:
		i, err := strconv.Atoi(n.String())
		return i, err == nil
	case float64:
		return int(n), true
	}
	return 0, false
}

// refContainsTrue reports whether a mark structure holds true anywhere.
func refContainsTrue(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case map[string]any:
		for _, e := range t {
			if refContainsTrue(e) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if refContainsTrue(e) {
				return true
			}
		}
	}
	return false
}

// refCompact keeps refScalars as they are and summarizes large structures, so a
// report shows a value without carrying whole documents.
func refCompact(v any) any {
	switch t := v.(type) {
	case map[string]any, []any:
		b, _ := json.Marshal(t)
		if len(b) > 200 {
			return string(b[:197]) + "…"
		}
		return json.RawMessage(b)
	}
	return v
}

// refFormatPath renders a path the way Terraform writes it: a.b[0]["x y"].
func refFormatPath(steps []any) string {
	var b strings.Builder
	for i, s := range steps {
		switch t := s.(type) {
		case string:
			if refIsIdent(t) {
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

func refIsIdent(s string) bool {
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

func refJsonEqual(a, b any) bool {
	switch at := a.(type) {
	case map[string]any, []any:
		ab, _ := json.Marshal(at)
		bb, _ := json.Marshal(b)
		return string(ab) == string(bb)
	}
	switch b.(type) {
	case map[string]any, []any:
		return false
	}
	return a == b
}

func refSortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func refSortOutputs(o []change.OutputChange) {
	sort.Slice(o, func(i, j int) bool { return o[i].Name < o[j].Name })
}

// refConfigIndex is the part of a plan's configuration the verdict needs: which
// resources refer to which, for the blast radius.
type refConfigIndex struct {
	RootModule refConfigModule `json:"root_module"`
}

type refConfigModule struct {
	Resources []struct {
		Address     string                     `json:"address"`
		Expressions map[string]json.RawMessage `json:"expressions"`
	} `json:"resources"`
	ModuleCalls map[string]struct {
		Module refConfigModule `json:"module"`
	} `json:"module_calls"`
}

// dependents maps a configuration address to the configuration addresses
// that refer to it.
func (c *refConfigIndex) dependents() map[string][]string {
	out := map[string][]string{}
	c.RootModule.walk("", out)
	if len(out) == 0 {
		return nil
	}
	for k, v := range out {
		sort.Strings(v)
		out[k] = refCompactStrings(v)
	}
	return out
}

func (m *refConfigModule) walk(prefix string, out map[string][]string) {
	for _, r := range m.Resources {
		from := prefix + r.Address
		for _, raw := range r.Expressions {
			for _, ref := range refReferences(raw) {
				if to := refResourceRef(ref); to != "" {
					to = prefix + to
					if to != from {
						out[to] = append(out[to], from)
					}
				}
			}
		}
	}
	for name, call := range m.ModuleCalls {
		call.Module.walk(prefix+"module."+name+".", out)
	}
}

// refReferences collects every "references" list inside an expression.
func refReferences(raw json.RawMessage) []string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	var refs []string
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				if k == "references" {
					if list, ok := e.([]any); ok {
						for _, s := range list {
							if s, ok := s.(string); ok {
								refs = append(refs, s)
							}
						}
					}
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	return refs
}

// refResourceRef turns a reference such as "aws_db.main.id" or
// "data.x.y[0]" into a resource's configuration address, or "" when it
// names something else (a variable, a local, a module output…).
func refResourceRef(ref string) string {
	ref = change.ConfigAddress(ref)
	parts := strings.Split(ref, ".")
	switch parts[0] {
	case "var", "local", "module", "each", "count", "path", "terraform", "self":
		return ""
	case "data":
		if len(parts) < 3 {
			return ""
		}
		return strings.Join(parts[:3], ".")
	}
	if len(parts) < 2 {
		return ""
	}
	return parts[0] + "." + parts[1]
}

func refCompactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// The streaming reader must give the same Set, or fail with the same kind
// of error, as the reference reader on every input.

func errClass(err error) string {
	if err == nil {
		return "ok"
	}
	for _, e := range []error{ErrEmpty, ErrTruncated, ErrInvalid, ErrNotPlan, ErrFormat, ErrAction, ErrErroredPlan} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return "other: " + err.Error()
}

func sameAsReference(t testing.TB, name string, data []byte) {
	t.Helper()
	want, werr := refRead(name, bytes.NewReader(data))
	got, gerr := Read(name, bytes.NewReader(data))
	if errClass(gerr) != errClass(werr) {
		t.Fatalf("%s: error %v, the reference reader gives %v", name, gerr, werr)
	}
	if werr != nil {
		return
	}
	wj, _ := json.Marshal(want)
	gj, _ := json.Marshal(got)
	if !bytes.Equal(wj, gj) {
		i := 0
		for i < len(gj) && i < len(wj) && gj[i] == wj[i] {
			i++
		}
		from := max(0, i-300)
		t.Fatalf("%s: the Set differs from the reference reader's at byte %d\n got: …%.600s\nwant: …%.600s", name, i, gj[from:], wj[from:])
	}
	if got.Fingerprint() != want.Fingerprint() {
		t.Fatalf("%s: fingerprint differs", name)
	}
}

func genPlan(t testing.TB, n int, seed int64) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := plangen.Write(&b, plangen.Options{N: n, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadSameAsReference(t *testing.T) {
	var files []string
	for _, g := range []string{"/work/shared/corpus/plans/*.json", "testdata/read/*.json", "../../examples/plans/*.json"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(f), func(t *testing.T) { sameAsReference(t, f, data) })
	}
	for _, seed := range []int64{1, 2, 3} {
		sameAsReference(t, fmt.Sprintf("generated-%d", seed), genPlan(t, 600, seed))
	}
}

// tricky are inputs at the edges of the format: escapes, odd types,
// repeated keys, key case, nulls.
var tricky = []string{
	``, ` `, `{}`, `[]`, `"x"`, `1`, `null`, `{"format_version":"1.2"}`, `{"format_version":"1.2","planned_values":{}} x`,
	`{"format_version":"1.2","planned_values":{}} {}`, `{"format_version":"1.2","planned_values":{}} 1`,
	`{"format_version":"1.2","planned_values":{}} "x`, `{"format_version":"1.2","resource_changes":null}`,
	`{"format_version":"1.2","resource_changes":{}}`, `{"format_version":"1.2","resource_changes":"x"}`,
	`{"format_version":"1.2","resource_changes":[null]}`, `{"format_version":"1.2","resource_changes":[1]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":null}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["delete"]}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["explode"]}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":[]}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":1,"type":"a","change":{"actions":["delete"]}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":"delete"}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["delete"],"replace_paths":{}}}]}`,
	`{"format_version":"1.2","resource_changes":[{"ADDRESS":"a.b","Type":"a","change":{"Actions":["delete"],"before":{"tags":{"env":"prod"},"x":1,"x":{}}}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","index":"\u003ck\u003e","change":{"actions":["delete"],"before":{"t\u0061gs":{"env":"pr\u00f6d"},"s":"\ud800","n":1.50e3}}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["no-op"],"before":{"tags":{"env":"a"}},"after":{"tags":{"env":"b","k":"v"},"tags_all":{"env":"c"}},"after_sensitive":{"tags":{"k":true}}}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["create"],"after":{"metadata":[{"labels":{"env":"prod"},"namespace":"ns"}]},"after_sensitive":{"metadata":[{"labels":true}]}}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["delete","create"],"before":{"a":1,"m":{"x":[1,2]},"p":"s"},"after":{"a":2,"m":{"x":[1,3]},"p":null},"after_unknown":{"p":true},"before_sensitive":{"p":true},"replace_paths":[["a"],["m","x",0],["p"]]}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["delete","create"],"replace_paths":[1]}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["update"],"importing":{"id":"x"},"before":{"a":{"b":1}},"after":{"a":{"b":1.0}}}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["update"],"importing":{"id":1}}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["update"],"generated_config":1}}]}`,
	`{"format_version":"1.2","resource_changes":[],"prior_state":null}`,
	`{"format_version":"1.2","resource_changes":[],"prior_state":{"values":null}}`,
	`{"format_version":"1.2","resource_changes":[],"prior_state":{"values":{"root_module":{"resources":[{"mode":"managed"},{"mode":"data"},null],"child_modules":[{"resources":[{"mode":"managed"}]},null]}}}}`,
	`{"format_version":"1.2","resource_changes":[],"prior_state":{"values":{"root_module":{"resources":[{"mode":"managed"}],"resources":[]}}}}`,
	`{"format_version":"1.2","resource_changes":[],"prior_state":{"values":{"root_module":{"resources":[{"mode":1}]}}}}`,
	`{"format_version":"1.2","resource_changes":[],"prior_state":{"values":{"root_module":{"resources":{}}}}}`,
	`{"format_version":"1.2","resource_changes":[],"prior_state":{"values":{"root_module":{"resources":[{"mode":1}]}}},"planned_values":{`,
	`{"format_version":"1.2","resource_changes":[],"prior_state":"x"}`,
	`{"format_version":"1.2","resource_changes":[],"configuration":{"root_module":{"resources":[{"address":"a.b","expressions":{"x":{"references":["c.d.id","var.x"]},"y":[{"references":["data.e.f[0].x"]}]}},{"address":"c.d"}],"module_calls":{"m":{"module":{"resources":[{"address":"a.b","expressions":{"x":{"references":["c.d"]}}}]}},"n":null}}}}`,
	`{"format_version":"1.2","resource_changes":[],"configuration":{"root_module":{"resources":[{"address":"a.b","expressions":{"x":{"references":["c.d"]}}}],"resources":null}}}`,
	`{"format_version":"1.2","resource_changes":[],"configuration":{"root_module":{"resources":[{"address":2}]}}}`,
	`{"format_version":"1.2","resource_changes":[],"configuration":[]}`,
	`{"format_version":"1.2","resource_changes":[],"output_changes":{"a":{"actions":["update"],"before":1,"after":2},"b":null,"c":{"actions":["create"],"after_unknown":true}}}`,
	`{"format_version":"1.2","resource_changes":[],"output_changes":{"a":{"actions":"update"}}}`,
	`{"format_version":"1.2","resource_changes":[],"output_changes":{"a":{"actions":["boom"]}}}`,
	`{"format_version":1.2,"resource_changes":[]}`, `{"format_version":"2.0","resource_changes":[]}`,
	`{"format_version":"1.2","resource_changes":[],"errored":true}`, `{"format_version":"1.2","resource_changes":[],"errored":"yes"}`,
	`{"format_version":"1.2","resource_changes":[],"errored":null,"terraform_version":null}`,
	`{"format_version":"1.2","resource_changes":[],}`, `{"format_version":"1.2" "resource_changes":[]}`,
	`{"format_version":"1.2","resource_changes":[{} {}]}`, `{"format_version":"1.2","resource_changes":[01]}`,
	`{"format_version":"1.2","resource_changes":[1.]}`, `{"format_version":"1.2","resource_changes":[-]}`,
	`{"format_version":"1.2","resource_changes":[tru]}`, `{"format_version":"1.2","resource_changes":["\x"]}`,
	`{"format_version":"1.2","resource_changes":["` + "\x01" + `"]}`, `{"format_version":"1.2","resource_changes":["\u12G4"]}`,
	"\ufeff{}", `{"format_version":"1.2","planned_values":{"a":[1,2,{"b":null}]}}`,
}

func TestReadTrickySameAsReference(t *testing.T) {
	for i, s := range tricky {
		sameAsReference(t, fmt.Sprintf("tricky-%d", i), []byte(s))
	}
}

func FuzzReadSameAsReference(f *testing.F) {
	for _, s := range tricky {
		f.Add([]byte(s))
	}
	f.Add(genPlan(f, 3, 1))
	f.Fuzz(func(t *testing.T, data []byte) { sameAsReference(t, "fuzz", data) })
}

// BenchmarkReadReference is the reader before the streaming rewrite, for
// comparison.
func BenchmarkReadReference(b *testing.B) {
	plans := refBenchPlans(b)
	for _, name := range []string{"1k", "10k", "file"} {
		data, ok := plans[name]
		if !ok {
			continue
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := refRead("plan.json", bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func refBenchPlans(b *testing.B) map[string][]byte {
	plans := map[string][]byte{"1k": genPlan(b, 1000, 1), "10k": genPlan(b, 10000, 1)}
	if f := os.Getenv("REHEARSE_BENCH_PLAN"); f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		plans["file"] = data
	}
	return plans
}

// BenchmarkScanCountDeletes is the decoder comparison's task (bench/decoders)
// on rehearse's own scanner: check all the syntax, decode address and
// actions per change, skip the rest.
func BenchmarkScanCountDeletes(b *testing.B) {
	data := refBenchPlans(b)["file"]
	if data == nil {
		b.Skip("set REHEARSE_BENCH_PLAN")
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d := &reader{s: newScanner(bytes.NewReader(data))}
		deletes := 0
		_, err := d.object("", func(k string) error {
			if k != "resource_changes" {
				return d.s.value()
			}
			_, err := d.array("", func() error {
				raw, err := d.s.capture()
				if err != nil {
					return err
				}
				p := &vparser{b: raw, i: 1}
				var addr string
				for first := true; p.next('}', first); first = false {
					switch decodeString(p.key()) {
					case "address":
						addr = decodeString(p.strRaw())
					case "change":
						p.i++
						for first := true; p.next('}', first); first = false {
							if decodeString(p.key()) != "actions" {
								p.skip()
								continue
							}
							p.i++
							for first := true; p.next(']', first); first = false {
								if decodeString(p.strRaw()) == "delete" {
									deletes++
								}
							}
						}
					default:
						p.skip()
					}
				}
				_ = addr
				return nil
			})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
