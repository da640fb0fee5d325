package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestMCPFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want *mcpOptions // nil: a flag or argument error
	}{
		{[]string{}, &mcpOptions{Timeout: 10 * time.Minute}},
		{[]string{"--base-policy", "b.yaml", "--terraform", "tofu", "--timeout", "2m"}, &mcpOptions{BasePolicy: "b.yaml", Terraform: "tofu", Timeout: 2 * time.Minute}},
		{[]string{"--timeout", "0"}, &mcpOptions{}},
		{[]string{"plan.json"}, nil},
		{[]string{"--timeout", "later"}, nil},
		{[]string{"--policy", "p.yaml"}, nil},
	}
	for _, tt := range tests {
		f, _ := testFactory()
		var got *mcpOptions
		ran := tt.want != nil
		parse(t, newCmdMCP(f, func(_ context.Context, o *mcpOptions) error { got = o; return nil }), tt.args, &ran)
		if tt.want == nil {
			continue
		}
		if got.Factory != f {
			t.Errorf("%v: the run does not read the world through the factory", tt.args)
		}
		got.Factory = nil
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v:\n got %+v\nwant %+v", tt.args, got, tt.want)
		}
	}
}

// TestMCPExitCodes: the server exits 0 when its input ends, having
// answered what it read.
func TestMCPExitCodes(t *testing.T) {
	t.Parallel()
	initialize := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}` + "\n"
	tests := []struct {
		name, in string
		code     int
		said     string
	}{
		{"no input", "", 0, ""},
		{"initialize, then the end", initialize, 0, `"serverInfo":{"name":"rehearse"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, out := testFactory()
			f.in = strings.NewReader(tt.in)
			err := mcpRun(context.Background(), &mcpOptions{Factory: f, Timeout: time.Minute})
			if got := exitCode(err); got != tt.code {
				t.Fatalf("exit %d (%v), want %d\n%s", got, err, tt.code, out)
			}
			if !strings.Contains(out.String(), tt.said) {
				t.Errorf("output lacks %q:\n%s", tt.said, out)
			}
		})
	}
}

// TestMCPCheckResults: rehearse_check's verdict, or a tool error (never a
// pass) for what cannot be judged: an empty or missing path, a directory
// with terraform absent, a policy the Factory's environment names that
// does not exist. No terraform, no Docker, nothing set on the process.
func TestMCPCheckResults(t *testing.T) {
	t.Parallel()
	ex := func(name string) string { return filepath.Join("..", "..", "examples", "plans", name+".json") }
	infra := t.TempDir()
	if err := os.WriteFile(filepath.Join(infra, "main.tf"), []byte("resource \"terraform_data\" \"a\" {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   checkArgs
		env  map[string]string
		err  bool
		said string // in the first text
	}{
		{name: "pass", in: checkArgs{Path: ex("tag-only-update")}, said: "rehearse: PASS for "},
		{name: "block", in: checkArgs{Path: ex("env-recreate-minor-fix")}, said: "rehearse: BLOCK for "},
		{name: "workspace", in: checkArgs{Path: ex("tag-only-update"), Workspace: "staging"}, said: "(workspace staging)"},
		{name: "empty path", in: checkArgs{Path: " "}, err: true, said: "path is empty"},
		{name: "missing path", in: checkArgs{Path: "/nonexistent/plan.json"}, err: true, said: "/nonexistent/plan.json: no such file or directory"},
		{name: "directory, terraform absent", in: checkArgs{Path: infra}, err: true, said: "/nonexistent/terraform"},
		{name: "REHEARSE_POLICY missing", in: checkArgs{Path: ex("tag-only-update")}, env: map[string]string{"REHEARSE_POLICY": "/nonexistent/rehearse.yaml"}, err: true, said: "/nonexistent/rehearse.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, _ := testFactory()
			f.Getenv = func(k string) string { return tt.env[k] }
			res, _, err := (&mcpOptions{Factory: f, Timeout: time.Minute}).check(context.Background(), nil, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if res.IsError != tt.err {
				t.Errorf("IsError %v, want %v", res.IsError, tt.err)
			}
			text := res.Content[0].(*mcp.TextContent).Text
			if !strings.Contains(text, tt.said) || strings.Contains(text, "\n") {
				t.Errorf("%q: want one paragraph saying %q", text, tt.said)
			}
			if tt.err && !strings.Contains(text, "do not apply it") {
				t.Errorf("a tool error that does not say the change is unchecked: %q", text)
			}
		})
	}
}
