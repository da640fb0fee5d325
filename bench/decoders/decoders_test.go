// Package decoders compares JSON decoders on the task the plan reader has
// at its core: walk resource_changes of a large plan, decode each change's
// address and actions, skip everything else. It is a separate module so the
// candidates stay out of rehearse's own dependencies.
//
//	REHEARSE_BENCH_PLAN=$PWD/../out/plan-100000.json go test -bench . -benchmem -count 3
//	GOEXPERIMENT=jsonv2 REHEARSE_BENCH_PLAN=... go test -bench . -benchmem -count 3
package decoders

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	gojson "github.com/goccy/go-json"

	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
)

type rc struct {
	Address string `json:"address"`
	Change  struct {
		Actions []string `json:"actions"`
	} `json:"change"`
}

func countDeletes(rcs []rc) (n int) {
	for _, r := range rcs {
		for _, a := range r.Change.Actions {
			if a == "delete" {
				n++
			}
		}
	}
	return n
}

func plan(b *testing.B) []byte {
	f := os.Getenv("REHEARSE_BENCH_PLAN")
	if f == "" {
		b.Skip("set REHEARSE_BENCH_PLAN")
	}
	data, err := os.ReadFile(f)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// stdlib: encoding/json Decoder, Token at the top, Decode per change.
func BenchmarkStdlibTokenStream(b *testing.B) {
	data := plan(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.Token()
		n := 0
		for dec.More() {
			k, _ := dec.Token()
			if k != "resource_changes" {
				var skip json.RawMessage
				dec.Decode(&skip)
				continue
			}
			dec.Token()
			for dec.More() {
				var r rc
				if err := dec.Decode(&r); err != nil {
					b.Fatal(err)
				}
				n += countDeletes([]rc{r})
			}
			dec.Token()
		}
		_ = n
	}
}

// goccy/go-json: the fastest drop-in; whole document into a small struct
// (its streaming Decoder buffers the whole value anyway).
func BenchmarkGoccyUnmarshal(b *testing.B) {
	data := plan(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var p struct {
			ResourceChanges []rc `json:"resource_changes"`
		}
		if err := gojson.Unmarshal(data, &p); err != nil {
			b.Fatal(err)
		}
		_ = countDeletes(p.ResourceChanges)
	}
}

// rehearse's reader: its own syntax scanner, a full Set (labels, diffs,
// prior_state count, configuration references), far more than the others.
func BenchmarkRehearseRead(b *testing.B) {
	data := plan(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := planjson.Read(context.Background(), bytes.NewReader(data), planjson.File("plan.json")); err != nil {
			b.Fatal(err)
		}
	}
}
