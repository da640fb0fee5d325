package change_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/bench/genplan/plangen"
	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
)

// referenceFingerprint is Set.Fingerprint as it was first written, with
// encoding/json. Approvals and recorded scenarios name its hashes, so the
// streaming encoder must give the same for every Set.
func referenceFingerprint(s *change.Set) string {
	norm := struct {
		Resources  []refResource             `json:"resources"`
		Drift      []refResource             `json:"drift"`
		Outputs    []change.OutputChange     `json:"outputs"`
		Actions    []change.ActionInvocation `json:"actions"`
		Deferred   []refResource             `json:"deferred"`
		Incomplete bool                      `json:"incomplete"`
		Variables  string                    `json:"variables"`
		Workspace  string                    `json:"workspace"`
		Stack      string                    `json:"stack"`
		Managed    int                       `json:"managed"`
	}{refSorted(s.Resources), refSorted(s.Drift), slices.Clone(s.Outputs), s.Actions, refSorted(s.Deferred), s.Incomplete, s.Variables, s.Workspace, s.Stack, s.Managed}
	slices.SortFunc(norm.Outputs, func(a, b change.OutputChange) int { return strings.Compare(a.Name, b.Name) })
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(norm); err != nil {
		panic("change: fingerprint: " + err.Error())
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// refResource is a Resource whose observation is written as the
// fingerprint sees it. Observed is Resource's last field, so the outer
// field, which encoding/json prefers, lands where the inner one was.
type refResource struct {
	change.Resource
	Observed *refObservation `json:"observed,omitempty"`
}

type refObservation struct {
	Data []refData `json:"data,omitempty"`
}

type refData struct {
	Service     string `json:"service,omitempty"`
	Path        string `json:"path"`
	BeforeFiles int64  `json:"before_files"`
	AfterFiles  int64  `json:"after_files"`
	BeforeBytes int64  `json:"before_bytes"`
	AfterBytes  int64  `json:"after_bytes"`
	Changed     bool   `json:"changed,omitempty"`
	Gone        bool   `json:"gone,omitempty"`
	Unit        string `json:"unit,omitempty"`
}

func refSorted(rs []change.Resource) []refResource {
	sorted := slices.Clone(rs)
	slices.SortStableFunc(sorted, func(a, b change.Resource) int {
		if c := strings.Compare(a.Address, b.Address); c != 0 {
			return c
		}
		return strings.Compare(a.Deposed, b.Deposed)
	})
	if sorted == nil {
		return nil
	}
	out := make([]refResource, len(sorted))
	for i, r := range sorted {
		out[i].Resource = r
		if o := r.Observed; o != nil {
			ro := &refObservation{}
			for _, d := range o.Data {
				ro.Data = append(ro.Data, refData{d.Service, d.Path, d.BeforeFiles, d.AfterFiles, d.BeforeBytes, d.AfterBytes, d.BeforeHash != d.AfterHash, d.Gone, d.Unit})
			}
			out[i].Observed = ro
		}
	}
	return out
}

func sameFingerprint(t *testing.T, name string, s *change.Set) {
	t.Helper()
	if got, want := s.Fingerprint(), referenceFingerprint(s); got != want {
		t.Errorf("%s: fingerprint %s, the encoding/json reference gives %s", name, got, want)
	}
}

func TestFingerprintSameAsReferenceOnPlans(t *testing.T) {
	t.Parallel()
	var files []string
	for _, g := range []string{
		"/work/shared/corpus/plans/*.json",
		"../../shared/corpus/plans/*.json",
		"../examples/plans/*.json",
		"../planners/terraform/testdata/read/*.json",
		"../scenarios/library/*/*.json",
		"../scenarios/testdata/*.json",
	} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	if len(files) < 5 {
		t.Fatalf("only %d plans found", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		set, err := planjson.Read(context.Background(), bytes.NewReader(data), planjson.File(f))
		if err != nil {
			continue // not a plan (a scenario's other JSON)
		}
		sameFingerprint(t, f, &set)
	}
	for seed := int64(1); seed <= 4; seed++ {
		var b bytes.Buffer
		if err := plangen.Write(&b, plangen.Options{N: 1500, Seed: seed}); err != nil {
			t.Fatal(err)
		}
		set, err := planjson.Read(context.Background(), &b, planjson.File("gen.json"))
		if err != nil {
			t.Fatal(err)
		}
		sameFingerprint(t, fmt.Sprintf("generated-%d", seed), &set)
	}
	// Past 2*fpChunk resources, and not a multiple of it: the chunks are
	// encoded in parallel (on more than one processor).
	var b bytes.Buffer
	if err := plangen.Write(&b, plangen.Options{N: 9001, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	big, err := planjson.Read(context.Background(), &b, planjson.File("gen.json"))
	if err != nil {
		t.Fatal(err)
	}
	sameFingerprint(t, "generated-9001", &big)
	big.Resources[len(big.Resources)/2].Name += "x"
	sameFingerprint(t, "generated-9001, one name changed", &big)
	if f := os.Getenv("REHEARSE_BENCH_PLAN"); f != "" {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		set, err := planjson.Read(context.Background(), fh, planjson.File(f))
		if err != nil {
			t.Fatal(err)
		}
		sameFingerprint(t, f, &set)
	}
}

// TestFingerprintSameAsReferenceOnSets covers what plans rarely hold: every
// value type, escapes, invalid UTF-8, HTML characters, nil against empty,
// observations, repeated addresses.
func TestFingerprintSameAsReferenceOnSets(t *testing.T) {
	t.Parallel()
	odd := []string{"", "plain", `q"uote\back`, "<a&b>", "tab\tnl\ncr\r\b\f\x01\x1f\x7f", "\xff\xfeinvalid", "\u2028\u2029", "é日本🎉", "\xe2\x80", "a\x00b"}
	vals := []any{nil, true, false, "s", json.Number("12"), json.Number("-0.5e+10"), json.Number("0"), json.Number(""), json.Number("1E3"),
		1.5, 1e21, 1e-7, float64(3), math.MaxFloat64, json.RawMessage(`{"a":[1,2]}`), json.RawMessage(`"<x>"`),
		map[string]any{"b": 1.0, "a": []any{nil, "x", map[string]any{}}, "<": "&"}, map[string]any(nil), []any(nil), []any{},
		"…" + strings.Repeat("x", 300), 7, int64(-3), []string{"a"}}
	var sets []change.Set
	sets = append(sets, change.Set{}, change.Set{Resources: []change.Resource{}, Drift: []change.Resource{}, Outputs: []change.OutputChange{}, Managed: -1})
	var rs []change.Resource
	for i, s := range odd {
		r := change.Resource{
			Address: "a." + s, PreviousAddress: s, Module: s, Mode: change.Mode(s), Type: s, Name: s, Index: s, Provider: s, Deposed: s,
			Action: change.Action(s), ReplaceOrder: change.ReplaceOrder(s), Reason: s, Importing: i%2 == 0, ImportID: s,
			Labels: map[string]string{s: s, "env": "prod", "z" + s: ""},
		}
		if i%3 == 0 {
			r.Labels = nil
		}
		if i%4 == 1 {
			r.Labels = map[string]string{}
			r.Before = map[string]any{}
			r.Changes = []change.AttrChange{}
		}
		for j, v := range vals {
			r.Changes = append(r.Changes, change.AttrChange{Path: s + fmt.Sprint(j), Before: v, After: vals[(j+i)%len(vals)], Unknown: j%2 == 0, Sensitive: j%3 == 0})
			if j%2 == i%2 {
				r.ReplacePaths = append(r.ReplacePaths, change.AttrChange{Path: s, After: v})
			}
			if r.Before == nil || j%5 == 0 {
				if r.Before == nil {
					r.Before = map[string]any{}
				}
				r.Before[s+fmt.Sprint(j)] = v
			}
		}
		if i%2 == 1 {
			r.Observed = &change.Observation{BeforeID: s, Data: []change.DataDelta{{Path: s, Gone: true, BeforeFiles: 3}, {Service: s, Path: s, BeforeFiles: 1204, Unit: s, BeforeHash: s}}, Events: []string{s}}
		}
		rs = append(rs, r)
		// The same address again, and with a deposed key: the stable sort
		// keeps their order.
		r2 := r
		r2.Name = "second"
		rs = append(rs, r2)
		r3 := r
		r3.Deposed = "d" + s
		rs = append(rs, r3)
	}
	var outs []change.OutputChange
	for i, v := range vals {
		outs = append(outs, change.OutputChange{Name: odd[i%len(odd)], Action: change.Update, Before: v, After: vals[len(vals)-1-i], Unknown: i%2 == 0, Sensitive: i%5 == 0})
	}
	sets = append(sets,
		change.Set{Resources: rs, Drift: slices.Clone(rs[:7]), Outputs: outs, Managed: 12345},
		change.Set{Resources: rs[:1], Drift: nil, Outputs: outs[:1], Managed: 0},
	)
	reversed := slices.Clone(rs)
	slices.Reverse(reversed)
	sets = append(sets, change.Set{Resources: reversed, Managed: 3})
	for i := range sets {
		sameFingerprint(t, fmt.Sprintf("set-%d", i), &sets[i])
	}

	// The Set a JSON golden file holds, decoded with float64 numbers.
	if data, err := os.ReadFile("../planners/terraform/testdata/read/model.set.golden"); err == nil {
		var s change.Set
		if err := json.Unmarshal(data, &s); err != nil {
			t.Fatal(err)
		}
		sameFingerprint(t, "model.set.golden", &s)
	}
}

func BenchmarkFingerprint(b *testing.B) {
	var buf bytes.Buffer
	if err := plangen.Write(&buf, plangen.Options{N: 10000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	set, err := planjson.Read(context.Background(), &buf, planjson.File("gen.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("stream", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			set.Fingerprint()
		}
	})
	b.Run("reference", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			referenceFingerprint(&set)
		}
	})
}

// TestFingerprintOfObservedChange: an observed change is what it did, not
// where or when it ran.
func TestFingerprintOfObservedChange(t *testing.T) {
	t.Parallel()
	run := func(id, created, hashB, hashA string, files int64) change.Set {
		return change.Set{
			Source: change.Source{Kind: change.Observed, Tool: "docker", File: id + "/env.yaml"},
			Resources: []change.Resource{{
				Address: "docker_container.db", Mode: change.Managed, Type: "docker_container", Name: "db", Action: change.Update,
				Changes: []change.AttrChange{{Path: "probe.orders", Before: "1204", After: "0"}},
				Observed: &change.Observation{
					BeforeID: id + "b", AfterID: id + "a", BeforeCreated: created, AfterCreated: created,
					Data:   []change.DataDelta{{Service: "db", Path: "/var/lib/db", BeforeFiles: 1204, AfterFiles: files, BeforeBytes: 10, AfterBytes: 0, BeforeHash: hashB, AfterHash: hashA}},
					Events: []string{created + " container db start " + id},
				},
			}},
			Managed: 2,
		}
	}
	base := run("c1", "2026-01-01T00:00:00Z", "h1", "h2", 0)
	for _, tc := range []struct {
		name string
		set  change.Set
		same bool
	}{
		{"other ids, times, events, hashes", run("c2", "2026-02-02T00:00:01Z", "h3", "h4", 0), true},
		{"other file count", run("c1", "2026-01-01T00:00:00Z", "h1", "h2", 1), false},
		{"contents unchanged", run("c1", "2026-01-01T00:00:00Z", "h1", "h1", 0), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.set.Fingerprint() == base.Fingerprint(); got != tc.same {
				t.Errorf("same fingerprint = %v, want %v", got, tc.same)
			}
			sameFingerprint(t, tc.name, &tc.set)
		})
	}
	probe := run("c1", "2026-01-01T00:00:00Z", "h1", "h2", 0)
	probe.Resources[0].Changes[0].After = "1"
	if probe.Fingerprint() == base.Fingerprint() {
		t.Error("another probe outcome gives the same fingerprint")
	}
}
