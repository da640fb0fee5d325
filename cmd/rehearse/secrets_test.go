package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// planted matches the secrets planted in testdata/secrets/plan.json.
var planted = regexp.MustCompile(`PLANTED-[a-z]+-[0-9]{4}`)

// No secret a plan holds, marked or only named like one, reaches any
// format of the verdict, its error messages, or any file record writes.
func TestNoSecretInAnyOutput(t *testing.T) {
	plan := filepath.Join("testdata", "secrets", "plan.json")
	data, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(planted.FindAllString(string(data), -1)); n < 25 {
		t.Fatalf("only %d planted secrets", n)
	}
	for _, format := range []string{"text", "json", "markdown", "sarif", "junit"} {
		code, out, errOut := runCLI(t, "", "plan", "--format", format, plan)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1 (a protected database is replaced)\n%s", format, code, errOut)
		}
		if s := planted.FindString(out + errOut); s != "" {
			t.Errorf("%s: %s appears in the output", format, s)
		}
		if format == "text" && !strings.Contains(out, "(sensitive: by name)") && !strings.Contains(out, "sensitive") {
			t.Errorf("text: the hidden values are not said to be hidden:\n%s", out)
		}
	}
	dir := filepath.Join(t.TempDir(), "rec")
	if code, _, errOut := runCLI(t, "", "record", "--name", "secrets", "--out", dir, "--plan", plan); code != 1 && code != 0 {
		t.Fatalf("record: exit %d\n%s", code, errOut)
	}
	files := 0
	err = filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if s := planted.FindString(string(b)); s != "" {
			t.Errorf("record: %s appears in %s", s, filepath.Base(path))
		}
		return nil
	})
	if err != nil || files == 0 {
		t.Fatalf("record wrote %d files: %v", files, err)
	}
}
