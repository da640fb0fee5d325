package planjson

import (
	"strings"
	"testing"
)

// TestPlannedValuesWalk pins the lenient walk on planned_values shapes at
// the edges (wrong types, empty and deep containers, syntax errors in
// every position): the same Set or error as skipping it, and the count
// where there is one.
func TestPlannedValuesWalk(t *testing.T) {
	rc := `,"resource_changes":[{"address":"a.b","mode":"managed","type":"a","name":"b","change":{"actions":["no-op"],"before":{},"after":{}}}]}`
	deep := strings.Repeat(`{"child_modules":[`, 300) + strings.Repeat(`]}`, 300)
	for _, pv := range []string{
		`{}`, `[]`, `null`, `1`, `"x"`, `{"root_module":null}`, `{"root_module":[]}`, `{"root_module":{"resources":{}}}`,
		`{"root_module":{"resources":[{},{},{"a":[1,2]}],"child_modules":[{"resources":[{}]},{"child_modules":[{"resources":[1,2]}]}]}}`,
		`{"root_module":{"resources":[],"resources":[{}]}}`, `{"ROOT_MODULE":{"resources":[{}]}}`,
		`{"root_module":{"resources":[{},]}}`, `{"root_module":{"resources":[{}}}`, `{"root_module":{"resources" []}}`,
		`{"root_module":{"resources":[{}] "x":1}}`, `{"root_module":{,}}`, `{"root_module":{"resources":[`, `{ "root_module" : { } }`,
		`{"root_module":` + deep + `}`, `{"outputs":{"a":{"sensitive":true}},"root_module":{"resources":[{}]}}`,
	} {
		for _, doc := range []string{`{"format_version":"1.2","planned_values":` + pv + rc, `{"format_version":"1.2","planned_values":` + pv + `}`} {
			plannedWalkAgrees(t, []byte(doc))
		}
	}
	d := &reader{name: "p.json", s: newScanner(t.Context(), strings.NewReader(`{"root_module":{"resources":[{},{}],"child_modules":[{"resources":[{}]}]}}`))}
	if err := d.plannedValues(); err != nil || d.plannedResources != 3 {
		t.Fatalf("plannedValues: %d resources, %v; want 3", d.plannedResources, err)
	}
}
