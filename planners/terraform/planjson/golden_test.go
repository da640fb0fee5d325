package planjson

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/internal/golden"
)

// corpusDir is where the shared corpus of real plans lives (read in
// place, never copied: /work/shared/corpus/README.md): $REHEARSE_CORPUS,
// else ../shared/corpus/plans beside the checkout, else
// /work/shared/corpus/plans. "" when none of them exists: a clone of the
// repository alone has no corpus, and its tests of real plans say so and
// skip (a REHEARSE_CORPUS that names nothing fails them).
func corpusDir() string {
	if d := os.Getenv("REHEARSE_CORPUS"); d != "" {
		return d
	}
	for _, d := range []string{filepath.Join("..", "..", "..", "..", "shared", "corpus", "plans"), "/work/shared/corpus/plans"} {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	return ""
}

// corpusPlans are the corpus's plans, or a skip when there is no corpus.
func corpusPlans(t *testing.T) []string {
	t.Helper()
	dir := corpusDir()
	if dir == "" {
		t.Skip("no shared corpus of real plans (../shared/corpus/plans beside the checkout, or /work/shared/corpus/plans): set REHEARSE_CORPUS to run the checks of real plans")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no plans in the corpus directory %s", dir)
	}
	return files
}

// goldenSources are the plans whose Sets are pinned: the shared corpus of
// real plans, the shipped examples, the edge cases under testdata/edge and
// the model plan.
func goldenSources(t *testing.T) map[string][]string {
	t.Helper()
	glob := func(pattern string) []string {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	src := map[string][]string{
		"examples": glob(filepath.Join("..", "..", "..", "examples", "plans", "*.json")),
		"edge":     glob(filepath.Join("testdata", "edge", "*.json")),
		"model":    {filepath.Join("testdata", "read", "model.json")},
	}
	if len(src["examples"]) == 0 || len(src["edge"]) == 0 {
		t.Fatal("no example or edge-case plans found")
	}
	return src
}

// canonicalSet is what a golden file holds: the Set as indented JSON (map
// keys sorted, so byte-identical across runs) with its fingerprint, or the
// error's one line.
func canonicalSet(t *testing.T, name string, data []byte) []byte {
	t.Helper()
	set, err := Read(context.Background(), bytes.NewReader(data), File(name))
	var v any
	if err != nil {
		v = struct {
			Error string `json:"error"`
		}{err.Error()}
	} else {
		v = struct {
			Fingerprint string `json:"fingerprint"`
			Set         any    `json:"set"`
		}{set.Fingerprint(), set}
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// TestGolden is the reader's spec: the Set of every corpus, example and
// edge-case plan, compared with testdata/golden/SOURCE/NAME.golden (go
// test -update rewrites them). A change in what the reader makes of a
// plan shows up here as a diff to review.
func TestGolden(t *testing.T) {
	t.Run("corpus", func(t *testing.T) { checkGolden(t, "corpus", corpusPlans(t)) })
	for source, files := range goldenSources(t) {
		checkGolden(t, source, files)
	}
}

// checkGolden compares the Sets of files with their golden files under
// testdata/golden/SOURCE.
func checkGolden(t *testing.T, source string, files []string) {
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(source+"/"+name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := canonicalSet(t, filepath.Base(f), data)
			if source == "corpus" || source == "examples" {
				if bytes.Contains(got, []byte(`"error"`)) && !bytes.Contains(got, []byte(`"fingerprint"`)) {
					t.Errorf("a real plan is refused: %s", got)
				}
			}
			dir := filepath.Join("testdata", "golden", source)
			if golden.Updating() {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			golden.Check(t, filepath.Join(dir, name+".golden"), got)
		})
	}
}

// corpusPattern globs the corpus's plans, or nothing without a corpus,
// for the checks that take every plan they can find.
func corpusPattern() string {
	if dir := corpusDir(); dir != "" {
		return filepath.Join(dir, "*.json")
	}
	return ""
}
