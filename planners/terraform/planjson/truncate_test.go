package planjson

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"testing"
)

// A plan cut short anywhere must fail as truncated (or empty, when nothing
// but white space is left), never pass as a smaller plan.
func TestReadTruncated(t *testing.T) {
	small, err := os.ReadFile("../../../examples/plans/env-recreate-minor-fix.json")
	if err != nil {
		t.Fatal(err)
	}
	offs := allOffsets(small)
	if testing.Short() {
		// Every 7th offset and the last few: the full sweep runs in make test.
		var some []int
		for i, n := range offs {
			if i%7 == 0 || i >= len(offs)-8 {
				some = append(some, n)
			}
		}
		offs = some
	}
	checkTruncations(t, small, offs)

	big := genPlan(t, 300, 7)
	r := rand.New(rand.NewPCG(7, 7))
	offsets := make([]int, 0, 200)
	for range 200 {
		offsets = append(offsets, r.IntN(len(bytes.TrimRight(big, " \n\r\t"))))
	}
	checkTruncations(t, big, offsets)
}

func allOffsets(data []byte) []int {
	n := len(bytes.TrimRight(data, " \n\r\t"))
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func checkTruncations(t *testing.T, data []byte, offsets []int) {
	t.Helper()
	for _, n := range offsets {
		_, err := Read(context.Background(), bytes.NewReader(data[:n]), File("cut.json"))
		blank := len(bytes.TrimSpace(data[:n])) == 0
		switch {
		case blank && errors.Is(err, ErrEmpty):
		case !blank && errors.Is(err, ErrTruncated):
		default:
			t.Fatalf("cut at byte %d of %d: got %v, want a truncation error", n, len(data), err)
		}
	}
}

// oneByteReader returns one byte per Read, so every token straddles a
// refill of the scanner's window.
type oneByteReader struct{ b []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	p[0] = r.b[0]
	r.b = r.b[1:]
	return 1, nil
}

func TestReadByteAtATime(t *testing.T) {
	data := genPlan(t, 50, 3)
	want, err := Read(context.Background(), bytes.NewReader(data), File("p"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Read(context.Background(), &oneByteReader{data}, File("p"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Fingerprint() != want.Fingerprint() {
		t.Fatal("a plan read one byte at a time gives another Set")
	}
	for _, n := range []int{1, 100, len(data) / 2, len(data) - 3} {
		if _, err := Read(context.Background(), &oneByteReader{data[:n]}, File("p")); !errors.Is(err, ErrTruncated) {
			t.Fatalf("cut at %d, read a byte at a time: %v", n, err)
		}
	}
}
