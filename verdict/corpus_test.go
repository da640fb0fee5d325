package verdict_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
	"github.com/rehearse-dev/rehearse/verdict"
)

// TestCorpusConformance judges the real plans in ../shared/corpus: every
// planned delete and replace is a finding, and moved or imported resources
// give none.
func TestCorpusConformance(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "corpus", "plans")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Skipf("no corpus at %s: the conformance check needs ../shared/corpus/plans", dir)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			set, err := planjson.Read(context.Background(), f, planjson.File(file))
			if err != nil {
				t.Fatal(err)
			}
			v := verdict.Evaluate(set, verdict.DefaultPolicy(), verdict.Options{})
			byAddr := map[string]verdict.Finding{}
			for _, f := range v.Findings {
				byAddr[f.Address] = f
			}
			destructive := 0
			for _, r := range set.Resources {
				f, flagged := byAddr[r.Address]
				switch {
				case r.Mode == change.Managed && r.Action.Destructive():
					destructive++
					if !flagged || f.Action != r.Action {
						t.Errorf("%s %s is not a finding", r.Address, r.Action)
					}
				case r.Moved() || r.Importing:
					if flagged {
						t.Errorf("moved or imported %s gave a finding: %+v", r.Address, f)
					}
				}
			}
			t.Logf("%s: %d resources, %d destructive, decision %s", filepath.Base(file), len(set.Resources), destructive, v.Decision)
			if destructive > 0 && v.Decision == verdict.Pass {
				t.Errorf("a plan with %d deletes or replaces passed", destructive)
			}
		})
	}
}
