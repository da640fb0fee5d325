package sandbox_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rehearse-dev/rehearse/sandbox"
)

// FuzzParse: an environment file, whatever its bytes, parses or fails
// with an error; it never panics.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"../examples/sandbox/env.yaml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("apiVersion: rehearse/v1\nkind: Environment\nname: x\nservices: {db: {image: a, ports: [1]}}\nchange: [{exec: {service: db, command: ls}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := sandbox.Parse("env.yaml", data)
		if err == nil && env == nil {
			t.Fatal("no environment and no error")
		}
	})
}

// FuzzLoadCompose: a compose file, whatever its bytes, loads or fails
// with an error; it never panics, and never reads outside its directory
// without saying so.
func FuzzLoadCompose(f *testing.F) {
	for _, p := range []string{fixture + "/compose.yaml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("services:\n  db:\n    <<: &x {image: a}\n    x-rehearse: {probes: {a: ls}}\n  web: {<<: *x, depends_on: {db: {condition: service_healthy}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file := filepath.Join(t.TempDir(), "compose.yaml")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		env, err := sandbox.LoadCompose(context.Background(), sandbox.ComposeOptions{File: file})
		if err == nil && env == nil {
			t.Fatal("no environment and no error")
		}
	})
}
