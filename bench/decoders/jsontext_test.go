//go:build goexperiment.jsonv2

package decoders

import (
	"bytes"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"testing"
)

// encoding/json/v2 and jsontext (GOEXPERIMENT=jsonv2 in Go 1.26): ReadToken
// at the top, UnmarshalDecode per change, SkipValue for the rest.
func BenchmarkJSONv2Stream(b *testing.B) {
	data := plan(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		dec := jsontext.NewDecoder(bytes.NewReader(data))
		dec.ReadToken()
		n := 0
		for dec.PeekKind() != '}' {
			k, _ := dec.ReadToken()
			if k.String() != "resource_changes" {
				dec.SkipValue()
				continue
			}
			dec.ReadToken()
			for dec.PeekKind() != ']' {
				var r rc
				if err := jsonv2.UnmarshalDecode(dec, &r); err != nil {
					b.Fatal(err)
				}
				n += countDeletes([]rc{r})
			}
			dec.ReadToken()
		}
		_ = n
	}
}
