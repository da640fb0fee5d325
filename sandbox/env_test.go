package sandbox_test

import (
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/sandbox"
)

func TestParseErrors(t *testing.T) {
	const head = "apiVersion: rehearse/v1\nkind: Environment\nname: x\n"
	tests := []struct {
		name, src, want string
	}{
		{"unknown field", head + "services:\n  db:\n    imagee: a\n", "env.yaml: line 6: field imagee not found"},
		{"wrong version", "apiVersion: rehearse/v2\nkind: Environment\nname: x\n", `env.yaml: line 1: apiVersion is "rehearse/v2", want "rehearse/v1"`},
		{"no services", head, "env.yaml: line 1: no services"},
		{"image and build", head + "services:\n  db:\n    image: a\n    build: {context: .}\n", "env.yaml: line 5: service db needs exactly one of image and build"},
		{"relative data", head + "services:\n  db:\n    image: a\n    data: [data]\n", `line 5: service db: data path "data" is not absolute`},
		{"unknown dependency", head + "services:\n  db:\n    image: a\n    depends_on: [web]\n", `line 5: service db depends on unknown service "web"`},
		{"cycle", head + "services:\n  a:\n    image: a\n    depends_on: [b]\n  b:\n    image: a\n    depends_on: [a]\n", "depends_on has a cycle"},
		{"two kinds in a step", head + "services:\n  db:\n    image: a\nchange:\n  - exec: {service: db, command: ls}\n    remove: {service: db}\n", "env.yaml: line 8: step 1 needs exactly one of"},
		{"unknown step service", head + "services:\n  db:\n    image: a\nchange:\n  - remove: {service: web}\n", `line 8: step 1 names unknown service "web"`},
		{"bad timeout", head + "services:\n  db:\n    image: a\nchange:\n  - remove: {service: db}\n    timeout: soon\n", "line 9"},
		{"bad command", head + "services:\n  db:\n    image: a\n    command: {a: b}\n", "a command is a string or a list"},
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
