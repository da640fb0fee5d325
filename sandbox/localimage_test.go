package sandbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/internal/testimage"
	"github.com/rehearse-dev/rehearse/sandbox"
)

// TestUpMissingLocalImage: an image only rehearse's scripts build, missing
// here, is a missing prerequisite with how to build it, found before any
// Docker object exists; it is never pulled.
func TestUpMissingLocalImage(t *testing.T) {
	testimage.Require(t)
	for _, where := range []string{"service", "script step", "rollback update"} {
		t.Run(where, func(t *testing.T) {
			image := testimage.Busybox
			var steps string
			switch where {
			case "service":
				image = "rehearse-test/postgres:no-such-build"
			case "script step":
				steps = "change:\n  - script: {image: \"rehearse-test/postgres:no-such-build\", run: \"true\"}\n"
			case "rollback update":
				steps = "change: []\nrollback:\n  - update: {service: db, image: \"rehearse-test/postgres:no-such-build\"}\n"
			}
			env, err := sandbox.Parse("env.yaml", []byte(`apiVersion: rehearse/v1
kind: Environment
name: missing-local
services:
  db:
    image: "`+image+`"
    command: "exec sleep 60"
`+steps))
			if err != nil {
				t.Fatal(err)
			}
			id := testimage.RunID()
			_, err = sandbox.Up(context.Background(), env, id)
			if !errors.Is(err, sandbox.ErrMissingPrerequisite) || !strings.Contains(err.Error(), "make postgres-image") {
				t.Fatalf("Up = %v, want a missing prerequisite with the build hint", err)
			}
			if left, _ := sandbox.Leftovers(context.Background(), id); len(left) > 0 {
				t.Errorf("left %v", left)
			}
		})
	}
}

// TestRollbackStepsChecked: rollback steps are checked as the change's
// are, each problem at its line under rollback.
func TestRollbackStepsChecked(t *testing.T) {
	_, err := sandbox.Parse("env.yaml", []byte(`apiVersion: rehearse/v1
kind: Environment
name: rollback-checked
services:
  db:
    image: x
change:
  - exec: {service: db, command: "true"}
rollback:
  - exec: {service: nope, command: "true"}
  - exec: {service: db}
`))
	if err == nil {
		t.Fatal("Parse accepted a rollback naming an unknown service")
	}
	for _, want := range []string{"line 10: rollback[0]", `unknown service "nope"`, "line 11: rollback[1]", "exec needs a command"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("no %q in %v", want, err)
		}
	}
}

// TestRollbackComposeUpdateRefused: converging on a second compose file is
// for the change's steps; a rollback that asks for it is refused at its
// line, never run half set up.
func TestRollbackComposeUpdateRefused(t *testing.T) {
	_, err := sandbox.Parse("env.yaml", []byte(`apiVersion: rehearse/v1
kind: Environment
name: rollback-compose
services:
  db:
    image: x
rollback:
  - update: {compose: compose.yaml}
`))
	if err == nil || !strings.Contains(err.Error(), "line 8: rollback[0].update.compose") || !strings.Contains(err.Error(), "not rehearsed in a rollback") {
		t.Fatalf("Parse = %v, want the compose update in the rollback refused at its line", err)
	}
}

// TestCountsParsed: a count is a command or {command, unit}; anything else
// is refused at its line.
func TestCountsParsed(t *testing.T) {
	parse := func(counts string) (*sandbox.Environment, error) {
		return sandbox.Parse("env.yaml", []byte("apiVersion: rehearse/v1\nkind: Environment\nname: counts\nservices:\n  db:\n    image: x\n    counts:\n"+counts))
	}
	e, err := parse("      orders: psql -tAc 'select count(*) from orders'\n      keys: {command: [redis-cli, dbsize], unit: keys}\n")
	if err != nil {
		t.Fatal(err)
	}
	c := e.Services["db"].Counts
	if c["orders"].Unit != "rows" || len(c["orders"].Command) != 3 || c["keys"].Unit != "keys" || c["keys"].Command[0] != "redis-cli" {
		t.Errorf("counts %+v", c)
	}
	for _, bad := range []string{"      orders: {comand: x}\n", "      orders: {unit: rows}\n"} {
		if _, err := parse(bad); err == nil || !strings.Contains(err.Error(), "line 8") {
			t.Errorf("%q: %v, want an error at line 8", bad, err)
		}
	}
}
