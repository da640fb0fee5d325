// Package golden compares test output with golden files under testdata/,
// and rewrites them when the tests run with -update.
package golden

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

// update is the -update flag of every test binary that compares golden files.
var update = flag.Bool("update", false, "rewrite golden files")

// Updating reports whether the test run rewrites golden files.
func Updating() bool { return *update }

// Check compares got with the golden file at path, or rewrites the file
// with -update.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (go test -update rewrites it):\n--- got\n%s", path, got)
	}
}
