package planjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// syntaxAgrees checks the reader against encoding/json.Valid, the
// definition of JSON syntax here: what is not valid JSON is never read,
// and what is valid JSON is never called invalid or truncated (it may be
// refused for what it says: not a plan, a duplicate key, too deep).
func syntaxAgrees(t *testing.T, data []byte) {
	t.Helper()
	if len(data) >= 2 && (data[0] == 0xEF || data[0] == 0xFF || data[0] == 0xFE || data[0] == 0 || data[1] == 0) {
		return // byte order marks and UTF-16: decoded before the syntax is read
	}
	done := make(chan error, 1)
	go func() {
		_, err := Read(context.Background(), bytes.NewReader(data), File("fuzz.json"))
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("no answer in 10 s: %q", data)
	}
	valid := json.Valid(data)
	syntax := errors.Is(err, ErrInvalid) || errors.Is(err, ErrTruncated) || errors.Is(err, ErrEmpty)
	switch {
	case !valid && err == nil:
		t.Fatalf("read a document encoding/json says is not JSON: %q", data)
	case valid && syntax:
		t.Fatalf("valid JSON refused as a syntax error (%v): %q", err, data)
	}
}

// syntaxSeeds are documents at the edges of the syntax.
var syntaxSeeds = []string{
	`{"format_version":"1.2","planned_values":{}}`, `{"format_version":"1.2","planned_values":{}}` + "\n\t ",
	`{"format_version":"1.2","planned_values":{"a":[1,-0,0.5e+3,1E-2,true,false,null,"\u00e9\n\"\\\/"]}}`,
	`{"format_version":"1.2","planned_values":{"a":[01]}}`, `{"format_version":"1.2","planned_values":{"a":[1.]}}`,
	`{"format_version":"1.2","planned_values":{"a":[.5]}}`, `{"format_version":"1.2","planned_values":{"a":[+1]}}`,
	`{"format_version":"1.2","planned_values":{"a":"` + "\x1f" + `"}}`, `{"format_version":"1.2","planned_values":{"a":"\x"}}`,
	`{"format_version":"1.2","planned_values":{"a":"\u12"}}`, `{"format_version":"1.2","planned_values":{"a" 1}}`,
	`{"format_version":"1.2","planned_values":{"a":1,}}`, `{"format_version":"1.2","planned_values":[1,]}`,
	`{"format_version":"1.2","planned_values":{}}}`, `{"format_version":"1.2","planned_values":{}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["delete"],"before":{"x":"` + "\xff\xfe" + `"}}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["delete"],"before":{"x":tru}}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["delete"],"before":{"x":[1 2]}}}]}`,
	`{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"a":tru}]}}}`,
	`{"format_version":"1.2","planned_values":{"root_module":{"child_modules":[{"resources":[{} {}]}]}}}`,
	`{"format_version":"1.2","planned_values":{"root_module":{"resources":[{},],"child_modules":[]}}}`,
	`{"format_version":"1.2","resource_changes":[]} x`, `{"format_version":"1.2","resource_changes":[]} {`, `nul`, `"x`, ``,
}

func FuzzSyntax(f *testing.F) {
	for _, s := range syntaxSeeds {
		f.Add([]byte(s))
	}
	for _, s := range tricky {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		syntaxAgrees(t, data)
		// Invalid documents too: the planned_values count must give the
		// scanner's errors.
		plannedWalkAgrees(t, data)
	})
}

func TestSyntaxAgrees(t *testing.T) {
	for _, s := range append(slices.Clone(syntaxSeeds), tricky...) {
		syntaxAgrees(t, []byte(s))
		plannedWalkAgrees(t, []byte(s))
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "edge", "*.json"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		syntaxAgrees(t, data)
	}
}

// fastPathsAgree checks every fast path against the general code it
// stands in for, on one document: each resource change converted with the
// fast paths (labels from the bytes, the attribute picker on member
// slices) and without; configuration references walked from the bytes
// and from the decoded value; keys compared raw and decoded.
func fastPathsAgree(t *testing.T, data []byte) {
	t.Helper()
	if !json.Valid(data) {
		return
	}
	var doc struct {
		ResourceChanges []json.RawMessage `json:"resource_changes"`
	}
	if json.Unmarshal(data, &doc) == nil && len(doc.ResourceChanges) > 0 {
		sameWithoutFastPaths(t, "fuzz", data)
	}
	digestsAgree(t, data)
	plannedWalkAgrees(t, data)
	refs := references(data)
	slow := referencesDecoded(data)
	slices.Sort(refs)
	slices.Sort(slow)
	if !slices.Equal(refs, slow) {
		t.Fatalf("references: from the bytes %q, decoded %q", refs, slow)
	}
	// The targets the configuration keeps, from the references in place.
	var wantTargets []string
	for _, ref := range slow {
		if to := resourceRef(ref); to != "" && !slices.Contains(wantTargets, to) {
			wantTargets = append(wantTargets, to)
		}
	}
	gotTargets := (&reader{}).exprTargets(data)
	slices.Sort(wantTargets)
	slices.Sort(gotTargets)
	if !slices.Equal(gotTargets, wantTargets) {
		t.Fatalf("exprTargets %q, from the decoded references %q", gotTargets, wantTargets)
	}
	var v any
	if json.Unmarshal(data, &v) == nil {
		checkKeys(t, data)
	}
}

// plannedWalkAgrees reads data with planned_values counted on the way
// (lenient) and skipped by the scanner alone: the same Set or the same
// error, for any input. The count only sizes a list.
func plannedWalkAgrees(t *testing.T, data []byte) {
	t.Helper()
	read := func(opts ...Option) string {
		set, err := Read(context.Background(), bytes.NewReader(data), append(opts, File("p.json"))...)
		if err != nil {
			return "error: " + err.Error()
		}
		js, _ := json.Marshal(set)
		return string(js)
	}
	if a, b := read(), read(func(o *options) { o.skipPlanned = true }); a != b {
		t.Fatalf("planned_values counted gives\n%s\nskipped gives\n%s\nfor %q", a, b, data)
	}
}

// digestsAgree compares the digest of data with the whole-value copy
// tried at every depth against the member walk alone: the same digest,
// or the same error.
func digestsAgree(t *testing.T, data []byte) {
	t.Helper()
	var fast, slow digester
	fs, ferr := fast.digestFrom(data, 0, 0)
	ss, serr := slow.digestFrom(data, 0, math.MaxInt)
	if fs != ss || fmt.Sprint(ferr) != fmt.Sprint(serr) {
		t.Fatalf("digest of %q: fast %q (%v), walked %q (%v)", data, fs, ferr, ss, serr)
	}
}

// checkKeys compares keyOf with decodeString on every object key in data.
func checkKeys(t *testing.T, data []byte) {
	t.Helper()
	var walk func(p *vparser)
	walk = func(p *vparser) {
		switch p.ws() {
		case '{':
			p.i++
			for first := true; p.next('}', first); first = false {
				raw := p.key()
				if got, want := keyOf(raw), decodeString(raw); got != want {
					t.Fatalf("key %q: keyOf %q, decoded %q", raw, got, want)
				}
				walk(p)
			}
		case '[':
			p.i++
			for first := true; p.next(']', first); first = false {
				walk(p)
			}
		default:
			p.skip()
		}
	}
	walk(&vparser{b: data})
}

func FuzzFastPaths(f *testing.F) {
	for _, s := range tricky {
		f.Add([]byte(s))
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "edge", "*.json"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(fastPathsAgree)
}

func TestFastPathsAgree(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "edge", "*.json"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(name), func(t *testing.T) { fastPathsAgree(t, data) })
	}
	for _, s := range tricky {
		fastPathsAgree(t, []byte(s))
	}
}
