package report

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
	"github.com/rehearse-dev/rehearse/verdict"
)

// TestJSONStreamSameAsWhole compares the spliced JSON with the plain
// encoding on verdicts of every example, library and corpus plan, and on
// empty and nil lists.
func TestJSONStreamSameAsWhole(t *testing.T) {
	var vs []verdict.Verdict
	files, _ := filepath.Glob("../examples/plans/*.json")
	more, _ := filepath.Glob("../scenarios/library/*/plan.json")
	corpus, _ := filepath.Glob("/work/shared/corpus/plans/*.json")
	files = append(append(files, more...), corpus...)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		set, err := planjson.Read(context.Background(), bytes.NewReader(data), planjson.File(f))
		if err != nil {
			continue
		}
		vs = append(vs, verdict.Evaluate(set, verdict.DefaultPolicy(), verdict.Options{}))
	}
	if len(vs) < 3 {
		t.Fatalf("only %d verdicts", len(vs))
	}
	vs = append(vs, verdict.Verdict{}, verdict.Verdict{Findings: []verdict.Finding{}, Passed: []verdict.Listed{{Address: "<a&b>", Note: "x\ny"}}})
	for i := range vs {
		var got, want bytes.Buffer
		if err := renderJSON(&got, &vs[i], Options{}); err != nil {
			t.Fatal(err)
		}
		if err := renderJSONWhole(&want, &vs[i], Options{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("verdict %d: streamed JSON differs:\n%s\nwant:\n%s", i, got.Bytes(), want.Bytes())
		}
	}
}
