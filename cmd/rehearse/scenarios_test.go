package main

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const lib = "../../scenarios/library"

// copyScenario copies a library scenario folder to a temporary one.
func copyScenario(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(lib, name))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		copyFile(t, filepath.Join(lib, name, e.Name()), filepath.Join(dir, e.Name()))
	}
	return dir
}

func TestReplayCmd(t *testing.T) {
	t.Parallel()
	wrong := copyScenario(t, "rename-without-moved-deletes-volume")
	b, _ := os.ReadFile(filepath.Join(wrong, "scenario.yaml"))
	os.WriteFile(filepath.Join(wrong, "scenario.yaml"), []byte(strings.Replace(string(b), "decision: block", "decision: warn", 1)), 0o644)
	noExpect := copyScenario(t, "import-control")
	b, _ = os.ReadFile(filepath.Join(noExpect, "scenario.yaml"))
	os.WriteFile(filepath.Join(noExpect, "scenario.yaml"), []byte(strings.Split(string(b), "expect:")[0]), 0o644)
	noPlan := copyScenario(t, "import-control")
	os.Remove(filepath.Join(noPlan, "plan.json"))
	badVersion := copyScenario(t, "import-control")
	b, _ = os.ReadFile(filepath.Join(badVersion, "scenario.yaml"))
	os.WriteFile(filepath.Join(badVersion, "scenario.yaml"), []byte(strings.Replace(string(b), "rehearse/v1", "rehearse/v2", 1)), 0o644)

	tests := []struct {
		name string
		args []string
		code int
		out  []string
	}{
		{"match", []string{"replay", lib + "/env-recreate-minor-fix"}, 0,
			[]string{"scenario env-recreate-minor-fix:", "BLOCK", "aws_db_instance.billing", "expected vs actual", "MATCH"}},
		{"match by file", []string{"replay", lib + "/tag-only-update-control/scenario.yaml"}, 0, []string{"PASS", "MATCH"}},
		{"wrong expectation", []string{"replay", wrong}, 1,
			[]string{"MISMATCH: 1 difference(s)", "decision: expected warn, got block", "expected: warn, 1 finding(s): aws_ebs_volume.data delete [protected-destroy]"}},
		{"json", []string{"replay", "--format", "json", wrong}, 1, []string{`"schema": "rehearse.regress/v1"`, `"status": "regressed"`, `"kind": "decision"`}},
		{"missing expect", []string{"replay", noExpect}, 2, nil},
		{"plan missing", []string{"replay", noPlan}, 2, nil},
		{"unknown apiVersion", []string{"replay", badVersion}, 2, nil},
		{"no such scenario", []string{"replay", "nowhere"}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errw := runCLI(t, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.code, out, errw)
			}
			for _, w := range tt.out {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if tt.code == 2 && !strings.Contains(errw, "scenario.yaml") && tt.name != "no such scenario" {
				t.Errorf("stderr does not name the file: %s", errw)
			}
		})
	}
}

type junitDoc struct {
	XMLName xml.Name `xml:"testsuites"`
	Tests   int      `xml:"tests,attr"`
	Suites  []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// containerScenarios counts the library's scenarios that run containers.
func containerScenarios(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(lib, "*", "scenario.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "\ncontainers:") {
			n++
		}
	}
	if n == 0 {
		t.Fatal("the library has no container scenario")
	}
	return n
}

// TestRegressDockerAbsent is `make demo` on a machine without Docker: the
// container scenarios are skipped with the reason, the plan scenarios run,
// and the exit is 0; --require-docker turns the skips into errors (exit 2).
func TestRegressDockerAbsent(t *testing.T) {
	t.Setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
	junit := filepath.Join(t.TempDir(), "out.xml")
	code, out, errw := runCLI(t, "", "regress", lib, "--junit", junit)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errw)
	}
	containers := containerScenarios(t)
	for _, w := range []string{"replit-code-freeze-db-wipe", "skipped (docker unavailable)", fmt.Sprintf("%d skipped, not passed: docker unavailable", containers), "tcp://127.0.0.1:1", "0 regressed"} {
		if !strings.Contains(out, w) {
			t.Errorf("stdout lacks %q:\n%s", w, out)
		}
	}
	if errw != "" {
		t.Errorf("progress on a non-terminal: %q", errw)
	}
	var doc junitDoc
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != 1 || doc.Suites[0].Tests != len(doc.Suites[0].Cases) || doc.Suites[0].Skipped != containers || doc.Suites[0].Failures != 0 {
		t.Fatalf("junit: %+v", doc)
	}
	for _, c := range doc.Suites[0].Cases {
		isContainer := strings.HasSuffix(c.Classname, ".containers")
		if isContainer != (c.Skipped != nil) || c.Name == "" || c.Time == "" {
			t.Errorf("testcase %+v", c)
		}
	}
	code, _, _ = runCLI(t, "", "regress", lib, "--require-docker")
	if code != 2 {
		t.Errorf("--require-docker without Docker: exit %d, want 2", code)
	}
}

// TestRegressCmd: a regression exits 1 and its JUnit failure carries the
// diff; shards partition the library.
func TestRegressCmd(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{"import-control", "moved-block-control", "rename-without-moved-deletes-volume"} {
		dir := copyScenario(t, name)
		os.Rename(dir, filepath.Join(root, name))
	}
	sc := filepath.Join(root, "rename-without-moved-deletes-volume", "scenario.yaml")
	b, _ := os.ReadFile(sc)
	os.WriteFile(sc, []byte(strings.Replace(string(b), "rule: protected-destroy", "rule: likely-rename", 1)), 0o644)

	junit := filepath.Join(root, "out.xml")
	code, out, _ := runCLI(t, "", "regress", root, "--parallel", "2", "--junit", junit)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	for _, w := range []string{"REGRESSED", "- finding expected, not given: aws_ebs_volume.data delete [likely-rename]", "+ finding given, not expected: aws_ebs_volume.data delete [protected-destroy]", "1 regressed"} {
		if !strings.Contains(out, w) {
			t.Errorf("stdout lacks %q:\n%s", w, out)
		}
	}
	var doc junitDoc
	b, _ = os.ReadFile(junit)
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	s := doc.Suites[0]
	if s.Tests != 3 || s.Failures != 1 || len(s.Cases) != 3 {
		t.Fatalf("junit suite: %+v", s)
	}
	for _, c := range s.Cases {
		if (c.Name == "rename-without-moved-deletes-volume") != (c.Failure != nil) {
			t.Errorf("testcase %s: failure %+v", c.Name, c.Failure)
		}
		if c.Failure != nil && !strings.Contains(c.Failure.Text, "[likely-rename]") {
			t.Errorf("failure text lacks the diff: %q", c.Failure.Text)
		}
	}

	// Shards of the whole library: disjoint, and together the whole.
	seen := map[string]int{}
	for _, shard := range []string{"1/3", "2/3", "3/3"} {
		t.Setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
		code, out, _ := runCLI(t, "", "regress", lib, "--shard", shard, "--format", "json")
		if code != 0 {
			t.Fatalf("shard %s: exit %d\n%s", shard, code, out)
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, `      "name": `) {
				seen[strings.Trim(strings.TrimPrefix(l, `      "name": `), `",`)]++
			}
		}
	}
	entries, _ := os.ReadDir(lib)
	n := 0
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(lib, e.Name(), "scenario.yaml")); err == nil {
			n++
			if seen[e.Name()] != 1 {
				t.Errorf("%s ran in %d shards", e.Name(), seen[e.Name()])
			}
		}
	}
	if len(seen) != n {
		t.Errorf("shards ran %d scenarios, library has %d", len(seen), n)
	}

	for _, bad := range [][]string{{"regress"}, {"regress", lib, "--shard", "4/3"}, {"regress", lib, "--parallel", "0"}, {"regress", "nowhere"}, {"regress", lib, "--format", "sarif"}} {
		if code, _, _ := runCLI(t, "", bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}

func TestRecordCmd(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "my-change")
	code, stdout, errw := runCLI(t, "", "record", "--plan", "../../examples/plans/env-recreate-minor-fix.json", "--name", "my-change", "--out", out, "--origin", "ai")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errw)
	}
	for _, w := range []string{"recorded scenario my-change", "plan.json", "scenario.yaml", "decision: block", "finding:  aws_vpc.main replace [protected-destroy]", "rehearse replay " + out} {
		if !strings.Contains(stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, stdout)
		}
	}
	plan, _ := os.ReadFile(filepath.Join(out, "plan.json"))
	if strings.Contains(string(plan), "hunter2-prod-secret") {
		t.Error("the unmarked password of the example plan was recorded")
	}
	if code, stdout, _ := runCLI(t, "", "replay", out); code != 0 {
		t.Errorf("replay of the recording: exit %d\n%s", code, stdout)
	}
	if code, _, errw := runCLI(t, "", "record", "--plan", "../../examples/plans/env-recreate-minor-fix.json", "--name", "my-change", "--out", out); code != 2 || !strings.Contains(errw, "not empty") {
		t.Errorf("recording over a scenario: exit %d %s", code, errw)
	}
}
