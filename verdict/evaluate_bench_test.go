package verdict_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/rehearse-dev/rehearse/bench/genplan/plangen"
	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
	"github.com/rehearse-dev/rehearse/verdict"
)

// BenchmarkEvaluate judges generated 10k plans (both shapes) and, with
// REHEARSE_BENCH_PLAN=FILE, that plan file (e.g. bench/out/plan-mixed-100000.json):
//
//	REHEARSE_BENCH_PLAN=bench/out/plan-mixed-100000.json go test -run '^$' -bench Evaluate -benchmem ./verdict
//
// The plan is read once, outside the loop: only Evaluate is measured.
func BenchmarkEvaluate(b *testing.B) {
	for _, shape := range []string{plangen.ShapeAWS, plangen.ShapeMixed} {
		b.Run("gen-10k-"+shape, func(b *testing.B) {
			var buf bytes.Buffer
			if err := plangen.Write(&buf, plangen.Options{N: 10000, Seed: 1, Shape: shape}); err != nil {
				b.Fatal(err)
			}
			set, err := planjson.Read(context.Background(), &buf, planjson.File("plan.json"))
			if err != nil {
				b.Fatal(err)
			}
			benchEvaluate(b, set)
		})
	}
	b.Run("file", func(b *testing.B) {
		name := os.Getenv("REHEARSE_BENCH_PLAN")
		if name == "" {
			b.Skip("REHEARSE_BENCH_PLAN is not set")
		}
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		set, err := planjson.Read(context.Background(), f, planjson.File(name))
		if err != nil {
			b.Fatal(err)
		}
		benchEvaluate(b, set)
	})
}

func benchEvaluate(b *testing.B, set change.Set) {
	p := verdict.DefaultPolicy()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		verdict.Evaluate(set, p, verdict.Options{})
	}
}
