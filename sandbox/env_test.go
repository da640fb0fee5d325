package sandbox_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/sandbox"
)

func TestParseErrors(t *testing.T) {
	const head = "apiVersion: rehearse/v1\nkind: Environment\nname: x\n"
	tests := []struct {
		name, src, want string
	}{
		{"unknown field", head + "services:\n  db:\n    imagee: a\n", "env.yaml: line 6: services.db.imagee: unknown key; did you mean image?"},
		{"wrong version", "apiVersion: rehearse/v2\nkind: Environment\nname: x\n", `env.yaml: line 1: apiVersion: is "rehearse/v2", want "rehearse/v1"`},
		{"no services", head, "env.yaml: line 1: services: is empty"},
		{"image and build", head + "services:\n  db:\n    image: a\n    build: {context: .}\n", "env.yaml: line 5: services.db: needs exactly one of image and build"},
		{"relative data", head + "services:\n  db:\n    image: a\n    data: [data]\n", `env.yaml: line 7: services.db.data[0]: data path "data" is not absolute`},
		{"unknown dependency", head + "services:\n  db:\n    image: a\n    depends_on: [web]\n", `env.yaml: line 7: services.db.depends_on[0]: depends on unknown service "web"`},
		{"cycle", head + "services:\n  a:\n    image: a\n    depends_on: [b]\n  b:\n    image: a\n    depends_on: [a]\n", "depends_on has a cycle"},
		{"two kinds in a step", head + "services:\n  db:\n    image: a\nchange:\n  - exec: {service: db, command: ls}\n    remove: {service: db}\n", "env.yaml: line 8: change[0]: step 1 needs exactly one of"},
		{"unknown step service", head + "services:\n  db:\n    image: a\nchange:\n  - remove: {service: web}\n", `env.yaml: line 8: change[0].remove.service: step 1 names unknown service "web"`},
		{"bad timeout", head + "services:\n  db:\n    image: a\nchange:\n  - remove: {service: db}\n    timeout: soon\n", `env.yaml: line 9: change[0].timeout: want a duration such as 30s or 5m, got "soon"`},
		{"bad command", head + "services:\n  db:\n    image: a\n    command: {a: b}\n", "env.yaml: line 7: services.db.command: a command is a string or a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sandbox.Parse("env.yaml", []byte(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	env, err := sandbox.Parse("env.yaml", []byte(`apiVersion: rehearse/v1
kind: Environment
name: shop
services:
  db:
    image: busybox
    command: "exec sleep 1"
    volumes: {dbdata: /data}
    ready: {command: [test, -d, /data], timeout: 5s}
change:
  - update: {service: db, env: {A: b}}
    timeout: 2s
  - script: {image: busybox, run: "echo hi"}
`))
	if err != nil {
		t.Fatal(err)
	}
	db := env.Services["db"]
	if got := strings.Join(db.Command, "|"); got != "/bin/sh|-c|exec sleep 1" {
		t.Errorf("command = %q", got)
	}
	if db.Ready.Timeout.Seconds() != 5 || len(db.Ready.Command) != 3 {
		t.Errorf("ready = %+v", db.Ready)
	}
	if env.Change[0].Timeout.Seconds() != 2 || env.Change[0].Kind() != "update" || env.Change[1].Kind() != "script" {
		t.Errorf("change = %+v", env.Change)
	}
	if got := env.Change[0].Label(0); got != "step 1 (update)" {
		t.Errorf("label = %q", got)
	}
}

func TestParseExample(t *testing.T) {
	if _, err := sandbox.Load("../examples/sandbox/env.yaml"); err != nil {
		t.Fatal(err)
	}
}

// TestParseRefusesHostFiles: an environment file's build reads nothing
// outside its directory, symlinks resolved; each refusal is one line that
// names the file and the key.
func TestParseRefusesHostFiles(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "env", "image"), 0o755)
	os.WriteFile(filepath.Join(dir, "env", "image", "Dockerfile"), []byte("FROM scratch\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "secret"), []byte("token"), 0o644)
	os.Symlink(filepath.Join(dir, "secret"), filepath.Join(dir, "env", "image", "leak"))
	os.Symlink("/etc", filepath.Join(dir, "env", "etc"))
	file := filepath.Join(dir, "env", "env.yaml")
	const head = "apiVersion: rehearse/v1\nkind: Environment\nname: x\nservices:\n  db:\n"
	tests := []struct{ name, build, key string }{
		{"host file", "{context: image, files: {passwd: /etc/passwd}}", `services.db.build.files.passwd: "/etc/passwd"`},
		{"parent file", "{context: image, files: {s: ../secret}}", `services.db.build.files.s: "../secret"`},
		{"symlink file", "{context: image, files: {s: image/leak}}", `services.db.build.files.s: "image/leak"`},
		{"parent context", "{context: ..}", `services.db.build.context: ".."`},
		{"absolute context", "{context: /etc}", `services.db.build.context: "/etc"`},
		{"symlink context", "{context: etc}", `services.db.build.context: "etc"`},
		{"dockerfile outside", "{context: image, dockerfile: ../../Dockerfile}", `services.db.build.dockerfile`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sandbox.Parse(file, []byte(head+"    build: "+tt.build+"\n"))
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, file+": line 6: ") || !strings.Contains(msg, tt.key) || strings.Contains(msg, "\n") {
				t.Errorf("err = %q, want one line naming %s and %s", msg, file, tt.key)
			}
		})
	}
	// Inside the directory, and the known prerequisite, are fine.
	if _, err := sandbox.Parse(file, []byte(head+"    build: {context: image, files: {busybox: /bin/busybox, df: image/Dockerfile}}\n")); err != nil {
		t.Errorf("inside: %v", err)
	}
}
