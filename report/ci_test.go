package report

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/rehearse-dev/rehearse/internal/golden"
	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
	"github.com/rehearse-dev/rehearse/verdict"
)

// sarifSchemaPath is the OASIS schema kept next to the repository, not in
// it (see ../shared/schemas/README.md); REHEARSE_SARIF_SCHEMA overrides.
func sarifSchemaPath() string {
	if p := os.Getenv("REHEARSE_SARIF_SCHEMA"); p != "" {
		return p
	}
	return filepath.Join("..", "..", "shared", "schemas", "sarif-schema-2.1.0.json")
}

// approved judges the blocking example with one finding approved for this
// change and another approved for a different one (void).
func approved(t *testing.T) *verdict.Verdict {
	t.Helper()
	v := judge(t, filepath.Join("..", "examples", "plans", "env-recreate-minor-fix.json"), verdict.OriginHuman)
	var blocks []string
	for _, f := range v.Findings {
		if f.Severity == verdict.SeverityBlock && f.Address != "" {
			blocks = append(blocks, f.ID)
		}
	}
	if len(blocks) < 2 {
		t.Fatalf("the example has %d addressed block findings, want 2 or more", len(blocks))
	}
	a := verdict.Approval{Finding: blocks[0], Fingerprint: v.Fingerprint, By: "alice \"<ops>\"", At: "2026-11-27T10:00:00Z",
		Reason: "planned migration", Rollback: "restore snapshot rds-2026-11-27"}
	void := a
	void.Finding, void.Fingerprint, void.By = blocks[1], "sha256:"+strings.Repeat("0", 64), "bob"
	f, err := os.Open(filepath.Join("..", "examples", "plans", "env-recreate-minor-fix.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	set, err := planjson.Read(context.Background(), f, planjson.File("env-recreate-minor-fix.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := verdict.Evaluate(set, verdict.DefaultPolicy(), verdict.Options{
		Origin:    verdict.OriginInfo{Origin: verdict.OriginAI, DecidedBy: "trailer Co-authored-by: Claude <noreply@anthropic.com> on HEAD 0123456789ab"},
		Approvals: []verdict.Approval{a, void},
	})
	return &out
}

// TestGoldenCI renders the example plans, and one with an approved and a
// void approval, as SARIF and JUnit (go test -update rewrites).
func TestGoldenCI(t *testing.T) {
	verdicts := map[string]*verdict.Verdict{
		"env-recreate-minor-fix": judge(t, filepath.Join("..", "examples", "plans", "env-recreate-minor-fix.json"), verdict.OriginAI),
		"rename-without-moved":   judge(t, filepath.Join("..", "examples", "plans", "rename-without-moved.json"), verdict.OriginHuman),
		"tag-only-update":        judge(t, filepath.Join("..", "examples", "plans", "tag-only-update.json"), verdict.OriginHuman),
		"approved":               approved(t),
	}
	for name, v := range verdicts {
		for _, f := range []Format{SARIF, JUnit} {
			t.Run(name+"."+string(f), func(t *testing.T) {
				var buf bytes.Buffer
				if err := Render(&buf, f, v, Options{}); err != nil {
					t.Fatal(err)
				}
				golden.Check(t, filepath.Join("testdata", name+"."+string(f)+".golden"), buf.Bytes())
			})
		}
	}
}

func TestSARIFSchema(t *testing.T) {
	path := sarifSchemaPath()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("SARIF schema not found (%v); set REHEARSE_SARIF_SCHEMA", err)
	}
	// The copy in ../shared keeps the log's own schema under
	// definitions/Root and puts nothing at the top, which would accept
	// anything; validate against Root when it is there.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var top struct {
		Properties  map[string]any `json:"properties"`
		Definitions map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &top); err != nil {
		t.Fatal(err)
	}
	loc := path
	if top.Properties == nil && top.Definitions["Root"] != nil {
		loc += "#/definitions/Root"
	}
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(loc)
	if err != nil {
		t.Fatal(err)
	}
	verdicts := map[string]*verdict.Verdict{
		"block":    judge(t, filepath.Join("..", "examples", "plans", "env-recreate-minor-fix.json"), verdict.OriginAI),
		"pass":     judge(t, filepath.Join("..", "examples", "plans", "tag-only-update.json"), verdict.OriginHuman),
		"approved": approved(t),
		"hostile":  hostile(),
	}
	for _, b := range hostileBuilders {
		for _, h := range hostileInputs {
			verdicts[b.name+" "+h.name] = b.build(h.s)
		}
	}
	// The schema must be able to fail, or the test proves nothing.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"level":"fatal"}]}]}`))
	if sch.Validate(bad) == nil {
		t.Fatal("the schema accepted level \"fatal\"")
	}
	for name, v := range verdicts {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, SARIF, v, Options{}); err != nil {
				t.Fatal(err)
			}
			doc, err := jsonschema.UnmarshalJSON(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(doc); err != nil {
				t.Fatalf("invalid SARIF: %v", err)
			}
		})
	}
}

// sarifShape is the part of the SARIF log the tests check.
type sarifShape struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID string `json:"id"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID       string `json:"ruleId"`
			RuleIndex    int    `json:"ruleIndex"`
			Level        string `json:"level"`
			Message      struct{ Text string }
			Suppressions []struct{ Status, Justification string }
			Locations    []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI string }
				}
				LogicalLocations []struct{ FullyQualifiedName, Kind string }
			}
		} `json:"results"`
		Properties map[string]any `json:"properties"`
	} `json:"runs"`
}

func TestSARIFContent(t *testing.T) {
	v := approved(t)
	var buf bytes.Buffer
	if err := Render(&buf, SARIF, v, Options{}); err != nil {
		t.Fatal(err)
	}
	var log sarifShape
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if run.Properties["origin"] != "ai" || !strings.Contains(run.Properties["originDecidedBy"].(string), "Co-authored-by") || run.Properties["changeFingerprint"] != v.Fingerprint {
		t.Errorf("run properties lack the origin or fingerprint: %v", run.Properties)
	}
	if len(run.Results) != len(v.Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(v.Findings))
	}
	levels := map[string]int{}
	for i, r := range run.Results {
		f := v.Findings[i]
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %d: ruleIndex %d is not rule %s", i, r.RuleIndex, r.RuleID)
		}
		levels[r.Level]++
		want := map[verdict.Severity]string{verdict.SeverityBlock: "error", verdict.SeverityWarn: "warning"}[f.Severity]
		if f.Approval != nil {
			want = "note"
			if len(r.Suppressions) != 1 || r.Suppressions[0].Status != "accepted" || !strings.Contains(r.Suppressions[0].Justification, "rollback: restore snapshot") {
				t.Errorf("approved finding without an accepted suppression: %+v", r.Suppressions)
			}
		}
		if r.Level != want {
			t.Errorf("%s: level %s, want %s", f.ID, r.Level, want)
		}
		if len(f.VoidApprovals) > 0 && !strings.Contains(r.Message.Text, "Void approval by bob") {
			t.Errorf("void approval not in the message: %s", r.Message.Text)
		}
		loc := r.Locations[0]
		if loc.PhysicalLocation.ArtifactLocation.URI != "env-recreate-minor-fix.json" {
			t.Errorf("artifact %q", loc.PhysicalLocation.ArtifactLocation.URI)
		}
		if f.Address != "" && (len(loc.LogicalLocations) != 1 || loc.LogicalLocations[0].FullyQualifiedName != f.Address || loc.LogicalLocations[0].Kind != "resource") {
			t.Errorf("%s: logical location %+v", f.ID, loc.LogicalLocations)
		}
	}
	// The origin is ai, so the warnings escalate to errors.
	if levels["note"] != 1 || levels["error"] == 0 {
		t.Errorf("levels %v", levels)
	}
}

func TestSARIFArtifact(t *testing.T) {
	tests := []struct{ file, uri, base string }{
		{"plan.json", "plan.json", "%SRCROOT%"},
		{"./infra/plan.json", "infra/plan.json", "%SRCROOT%"},
		{"infra dir/plan #1.json", "infra%20dir/plan%20%231.json", "%SRCROOT%"},
		{"/abs/plan.json", "file:///abs/plan.json", ""},
		{"infra (terraform show -json)", "infra", "%SRCROOT%"},
		{"javascript:alert(1)/x.json", "javascript%3Aalert%281%29/x.json", "%SRCROOT%"},
	}
	for _, tt := range tests {
		a := sarifArtifact(tt.file)
		if a == nil || a.URI != tt.uri || a.URIBaseID != tt.base {
			t.Errorf("sarifArtifact(%q) = %+v, want %s %s", tt.file, a, tt.uri, tt.base)
		}
	}
	for _, f := range []string{"", "<stdin>"} {
		if a := sarifArtifact(f); a != nil {
			t.Errorf("sarifArtifact(%q) = %+v, want none", f, a)
		}
	}
}

// TestCIEscaping renders a change whose names try to break out of SARIF and
// JUnit: quotes, markup and control characters must come out well-formed
// and visible.
func TestCIEscaping(t *testing.T) {
	v := hostile()
	addr := v.Findings[len(v.Findings)-1].Address
	for _, f := range []Format{SARIF, JUnit} {
		t.Run(string(f), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, f, v, Options{}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, c := range []string{"\x1b", "\x07", "\uFFFD"} {
				if strings.Contains(out, c) {
					t.Errorf("%q reached the output", c)
				}
			}
			if f == SARIF {
				var log sarifShape
				if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
					t.Fatal(err)
				}
				var fq string
				for _, r := range log.Runs[0].Results {
					for _, l := range r.Locations {
						for _, ll := range l.LogicalLocations {
							fq = ll.FullyQualifiedName
						}
					}
					if strings.Contains(r.Message.Text, "\x1b") || !strings.Contains(r.Message.Text, `\x1b[31mRED`) {
						t.Errorf("message not made visible: %q", r.Message.Text)
					}
				}
				// The logical location is the address with only what
				// TermSafe spells out changed.
				if fq != TermSafe(addr) {
					t.Errorf("fullyQualifiedName %q, want %q", fq, TermSafe(addr))
				}
				return
			}
			checkXML(t, buf.Bytes())
			if !strings.Contains(out, `\x1b[31mRED`) || !strings.Contains(out, "&lt;script&gt;") || !strings.Contains(out, "&#34;") {
				t.Errorf("junit escaping:\n%s", out)
			}
		})
	}
}

// checkXML parses the whole document, which fails on anything that is not
// well-formed XML 1.0, and checks the counts.
func checkXML(t *testing.T, b []byte) {
	t.Helper()
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("not well-formed XML: %v", err)
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if cd, ok := tok.(xml.CharData); err != nil || !ok || len(bytes.TrimSpace(cd)) > 0 {
			t.Fatalf("trailing content after the document: %v %v", tok, err)
		}
	}
	cases, failures := 0, 0
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			cases++
			if c.Failure != nil {
				failures++
			}
		}
	}
	if cases != doc.Tests || failures != doc.Failures {
		t.Errorf("counts: %d cases / %d failures, header says %d / %d", cases, failures, doc.Tests, doc.Failures)
	}
}

func TestJUnitContent(t *testing.T) {
	tests := []struct {
		name             string
		v                *verdict.Verdict
		cases, failures  int
		contains, absent []string
	}{
		{"block", judge(t, filepath.Join("..", "examples", "plans", "env-recreate-minor-fix.json"), verdict.OriginHuman), 6, 4,
			[]string{`<property name="origin" value="human">`, `<property name="severity" value="warn">`, "<system-out>WARN: "}, nil},
		{"pass", judge(t, filepath.Join("..", "examples", "plans", "tag-only-update.json"), verdict.OriginHuman), 1, 0,
			[]string{`<testcase name="no destructive changes" classname="rehearse">`, `<property name="decision" value="pass">`}, []string{"<failure"}},
		// The origin is ai: the two warnings escalate to blocks, one is approved.
		{"approved", approved(t), 6, 5,
			[]string{`<property name="approved_by" value="alice &#34;&lt;ops&gt;&#34;">`, `<property name="rollback" value="restore snapshot rds-2026-11-27">`, `<property name="void_approval" value="by bob: it was given for another change`, "origin.decided_by"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, JUnit, tt.v, Options{}); err != nil {
				t.Fatal(err)
			}
			checkXML(t, buf.Bytes())
			out := buf.String()
			if n := strings.Count(out, "<testcase "); n != tt.cases {
				t.Errorf("%d testcases, want %d", n, tt.cases)
			}
			if n := strings.Count(out, "<failure "); n != tt.failures {
				t.Errorf("%d failures, want %d", n, tt.failures)
			}
			for _, s := range tt.contains {
				if !strings.Contains(out, s) {
					t.Errorf("missing %q", s)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(out, s) {
					t.Errorf("unexpected %q", s)
				}
			}
		})
	}
}

func TestXMLSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a\x1b[0mb", `a\x1b[0mb`},
		{"nul\x00", `nul\x00`},
		{"nonchar\uFFFF", `nonchar\uffff`},
		{`"quotes" <tags> & amps`, `"quotes" <tags> & amps`}, // left to encoding/xml
	}
	for _, tt := range tests {
		if got := xmlSafe(tt.in); got != tt.want {
			t.Errorf("xmlSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
