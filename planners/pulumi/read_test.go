package pulumi

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/internal/golden"
)

func readFile(t *testing.T, path string) change.Set {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	set, err := Read(path, f)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// Every fixture reads into the Set its golden file holds (go test -update
// rewrites them).
func TestReadGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) < 3 {
		t.Fatalf("only %d fixtures", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := json.MarshalIndent(readFile(t, f), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, strings.TrimSuffix(f, ".json")+".set.golden", append(b, '\n'))
		})
	}
}

func TestReadEveryOp(t *testing.T) {
	set := readFile(t, "testdata/every-op.json")
	if set.Source.Tool != "pulumi" || set.Source.Document != "preview of stack prod" || set.Stack != "prod" || set.Managed != -1 {
		t.Fatalf("source %+v, stack %q", set.Source, set.Stack)
	}
	by := map[string]change.Resource{}
	for _, r := range set.Resources {
		by[r.Name] = r
	}
	want := map[string]change.Action{
		"orders-prod": change.NoOp, "exports": change.Create, "api": change.Update, "orders-db": change.Replace,
		"scratch": change.Replace, "sessions": change.Delete, "jobs": change.Delete, "shared": change.Read,
		"old-lookup": change.Delete, "legacy": change.NoOp, "ci": change.Read, "bastion": change.Forget,
	}
	for name, a := range want {
		if by[name].Action != a {
			t.Errorf("%s: %q, want %q", name, by[name].Action, a)
		}
	}
	db := by["orders-db"]
	if db.ReplaceOrder != change.CreateThenDelete || len(db.ReplacePaths) != 1 || db.ReplacePaths[0].Path != "identifier" || db.ReplacePaths[0].After != "orders-prod-v2" {
		t.Errorf("orders-db: %+v", db)
	}
	if db.Before["skip_final_snapshot"] != true || db.BeforeLabels["Environment"] != "prod" || db.Type != "aws:rds/instance:Instance" {
		t.Errorf("orders-db before %v labels %v", db.Before, db.BeforeLabels)
	}
	if _, ok := db.Before["password"]; ok {
		t.Error("a password is kept")
	}
	if by["scratch"].ReplaceOrder != change.DeleteThenCreate {
		t.Errorf("delete-before-replace: %q", by["scratch"].ReplaceOrder)
	}
	if by["sessions"].Before["retain_on_delete"] != true || by["jobs"].Before["protect"] != true {
		t.Error("retainOnDelete or protect is lost")
	}
	if by["old-lookup"].Mode != change.Data || !by["legacy"].Importing {
		t.Error("discard is not of a data source, or import is not importing")
	}
}

func TestReadStream(t *testing.T) {
	set := readFile(t, "testdata/webserver-userdata.json")
	var replaced []string
	for _, r := range set.Resources {
		if r.Action == change.Replace {
			replaced = append(replaced, r.Address+" "+string(r.ReplaceOrder))
			if len(r.ReplacePaths) != 1 || r.ReplacePaths[0].Path != "userData" {
				t.Errorf("replace paths %+v", r.ReplacePaths)
			}
		}
	}
	if got := strings.Join(replaced, ","); got != "aws:ec2/instance:Instance::web-server-www create-then-delete" || set.Stack != "dev" {
		t.Fatalf("replaced %s, stack %s", got, set.Stack)
	}
}

func TestReadRefuses(t *testing.T) {
	base, err := os.ReadFile("testdata/every-op.json")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(base)
	stream, _ := os.ReadFile("testdata/destroy-with-components.json")
	lines := strings.SplitAfter(strings.TrimSpace(string(stream)), "\n")
	tests := []struct {
		name, doc string
		want      error
	}{
		{"empty", "", ErrEmpty},
		{"not an object", "[]", ErrNotPreview},
		{"terraform plan", `{"format_version":"1.2","resource_changes":[]}`, ErrNotPreview},
		{"op twice", strings.Replace(doc, `"op": "delete",`, `"op": "delete", "op": "same",`, 1), ErrDuplicate},
		{"unknown op", strings.Replace(doc, `"op": "delete",`, `"op": "obliterate",`, 1), ErrAction},
		{"unknown diff kind", strings.Replace(doc, `"kind": "update-replace"`, `"kind": "replace-maybe"`, 1), ErrAction},
		{"wrong type", strings.Replace(doc, `"protect": true`, `"protect": "yes"`, 1), ErrNotPreview},
		{"key in another case", strings.Replace(doc, `"op": "delete",`, `"Op": "same", "op": "delete",`, 1), ErrKeyCase},
		{"bad urn", strings.Replace(doc, `"urn": "urn:pulumi:prod::orders::aws:sqs/queue:Queue::jobs"`, `"urn": "jobs"`, 1), ErrNotPreview},
		{"error diagnostic", strings.Replace(doc, `"severity": "warning"`, `"severity": "error"`, 1), ErrFailed},
		{"maybe corrupt", strings.Replace(doc, `"changeSummary"`, `"maybeCorrupt": true, "changeSummary"`, 1), ErrFailed},
		{"trailing data", doc + "{}", ErrInvalid},
		{"two stacks", strings.Replace(doc, `"urn": "urn:pulumi:prod::orders::aws:sqs/queue:Queue::jobs"`, `"urn": "urn:pulumi:dev::orders::aws:sqs/queue:Queue::jobs"`, 1), ErrNotPreview},
		{"too deep", `{"steps":[],"changeSummary":{},"config":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`, ErrTooDeep},
		{"stream without its cancelEvent", strings.Join(lines[:len(lines)-1], ""), ErrTruncated},
		{"stream without summary", strings.Join(lines[:3], ""), ErrTruncated},
		{"unknown event", `{"sequence":1,"explodeEvent":{}}`, ErrAction},
		{"stream error event", lines[0] + `{"sequence":2,"diagnosticEvent":{"message":"boom","severity":"error"}}` + "\n" + strings.Join(lines[1:], ""), ErrFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read("preview.json", strings.NewReader(tt.doc))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			var re *ReadError
			if !errors.As(err, &re) || !strings.HasPrefix(err.Error(), "preview.json: ") || strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("not a one-line error naming the file: %q", err)
			}
		})
	}
}

// A preview cut short anywhere, digest or stream, must fail as truncated
// (or empty), never read as a smaller change.
func TestReadTruncated(t *testing.T) {
	for _, f := range []string{"testdata/every-op.json", "testdata/destroy-with-components.json"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n := len(bytes.TrimRight(data, " \n\r\t"))
		for i := 0; i < n; i++ {
			_, err := Read("cut.json", bytes.NewReader(data[:i]))
			blank := len(bytes.TrimSpace(data[:i])) == 0
			if !(blank && errors.Is(err, ErrEmpty)) && !(!blank && errors.Is(err, ErrTruncated)) {
				t.Fatalf("%s cut at byte %d of %d: %v", f, i, len(data), err)
			}
		}
	}
}

// Properties of every read, whatever the input: no panic; an error is a
// one-line *ReadError; the same bytes give the same Set.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := Read("fuzz.json", bytes.NewReader(data))
		if err != nil {
			var re *ReadError
			if !errors.As(err, &re) || strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error %T %q", err, err)
			}
			return
		}
		again, err := Read("fuzz.json", bytes.NewReader(data))
		if err != nil || again.Fingerprint() != set.Fingerprint() {
			t.Fatalf("second read differs: %v", err)
		}
	})
}
