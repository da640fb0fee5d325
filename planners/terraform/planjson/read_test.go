package planjson

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

func readString(t *testing.T, s string) (change.Set, error) {
	t.Helper()
	return Read(context.Background(), strings.NewReader(s), File("plan.json"))
}

const minimalPlan = `{"format_version":"1.2","planned_values":{},"resource_changes":[%s]}`

func TestReadFailsClosed(t *testing.T) {
	rc := func(actions string) string {
		return strings.Replace(minimalPlan, "%s", `{"address":"a.b","mode":"managed","type":"a","name":"b","change":{"actions":`+actions+`,"before":null,"after":{}}}`, 1)
	}
	tests := []struct {
		name  string
		input string
		want  error
		msg   string
	}{
		{"empty file", "", ErrEmpty, "plan.json: empty file"},
		{"whitespace only", " \n\t", ErrEmpty, "empty file"},
		{"truncated", `{"format_version":"1.2","resource_changes":[{"address":`, ErrTruncated, "truncated JSON"},
		{"truncated after object", rc(`["create"]`)[:40], ErrTruncated, "truncated JSON"},
		{"invalid JSON", `{"format_version":"1.2",,}`, ErrInvalid, "invalid JSON"},
		{"trailing garbage", rc(`["create"]`) + `{}`, ErrInvalid, "data after the plan object"},
		{"array document", `[]`, ErrNotPlan, "not a JSON object"},
		{"string document", `"plan"`, ErrNotPlan, "not a JSON object"},
		{"state file", `{"format_version":"1.0","terraform_version":"1.5.7","values":{"root_module":{}}}`, ErrNotPlan, "state file"},
		{"no format version", `{"planned_values":{},"resource_changes":[]}`, ErrNotPlan, "no format_version"},
		{"newer major format", strings.Replace(rc(`["create"]`), `"1.2"`, `"2.0"`, 1), ErrFormat, `"2.0"`},
		{"garbage format", strings.Replace(rc(`["create"]`), `"1.2"`, `"one"`, 1), ErrFormat, `"one"`},
		{"unknown action", rc(`["explode"]`), ErrAction, `resource_changes[0] (a.b): unknown action ["explode"]`},
		{"unknown action pair", rc(`["delete","update"]`), ErrAction, "unknown action"},
		{"empty actions", rc(`[]`), ErrAction, "unknown action []"},
		{"resource without change", strings.Replace(minimalPlan, "%s", `{"address":"a.b","type":"a"}`, 1), ErrNotPlan, "no change object"},
		{"resource changes not a list", `{"format_version":"1.2","resource_changes":{}}`, ErrNotPlan, "not a list"},
		{"wrong type inside", strings.Replace(minimalPlan, "%s", `{"address":7}`, 1), ErrNotPlan, "wrong type"},
		{"errored plan", `{"format_version":"1.2","planned_values":{},"errored":true}`, ErrErroredPlan, "errored"},
		{"unknown output action", `{"format_version":"1.2","planned_values":{},"output_changes":{"x":{"actions":["boom"]}}}`, ErrAction, "output_changes.x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readString(t, tt.input)
			if err == nil {
				t.Fatal("Read succeeded; want an error")
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error %q is not %v", err, tt.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "plan.json: ") || !strings.Contains(msg, tt.msg) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming plan.json and containing %q", msg, tt.msg)
			}
		})
	}
}

func TestReadAcceptsFormatVersions(t *testing.T) {
	for _, v := range []string{"0.1", "0.2", "1.0", "1.2", "1.9", "1.10"} {
		_, err := readString(t, strings.Replace(minimalPlan, "%s", "", 1)[:0]+`{"format_version":"`+v+`","planned_values":{}}`)
		if err != nil {
			t.Errorf("format %s: %v", v, err)
		}
	}
}

func TestReadActions(t *testing.T) {
	tests := []struct {
		actions string
		want    change.Action
		order   change.ReplaceOrder
	}{
		{`["no-op"]`, change.NoOp, ""},
		{`["create"]`, change.Create, ""},
		{`["read"]`, change.Read, ""},
		{`["update"]`, change.Update, ""},
		{`["delete"]`, change.Delete, ""},
		{`["delete","create"]`, change.Replace, change.DeleteThenCreate},
		{`["create","delete"]`, change.Replace, change.CreateThenDelete},
		{`["forget"]`, change.Forget, ""},
	}
	for _, tt := range tests {
		plan := strings.Replace(minimalPlan, "%s", `{"address":"a.b","mode":"managed","type":"a","name":"b","change":{"actions":`+tt.actions+`,"before":{},"after":{}}}`, 1)
		set, err := readString(t, plan)
		if err != nil {
			t.Fatalf("%s: %v", tt.actions, err)
		}
		if got := set.Resources[0]; got.Action != tt.want || got.ReplaceOrder != tt.order {
			t.Errorf("%s: got %s %s, want %s %s", tt.actions, got.Action, got.ReplaceOrder, tt.want, tt.order)
		}
	}
}

// TestReadModel reads a plan that exercises every part of the model (its
// Set is pinned in testdata/golden/model) and checks that no sensitive
// value reaches the Set.
func TestReadModel(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "read", "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	set, err := Read(context.Background(), f, File("model.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"s3cr3t-before", "s3cr3t-after", "t0ken-out", "hidden-tag"} {
		if strings.Contains(string(got), secret) {
			t.Errorf("sensitive value %q reached the model", secret)
		}
	}
}

func TestReadCorpus(t *testing.T) {
	files := corpusPlans(t)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			set, err := Read(context.Background(), f, File(file))
			if err != nil {
				t.Fatal(err)
			}
			var raw struct {
				ResourceChanges []struct {
					Address string `json:"address"`
					Change  struct {
						Actions []string `json:"actions"`
					} `json:"change"`
				} `json:"resource_changes"`
			}
			b, _ := os.ReadFile(file)
			if err := json.Unmarshal(b, &raw); err != nil {
				t.Fatal(err)
			}
			if len(raw.ResourceChanges) != len(set.Resources) {
				t.Fatalf("read %d resources, the file has %d", len(set.Resources), len(raw.ResourceChanges))
			}
			for i, rc := range raw.ResourceChanges {
				if set.Resources[i].Address != rc.Address {
					t.Errorf("resource %d: %s, want %s", i, set.Resources[i].Address, rc.Address)
				}
			}
		})
	}
}

// A cancelled read stops with the context's error, not a verdict on the
// plan.
func TestReadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Read(ctx, strings.NewReader(strings.Replace(minimalPlan, "%s", "", 1)), File("plan.json"))
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "plan.json: ") {
		t.Fatalf("got %v, want plan.json: context canceled", err)
	}
}
