package scenarios_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/scenarios"
)

const plan = "../examples/plans/rename-without-moved.json"

// scenarioDir writes a scenario folder with the example rename plan and
// the given scenario.yaml.
func scenarioDir(t *testing.T, yaml string) string {
	t.Helper()
	dir := t.TempDir()
	b, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plan.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "scenario.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const good = `apiVersion: rehearse/v1
kind: Scenario
name: rename
summary: a rename without a moved block
terraform: {plan: plan.json}
expect:
  decision: warn
  findings:
    - {address: aws_ebs_volume.data, action: delete, rule: likely-rename}
`

func TestLoadFailsClosed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml, want string
	}{
		{"missing expect", strings.Split(good, "expect:")[0], "scenario.yaml: line 1: expect is missing"},
		{"unknown apiVersion", strings.Replace(good, "rehearse/v1", "rehearse/v9", 1), `line 1: apiVersion is "rehearse/v9"`},
		{"wrong kind", strings.Replace(good, "kind: Scenario", "kind: Environment", 1), `line 2: kind is "Environment"`},
		{"plan missing", strings.Replace(good, "plan.json", "gone.json", 1), "line 5: terraform.plan: gone.json: no such file"},
		{"unknown field", strings.Replace(good, "summary:", "sumary:", 1), "line 4: sumary: unknown key; did you mean summary?"},
		{"bad decision", strings.Replace(good, "decision: warn", "decision: blok", 1), `line 7: expect.decision must be pass, warn or block, not "blok"`},
		{"no findings for warn", strings.Split(good, "  findings:")[0], "expect.findings is empty"},
		{"finding without action", strings.Replace(good, ", action: delete", "", 1), "line 9: expect.findings[0]: aws_ebs_volume.data has no action"},
		{"unknown rule", strings.Replace(good, "likely-rename", "likely-rname", 1), `unknown rule "likely-rname"`},
		{"no input", strings.Replace(good, "terraform: {plan: plan.json}\n", "", 1), "no input"},
		{"bad source", strings.Replace(good, "summary:", "source: not a link\nsummary:", 1), "line 4: source \"not a link\" is not an http(s) link"},
		{"bad origin", strings.Replace(good, "summary:", "origin: robot\nsummary:", 1), `origin must be ai or human, not "robot"`},
		{"not yaml", "apiVersion: [", "scenario.yaml: "},
		{"empty", "", "scenario.yaml: line 1: the file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scenarios.Load(scenarioDir(t, tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := scenarios.Load(scenarioDir(t, good)); err != nil {
		t.Errorf("good scenario: %v", err)
	}
}

func TestReplay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		yaml   string
		status scenarios.Status
		diff   []string
	}{
		{name: "match", yaml: good, status: scenarios.OK},
		{name: "rule-less expectation matches", yaml: strings.Replace(good, ", rule: likely-rename", "", 1), status: scenarios.OK},
		{name: "wrong decision and finding",
			yaml: strings.Replace(strings.Replace(good, "decision: warn", "decision: block", 1),
				"{address: aws_ebs_volume.data, action: delete, rule: likely-rename}", "{address: aws_ebs_volume.data, action: replace, rule: protected-destroy}", 1),
			status: scenarios.Regressed,
			diff: []string{
				"decision: expected block, got warn",
				"- finding expected, not given: aws_ebs_volume.data replace [protected-destroy]",
				"+ finding given, not expected: aws_ebs_volume.data delete [likely-rename]",
			}},
		{name: "finding not expected", yaml: strings.Replace(good, "decision: warn", "decision: pass", 1) + "", status: scenarios.Regressed,
			diff: []string{"decision: expected pass, got warn", "- finding expected, not given: aws_ebs_volume.data delete [likely-rename]"}},
	}
	tests[3].yaml = strings.Split(tests[3].yaml, "  findings:")[0] + "  findings:\n    - {address: aws_ebs_volume.data, action: delete, rule: likely-rename}\n    - {address: aws_ebs_volume.data_v2, action: delete}\n"
	tests[3].diff = []string{"decision: expected pass, got warn", "- finding expected, not given: aws_ebs_volume.data_v2 delete"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := scenarios.Load(scenarioDir(t, tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			r := scenarios.Replay(context.Background(), s, scenarios.Options{})
			if r.Status != tt.status {
				t.Fatalf("status %s (%s), want %s; diff %v", r.Status, r.Reason, tt.status, r.Diff)
			}
			var got []string
			for _, d := range r.Diff {
				got = append(got, d.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.diff, "\n") {
				t.Errorf("diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.diff, "\n"))
			}
		})
	}
}

func TestDiscover(t *testing.T) {
	t.Parallel()
	if _, err := scenarios.Discover([]string{t.TempDir()}); err == nil {
		t.Error("a directory without scenarios must be an error")
	}
	if _, err := scenarios.Discover([]string{"no/such/dir"}); err == nil {
		t.Error("a missing path must be an error")
	}
	files, err := scenarios.Discover([]string{library, library + "/import-control/scenario.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f] {
			t.Errorf("%s found twice", f)
		}
		seen[f] = true
	}
}

// TestRegressBadScenario: one broken scenario is an error in the result,
// and the others still run.
func TestRegressBadScenario(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for name, y := range map[string]string{"ok": good, "broken": strings.Replace(good, "rehearse/v1", "v0", 1)} {
		dir := scenarioDir(t, strings.Replace(y, "name: rename", "name: "+name, 1))
		if err := os.Rename(dir, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	g, err := scenarios.Regress(context.Background(), []string{root}, scenarios.RegressOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Results) != 2 || g.Results[0].Name != "broken" || g.Results[0].Status != scenarios.Errored || g.Results[1].Status != scenarios.OK {
		t.Fatalf("results: %+v", g.Results)
	}
	if !strings.Contains(g.Results[0].Reason, `apiVersion is "v0"`) {
		t.Errorf("reason %q", g.Results[0].Reason)
	}
}
