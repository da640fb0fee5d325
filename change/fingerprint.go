package change

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
)

// Fingerprint is a hash of the normalized Set: resources, drift and outputs in
// address order, without the Source. An approval or a recorded scenario names
// a fingerprint, so it is bound to exactly one change.
func (s *Set) Fingerprint() string {
	norm := struct {
		Resources []Resource     `json:"resources"`
		Drift     []Resource     `json:"drift"`
		Outputs   []OutputChange `json:"outputs"`
		Managed   int            `json:"managed"`
	}{sortedResources(s.Resources), sortedResources(s.Drift), slices.Clone(s.Outputs), s.Managed}
	slices.SortFunc(norm.Outputs, func(a, b OutputChange) int { return strings.Compare(a.Name, b.Name) })
	h := sha256.New()
	// Encoding a Set cannot fail: it holds only JSON-decoded values.
	if err := json.NewEncoder(h).Encode(norm); err != nil {
		panic("change: fingerprint: " + err.Error())
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func sortedResources(rs []Resource) []Resource {
	out := slices.Clone(rs)
	slices.SortStableFunc(out, func(a, b Resource) int {
		if c := strings.Compare(a.Address, b.Address); c != 0 {
			return c
		}
		return strings.Compare(a.Deposed, b.Deposed)
	})
	return out
}
