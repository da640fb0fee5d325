package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse-dev/rehearse/verdict"
)

// mcpSession is `rehearse mcp` run as the CLI runs it, spoken to in
// JSON-RPC over its standard input and output, as an agent does.
type mcpSession struct {
	t    *testing.T
	in   *io.PipeWriter
	out  *bufio.Scanner
	done chan int
	id   int
}

func startMCP(t *testing.T) *mcpSession {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	s := &mcpSession{t: t, in: inW, out: bufio.NewScanner(outR), done: make(chan int, 1)}
	s.out.Buffer(make([]byte, 1<<20), 16<<20)
	go func() {
		var errw strings.Builder
		code := run(context.Background(), []string{"mcp"}, inR, outW, &errw)
		if code != 0 {
			t.Errorf("rehearse mcp: exit %d: %s", code, errw.String())
		}
		outW.Close()
		s.done <- code
	}()
	t.Cleanup(func() {
		inW.Close()
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			t.Error("rehearse mcp did not stop when its input closed")
		}
	})
	var init struct {
		ServerInfo   struct{ Name string }
		Capabilities struct{ Tools any }
	}
	s.call("initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "test", "version": "1"}}, &init)
	if init.ServerInfo.Name != "rehearse" || init.Capabilities.Tools == nil {
		t.Fatalf("initialize: %+v", init)
	}
	s.send(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
	return s
}

func (s *mcpSession) send(msg any) {
	s.t.Helper()
	b, err := json.Marshal(msg)
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.in.Write(append(b, '\n')); err != nil {
		s.t.Fatal(err)
	}
}

// call sends a request and decodes its result into result.
func (s *mcpSession) call(method string, params, result any) {
	s.t.Helper()
	s.id++
	s.send(map[string]any{"jsonrpc": "2.0", "id": s.id, "method": method, "params": params})
	for s.out.Scan() {
		var resp struct {
			ID     *int
			Result json.RawMessage
			Error  *struct {
				Code    int
				Message string
			}
		}
		if err := json.Unmarshal(s.out.Bytes(), &resp); err != nil {
			s.t.Fatalf("%s: not JSON-RPC: %q", method, s.out.Text())
		}
		if resp.ID == nil || *resp.ID != s.id {
			continue // a notification
		}
		if resp.Error != nil {
			s.t.Fatalf("%s: error %d %s", method, resp.Error.Code, resp.Error.Message)
		}
		if err := json.Unmarshal(resp.Result, result); err != nil {
			s.t.Fatalf("%s: result %s: %v", method, resp.Result, err)
		}
		return
	}
	s.t.Fatalf("%s: no answer (%v)", method, s.out.Err())
}

type toolResult struct {
	IsError bool
	Content []struct{ Type, Text string }
}

func (s *mcpSession) check(args map[string]any) toolResult {
	s.t.Helper()
	var r toolResult
	s.call("tools/call", map[string]any{"name": "rehearse_check", "arguments": args}, &r)
	return r
}

// verdictIn reads the verdict JSON a rehearse_check result carries after
// its summary.
func verdictIn(t *testing.T, r toolResult) (string, verdict.Verdict) {
	t.Helper()
	if r.IsError || len(r.Content) != 2 {
		t.Fatalf("want a summary and the verdict, got %+v", r)
	}
	var v verdict.Verdict
	if err := json.Unmarshal([]byte(r.Content[1].Text), &v); err != nil || v.Schema == "" {
		t.Fatalf("second content is not the verdict JSON: %v\n%.500s", err, r.Content[1].Text)
	}
	return r.Content[0].Text, v
}

func TestMCPListsOneReadOnlyTool(t *testing.T) {
	s := startMCP(t)
	var list struct {
		Tools []struct {
			Name        string
			InputSchema struct {
				Required   []string
				Properties map[string]any
			}
			Annotations struct {
				ReadOnlyHint bool
			}
		}
	}
	s.call("tools/list", map[string]any{}, &list)
	if len(list.Tools) != 1 {
		t.Fatalf("%d tools, want rehearse_check alone: %+v", len(list.Tools), list.Tools)
	}
	tool := list.Tools[0]
	if tool.Name != "rehearse_check" || !tool.Annotations.ReadOnlyHint {
		t.Errorf("tool %+v: want rehearse_check with readOnlyHint", tool)
	}
	if _, ok := tool.InputSchema.Properties["workspace"]; !ok || fmt.Sprint(tool.InputSchema.Required) != "[path]" {
		t.Errorf("input schema %+v: want path (required) and workspace", tool.InputSchema)
	}
}

// TestMCPCheck judges a plan file, a real terraform directory (the dozen
// resources destroyed) and the benign change to it, and fails closed on a
// path it cannot read.
func TestMCPCheck(t *testing.T) {
	dir := hookFixture(t, dropTheDozen)
	s := startMCP(t)

	summary, v := verdictIn(t, s.check(map[string]any{"path": blockingPlan}))
	if v.Decision != verdict.Block || !strings.HasPrefix(summary, "rehearse: BLOCK for "+blockingPlan) || !strings.Contains(summary, "Do not apply this change") {
		t.Errorf("plan file: %s\n%s", v.Decision, summary)
	}
	if v.Origin.Origin != verdict.OriginAI {
		t.Errorf("judged as %s, want the agent's change (ai)", v.Origin.Origin)
	}

	summary, v = verdictIn(t, s.check(map[string]any{"path": dir}))
	if v.Decision != verdict.Block || !strings.Contains(summary, "terraform_data.db01") || !strings.Contains(summary, "db03 and 9 more: data-bearing") || !strings.Contains(summary, v.Fingerprint) {
		t.Errorf("directory: %s\n%s", v.Decision, summary)
	}

	writeTestFile(t, filepath.Join(dir, "main.tf"), addToTheDozen())
	summary, v = verdictIn(t, s.check(map[string]any{"path": dir, "workspace": "default"}))
	if v.Decision != verdict.Pass || !strings.HasPrefix(summary, "rehearse: PASS") {
		t.Errorf("benign directory: %s\n%s", v.Decision, summary)
	}

	for _, bad := range []map[string]any{{"path": filepath.Join(dir, "missing.json")}, {"path": filepath.Join(dir, "main.tf")}, {"path": ""}} {
		r := s.check(bad)
		if !r.IsError || len(r.Content) != 1 || !strings.Contains(r.Content[0].Text, "could not judge") {
			t.Errorf("%v: %+v, want a tool error saying it could not judge", bad, r)
		}
	}
}

// TestMCPAnswersBeforeInputEnds: a client that writes its requests and
// closes its end at once (printf … | rehearse mcp) still gets every answer.
func TestMCPAnswersBeforeInputEnds(t *testing.T) {
	in := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"sh","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"rehearse_check","arguments":{"path":"` + blockingPlan + `"}}}
`
	code, out, errw := runCLI(t, in, "mcp")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errw)
	}
	var answered bool
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var resp struct {
			ID     int
			Result toolResult
		}
		if json.Unmarshal([]byte(line), &resp) == nil && resp.ID == 2 {
			summary, v := verdictIn(t, resp.Result)
			answered = v.Decision == verdict.Block && strings.HasPrefix(summary, "rehearse: BLOCK")
		}
	}
	if !answered {
		t.Fatalf("no BLOCK answer to the tools/call before the end of input:\n%s", out)
	}
}
