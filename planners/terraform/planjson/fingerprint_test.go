package planjson

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// The fingerprint binds everything in a plan that can change what apply
// does: change one leaf anywhere in a resource change, drift, an output,
// a variable or an action invocation, and the fingerprint changes.
func TestFingerprintCoversEveryValue(t *testing.T) {
	var files []string
	for _, g := range []string{corpusPattern(), "testdata/read/*.json", "../../../examples/plans/*.json", "testdata/fingerprint/*.json"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	if len(files) < 5 {
		t.Fatalf("only %d plans found", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		base := fingerprintOf(t, doc)
		if base == "" {
			t.Fatalf("%s: not readable", f)
		}
		mutated, refused := 0, 0
		for _, key := range []string{"resource_changes", "resource_drift", "output_changes", "variables", "action_invocations", "deferred_changes"} {
			v, ok := doc[key]
			if !ok {
				continue
			}
			eachLeaf(v, key, func(path string, old any, set func(any)) {
				set(mutate(old))
				got := fingerprintOf(t, doc)
				set(old)
				switch got {
				case "":
					refused++ // e.g. an action that does not exist
				case base:
					t.Errorf("%s: changing %s (%v) leaves the fingerprint as it was", filepath.Base(f), path, old)
				default:
					mutated++
				}
			})
		}
		if mutated == 0 {
			t.Errorf("%s: no leaf mutated", f)
		}
		t.Logf("%s: %d leaves changed the fingerprint, %d mutations refused", filepath.Base(f), mutated, refused)
	}
}

// eachLeaf calls fn for each scalar under v, with its value and a setter.
func eachLeaf(v any, path string, fn func(path string, old any, set func(any))) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			p := path + "." + k
			switch e.(type) {
			case map[string]any, []any:
				eachLeaf(e, p, fn)
			default:
				fn(p, e, func(x any) { t[k] = x })
			}
		}
	case []any:
		for i, e := range t {
			p := fmt.Sprintf("%s[%d]", path, i)
			switch e.(type) {
			case map[string]any, []any:
				eachLeaf(e, p, fn)
			default:
				fn(p, e, func(x any) { t[i] = x })
			}
		}
	}
}

func mutate(v any) any {
	switch t := v.(type) {
	case string:
		return t + "x"
	case json.Number:
		f, _ := t.Float64()
		return json.Number(strconv.FormatFloat(f+1, 'g', -1, 64))
	case bool:
		return !t
	case nil:
		return "x"
	}
	return v
}

func fingerprintOf(t *testing.T, doc map[string]any) string {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	set, err := Read(context.Background(), bytes.NewReader(b), File("plan.json"))
	if err != nil {
		return ""
	}
	return set.Fingerprint()
}
