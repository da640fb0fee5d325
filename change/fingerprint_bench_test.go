package change_test

import (
	"context"
	"os"
	"testing"

	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
)

// BenchmarkFingerprintFile is Set.Fingerprint of the plan REHEARSE_BENCH_PLAN
// names (e.g. bench/out/plan-mixed-100000.json); it skips without one.
func BenchmarkFingerprintFile(b *testing.B) {
	f, err := os.Open(os.Getenv("REHEARSE_BENCH_PLAN"))
	if err != nil {
		b.Skip()
	}
	set, err := planjson.Read(context.Background(), f, planjson.File("x"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = set.Fingerprint()
	}
}
