package planjson

import (
	"fmt"
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
	for _, tc := range []struct {
		name string
		pv   string
		want int
	}{
		// Resources of terraform's size count, in every module.
		{"real", `{"root_module":{"resources":[` + res + `,` + res + `],"child_modules":[{"resources":[` + res + `]}]}}`, 3},
		// A flood of empty objects sizes nothing by its count: at most
		// the bytes over minPlannedBytes.
		{"flood", flood, len(flood) / minPlannedBytes},
	} {
		d := &reader{name: "p.json", s: newScanner(t.Context(), strings.NewReader(tc.pv))}
		if err := d.plannedValues(); err != nil || d.plannedResources != tc.want {
			t.Errorf("%s: plannedValues: %d resources, %v; want %d", tc.name, d.plannedResources, err, tc.want)
		}
	}
}

// flood is planned_values listing 100,001 empty objects in 300 kB.
var flood = `{"root_module":{"resources":[` + strings.Repeat(`{},`, 100000) + `{}]}}`

// res is a planned_values resource of about the size terraform writes.
var res = `{"address":"aws_s3_bucket.logs","mode":"managed","type":"aws_s3_bucket","name":"logs","provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":{"bucket":"logs","force_destroy":false,"tags":{"env":"prod"}},"sensitive_values":{"tags":{}}}`

// TestPlannedRoomTooSmall: planned_values lists fewer resources than
// there are changes, so the first jobs fill the room in place and the
// rest do not fit: the Set is the one the skipped walk gives, every
// change in document order.
func TestPlannedRoomTooSmall(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"format_version":"1.2","planned_values":{"root_module":{"resources":[`)
	for i := range 2000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(res)
	}
	b.WriteString(`]}},"resource_changes":[`)
	for i := range 6000 {
		fmt.Fprintf(&b, `{"address":"aws_sqs_queue.q%d","mode":"managed","type":"aws_sqs_queue","name":"q%d","change":{"actions":["no-op"],"before":{"name":"q%d","tags":{"env":"dev"}},"after":{"name":"q%d","tags":{"env":"dev"}}}},`, i, i, i, i)
	}
	b.WriteString(`{"address":"aws_db_instance.main","mode":"managed","type":"aws_db_instance","name":"main","change":{"actions":["delete"],"before":{"identifier":"orders"},"after":null}}]}`)
	data := []byte(b.String())
	if len(data) < 3*jobBytes {
		t.Fatalf("the plan is %d bytes: too few jobs to fill the room and overflow it", len(data))
	}
	plannedWalkAgrees(t, data)
	set, err := Read(t.Context(), strings.NewReader(b.String()))
	if err != nil || len(set.Resources) != 6001 || set.Resources[6000].Address != "aws_db_instance.main" {
		t.Fatalf("read %d resources, %v; want 6001, the delete last", len(set.Resources), err)
	}
}
