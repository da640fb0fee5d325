package sandbox_test

import (
	"context"
	"testing"

	"github.com/rehearse-dev/rehearse/internal/testimage"
	"github.com/rehearse-dev/rehearse/sandbox"
)

// TestExecOutputOrder: a command's output is its stdout, then its stderr,
// whatever order it wrote them in, so a probe that prints on both (ls of a
// directory that is gone, piped into wc) reads the same on every run and
// two runs of one change keep one fingerprint.
func TestExecOutputOrder(t *testing.T) {
	testimage.Require(t)
	t.Parallel()
	env := parse(t, "apiVersion: rehearse/v1\nkind: Environment\nname: exec\nservices:\n  app: {image: "+testimage.Busybox+", command: [sleep, \"600\"]}\n")
	ctx := context.Background()
	s, err := sandbox.Up(ctx, env, testimage.RunID())
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Down(ctx); err != nil {
			t.Error(err)
		}
	}()
	for i := range 5 {
		code, out, err := s.Exec(ctx, "app", []string{"/bin/sh", "-c", "echo err1 >&2; echo out1; sleep 0.05; echo err2 >&2; echo out2; exit 3"})
		if err != nil || code != 3 {
			t.Fatalf("run %d: exit %d, %v", i, code, err)
		}
		if want := "out1\nout2\nerr1\nerr2\n"; out != want {
			t.Fatalf("run %d: output %q, want %q (stdout, then stderr)", i, out, want)
		}
	}
}
