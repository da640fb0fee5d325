package report

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/verdict"
)

// The grammar of the flowcharts mermaidGraph writes, a subset of Mermaid's:
// a header, node statements with a quoted label and a class, edges between
// declared ids, and class definitions.
var (
	mmNode     = regexp.MustCompile(`^  (n[0-9]+|more)\["([^"]*)"\]:::(block|warn|approved|dep)$`)
	mmEdge     = regexp.MustCompile(`^  (n[0-9]+) (-->|==>\|forces\|) (n[0-9]+)$`)
	mmClassDef = regexp.MustCompile(`^  classDef (block|warn|approved|dep) fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},color:#000$`)
	// A label holds letters, digits, a few marks, entity codes and the
	// one line break the renderer writes.
	mmLabel = regexp.MustCompile(`^([A-Za-z0-9 ._\-:/\[\],=()]|#[0-9]+;|<br/>)*$`)
)

// checkMermaid parses a graph with the grammar above: every line is a
// statement of it, node ids are unique, every edge joins declared nodes,
// labels are escaped.
func checkMermaid(t *testing.T, g string) (nodes, edges int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(g, "\n"), "\n")
	if lines[0] != "flowchart LR" {
		t.Fatalf("header %q", lines[0])
	}
	ids := map[string]bool{}
	for _, l := range lines[1:] {
		switch {
		case mmNode.MatchString(l):
			m := mmNode.FindStringSubmatch(l)
			if ids[m[1]] {
				t.Errorf("node id %s declared twice", m[1])
			}
			ids[m[1]] = true
			if !mmLabel.MatchString(m[2]) {
				t.Errorf("label not escaped: %q", m[2])
			}
			nodes++
		case mmEdge.MatchString(l):
			m := mmEdge.FindStringSubmatch(l)
			if !ids[m[1]] || !ids[m[3]] {
				t.Errorf("edge %q joins an undeclared node", l)
			}
			edges++
		case mmClassDef.MatchString(l):
		default:
			t.Errorf("not a statement of the grammar: %q", l)
		}
	}
	return nodes, edges
}

func TestMermaidGraph(t *testing.T) {
	hostileName := "aws_db_instance.x[\"\"]:::block\n  n0 --> n1 %% `<script>` #quot; &amp; é\x1b[31m\"]"
	tests := []struct {
		name             string
		set              change.Set
		nodes, edges     int
		contains, absent []string
	}{
		{
			name:  "a chain",
			set:   chainSet(),
			nodes: 5, edges: 4,
			contains: []string{`n2["aws_vpc.main<br/>replace"]:::block`, "n2 ==>|forces| n1", "n3 ==>|forces| n0"},
		},
		{
			name: "a hostile name",
			set: change.Set{Managed: 5, Resources: []change.Resource{{
				Address: hostileName, Type: "aws_db_instance", Mode: change.Managed, Action: change.Delete,
			}}},
			nodes: 1, absent: []string{"<script>", "%%", "\x1b"},
		},
		{
			name:  "capped",
			set:   manyTypes(60),
			nodes: maxGraphNodes + 1, contains: []string{`more["and 20 more"]:::dep`},
		},
		{
			name:  "one group is one node",
			set:   counted(30),
			nodes: 1, contains: []string{"30 #215; aws_instance.web[0..29]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := verdict.Evaluate(tt.set, verdict.DefaultPolicy(), verdict.Options{})
			g := mermaidGraph(verdict.Groups(v.Findings))
			nodes, edges := checkMermaid(t, g)
			if nodes != tt.nodes || edges != tt.edges {
				t.Errorf("%d nodes, %d edges; want %d, %d:\n%s", nodes, edges, tt.nodes, tt.edges, g)
			}
			for _, s := range tt.contains {
				if !strings.Contains(g, s) {
					t.Errorf("no %q in\n%s", s, g)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(g, s) {
					t.Errorf("raw %q in\n%s", s, g)
				}
			}
		})
	}
	if g := mermaidGraph(nil); g != "" {
		t.Errorf("a graph of nothing: %q", g)
	}
}

// chainSet is a VPC whose replace forces a subnet's, which forces an
// instance's and a subnet group's, which forces a database's.
func chainSet() change.Set {
	r := func(addr, typ string, unknown bool) change.Resource {
		return change.Resource{Address: addr, Type: typ, Mode: change.Managed, Action: change.Replace, ReplaceOrder: change.DeleteThenCreate,
			Labels: map[string]string{"env": "prod"}, ReplacePaths: []change.AttrChange{{Path: "p", Before: "a", Unknown: unknown, After: map[bool]any{true: nil, false: "b"}[unknown]}}}
	}
	return change.Set{Managed: 10, Resources: []change.Resource{
		r("aws_vpc.main", "aws_vpc", false), r("aws_subnet.app", "aws_subnet", true), r("aws_instance.app", "aws_instance", true),
		r("aws_db_subnet_group.b", "aws_db_subnet_group", true), r("aws_db_instance.b", "aws_db_instance", true),
	}, Dependents: map[string][]string{
		"aws_vpc.main": {"aws_subnet.app"}, "aws_subnet.app": {"aws_db_subnet_group.b", "aws_instance.app"},
		"aws_db_subnet_group.b": {"aws_db_instance.b"},
	}}
}

// manyTypes deletes n resources of n types: n groups.
func manyTypes(n int) change.Set {
	s := change.Set{Managed: 10 * n}
	for i := range n {
		s.Resources = append(s.Resources, change.Resource{Address: fmt.Sprintf("aws_t%02d.a", i), Type: fmt.Sprintf("aws_t%02d", i), Mode: change.Managed, Action: change.Delete})
	}
	return s
}

// counted deletes n instances of one counted resource: one group.
func counted(n int) change.Set {
	s := change.Set{Managed: 10 * n}
	for i := range n {
		s.Resources = append(s.Resources, change.Resource{Address: fmt.Sprintf("aws_instance.web[%d]", i), Type: "aws_instance", Name: "web", Mode: change.Managed, Action: change.Delete})
	}
	return s
}
