package container_test

import (
	"context"
	"testing"

	"github.com/rehearse-dev/rehearse/internal/testimage"
	"github.com/rehearse-dev/rehearse/planners/container"
	"github.com/rehearse-dev/rehearse/sandbox"
)

// BenchmarkRun times a whole run of bench/sandbox-env.yaml: up, snapshot,
// change, snapshot, down. bench/sandbox.sh compares it with the docker CLI.
func BenchmarkRun(b *testing.B) {
	testimage.Require(b)
	env, err := sandbox.Load("../../bench/sandbox-env.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := container.Run(context.Background(), env, container.Options{RunID: testimage.RunID()}); err != nil {
			b.Fatal(err)
		}
	}
}
