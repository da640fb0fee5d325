package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/verdict"
)

// maxGraphNodes caps the nodes of a Mermaid graph: past about 40 a graph
// in a comment is too small to read, and the rest is counted in one node.
const maxGraphNodes = 40

// mermaidGraph is a Mermaid flowchart of what a change destroys or
// replaces (one node per group of alike findings, coloured by severity)
// and what refers to it in the configuration (grey), an arrow from each
// resource to what depends on it, a thick one labelled "forces" where the
// dependent's replace is forced by it. Node ids are n0, n1…, never taken
// from the plan; labels are escaped so nothing in them is Mermaid or HTML
// syntax. "" when nothing is destroyed or replaced.
func mermaidGraph(groups []verdict.Group) string {
	type node struct {
		id, label, class string
	}
	var nodes []node
	byConfig := map[string]int{} // configuration address → node
	more := 0
	add := func(label, class string, configs ...string) int {
		if len(nodes) >= maxGraphNodes {
			more++
			return -1
		}
		i := len(nodes)
		nodes = append(nodes, node{fmt.Sprintf("n%d", i), label, class})
		for _, c := range configs {
			if _, ok := byConfig[c]; !ok {
				byConfig[c] = i
			}
		}
		return i
	}
	var destructive []*verdict.Group
	for i := range groups {
		g := &groups[i]
		if f := g.Findings[0]; f.Address != "" && f.Action.Destructive() {
			destructive = append(destructive, g)
		}
	}
	if len(destructive) == 0 {
		return ""
	}
	for _, g := range destructive {
		f := g.Findings[0]
		class := string(f.Severity)
		if f.Approval != nil {
			class = "approved"
		}
		label := g.Addresses
		if len(g.Findings) > 1 {
			label = fmt.Sprintf("%d × %s", len(g.Findings), g.Addresses)
		}
		var configs []string
		for _, m := range g.Findings {
			configs = append(configs, change.ConfigAddress(m.Address))
		}
		add(mermaidLabel(label)+"<br/>"+mermaidLabel(string(f.Action)), class, configs...)
	}
	// What refers to a destroyed or replaced resource, and is not one
	// itself, in name order.
	var deps []string
	for _, g := range destructive {
		for _, m := range g.Findings {
			for _, d := range m.Dependents {
				if _, ok := byConfig[d]; !ok && !slices.Contains(deps, d) {
					deps = append(deps, d)
				}
			}
		}
	}
	slices.Sort(deps)
	for _, d := range deps {
		add(mermaidLabel(d), "dep", d)
	}
	type edge struct {
		from, to int
		forces   bool
	}
	forces := map[[2]string]bool{} // {upstream, dependent} configuration addresses
	for i := range groups {
		for _, f := range groups[i].Findings {
			for _, up := range f.ForcedBy {
				forces[[2]string{up, change.ConfigAddress(f.Address)}] = true
			}
		}
	}
	var edges []edge
	seen := map[[2]int]bool{}
	for _, g := range destructive {
		for _, m := range g.Findings {
			from, ok := byConfig[change.ConfigAddress(m.Address)]
			if !ok {
				continue
			}
			for _, d := range m.Dependents {
				to, ok := byConfig[d]
				if !ok || to == from || seen[[2]int{from, to}] {
					continue
				}
				seen[[2]int{from, to}] = true
				edges = append(edges, edge{from, to, forces[[2]string{change.ConfigAddress(m.Address), d}]})
			}
		}
	}
	slices.SortStableFunc(edges, func(a, b edge) int {
		if a.from != b.from {
			return a.from - b.from
		}
		return a.to - b.to
	})
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for _, n := range nodes {
		fmt.Fprintf(&b, "  %s[\"%s\"]:::%s\n", n.id, n.label, n.class)
	}
	if more > 0 {
		fmt.Fprintf(&b, "  more[\"and %d more\"]:::dep\n", more)
	}
	for _, e := range edges {
		if e.forces {
			fmt.Fprintf(&b, "  %s ==>|forces| %s\n", nodes[e.from].id, nodes[e.to].id)
		} else {
			fmt.Fprintf(&b, "  %s --> %s\n", nodes[e.from].id, nodes[e.to].id)
		}
	}
	b.WriteString("  classDef block fill:#f8d7da,stroke:#b02a37,color:#000\n")
	b.WriteString("  classDef warn fill:#fff3cd,stroke:#997404,color:#000\n")
	b.WriteString("  classDef approved fill:#d1e7dd,stroke:#146c43,color:#000\n")
	b.WriteString("  classDef dep fill:#f8f9fa,stroke:#6c757d,color:#000\n")
	return b.String()
}

// mermaidLabel makes text inert inside a quoted Mermaid label: letters,
// digits and a few punctuation marks stay, everything else (quotes, #, <,
// >, &, backticks, brackets of HTML, every non-ASCII character) becomes a
// Mermaid entity code (#34;), which Mermaid renders as the character;
// what a terminal would act on is spelled out first, as TermSafe does.
func mermaidLabel(s string) string {
	var b strings.Builder
	for _, r := range termSafe(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune(" ._-:/[],=()", r):
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "#%d;", r)
		}
	}
	return b.String()
}
