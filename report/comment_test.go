package report

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/verdict"
)

// bigSet is a change of n resources: a production EKS cluster whose
// rename replaces it and six node groups, n/20 databases replaced in
// prod each for its own reason (blocks that do not group), n/10
// instances of one counted resource deleted (one group of warns), and
// creates and updates for the rest.
func bigSet(n int) change.Set {
	s := eks()
	s.Managed = n
	dbs, deletes := n/20, n/10
	for i := range dbs {
		s.Resources = append(s.Resources, change.Resource{
			Address: fmt.Sprintf("module.tenant[%d].aws_db_instance.main", i), Type: "aws_db_instance", Name: "main", Module: fmt.Sprintf("module.tenant[%d]", i),
			Mode: change.Managed, Action: change.Replace, ReplaceOrder: change.DeleteThenCreate, Labels: map[string]string{"env": "prod"},
			ReplacePaths: []change.AttrChange{{Path: "identifier", Before: fmt.Sprintf("tenant-%d", i), After: fmt.Sprintf("tenant-%d-v2", i)}},
			Before:       map[string]change.Value{"skip_final_snapshot": true},
		})
	}
	for i := range deletes {
		s.Resources = append(s.Resources, change.Resource{
			Address: fmt.Sprintf("aws_instance.worker[%d]", i), Type: "aws_instance", Name: "worker", Mode: change.Managed, Action: change.Delete,
			Labels: map[string]string{"env": "staging"},
		})
	}
	for i := len(s.Resources); i < n; i++ {
		act := change.Create
		if i%2 == 0 {
			act = change.Update
		}
		s.Resources = append(s.Resources, change.Resource{
			Address: fmt.Sprintf("aws_s3_object.o%06d", i), Type: "aws_s3_object", Name: fmt.Sprintf("o%06d", i), Mode: change.Managed, Action: act,
			Changes: []change.AttrChange{{Path: "etag", Before: "a", After: "b"}},
		})
	}
	return s
}

// eks is the example: a cluster renamed, which replaces it, and
// six node groups whose cluster_name follows it.
func eks() change.Set {
	s := change.Set{Managed: 20, Dependents: map[string][]string{"aws_eks_cluster.env": {"aws_eks_node_group.ng"}}}
	s.Resources = append(s.Resources, change.Resource{
		Address: "aws_eks_cluster.env", Type: "aws_eks_cluster", Name: "env", Mode: change.Managed, Action: change.Replace,
		ReplaceOrder: change.DeleteThenCreate, Labels: map[string]string{"env": "prod"},
		ReplacePaths: []change.AttrChange{{Path: "name", Before: "ce-cn-prod", After: "ce-cn-prod-v2"}},
	})
	for i := range 6 {
		s.Resources = append(s.Resources, change.Resource{
			Address: fmt.Sprintf("aws_eks_node_group.ng[%d]", i), Type: "aws_eks_node_group", Name: "ng", Index: fmt.Sprint(i),
			Mode: change.Managed, Action: change.Replace, ReplaceOrder: change.DeleteThenCreate, Labels: map[string]string{"env": "prod"},
			ReplacePaths: []change.AttrChange{{Path: "cluster_name", Before: "ce-cn-prod", After: "ce-cn-prod-v2"}},
		})
	}
	return s
}

// TestCommentLimits renders the Markdown report of a 100,000-resource
// change at each platform's limit: it fits, comes close, keeps the
// riskiest findings first, says what it left out and where the whole
// report is, and ends with the approval command.
func TestCommentLimits(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 20_000
	}
	v := verdict.Evaluate(bigSet(n), verdict.DefaultPolicy(), verdict.Options{Origin: verdict.OriginInfo{Origin: verdict.OriginAI, DecidedBy: "--origin"}})
	platforms := make([]string, 0, len(CommentLimits))
	for p := range CommentLimits {
		platforms = append(platforms, p)
	}
	sort.Strings(platforms)
	for _, p := range platforms {
		limit := CommentLimits[p]
		for _, maxItems := range []int{0, 1 << 20} {
			t.Run(fmt.Sprintf("%s/max=%d", p, maxItems), func(t *testing.T) {
				o := Options{CommentLimit: limit, MaxItems: maxItems, FullReport: "out/rehearse.json", ApproveArgs: "--policy rehearse.yaml plan.json"}
				var buf bytes.Buffer
				if err := Render(&buf, Markdown, &v, o); err != nil {
					t.Fatal(err)
				}
				md := buf.String()
				size := CommentLength(md)
				t.Logf("%s (limit %d, max items %d): %d characters, %d bytes", p, limit, maxItems, size, len(md))
				if size > limit {
					t.Fatalf("%d characters, over the limit of %d", size, limit)
				}
				cut := strings.Contains(md, "Left out to fit the comment limit of "+verdict.Thousands(int64(limit))+" characters:")
				if maxItems > 0 && (!cut || size < limit-4000) {
					t.Errorf("uncapped, the comment is %d characters of %d and cut=%v: it should fill the limit and say what it left out", size, limit, cut)
				}
				if cut && !strings.Contains(md, "<code>out/rehearse.json</code>") {
					t.Error("a cut comment does not name the full report")
				}
				checkRiskFirst(t, md)
				if !strings.Contains(md, "aws\\_eks\\_cluster.env replaced → forces 6 × aws\\_eks\\_node\\_group.ng\\[0..5\\]") {
					t.Error("the root cause is not shown")
				}
				tail := md[strings.LastIndex(md, "<b>To approve"):]
				if !strings.Contains(tail, "rehearse approve --policy rehearse.yaml plan.json") || !strings.Contains(tail, "jq -r") {
					t.Errorf("the comment does not end with the approval command:\n%s", tail)
				}
				var again bytes.Buffer
				if err := Render(&again, Markdown, &v, o); err != nil || again.String() != md {
					t.Error("two renderings differ")
				}
			})
		}
	}
}

// checkRiskFirst checks that no warn row comes before a block row in the
// findings tables.
func checkRiskFirst(t *testing.T, md string) {
	t.Helper()
	warned, rows := false, 0
	for _, l := range strings.Split(md, "\n") {
		switch {
		case strings.HasPrefix(l, "| ⛔ |"):
			rows++
			if warned {
				t.Fatal("a blocking finding after a warning")
			}
		case strings.HasPrefix(l, "| ⚠️ |"):
			rows++
			warned = true
		}
	}
	if rows == 0 {
		t.Error("no finding shown")
	}
}

func TestParseCommentLimit(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"github", 65536, true}, {"GitLab", 1000000, true}, {"bitbucket", 32767, true}, {"azure", 150000, true},
		{"20000", 20000, true}, {"12", 0, false}, {"gitea", 0, false}, {"", 0, false},
	} {
		got, err := ParseCommentLimit(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseCommentLimit(%q) = %d, %v", tt.in, got, err)
		}
	}
}

func TestCommentLength(t *testing.T) {
	for s, want := range map[string]int{"abc": 3, "é": 1, "⛔": 1, "⚠️": 2, "🌈": 2} {
		if got := CommentLength(s); got != want {
			t.Errorf("CommentLength(%q) = %d, want %d", s, got, want)
		}
	}
}
