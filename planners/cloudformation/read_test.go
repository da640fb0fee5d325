package cloudformation

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

func setJSON(t *testing.T, set change.Set) []byte {
	t.Helper()
	b, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// Every fixture reads into the Set its golden file holds (go test -update
// rewrites them).
func TestReadGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) < 4 {
		t.Fatalf("only %d fixtures", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			golden.Check(t, strings.TrimSuffix(f, ".json")+".set.golden", setJSON(t, readFile(t, f)))
		})
	}
	t.Run("nested", func(t *testing.T) {
		set, err := ReadDir("testdata/nested")
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, "testdata/nested.set.golden", setJSON(t, set))
	})
}

func TestReadEveryAction(t *testing.T) {
	set := readFile(t, "testdata/every-action.json")
	if set.Source.Tool != "cloudformation" || set.Source.Document != "change set fix-rounding on stack orders-prod" || set.Stack != "orders-prod" || set.Managed != -1 {
		t.Fatalf("source %+v, stack %q, managed %d", set.Source, set.Stack, set.Managed)
	}
	by := map[string]change.Resource{}
	for _, r := range set.Resources {
		by[r.Address] = r
		if r.Digest == "" {
			t.Errorf("%s has no digest", r.Address)
		}
	}
	want := map[string]change.Action{
		"AuditLog": change.Create, "Api": change.Update, "OrdersDb": change.Replace, "Uploads": change.Replace,
		"Sessions": change.Delete, "Jobs": change.Delete, "LegacyVpc": change.NoOp, "Routes": change.Replace,
	}
	for addr, a := range want {
		if by[addr].Action != a {
			t.Errorf("%s: action %q, want %q", addr, by[addr].Action, a)
		}
	}
	db := by["OrdersDb"]
	if db.Reason != "parameter DbClass changed" || len(db.ReplacePaths) != 1 || db.ReplacePaths[0].Path != "DBInstanceIdentifier" {
		t.Errorf("OrdersDb: reason %q, replace paths %+v", db.Reason, db.ReplacePaths)
	}
	if db.Before["deletion_policy"] != "Snapshot" || db.BeforeLabels["Environment"] != "prod" || db.Conditional {
		t.Errorf("OrdersDb: before %v, before labels %v", db.Before, db.BeforeLabels)
	}
	for _, c := range db.Changes {
		if c.Path == "MasterUserPassword" && (!c.Sensitive || c.Before != nil) {
			t.Errorf("a password keeps its value: %+v", c)
		}
	}
	if _, ok := db.Before["MasterUserPassword"]; ok {
		t.Error("a password is kept in Before")
	}
	if !by["Uploads"].Conditional || !by["Routes"].Conditional {
		t.Error("Conditional and Dynamic replacements are not marked conditional")
	}
	if by["Sessions"].Before["deletion_policy"] != "Retain" || by["Sessions"].Labels["Environment"] != "prod" {
		t.Errorf("Sessions: %+v", by["Sessions"])
	}
	if !by["LegacyVpc"].Importing {
		t.Error("Import is not importing")
	}
	if len(set.Drift) != 1 || set.Drift[0].Address != "Cache" {
		t.Errorf("drift %+v", set.Drift)
	}
	if by["Jobs"].Labels["Stage"] != "prod" {
		t.Errorf("the Stage parameter does not place an untagged resource: %v", by["Jobs"].Labels)
	}
}

func TestReadNestedDirectory(t *testing.T) {
	set, err := ReadDir("testdata/nested")
	if err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for _, r := range set.Resources {
		addrs = append(addrs, r.Address)
	}
	if got := strings.Join(addrs, " "); got != "DataStack DataStack/Assets DataStack/Volume" || set.Stack != "shop-prod" {
		t.Fatalf("addresses %s, stack %s", got, set.Stack)
	}
	// The root alone names a nested change set it does not have.
	f, _ := os.Open("testdata/nested/root.json")
	defer f.Close()
	if _, err := Read("root.json", f); !errors.Is(err, ErrNested) {
		t.Fatalf("root alone: %v", err)
	}
	// A change set of another stack does not belong.
	root, _ := os.ReadFile("testdata/nested/root.json")
	other, _ := os.ReadFile("testdata/camel-case.json")
	_, err = ReadAll("dir", []Doc{{"root.json", bytes.NewReader(root)}, {"other.json", bytes.NewReader(other)}})
	if !errors.Is(err, ErrNested) {
		t.Fatalf("a stranger among the documents: %v", err)
	}
}

func TestReadRefuses(t *testing.T) {
	base, err := os.ReadFile("testdata/every-action.json")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(base)
	tests := []struct {
		name, doc string
		want      error
	}{
		{"empty", "", ErrEmpty},
		{"not an object", "[]", ErrNotChangeSet},
		{"terraform plan", `{"format_version":"1.2","resource_changes":[]}`, ErrNotChangeSet},
		{"top-level key twice", strings.Replace(doc, `"StackName": "orders-prod",`, `"StackName": "orders-prod", "StackName": "orders-dev",`, 1), ErrDuplicate},
		{"action twice", strings.Replace(doc, `"Action": "Remove",`, `"Action": "Remove", "Action": "Add",`, 1), ErrDuplicate},
		{"key twice inside a context", strings.Replace(doc, `{\"TableName\":\"sessions\",`, `{\"TableName\":\"sessions\",\"TableName\":\"x\",`, 1), ErrNotChangeSet},
		{"unknown action", strings.Replace(doc, `"Action": "Remove"`, `"Action": "Obliterate"`, 1), ErrAction},
		{"unknown replacement", strings.Replace(doc, `"Replacement": "True"`, `"Replacement": "Maybe"`, 1), ErrAction},
		{"unknown policy action", strings.Replace(doc, `"PolicyAction": "Retain"`, `"PolicyAction": "Keep"`, 1), ErrAction},
		{"unknown recreation", strings.Replace(doc, `"RequiresRecreation": "Always"`, `"RequiresRecreation": "Sometimes"`, 1), ErrAction},
		{"unknown change source", strings.Replace(doc, `"ChangeSource": "ParameterReference"`, `"ChangeSource": "Magic"`, 1), ErrAction},
		{"wrong type", strings.Replace(doc, `"LogicalResourceId": "Jobs"`, `"LogicalResourceId": 7`, 1), ErrNotChangeSet},
		{"key in another case", strings.Replace(doc, `"Action": "Remove"`, `"action": "Add", "Action": "Remove"`, 1), ErrKeyCase},
		{"both cases of Changes", `{"Changes":[],"changes":[],"StackName":"a"}`, ErrKeyCase},
		{"next page", strings.Replace(doc, `"Status": "CREATE_COMPLETE"`, `"Status": "CREATE_COMPLETE", "NextToken": "abc"`, 1), ErrIncomplete},
		{"pending", strings.Replace(doc, `"Status": "CREATE_COMPLETE"`, `"Status": "CREATE_PENDING"`, 1), ErrIncomplete},
		{"failed", strings.Replace(doc, `"Status": "CREATE_COMPLETE"`, `"Status": "FAILED", "StatusReason": "Template error"`, 1), ErrIncomplete},
		{"trailing data", doc + "{}", ErrInvalid},
		{"too deep", `{"Changes":[],"StackName":"a","X":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`, ErrTooDeep},
		{"not UTF-8", `{"Changes":[],"StackName":"a` + "\xff" + `"}`, ErrEncoding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read("cs.json", strings.NewReader(tt.doc))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			var re *ReadError
			if !errors.As(err, &re) || !strings.HasPrefix(err.Error(), "cs.json: ") || strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("not a one-line error naming the file: %q", err)
			}
		})
	}
}

// A change set that failed only because nothing changes is an empty change.
func TestReadNoChanges(t *testing.T) {
	set, err := Read("cs.json", strings.NewReader(`{"Changes":[],"ChangeSetId":"x","StackName":"s","Status":"FAILED","StatusReason":"The submitted information didn't contain changes. Submit different information to create a change set."}`))
	if err != nil || len(set.Resources) != 0 {
		t.Fatalf("%v %+v", err, set)
	}
}

// A change set cut short anywhere must fail as truncated (or empty), never
// read as a smaller change.
func TestReadTruncated(t *testing.T) {
	for _, f := range []string{"testdata/every-action.json", "testdata/cdk-changeset.json", "testdata/camel-case.json"} {
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
// one-line *ReadError; the same bytes give the same Set; and a document
// re-encoded by encoding/json (keys sorted, no white space) is the same
// change with the same fingerprint.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	more, _ := filepath.Glob("testdata/nested/*.json")
	for _, p := range append(files, more...) {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte(`{"Changes":[{"Type":"Resource","ResourceChange":{"Action":"Remove","LogicalResourceId":"A","ResourceType":"AWS::S3::Bucket"}}],"StackName":"s"}`))
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
		var doc any
		dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("read a document encoding/json refuses: %v", err)
		}
		sorted, _ := json.Marshal(doc)
		re, err := Read("fuzz.json", bytes.NewReader(sorted))
		if err != nil {
			t.Fatalf("the re-encoded document is refused: %v", err)
		}
		if re.Fingerprint() != set.Fingerprint() {
			t.Fatal("the re-encoded document is another change")
		}
	})
}
