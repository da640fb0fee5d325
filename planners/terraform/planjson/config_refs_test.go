package planjson

import (
	"slices"
	"testing"
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
