package verdict

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

func TestCollapseAddresses(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want string
	}{
		{[]string{"a.b"}, "a.b"},
		{[]string{"a.b[0]", "a.b[1]", "a.b[2]"}, "a.b[0..2]"},
		{[]string{"a.b[2]", "a.b[0]", "a.b[1]"}, "a.b[0..2]"},
		{[]string{"a.b[0]", "a.b[2]"}, "a.b[0,2]"},
		{[]string{`a.b["x"]`, `a.b["y"]`}, `a.b["x","y"]`},
		{[]string{"a.b[0]", "a.b[2]", "a.b[4]", "a.b[6]", "a.b[8]"}, "a.b[5 instances]"},
		{[]string{"a.b[0]", "a.c[1]"}, "a.b[0], a.c[1]"},
		{[]string{"a.b", "a.c", "a.d"}, "a.b, a.c and 1 more"},
		{[]string{`module.m["x"].a.b`, `module.m["y"].a.b`}, `module.m["x"].a.b, module.m["y"].a.b`},
		{[]string{"a.b[01]", "a.b[1]"}, "a.b[01,1]"},
	} {
		if got := CollapseAddresses(tt.in); got != tt.want {
			t.Errorf("CollapseAddresses(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
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

func TestGroupsAndRootCauses(t *testing.T) {
	v := Evaluate(eks(), DefaultPolicy(), Options{})
	groups := Groups(v.Findings)
	var labels []string
	for _, g := range groups {
		labels = append(labels, g.Label())
	}
	want := `6 × aws_eks_node_group.ng[0..5] replaced: cluster_name "ce-cn-prod" → "ce-cn-prod-v2", forced by aws_eks_cluster.env`
	if !contains(labels, want) {
		t.Errorf("groups %q, want one %q", labels, want)
	}
	for _, g := range groups {
		if len(g.Findings) == 6 && len(g.IDs()) != 6 {
			t.Error("a group lost its members' ids")
		}
	}
	causes := RootCauses(v.Findings)
	if len(causes) != 1 || causes[0].Root.Addresses != "aws_eks_cluster.env" || causes[0].Forced() != 6 {
		t.Fatalf("root causes %+v, want the cluster forcing 6", causes)
	}
}

func TestForcedBy(t *testing.T) {
	for _, tt := range []struct {
		name string
		path change.AttrChange
		want string
	}{
		{"unknown until apply", change.AttrChange{Path: "vpc_id", Before: "vpc-1", Unknown: true}, "aws_vpc.main"},
		{"the upstream's new value", change.AttrChange{Path: "cidr", Before: "10.0.0.0/16", After: "10.1.0.0/16"}, "aws_vpc.main"},
		{"a value of its own", change.AttrChange{Path: "az", Before: "a", After: "b"}, ""},
		{"a sensitive value", change.AttrChange{Path: "cidr", Sensitive: true}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := change.Set{Managed: 5, Dependents: map[string][]string{"aws_vpc.main": {"aws_subnet.a"}}, Resources: []change.Resource{
				{Address: "aws_vpc.main", Type: "aws_vpc", Mode: change.Managed, Action: change.Replace,
					ReplacePaths: []change.AttrChange{{Path: "cidr_block", Before: "10.0.0.0/16", After: "10.1.0.0/16"}}},
				{Address: "aws_subnet.a", Type: "aws_subnet", Mode: change.Managed, Action: change.Replace, ReplacePaths: []change.AttrChange{tt.path}},
			}}
			v := Evaluate(s, DefaultPolicy(), Options{})
			for _, f := range v.Findings {
				if f.Address == "aws_subnet.a" && strings.Join(f.ForcedBy, ",") != tt.want {
					t.Errorf("forced by %q, want %q", f.ForcedBy, tt.want)
				}
			}
		})
	}
}

func TestGroupsKeepApartWhatDiffers(t *testing.T) {
	s := eks()
	s.Resources[3].ReplacePaths[0].After = "other"
	s.Resources[4].Labels = map[string]string{"env": "dev"}
	v := Evaluate(s, DefaultPolicy(), Options{})
	for _, g := range Groups(v.Findings) {
		if len(g.Findings) > 4 {
			t.Errorf("group %q holds findings of another cause or environment", g.Label())
		}
	}
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}
