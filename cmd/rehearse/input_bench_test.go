package main

import (
	"bytes"
	"testing"

	"github.com/rehearse-dev/rehearse/bench/genplan/plangen"
)

// BenchmarkDetectInput is input detection on the first 256 KiB of a
// generated plan: what every `rehearse plan FILE` pays before reading.
//
//	go test -run '^$' -bench DetectInput ./cmd/rehearse
func BenchmarkDetectInput(b *testing.B) {
	var buf bytes.Buffer
	if err := plangen.Write(&buf, plangen.Options{N: 1000, Seed: 1, Shape: "mixed"}); err != nil {
		b.Fatal(err)
	}
	prefix := buf.Bytes()[:peekSize]
	b.SetBytes(int64(len(prefix)))
	b.ReportAllocs()
	for b.Loop() {
		if kind, err := detectInput(prefix, false); err != nil || kind != inputTerraform {
			b.Fatal(kind, err)
		}
	}
}
