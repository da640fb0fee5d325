package verdict

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
)

// Group is findings a reviewer reads as one: the same stack, rule,
// severity, type, action, environment, message and cause (the same
// forcing values, the same upstream), on different addresses, such as the
// instances of one counted resource. A report shows a group as one line;
// JSON keeps every finding.
type Group struct {
	Findings []*Finding
	// Addresses names the members in short: aws_eks_node_group.ng[0..5].
	Addresses string
	// Cause is what forced the members, shared by all: the forcing
	// values ("cluster_name "a" → "b""), else what forced them.
	Cause string
}

// Label is the group in one line: 6 × aws_eks_node_group.ng[0..5]
// replaced: cluster_name "ce-cn-prod" → "ce-cn-prod-v2".
func (g *Group) Label() string {
	s := g.Addresses + " " + ActionVerb(g.Findings[0].Action)
	if n := len(g.Findings); n > 1 {
		s = fmt.Sprintf("%d × %s", n, s)
	}
	if g.Cause != "" {
		s += ": " + g.Cause
	}
	return s
}

// IDs lists the members' finding ids.
func (g *Group) IDs() []string {
	ids := make([]string, len(g.Findings))
	for i, f := range g.Findings {
		ids[i] = f.ID
	}
	return ids
}

// ActionVerb says what an action does to a resource, for a sentence.
func ActionVerb(a change.Action) string {
	switch a {
	case change.Replace:
		return "replaced"
	case change.Delete:
		return "destroyed"
	case change.Create:
		return "created"
	case change.Update:
		return "updated"
	case "":
		return "(whole change)"
	}
	return string(a)
}

// Groups collapses findings into groups, in the order of each group's
// first finding. A finding with no address (one about the whole change)
// is a group of its own.
func Groups(fs []Finding) []Group {
	var groups []Group
	index := map[string]int{}
	for i := range fs {
		f := &fs[i]
		cause := findingCause(f)
		key := ""
		if f.Address != "" {
			approved := f.Approval != nil || len(f.VoidApprovals) > 0
			key = strings.Join([]string{f.Stack, f.Rule, string(f.Severity), f.Type, string(f.Action), f.Environment, f.Message, cause, strconv.FormatBool(approved)}, "\x00")
		}
		if j, ok := index[key]; ok && key != "" {
			groups[j].Findings = append(groups[j].Findings, f)
			continue
		}
		if key != "" {
			index[key] = len(groups)
		}
		groups = append(groups, Group{Findings: []*Finding{f}, Cause: cause})
	}
	for i := range groups {
		g := &groups[i]
		addrs := make([]string, len(g.Findings))
		for j, f := range g.Findings {
			addrs[j] = f.Address
		}
		g.Addresses = CollapseAddresses(addrs)
	}
	return groups
}

// findingCause is what forced a finding, as the reports show it.
func findingCause(f *Finding) string {
	var parts []string
	for _, p := range f.ReplacePaths {
		before, after := FormatAttr(p)
		parts = append(parts, p.Path+" "+before+" → "+after)
	}
	if len(f.ForcedBy) > 0 {
		parts = append(parts, "forced by "+strings.Join(f.ForcedBy, ", "))
	}
	return strings.Join(parts, ", ")
}

// CollapseAddresses names addresses in short: the instances of one
// resource as base[0..5] (consecutive numbers), base[0,2,7] or
// base["a","b"] (a few keys) or base[12 instances]; addresses of
// different resources as the first two and how many more.
func CollapseAddresses(addrs []string) string {
	switch len(addrs) {
	case 0:
		return ""
	case 1:
		return orWhole(addrs[0])
	}
	base, _, ok := splitIndex(addrs[0])
	var keys []string
	for _, a := range addrs {
		b, k, kok := splitIndex(a)
		if !kok || b != base {
			ok = false
			break
		}
		keys = append(keys, k)
	}
	if !ok {
		if len(addrs) == 2 {
			return addrs[0] + ", " + addrs[1]
		}
		return fmt.Sprintf("%s, %s and %d more", addrs[0], addrs[1], len(addrs)-2)
	}
	nums := make([]int, 0, len(keys))
	for _, k := range keys {
		n, err := strconv.Atoi(k)
		if err != nil || strconv.Itoa(n) != k {
			nums = nil
			break
		}
		nums = append(nums, n)
	}
	if nums != nil {
		sorted := slices.Clone(nums)
		slices.Sort(sorted)
		if sorted[len(sorted)-1]-sorted[0] == len(sorted)-1 && len(slices.Compact(slices.Clone(sorted))) == len(sorted) {
			return fmt.Sprintf("%s[%d..%d]", base, sorted[0], sorted[len(sorted)-1])
		}
	}
	if len(keys) <= 4 {
		return base + "[" + strings.Join(keys, ",") + "]"
	}
	return fmt.Sprintf("%s[%d instances]", base, len(keys))
}

// splitIndex splits an address's last instance key off: a.b[3] → a.b, 3.
func splitIndex(addr string) (base, key string, ok bool) {
	if !strings.HasSuffix(addr, "]") {
		return addr, "", false
	}
	i := strings.LastIndexByte(addr, '[')
	if i <= 0 || strings.Contains(addr[i:len(addr)-1], "]") {
		return addr, "", false
	}
	return addr[:i], addr[i+1 : len(addr)-1], true
}

func orWhole(addr string) string {
	if addr == "" {
		return "(whole change)"
	}
	return addr
}

// Cause is a replace that forces others, with every replace it forces, in
// order of distance: the change a reviewer should question first.
type Cause struct {
	Root *Group
	// Levels are the forced findings grouped by distance from the root:
	// Levels[0] forced by the root, Levels[1] by those, and so on.
	Levels [][]Group
}

// Forced counts the findings the root forces, at every distance.
func (c *Cause) Forced() int {
	n := 0
	for _, l := range c.Levels {
		for _, g := range l {
			n += len(g.Findings)
		}
	}
	return n
}

// RootCauses lists the replaces that force others (Finding.ForcedBy) and
// are forced by none, each with what it forces, most forced first. The
// chains are inferred from the configuration's references, as ForcedBy
// says.
func RootCauses(fs []Finding) []Cause {
	type node struct {
		stack, config string
	}
	members := map[node][]*Finding{}
	forces := map[node][]node{}
	forced := map[node]bool{}
	var order []node
	for i := range fs {
		f := &fs[i]
		if f.Address == "" {
			continue
		}
		n := node{f.Stack, change.ConfigAddress(f.Address)}
		if members[n] == nil {
			order = append(order, n)
		}
		members[n] = append(members[n], f)
	}
	for _, n := range order {
		for _, f := range members[n] {
			for _, by := range f.ForcedBy {
				up := node{n.stack, by}
				if members[up] == nil || up == n {
					continue
				}
				if !slices.Contains(forces[up], n) {
					forces[up] = append(forces[up], n)
				}
				forced[n] = true
			}
		}
	}
	var causes []Cause
	for _, root := range order {
		if forced[root] || len(forces[root]) == 0 {
			continue
		}
		seen := map[node]bool{root: true}
		c := Cause{}
		rootGroups := Groups(derefAll(members[root]))
		c.Root = &rootGroups[0]
		level := []node{root}
		for len(level) > 0 {
			var next []node
			var fsNext []Finding
			for _, n := range level {
				for _, d := range forces[n] {
					if !seen[d] {
						seen[d] = true
						next = append(next, d)
						fsNext = append(fsNext, derefAll(members[d])...)
					}
				}
			}
			if len(next) > 0 {
				c.Levels = append(c.Levels, Groups(fsNext))
			}
			level = next
		}
		causes = append(causes, c)
	}
	slices.SortStableFunc(causes, func(a, b Cause) int { return b.Forced() - a.Forced() })
	return causes
}

// derefAll copies findings so a Cause's groups stand on their own.
func derefAll(ps []*Finding) []Finding {
	out := make([]Finding, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}
