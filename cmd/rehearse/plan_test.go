package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type jsonFinding struct {
	ID           string   `json:"id"`
	Rule         string   `json:"rule"`
	Severity     string   `json:"severity"`
	Address      string   `json:"address"`
	Action       string   `json:"action"`
	ReplaceOrder string   `json:"replace_order"`
	Environment  string   `json:"environment"`
	Evidence     []string `json:"evidence"`
	Hints        []string `json:"hints"`
	Dependents   []string `json:"dependents"`
}

type jsonVerdict struct {
	Schema      string        `json:"schema"`
	Decision    string        `json:"decision"`
	Fingerprint string        `json:"fingerprint"`
	Findings    []jsonFinding `json:"findings"`
	Passed      []struct {
		Address string `json:"address"`
		Action  string `json:"action"`
		Note    string `json:"note"`
	} `json:"passed"`
	Blast struct {
		Managed int `json:"managed"`
	} `json:"blast_radius"`
	Source struct {
		ToolVersion string `json:"tool_version"`
	} `json:"source"`
}

func decodeVerdict(t *testing.T, s string) jsonVerdict {
	t.Helper()
	var v jsonVerdict
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	return v
}

// TestRealPlans makes real plans with terraform v1.5.7 from builtin
// terraform_data resources and checks the verdict on each.
func TestRealPlans(t *testing.T) {
	policy := filepath.Join("testdata", "policy-prod-data.yaml")
	tests := []struct {
		variant  string
		planArgs []string
		flags    []string
		code     int
		decision string
		finding  *jsonFinding // the one finding expected, if any
		passed   string       // an address expected among the passed
		note     string
	}{
		{variant: "create", code: 0, decision: "pass", passed: "terraform_data.extra"},
		{variant: "update", code: 0, decision: "pass", passed: "terraform_data.old", note: "changes input"},
		{variant: "replace-triggers", code: 0, decision: "warn",
			finding: &jsonFinding{Rule: "destroy", Address: "terraform_data.db", Action: "replace", ReplaceOrder: "delete-then-create", Dependents: []string{"terraform_data.app"}}},
		{variant: "replace-triggers", flags: []string{"--policy", policy}, code: 1, decision: "block",
			finding: &jsonFinding{Rule: "protected-destroy", Address: "terraform_data.db", Action: "replace", Environment: "production"}},
		{variant: "replace-triggers", flags: []string{"--fail-on", "warn"}, code: 1, decision: "warn",
			finding: &jsonFinding{Rule: "destroy", Address: "terraform_data.db", Action: "replace"}},
		{variant: "replace-cbd", code: 0, decision: "warn",
			finding: &jsonFinding{Rule: "destroy", Address: "terraform_data.cache", Action: "replace", ReplaceOrder: "create-then-delete"}},
		{variant: "replace-request", planArgs: []string{"-replace=terraform_data.volume"}, code: 0, decision: "warn",
			finding: &jsonFinding{Rule: "destroy", Address: "terraform_data.volume", Action: "replace", Evidence: []string{"because replacement was requested (-replace) (replace_by_request)"}}},
		{variant: "delete", code: 0, decision: "warn",
			finding: &jsonFinding{Rule: "destroy", Address: "terraform_data.old", Action: "delete", Evidence: []string{"because its block is no longer in the configuration (delete_because_no_resource_config)"}}},
		{variant: "moved", code: 0, decision: "pass", passed: "terraform_data.legacy_v2", note: "moved from terraform_data.legacy"},
		{variant: "rename-without-moved", code: 0, decision: "warn",
			finding: &jsonFinding{Rule: "likely-rename", Address: "terraform_data.volume", Action: "delete"}},
		{variant: "rename-without-moved", flags: []string{"--origin", "ai", "--policy", policy}, code: 1, decision: "block",
			finding: &jsonFinding{Rule: "likely-rename", Address: "terraform_data.volume", Action: "delete"}},
	}
	plans := map[string]string{}
	outer := t
	for _, tt := range tests {
		name := tt.variant + strings.Join(tt.flags, "")
		t.Run(name, func(t *testing.T) {
			key := tt.variant + strings.Join(tt.planArgs, " ")
			if plans[key] == "" {
				plans[key] = realPlan(outer, tt.variant, tt.planArgs...)
			}
			args := append([]string{"plan", "--format", "json"}, tt.flags...)
			code, out, errOut := runCLI(t, "", append(args, plans[key])...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.code, errOut)
			}
			v := decodeVerdict(t, out)
			if v.Decision != tt.decision || v.Blast.Managed != 6 || v.Source.ToolVersion != "1.5.7" {
				t.Fatalf("decision %s managed %d version %s, want %s, 6 and 1.5.7", v.Decision, v.Blast.Managed, v.Source.ToolVersion, tt.decision)
			}
			if tt.finding == nil && len(v.Findings) != 0 {
				t.Errorf("findings %+v, want none", v.Findings)
			}
			if w := tt.finding; w != nil {
				if len(v.Findings) != 1 {
					t.Fatalf("findings %+v, want one", v.Findings)
				}
				f := v.Findings[0]
				if f.Rule != w.Rule || f.Address != w.Address || f.Action != w.Action ||
					(w.ReplaceOrder != "" && f.ReplaceOrder != w.ReplaceOrder) || (w.Environment != "" && f.Environment != w.Environment) {
					t.Errorf("finding %+v, want %+v", f, *w)
				}
				for _, e := range w.Evidence {
					if !strings.Contains(strings.Join(f.Evidence, "\n"), e) {
						t.Errorf("evidence %q lacks %q", f.Evidence, e)
					}
				}
				if w.Dependents != nil && strings.Join(f.Dependents, ",") != strings.Join(w.Dependents, ",") {
					t.Errorf("dependents %v, want %v", f.Dependents, w.Dependents)
				}
			}
			if tt.passed != "" {
				found := false
				for _, p := range v.Passed {
					found = found || p.Address == tt.passed && strings.Contains(p.Note, tt.note)
				}
				if !found {
					t.Errorf("%s (%q) not among the passed: %+v", tt.passed, tt.note, v.Passed)
				}
			}
		})
	}
}

func TestPlanFailsClosed(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, err := os.ReadFile(filepath.Join("..", "..", "examples", "plans", "tag-only-update.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"empty file", []string{write("empty.json", "")}, "empty.json: empty file"},
		{"truncated", []string{write("trunc.json", string(good[:len(good)/2]))}, "trunc.json: truncated JSON"},
		{"invalid", []string{write("bad.json", "{nope}")}, "bad.json: invalid JSON"},
		{"newer format", []string{write("v2.json", strings.Replace(string(good), `"format_version": "1.2"`, `"format_version": "2.0"`, 1))}, `v2.json: unsupported plan format version "2.0"`},
		{"unknown action", []string{write("act.json", strings.Replace(string(good), `"update"`, `"obliterate"`, 1))}, `act.json: resource_changes[0] (aws_s3_bucket.reports): unknown action ["obliterate"]`},
		{"not a plan", []string{write("state.json", `{"format_version":"1.0","values":{}}`)}, "state.json: not a plan, change set or preview rehearse knows"},
		{"missing file", []string{filepath.Join(dir, "nope.json")}, "nope.json: no such file or directory"},
		{"a directory of plans, one not understood", []string{dir}, "act.json: resource_changes[0] (aws_s3_bucket.reports): unknown action"},
		{"binary plan", []string{write("tfplan", "PK\x03\x04\x14\x00binary")}, "tfplan: a binary plan file, not plan JSON: use rehearse plan --dir DIR --plan-file"},
		{"no input", nil, "give a plan JSON file"},
		{"bad format flag", []string{"--format", "yaml", "x.json"}, `--format: unknown format "yaml"`},
		{"bad output flag", []string{"--output", "sarif", "x.json"}, `want FORMAT=FILE`},
		{"bad origin", []string{"--origin", "robot", write("ok.json", string(good))}, `origin must be`},
		{"bad policy", []string{"--policy", write("p.yaml", "apiVersion: rehearse/v1\nkind: Policy\nbogus: 1\n"), write("ok2.json", string(good))}, "p.yaml: line 3: bogus: unknown key"},
		{"bad fail-on", []string{"--fail-on", "pass", "x.json"}, "--fail-on must be"},
		{"unknown flag", []string{"--nope", "x.json"}, "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append([]string{"plan"}, tt.args...)...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stdout %q stderr %q", code, out, errOut)
			}
			if out != "" {
				t.Errorf("a verdict was printed: %q", out)
			}
			if !strings.HasPrefix(errOut, "rehearse: ") || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tt.msg) {
				t.Errorf("stderr %q: want one line containing %q", errOut, tt.msg)
			}
		})
	}
}

func TestPlanFromStdinAndOutputs(t *testing.T) {
	plan, err := os.ReadFile(filepath.Join("..", "..", "examples", "plans", "env-recreate-minor-fix.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	md := filepath.Join(dir, "comment.md")
	js := filepath.Join(dir, "v.json")
	code, out, errOut := runCLI(t, string(plan), "plan", "--format", "json", "--output", "markdown="+md, "--output", "json="+js, "-")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (block); %s", code, errOut)
	}
	v := decodeVerdict(t, out)
	if v.Schema != "rehearse.verdict/v1" || v.Decision != "block" {
		t.Errorf("schema %q decision %q", v.Schema, v.Decision)
	}
	fileJSON, _ := os.ReadFile(js)
	if string(fileJSON) != out {
		t.Error("--output json differs from --format json")
	}
	comment, _ := os.ReadFile(md)
	if !strings.HasPrefix(string(comment), "<!-- rehearse:verdict -->\n") {
		t.Errorf("markdown does not start with the marker: %.60q", comment)
	}
}

func TestPolicyInit(t *testing.T) {
	code, out, _ := runCLI(t, "", "policy", "init")
	if code != 0 || !strings.Contains(out, "apiVersion: rehearse/v1") || !strings.Contains(out, "# ") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	p := filepath.Join(t.TempDir(), "rehearse.yaml")
	if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "", "policy", "check", p); code != 0 {
		t.Fatalf("the starter policy does not check: %s", errOut)
	}
	plan := filepath.Join("..", "..", "examples", "plans", "rename-without-moved.json")
	if code, _, errOut := runCLI(t, "", "plan", "--policy", p, "--origin", "ai", plan); code != 1 {
		t.Errorf("an AI rename of a data volume with the starter policy: exit %d, want 1; %s", code, errOut)
	}
}

func TestOriginFromEnvironment(t *testing.T) {
	plan := filepath.Join("..", "..", "examples", "plans", "rename-without-moved.json")
	t.Setenv("REHEARSE_ORIGIN", "ai")
	code, out, _ := runCLI(t, "", "plan", "--format", "json", plan)
	if code != 1 || !strings.Contains(out, `"decided_by": "REHEARSE_ORIGIN (evidence, not proof`) {
		t.Errorf("exit %d, want 1 with the origin from REHEARSE_ORIGIN:\n%.400s", code, out)
	}
	code, _, _ = runCLI(t, "", "plan", "--origin", "human", plan)
	if code != 0 {
		t.Errorf("--origin human over REHEARSE_ORIGIN=ai: exit %d, want 0", code)
	}
}

// TestPlanDirLocations plans a directory against a state snapshot and
// checks that findings point at the resource's file and line, in the JSON
// and as a SARIF physical location.
func TestPlanDirLocations(t *testing.T) {
	bin := terraformBin(t)
	state := filepath.Join(appliedBase(t), "terraform.tfstate")
	dir := t.TempDir()
	writeVariant(t, "replace-triggers", dir)
	sarif := filepath.Join(dir, "r.sarif")
	code, out, errOut := runCLI(t, "", "plan", "--dir", dir, "--state", state, "--terraform", bin, "--format", "json", "--output", "sarif="+sarif)
	if code != 0 {
		t.Fatalf("exit %d, want 0 (warn); %s", code, errOut)
	}
	var v struct {
		Findings []struct {
			Address  string `json:"address"`
			Location struct {
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"location"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(dir, "main.tf")
	if len(v.Findings) != 1 || v.Findings[0].Address != "terraform_data.db" || v.Findings[0].Location.File != main || v.Findings[0].Location.Line != 2 {
		t.Fatalf("findings %+v, want terraform_data.db at %s:2", v.Findings, main)
	}
	b, err := os.ReadFile(sarif)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"uri": "file://`+filepath.ToSlash(main)+`"`) || !strings.Contains(string(b), `"startLine": 2`) {
		t.Errorf("SARIF has no physical location at %s:2:\n%s", main, b)
	}
}
