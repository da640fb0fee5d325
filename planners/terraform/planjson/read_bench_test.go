package planjson_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"

	"github.com/rehearse-dev/rehearse/bench/genplan/plangen"
	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
	"github.com/rehearse-dev/rehearse/report"
	"github.com/rehearse-dev/rehearse/verdict"
)

// The benchmarks generate their plans; they run only with -bench:
//
//	go test -run '^$' -bench . -benchmem ./planners/terraform/planjson
//
// REHEARSE_BENCH_PLAN=FILE adds a run on that file (e.g. the 100k plan
// bench/run.sh writes).

// benchPlans generates the 1k and 10k plans.
func benchPlans(b *testing.B) map[string][]byte {
	plans := map[string][]byte{}
	for name, n := range map[string]int{"1k": 1000, "10k": 10000} {
		var buf bytes.Buffer
		if err := plangen.Write(&buf, plangen.Options{N: n, Seed: 1}); err != nil {
			b.Fatal(err)
		}
		plans[name] = buf.Bytes()
	}
	if f := os.Getenv("REHEARSE_BENCH_PLAN"); f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		plans["file"] = data
	}
	return plans
}

var benchOrder = []string{"1k", "10k", "file"}

func BenchmarkRead(b *testing.B) {
	plans := benchPlans(b)
	for _, name := range benchOrder {
		data, ok := plans[name]
		if !ok {
			continue
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := planjson.Read(context.Background(), bytes.NewReader(data), planjson.File("plan.json")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerdict is what `rehearse plan` does: read, judge, render text
// and JSON.
func BenchmarkVerdict(b *testing.B) {
	plans := benchPlans(b)
	pol := verdict.DefaultPolicy()
	for _, name := range benchOrder {
		data, ok := plans[name]
		if !ok {
			continue
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				set, err := planjson.Read(context.Background(), bytes.NewReader(data), planjson.File("plan.json"))
				if err != nil {
					b.Fatal(err)
				}
				v := verdict.Evaluate(set, pol, verdict.Options{})
				for _, f := range []report.Format{report.Text, report.JSON} {
					if err := report.Render(io.Discard, f, &v, report.Options{}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
