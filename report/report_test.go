package report

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/internal/golden"
	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
	"github.com/rehearse-dev/rehearse/verdict"
)

func judge(t *testing.T, file string, origin verdict.Origin) *verdict.Verdict {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	set, err := planjson.Read(context.Background(), f, planjson.File(filepath.Base(file)))
	if err != nil {
		t.Fatal(err)
	}
	v := verdict.Evaluate(set, verdict.DefaultPolicy(), verdict.Options{Origin: verdict.OriginInfo{Origin: origin, DecidedBy: "--origin"}})
	return &v
}

// TestGolden renders the example plans in the text, JSON and Markdown
// formats and compares them with golden files (go test -update rewrites).
func TestGolden(t *testing.T) {
	cases := []struct {
		plan   string
		origin verdict.Origin
	}{
		{"env-recreate-minor-fix", verdict.OriginAI},
		{"rename-without-moved", verdict.OriginHuman},
		{"tag-only-update", verdict.OriginHuman},
	}
	for _, c := range cases {
		v := judge(t, filepath.Join("..", "examples", "plans", c.plan+".json"), c.origin)
		for _, f := range []Format{Text, JSON, Markdown} {
			t.Run(c.plan+"."+string(f), func(t *testing.T) {
				var buf bytes.Buffer
				if err := Render(&buf, f, v, Options{}); err != nil {
					t.Fatal(err)
				}
				golden.Check(t, filepath.Join("testdata", c.plan+"."+string(f)+".golden"), buf.Bytes())
				var again bytes.Buffer
				if err := Render(&again, f, v, Options{}); err != nil || !bytes.Equal(buf.Bytes(), again.Bytes()) {
					t.Error("rendering twice gave different output")
				}
			})
		}
	}
}

func TestTextColor(t *testing.T) {
	v := judge(t, filepath.Join("..", "examples", "plans", "env-recreate-minor-fix.json"), verdict.OriginHuman)
	var plain, color bytes.Buffer
	if err := Render(&plain, Text, v, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Render(&color, Text, v, Options{Color: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("colour without Options.Color")
	}
	if !strings.Contains(color.String(), "\x1b[31m") {
		t.Error("no red BLOCK with Options.Color")
	}
	if !strings.HasPrefix(plain.String(), "BLOCK  ") {
		t.Errorf("the first line is not the summary: %q", strings.SplitN(plain.String(), "\n", 2)[0])
	}
}

// hostile is a change whose names and values try to break out of every
// format.
func hostile() *verdict.Verdict {
	name := "aws_db_instance.x[\"</code><script>alert(1)</script>|`*_\x1b[31mRED\x1b[0m\nnext line\"]"
	set := change.Set{Managed: 40, Resources: []change.Resource{{
		Address: name, Type: "aws_db_instance", Name: "x", Mode: change.Managed, Action: change.Replace,
		ReplaceOrder: change.DeleteThenCreate, Labels: map[string]string{"env": "prod"},
		ReplacePaths: []change.AttrChange{{Path: "engine", Before: "<img src=x onerror=alert(1)>", After: "a|b\x07"}},
	}}}
	v := verdict.Evaluate(set, verdict.DefaultPolicy(), verdict.Options{})
	return &v
}

func TestEscaping(t *testing.T) {
	v := hostile()
	for _, f := range []Format{Text, Markdown} {
		var buf bytes.Buffer
		if err := Render(&buf, f, v, Options{}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if strings.Contains(out, "\x1b") || strings.Contains(out, "\x07") {
			t.Errorf("%s: a control character reached the output", f)
		}
		if f == Markdown {
			for _, bad := range []string{"<script", "<img", "</code><", "\nnext line"} {
				if strings.Contains(out, bad) {
					t.Errorf("markdown: %q is not escaped", bad)
				}
			}
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "| ") && strings.Count(line, " | ")+2 != 7 {
					t.Errorf("markdown: a name broke the table row: %q", line)
				}
			}
		}
	}
}

// TestNoSensitiveValues renders a plan full of sensitive values in every
// format and looks for them.
func TestNoSensitiveValues(t *testing.T) {
	v := judge(t, filepath.Join("..", "planners", "terraform", "planjson", "testdata", "read", "model.json"), verdict.OriginHuman)
	for _, f := range Formats {
		var buf bytes.Buffer
		if err := Render(&buf, f, v, Options{}); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, secret := range []string{"s3cr3t-before", "s3cr3t-after", "t0ken-out", "hidden-tag"} {
			if strings.Contains(buf.String(), secret) {
				t.Errorf("%s: sensitive value %q in the output", f, secret)
			}
		}
		if f == Text && !strings.Contains(buf.String(), "password: (sensitive) → (sensitive)") {
			t.Errorf("text does not show (sensitive) for the password:\n%s", buf.String())
		}
	}
}

func TestCapped(t *testing.T) {
	var rs []change.Resource
	for i := 0; i < 120; i++ {
		// A type each, so no two findings group into one line.
		rs = append(rs, change.Resource{Address: fmt.Sprintf("aws_t%d.a", i), Type: fmt.Sprintf("aws_t%d", i), Mode: change.Managed, Action: change.Delete})
	}
	v := verdict.Evaluate(change.Set{Managed: 10000, Resources: rs}, verdict.DefaultPolicy(), verdict.Options{})
	for _, f := range []Format{Text, Markdown} {
		var buf bytes.Buffer
		if err := Render(&buf, f, &v, Options{MaxItems: 10}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "and 111 more") {
			t.Errorf("%s: no \"and N more\" line", f)
		}
	}
}
