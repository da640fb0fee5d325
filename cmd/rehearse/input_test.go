package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDetectInput(t *testing.T) {
	tests := []struct {
		name, doc string
		complete  bool
		want      string // a kind, or the start of the error
	}{
		{"terraform", `{"format_version":"1.2","terraform_version":"1.9.0","timestamp":"2026-01-01T00:00:00Z","resource_changes":[]}`, true, inputTerraform},
		{"terraform, planned_values first and long", `{"format_version":"1.2","planned_values":{"root_module":{"resources":[`, false, inputTerraform},
		{"change set", `{"Changes":[],"ChangeSetId":"arn","StackName":"s"}`, true, inputCloudFormation},
		{"camelCase change set", `{"changes":[],"stackName":"s"}`, true, inputCloudFormation},
		{"change set whose Changes come first", `{"Changes":[{"Type":"Resource","ResourceChange":{"Action":"Add","BeforeContext":"`, false, inputCloudFormation},
		{"preview digest", `{"config":{},"steps":[],"changeSummary":{}}`, true, inputPulumi},
		{"preview events", `{"sequence":0,"timestamp":1,"preludeEvent":{"config":{}}}` + "\n", false, inputPulumi},
		{"ambiguous", `{"format_version":"1.2","resource_changes":[],"steps":[]}`, true, "ambiguous input"},
		{"none", `{"values":{"root_module":{}}}`, true, "not a plan, change set or preview"},
		{"cut short", `{"vals`, true, "truncated JSON"},
		{"empty", "  \n", true, "empty file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := detectInput([]byte(tt.doc), tt.complete)
			if err != nil {
				got = err.Error()
			}
			if !strings.HasPrefix(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			if err != nil && !strings.Contains(got, "--input") && tt.want != "ambiguous input" {
				t.Fatalf("the error does not say what was expected: %q", got)
			}
		})
	}
}

// rehearse plan judges a change set, a nested-stack directory and a
// preview, names the tool in the report, and --input forces a format.
func TestPlanOtherTools(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		source string
	}{
		{[]string{"../../examples/cloudformation/changeset.json"}, 1, "cloudformation change set fix-rounding on stack orders-prod"},
		{[]string{"../../planners/cloudformation/testdata/nested"}, 1, "cloudformation change set shrink-data on stack shop-prod"},
		{[]string{"../../examples/pulumi/preview.json"}, 1, "pulumi preview of stack prod"},
		{[]string{"--input", "pulumi", "../../planners/pulumi/testdata/webserver-userdata.json"}, 0, "pulumi preview of stack dev"},
		{[]string{"--input", "pulumi", "../../examples/cloudformation/changeset.json"}, 2, ""},
		{[]string{"--input", "terraform", "../../planners/cloudformation/testdata/nested"}, 2, ""},
		{[]string{"--input", "helm", "../../examples/pulumi/preview.json"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errs := runCLI(t, "", append([]string{"plan"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errs)
			}
			if !strings.Contains(out, tt.source) {
				t.Fatalf("the report does not name %q:\n%s", tt.source, out)
			}
		})
	}
}

// A change set or a preview cut short at any byte exits 2, read from
// stdin, where the format is told from what is there.
func TestPlanOtherToolsTruncatedExits2(t *testing.T) {
	for _, file := range []string{"../../examples/cloudformation/changeset.json", "../../examples/pulumi/preview.json", "../../planners/pulumi/testdata/destroy-with-components.json"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		end := len(bytes.TrimRight(data, " \n\r\t"))
		for n := 0; n < end; n += 7 {
			var errb bytes.Buffer
			code := run(context.Background(), []string{"plan", "--format", "json", "-"}, bytes.NewReader(data[:n]), io.Discard, &errb)
			if code != exitCannot || strings.Count(strings.TrimSpace(errb.String()), "\n") > 0 {
				t.Fatalf("%s cut at byte %d of %d: exit %d, want 2 with one line (stderr: %s)", file, n, len(data), code, errb.String())
			}
		}
	}
}

// rehearse approve takes a change set: the approval it writes lets the
// same change set pass.
func TestApproveChangeSet(t *testing.T) {
	dir := t.TempDir()
	approvals := filepath.Join(dir, "approvals.yaml")
	cs := "../../examples/cloudformation/changeset.json"
	ids, _ := blockIDs(t, cs)
	if len(ids) != 1 {
		t.Fatalf("block ids %v", ids)
	}
	code, _, errs := runCLI(t, "", "approve", cs, "--approvals", approvals, "--finding", ids[0], "--by", "alice", "--reason", "planned migration", "--rollback", "restore the final snapshot")
	if code != 0 {
		t.Fatalf("approve: exit %d: %s", code, errs)
	}
	if code, out, errs := runCLI(t, "", "plan", "--approvals", approvals, cs); code != 0 {
		t.Fatalf("plan with the approval: exit %d: %s %s", code, out, errs)
	}
}

// quickDocs are documents for the quick key scan: the detection cases,
// the examples of each format, and keys with escapes.
var quickDocs = []string{
	`{"format_version":"1.2","planned_values":{"root_module":{"resources":[`,
	`{"Changes":[{"Type":"Resource","ResourceChange":{"Action":"Add","BeforeContext":"`,
	`{"sequence":0,"timestamp":1,"preludeEvent":{"config":{}}}` + "\n" + `{"sequence":1,"resOutputsEvent":{}}`,
	`{"a\"b":1,"c\\":[1,{"d":"e\\\"f"}],"format_version":"1"}`,
	`{"x":[{"k":1},{"inner":2,"more":{"deep":[3]}}],"y":"z"}`,
	`{"format_version":"1.2","vals":[true,false,null,-1.5e3],"resource_changes":[]}`,
	`"top" {"format_version":"1.2"}`,
}

func quickCorpus(t testing.TB) [][]byte {
	var docs [][]byte
	for _, d := range quickDocs {
		docs = append(docs, []byte(d))
	}
	for _, f := range []string{"../../examples/cloudformation/changeset.json", "../../examples/pulumi/preview.json", "../../planners/pulumi/testdata/destroy-with-components.json", "../../examples/plans/env-recreate-minor-fix.json"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, data)
	}
	return docs
}

// The quick key scan records what the full one does on every prefix of
// valid documents, at every byte.
func TestScanKeysQuickAgrees(t *testing.T) {
	for _, doc := range quickCorpus(t) {
		step := max(1, len(doc)/2000)
		for n := 0; n <= len(doc); n += step {
			checkQuickKeys(t, doc[:n], true)
		}
	}
}

func FuzzScanKeysQuick(f *testing.F) {
	for _, doc := range quickCorpus(f) {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkQuickKeys(t, doc, json.Valid(doc))
	})
}

// checkQuickKeys: the quick scan's keys include the full scan's, and are
// the same when the document is valid JSON or a prefix of it.
func checkQuickKeys(t *testing.T, doc []byte, exact bool) {
	t.Helper()
	qt, qi, ok := scanKeysQuick(doc)
	if !ok {
		return
	}
	st, si, _, _ := scanKeys(doc)
	for _, m := range []struct{ quick, full map[string]bool }{{qt, st}, {qi, si}} {
		for k := range m.full {
			if !m.quick[k] {
				t.Fatalf("%q: the quick scan misses key %q", doc, k)
			}
		}
		if exact && len(m.quick) != len(m.full) {
			t.Fatalf("%q: the quick scan has keys %v, the full scan %v", doc, m.quick, m.full)
		}
	}
}
