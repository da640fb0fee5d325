package container_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/internal/testimage"
	"github.com/rehearse-dev/rehearse/planners/container"
	"github.com/rehearse-dev/rehearse/sandbox"
	"github.com/rehearse-dev/rehearse/verdict"
)

// pgEnv is a production PostgreSQL with 1,204 orders on a named volume,
// counted through psql.
const pgEnv = `apiVersion: rehearse/v1
kind: Environment
name: %s
services:
  db:
    image: ` + testimage.Postgres + `
    ready: {command: "pg_isready -q", timeout: 60s}
    labels: {env: prod}
    volumes: {pgdata: /var/lib/postgresql/data}
    seed:
      - psql -v ON_ERROR_STOP=1 -qc "create table orders(id int primary key, total numeric); insert into orders select g, g * 1.5 from generate_series(1, 1204) g"
    counts:
      orders: psql -tAc "select count(*) from orders"
    probes:
      columns: psql -tAc "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_name = 'orders'"
`

func pg(t *testing.T, name, change string) *sandbox.Environment {
	t.Helper()
	e, err := sandbox.Parse(name+".yaml", []byte(strings.Replace(pgEnv, "%s", name, 1)+change))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestRunPostgres runs changes against a real PostgreSQL server: rows
// deleted or a table dropped is data lost, in rows; a migration that adds
// a column loses nothing.
func TestRunPostgres(t *testing.T) {
	testimage.RequirePostgres(t)
	tests := []struct {
		name     string
		change   string
		evidence string
		decision verdict.Decision
	}{
		{"delete from", `change:
  - exec: {service: db, command: "psql -v ON_ERROR_STOP=1 -qc 'DELETE FROM orders'"}
`, "orders: 1,204 → 0 rows", verdict.Block},
		{"drop table", `change:
  - exec: {service: db, command: "psql -v ON_ERROR_STOP=1 -qc 'DROP TABLE orders'"}
`, "orders: 1,204 rows → gone", verdict.Block},
		{"add column", `change:
  - exec: {service: db, command: "psql -v ON_ERROR_STOP=1 -qc 'ALTER TABLE orders ADD COLUMN note text'"}
`, "probe.columns: \"id,total\" → \"id,total,note\"", verdict.Pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			res, err := container.Run(ctx, pg(t, "pg-"+strings.ReplaceAll(tt.name, " ", "-"), tt.change), container.Options{RunID: testimage.RunID()})
			if err != nil {
				t.Fatal(err)
			}
			v := verdict.Evaluate(res.Set, verdict.DefaultPolicy(), verdict.Options{})
			if v.Decision != tt.decision {
				t.Errorf("decision %q, want %q; findings %+v", v.Decision, tt.decision, v.Findings)
			}
			var all []string
			for _, f := range v.Findings {
				all = append(all, f.Evidence...)
			}
			for i := range res.Set.Resources {
				r := &res.Set.Resources[i]
				if r.Observed == nil {
					continue
				}
				for _, d := range r.Observed.Data {
					all = append(all, verdict.DataEvidence(d))
				}
				for _, c := range r.Changes {
					b, a := verdict.FormatAttr(c)
					all = append(all, c.Path+": "+b+" → "+a)
				}
			}
			if !strings.Contains(strings.Join(all, "\n"), tt.evidence) {
				t.Errorf("no %q in\n%s", tt.evidence, strings.Join(all, "\n"))
			}
		})
	}
}

// TestRunPostgresTwiceOneFingerprint: a real server's own files (pids,
// statistics, WAL) differ between runs; the change does not.
func TestRunPostgresTwiceOneFingerprint(t *testing.T) {
	testimage.RequirePostgres(t)
	e := pg(t, "pg-twice", `change:
  - exec: {service: db, command: "psql -v ON_ERROR_STOP=1 -qc 'DELETE FROM orders WHERE id > 4'"}
`)
	var prints []string
	for range 2 {
		res, err := container.Run(t.Context(), e, container.Options{RunID: testimage.RunID()})
		if err != nil {
			t.Fatal(err)
		}
		prints = append(prints, res.Set.Fingerprint())
		if db := res.Set.Resources[0]; db.Address != "docker_container.db" || db.Action != change.Update {
			t.Errorf("%s %s, want docker_container.db update", db.Address, db.Action)
		}
	}
	if prints[0] != prints[1] {
		t.Errorf("two runs of one change: fingerprints %s and %s", prints[0], prints[1])
	}
}

// TestRunPostgresUnreadableCount: a count that cannot be read before the
// change leaves nothing to judge it by: the run fails, it never passes.
func TestRunPostgresUnreadableCount(t *testing.T) {
	testimage.RequirePostgres(t)
	e := pg(t, "pg-unreadable", `change:
  - exec: {service: db, command: "true"}
`)
	e.Services["db"].Counts["missing"] = sandbox.Count{Command: sandbox.Command{"psql", "-tAc", "select count(*) from no_such_table"}, Unit: "rows"}
	_, err := container.Run(t.Context(), e, container.Options{RunID: testimage.RunID()})
	if err == nil || !strings.Contains(err.Error(), "count missing of service db before the change") {
		t.Fatalf("Run = %v, want the unreadable count named", err)
	}
}

// TestRunPostgresRollback rehearses a rollback after a DELETE FROM: one
// that restores the dump taken before the change brings every row back;
// one that only recreates the table does not, and says what is missing.
// Either way the change blocks: a protected change needs its approval.
func TestRunPostgresRollback(t *testing.T) {
	testimage.RequirePostgres(t)
	const change = `change:
  - name: dump before the change
    exec: {service: db, command: "pg_dump -Fc -f /tmp/before.dump postgres"}
  - exec: {service: db, command: "psql -v ON_ERROR_STOP=1 -qc 'DELETE FROM orders'"}
rollback:
`
	tests := []struct {
		name, rollback, line, evidence string
	}{
		{"restore the dump", `  - exec: {service: db, command: "pg_restore --clean --if-exists -d postgres /tmp/before.dump"}
`, "rollback restores: yes", "rollback rehearsed: it restores everything (the change still needs an approval: protected)"},
		{"recreate the table only", `  - exec: {service: db, command: "psql -v ON_ERROR_STOP=1 -qc 'DROP TABLE orders; CREATE TABLE orders(id int primary key, total numeric)'"}
`, "rollback does not restore: orders: 1,204 → 0 rows", "rollback rehearsed: it does not restore everything (orders: 1,204 → 0 rows)"},
		{"a failing rollback", `  - exec: {service: db, command: "pg_restore -d postgres /tmp/no-such.dump"}
`, "rollback does not restore: a rollback step failed: rollback step 1 (exec): exit 1", "rollback rehearsed: it does not restore everything"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := container.Run(t.Context(), pg(t, "pg-rollback", change+tt.rollback), container.Options{RunID: testimage.RunID()})
			if err != nil {
				t.Fatal(err)
			}
			v := verdict.Evaluate(res.Set, verdict.DefaultPolicy(), verdict.Options{})
			if v.Decision != verdict.Block {
				t.Errorf("decision %q, want block", v.Decision)
			}
			if got := verdict.RollbackLine(v.Rollback); !strings.HasPrefix(got, tt.line) {
				t.Errorf("rollback line %q, want %q…", got, tt.line)
			}
			var ev []string
			for _, f := range v.Findings {
				ev = append(ev, f.Evidence...)
			}
			if !strings.Contains(strings.Join(ev, "\n"), tt.evidence) {
				t.Errorf("no %q in the evidence:\n%s", tt.evidence, strings.Join(ev, "\n"))
			}
		})
	}
}

// TestRunPostgresCompose: the same on a compose project, counts under
// x-rehearse and the rollback in the change file. The named volume is a
// data path by default; the counts and the rollback are judged as in an
// environment file.
func TestRunPostgresCompose(t *testing.T) {
	testimage.RequirePostgres(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	composeFile := write("compose.yaml", `services:
  db:
    image: `+testimage.Postgres+`
    labels: {env: prod}
    volumes: [pgdata:/var/lib/postgresql/data]
    healthcheck:
      test: ["CMD", "pg_isready", "-q"]
      interval: 1s
      retries: 60
    x-rehearse:
      seed:
        - psql -v ON_ERROR_STOP=1 -qc "create table orders(id int primary key); insert into orders select generate_series(1, 1204)"
      counts:
        orders: psql -tAc "select count(*) from orders"
volumes:
  pgdata: {}
`)
	changeFile := write("change.yaml", `apiVersion: rehearse/v1
kind: Change
change:
  - exec: {service: db, command: "pg_dump -Fc -f /tmp/before.dump postgres"}
  - exec: {service: db, command: "psql -v ON_ERROR_STOP=1 -qc 'DELETE FROM orders'"}
rollback:
  - exec: {service: db, command: "pg_restore --clean --if-exists -d postgres /tmp/before.dump"}
`)
	e, err := sandbox.LoadCompose(t.Context(), sandbox.ComposeOptions{File: composeFile, Change: changeFile})
	if err != nil {
		t.Fatal(err)
	}
	res, err := container.Run(t.Context(), e, container.Options{RunID: testimage.RunID()})
	if err != nil {
		t.Fatal(err)
	}
	v := verdict.Evaluate(res.Set, verdict.DefaultPolicy(), verdict.Options{})
	var ev []string
	for _, f := range v.Findings {
		ev = append(ev, f.Evidence...)
	}
	if v.Decision != verdict.Block || !strings.Contains(strings.Join(ev, "\n"), "orders: 1,204 → 0 rows") {
		t.Errorf("decision %s, want block with the rows lost:\n%s", v.Decision, strings.Join(ev, "\n"))
	}
	if got := verdict.RollbackLine(v.Rollback); got != "rollback restores: yes" {
		t.Errorf("rollback line %q, want it to restore: the rows are back, in other files of the data path", got)
	}
}
