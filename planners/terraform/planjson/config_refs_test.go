package planjson

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

// TestReferencesSameAsDecoded compares the walk over the bytes with the walk
// over the decoded expression.
func TestReferencesSameAsDecoded(t *testing.T) {
	for _, s := range []string{
		`null`, `1`, `"references"`, `[]`, `{}`,
		`{"references":["a.b.id","var.x"]}`,
		`{"references":"a.b"}`, `{"references":{"references":["x.y"]}}`, `{"references":[1,null,"c.d",["e.f"],{"references":["g.h"]}]}`,
		`{"x":{"references":["a.b"]},"x":{"references":["c.d"]}}`,
		`{"references":["a.b"],"references":["c.d"]}`,
		`{"references":["a.b"],"references":null}`,
		`{"r\u0065ferences":["a.b"]}`, `{"x":{"references":["a\u002eb"]}}`,
		`{"constant_value":{"tags":{"env":"prod","references":["z.z"]}}}`,
		`[{"references":["a.b"]},{"nested":[[{"references":["c.d[0]","data.e.f"]}]]}]`,
		` { "references" : [ "a.b" , "c.d" ] , "y" : [ 1 , 2.5e3 , true , false , null ] } `,
	} {
		got := references([]byte(s))
		want := referencesDecoded([]byte(s))
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: references %q, decoded %q", s, got, want)
		}
	}
}

// resourceRef is the first two dot-separated parts of the address without
// indexes (three for a data source), as splitting it gave.
func TestResourceRef(t *testing.T) {
	split := func(ref string) string {
		parts := strings.Split(change.ConfigAddress(ref), ".")
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
	for _, ref := range []string{
		"", ".", "..", "a", "a.", "a.b", "a.b.c", "a..b", ".a.b", "aws_db.main.id", "aws_db.main[0].id",
		`aws_db.main["k.x"].id`, "data", "data.x", "data.x.y", "data.x.y[0]", "data.x.y.z", "data..", "data...",
		"var.x", "local.y.z", "module.m.out", "each.value", "count.index", "path.module", "terraform.workspace",
		"self.id", "module", "a[0]", "a[0].b[1].c", "a].b", "a[.b].c",
	} {
		if got, want := resourceRef(ref), split(ref); got != want {
			t.Errorf("resourceRef(%q) = %q, splitting gives %q", ref, got, want)
		}
	}
}

// The dependents made while the configuration is read are those of the
// whole index, also when a module call is repeated and replaces the
// module whose resources were already counted.
func TestDependentsWhileReading(t *testing.T) {
	res := func(addr, ref string) string {
		return `{"address":"` + addr + `","expressions":{"x":{"references":["` + ref + `.id","` + ref + `"]},"y":{"references":["var.v"]}}}`
	}
	mod := func(resources ...string) string {
		return `{"resources":[` + strings.Join(resources, ",") + `]}`
	}
	tests := []struct {
		name, config string
		want         map[string][]string
	}{
		{"nested", `{"root_module":{"resources":[` + res("a.one", "a.two") + `],"module_calls":{"m":{"module":{"resources":[` + res("b.x", "b.y") + `],"module_calls":{"n":{"module":` + mod(res("c.z", "c.w")) + `}}}}}}}`,
			map[string][]string{"a.two": {"a.one"}, "module.m.b.y": {"module.m.b.x"}, "module.m.module.n.c.w": {"module.m.module.n.c.z"}}},
		{"a repeated call replaces the module", `{"root_module":{"module_calls":{"m":{"module":` + mod(res("b.x", "b.y")) + `},"m":{"module":` + mod(res("b.p", "b.q")) + `}}}}`,
			map[string][]string{"module.m.b.q": {"module.m.b.p"}}},
		{"none", `{"root_module":{"resources":[` + res("a.one", "var") + `]}}`, nil},
		{"null", `null`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := `{"format_version":"1.2","resource_changes":[],"configuration":` + tt.config + `}`
			set, err := Read(context.Background(), strings.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(set.Dependents, tt.want) {
				t.Fatalf("dependents %v, want %v", set.Dependents, tt.want)
			}
		})
	}
}
