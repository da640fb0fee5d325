package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"
)

// rehearse plan on a plan cut short at any byte exits 2: it cannot judge.
// Every offset of the small plan, every 13th of the larger one.
func TestPlanTruncatedExits2(t *testing.T) {
	for file, step := range map[string]int{"../../examples/plans/rename-without-moved.json": 1, "../../examples/plans/env-recreate-minor-fix.json": 13} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		end := len(bytes.TrimRight(data, " \n\r\t"))
		if testing.Short() {
			step *= 11 // a sample; make test runs every offset
		}
		for n := 0; n < end; n += step {
			var errb bytes.Buffer
			code := run(context.Background(), []string{"plan", "--format", "json", "-"}, bytes.NewReader(data[:n]), io.Discard, &errb)
			if code != exitCannot {
				t.Fatalf("%s cut at byte %d of %d: exit %d, want 2 (stderr: %s)", file, n, len(data), code, errb.String())
			}
		}
	}
}
