package report

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/internal/golden"
	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
	"github.com/rehearse-dev/rehearse/verdict"
)

// twoStacks judges two example plans as the stacks infra/prod and
// infra/tags.
func twoStacks(t *testing.T) *verdict.Verdict {
	t.Helper()
	opts := verdict.Options{Origin: verdict.OriginInfo{Origin: verdict.OriginAI, DecidedBy: "--origin"}}
	var js []verdict.Judged
	for name, plan := range map[string]string{"infra/prod": "env-recreate-minor-fix", "infra/tags": "tag-only-update"} {
		f, err := os.Open(filepath.Join("..", "examples", "plans", plan+".json"))
		if err != nil {
			t.Fatal(err)
		}
		set, err := planjson.Read(context.Background(), f, planjson.File(name+"/plan.json"))
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		js = append(js, verdict.Judged{Name: name, Verdict: verdict.Evaluate(set, verdict.DefaultPolicy(), verdict.StackOptions(opts))})
	}
	v, err := verdict.EvaluateStacks(js, verdict.DefaultPolicy(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return &v
}

// TestGoldenStacks renders a two-stack verdict in every format.
func TestGoldenStacks(t *testing.T) {
	v := twoStacks(t)
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			var buf bytes.Buffer
			o := Options{ApproveArgs: "infra/prod/plan.json infra/tags/plan.json"}
			if err := Render(&buf, f, v, o); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "two-stacks."+string(f)+".golden"), buf.Bytes())
			var again bytes.Buffer
			if err := Render(&again, f, v, o); err != nil || !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Error("rendering twice gave different output")
			}
		})
	}
}

// TestStacksJSON checks the stacks array beside the single-change
// fields, which keep their meaning: every finding, the total blast
// radius, the one fingerprint.
func TestStacksJSON(t *testing.T) {
	v := twoStacks(t)
	var buf bytes.Buffer
	if err := Render(&buf, JSON, v, Options{Version: "v1.2.3"}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema      string `json:"schema"`
		Decision    string `json:"decision"`
		Fingerprint string `json:"fingerprint"`
		Version     string `json:"rehearse_version"`
		Findings    []struct {
			ID, Stack string
		} `json:"findings"`
		Stacks []struct {
			Name, Decision, Fingerprint string
			Findings                    int
		} `json:"stacks"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != verdict.Schema || doc.Decision != "block" || doc.Version != "v1.2.3" || doc.Fingerprint != v.Fingerprint {
		t.Errorf("top level: %+v", doc)
	}
	if len(doc.Stacks) != 2 || doc.Stacks[0].Name != "infra/prod" || doc.Stacks[0].Decision != "block" || doc.Stacks[1].Decision != "pass" {
		t.Errorf("stacks: %+v", doc.Stacks)
	}
	if len(doc.Findings) != doc.Stacks[0].Findings || doc.Findings[0].Stack != "infra/prod" {
		t.Errorf("findings: %d, stack %+v", len(doc.Findings), doc.Stacks[0])
	}
	// One change keeps its shape: no stacks key, no stack on findings.
	one := judge(t, filepath.Join("..", "examples", "plans", "env-recreate-minor-fix.json"), verdict.OriginAI)
	buf.Reset()
	if err := Render(&buf, JSON, one, Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), `"stacks"`) || strings.Contains(buf.String(), `"stack"`) {
		t.Error("a single change's JSON has stacks")
	}
}

// TestStacksJUnitNames: one plan in two stacks gives every JUnit case a
// name of its own, so a CI system does not fold the second stack's
// findings into the first's.
func TestStacksJUnitNames(t *testing.T) {
	var js []verdict.Judged
	for _, name := range []string{"eu", "us"} {
		f, err := os.Open(filepath.Join("..", "examples", "plans", "env-recreate-minor-fix.json"))
		if err != nil {
			t.Fatal(err)
		}
		set, err := planjson.Read(context.Background(), f, planjson.File(name+"/plan.json"))
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		js = append(js, verdict.Judged{Name: name, Verdict: verdict.Evaluate(set, verdict.DefaultPolicy(), verdict.StackOptions(verdict.Options{}))})
	}
	v, err := verdict.EvaluateStacks(js, verdict.DefaultPolicy(), verdict.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Render(&buf, JUnit, &v, Options{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Cases []struct {
				Name      string `xml:"name,attr"`
				Classname string `xml:"classname,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	seen, n := map[string]bool{}, 0
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			n++
			key := c.Classname + " " + c.Name
			if seen[key] {
				t.Errorf("two JUnit cases named %q", key)
			}
			seen[key] = true
		}
	}
	if n < 2 {
		t.Fatalf("%d cases: the test proves nothing", n)
	}
}
