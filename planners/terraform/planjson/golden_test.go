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
// place, never copied: /work/shared/corpus/README.md). REHEARSE_CORPUS
// names another directory.
func corpusDir() string {
	if d := os.Getenv("REHEARSE_CORPUS"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "..", "shared", "corpus", "plans")
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
		"corpus":   glob(filepath.Join(corpusDir(), "*.json")),
		"examples": glob(filepath.Join("..", "..", "..", "examples", "plans", "*.json")),
		"edge":     glob(filepath.Join("testdata", "edge", "*.json")),
		"model":    {filepath.Join("testdata", "read", "model.json")},
	}
	if len(src["corpus"]) == 0 {
		t.Fatalf("no corpus plans in %s: the golden Sets of real plans need the shared corpus (/work/shared/corpus/plans, or set REHEARSE_CORPUS)", corpusDir())
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
	for source, files := range goldenSources(t) {
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
}
