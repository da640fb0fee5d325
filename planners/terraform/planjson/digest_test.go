package planjson

import (
	"encoding/json"
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
	var g digester
	n := 0
	for _, r := range doc.ResourceChanges {
		n += len(r)
	}
	b.SetBytes(int64(n))
	for b.Loop() {
		for _, r := range doc.ResourceChanges {
			if _, err := g.digest(r, 2); err != nil {
				b.Fatal(err)
			}
		}
	}
}
