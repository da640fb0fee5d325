package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/verdict"
)

// TestRollbackInEveryFormat: a rehearsed rollback is said in text, JSON
// and Markdown, restoring or not, and never when none was rehearsed.
func TestRollbackInEveryFormat(t *testing.T) {
	set := func(rb *change.Rollback) change.Set {
		return change.Set{
			Source: change.Source{Kind: change.Observed, Tool: "docker"},
			Resources: []change.Resource{{
				Address: "docker_container.db", Mode: change.Managed, Type: "docker_container", Name: "db", Action: change.Update,
				Labels:   map[string]string{"env": "prod"},
				Observed: &change.Observation{Data: []change.DataDelta{{Service: "db", Path: "/var/lib/db", BeforeFiles: 1204, BeforeBytes: 12040}}},
			}},
			Managed:  1,
			Rollback: rb,
		}
	}
	notBack := &change.Rollback{Data: []change.DataDelta{{Service: "db", Path: "/var/lib/db", BeforeFiles: 1204, BeforeBytes: 12040}}}
	tests := []struct {
		name     string
		rb       *change.Rollback
		want     string // in text and Markdown
		restores string // the JSON field, "" for none
	}{
		{"restores", &change.Rollback{Restores: true}, "rollback restores: yes", "true"},
		{"does not restore", notBack, "rollback does not restore: /var/lib/db: 1,204 files → 0, 12.0 kB → 0 B", "false"},
		{"none rehearsed", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := verdict.Evaluate(set(tt.rb), verdict.DefaultPolicy(), verdict.Options{})
			for _, f := range []Format{Text, Markdown} {
				var b bytes.Buffer
				if err := Render(&b, f, &v, Options{}); err != nil {
					t.Fatal(err)
				}
				has := strings.Contains(b.String(), "rollback restores") || strings.Contains(b.String(), "rollback does not restore")
				if tt.want == "" && has {
					t.Errorf("%s: a rollback line without a rehearsed rollback:\n%s", f, b.String())
				}
				if tt.want != "" && !strings.Contains(b.String(), tt.want) {
					t.Errorf("%s: no %q in\n%s", f, tt.want, b.String())
				}
			}
			var b bytes.Buffer
			if err := Render(&b, JSON, &v, Options{}); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Rollback *struct {
					Restores *bool `json:"restores"`
				} `json:"rollback"`
			}
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.restores == "" && doc.Rollback != nil:
				t.Errorf("json: rollback %+v without a rehearsed rollback", doc.Rollback)
			case tt.restores != "" && (doc.Rollback == nil || doc.Rollback.Restores == nil || *doc.Rollback.Restores != (tt.restores == "true")):
				t.Errorf("json: rollback %+v, want restores %s", doc.Rollback, tt.restores)
			}
			if tt.rb != nil {
				ev := strings.Join(v.Findings[0].Evidence, "\n")
				if !strings.Contains(ev, "rollback rehearsed: ") {
					t.Errorf("the finding does not say what the rollback does:\n%s", ev)
				}
			}
		})
	}
}
