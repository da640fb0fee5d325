package planjson

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// BenchmarkDigest is the canonical digest of every resource change, the
// converter's share of the fingerprint.
func BenchmarkDigest(b *testing.B) {
	data := genPlan(b, 10000, 1)
	var doc struct {
		ResourceChanges []json.RawMessage `json:"resource_changes"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, r := range doc.ResourceChanges {
		n += len(r)
	}
	// "copy" is what the reader does; "walk" is the member walk alone,
	// what compactSorted saves.
	for _, fast := range []bool{true, false} {
		name, from := "copy", 4
		if !fast {
			name, from = "walk", math.MaxInt
		}
		b.Run(name, func(b *testing.B) {
			var g digester
			b.SetBytes(int64(n))
			for b.Loop() {
				for _, r := range doc.ResourceChanges {
					if _, err := g.digestFrom(r, 2, from); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// TestDigestWholeValueCopy pins compactSorted's answer on the forms it
// must refuse or accept, and that the digest is the member walk's either
// way.
func TestDigestWholeValueCopy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		copy bool // compactSorted takes the whole value
	}{
		{`{}`, true}, {`[]`, true}, {`{"a":1,"b":[true,null,"x"],"c":{"d":"e"}}`, true},
		{`{"b":1,"a":2}`, false},              // out of order
		{`{"a":1,"a":2}`, false},              // repeated
		{`{"a":{"x":1,"x":2}}`, false},        // repeated, nested
		{`{"a": 1}`, false},                   // white space
		{`[1, 2]`, false},                     // white space
		{`{"\u0061":1}`, false},               // escaped key
		{`{"é":1}`, false},                    // non-ASCII key
		{`{"a":"\u00e9\"","b":-1.5e3}`, true}, // escapes in strings are kept as written
		{`[[[[{"z":[],"zz":{}}]]]]`, true},    // nesting
		{`{"a":1,"ab":2,"b":3}`, true},        // prefixes sort first
		{`{"ab":1,"a":2}`, false},
	} {
		end, ok := compactSorted([]byte(tc.in), 0, 0)
		if ok != tc.copy || ok && end != len(tc.in) {
			t.Errorf("compactSorted(%s) = %d, %v; want whole value %v", tc.in, end, ok, tc.copy)
		}
		digestsAgree(t, []byte(tc.in))
		digestsAgree(t, []byte(`{"change":{"after":`+tc.in+`,"before":`+tc.in+`}}`))
	}
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	if _, ok := compactSorted([]byte(deep), 0, 0); ok {
		t.Errorf("compactSorted took a value nested past maxDepth")
	}
	digestsAgree(t, []byte(deep))
}
