package verdict

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/rehearse-dev/rehearse/change"
)

// Likely renames. A delete whose block is gone (or whose module is), with
// no moved block from its address, is paired with a create of the same
// type when the pairing is convincing:
//
//   - an identifying attribute (identifyingAttrs, or the Name tag) has the
//     same value on both: the delete's old values, the create's planned
//     ones where the plan gives them; or
//   - their names, the resource name and instance key split into tokens
//     (digits and version tokens like v2 left out), share a token of two
//     or more characters, and every such token of one of them is in the
//     other: data and data_v2, logs and buckets["logs"], main and main.
//
// Each delete and each create is used once: pairs are taken best first
// (equal attributes outweigh names; then more shared characters; then by
// address), so the result does not depend on the order of the plan. A
// delete with no convincing pair gets no rename hint.

// identifyingAttrs are the attributes that name an object at its provider.
var identifyingAttrs = []string{
	"name", "bucket", "identifier", "cluster_identifier", "replication_group_id",
	"function_name", "cluster_name", "domain_name", "table_name", "queue_name",
	"stream_name", "repository_name", "instance_name", "display_name",
}

var versionToken = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?i)v?[0-9]+$`) })

type renameCandidate struct {
	r      *change.Resource
	name   string            // the resource name in its address
	ids    map[string]string // identifying attribute → value
	tokens []string
}

func renameSide(r *change.Resource) renameCandidate {
	c := renameCandidate{r: r, ids: map[string]string{}}
	key := ""
	var pbuf [4]addressPart
	if parts := appendAddressParts(pbuf[:0], r.Address, 0); len(parts) > 0 {
		c.name, key = parts[len(parts)-1].name, parts[len(parts)-1].key
	}
	for _, a := range identifyingAttrs {
		if s, ok := r.Before[a].(string); ok && s != "" {
			c.ids[a] = s
		}
	}
	for _, ch := range r.Changes {
		if s, ok := ch.After.(string); ok && s != "" && !ch.Sensitive && slices.Contains(identifyingAttrs, ch.Path) {
			c.ids[ch.Path] = s
		}
	}
	// The Name tag is the first key in byte order that is "name" in any
	// case and has a value: the least such key, found without sorting.
	nameKey, found := "", false
	for k, v := range r.Labels {
		if v != "" && strings.EqualFold(k, "name") && (!found || k < nameKey) {
			nameKey, found = k, true
		}
	}
	if found {
		c.ids["tag name"] = r.Labels[nameKey]
	}
	seen := map[string]bool{}
	for _, t := range tokens(c.name + " " + key) {
		t = strings.ToLower(t)
		if len(t) < 2 || versionToken().MatchString(t) || seen[t] {
			continue
		}
		seen[t] = true
		c.tokens = append(c.tokens, t)
	}
	return c
}

// renameScore says how convincing a pairing is; 0 is not at all.
func renameScore(d, c renameCandidate) int {
	score := 0
	for a, v := range d.ids {
		if c.ids[a] == v {
			score += 1000
		}
	}
	shared, chars := 0, 0
	for _, t := range d.tokens {
		if slices.Contains(c.tokens, t) {
			shared++
			chars += len(t)
		}
	}
	if shared > 0 && (shared == len(d.tokens) || shared == len(c.tokens)) {
		score += chars
		if d.name == c.name {
			score += 10
		}
	}
	return score
}

// pairRenames maps each delete that is likely a rename to its create.
func (e *evaluator) pairRenames() map[string]string {
	var dels, adds []renameCandidate
	for i := range e.set.Resources {
		r := &e.set.Resources[i]
		if r.Mode != change.Managed {
			continue
		}
		switch {
		case r.Action == change.Delete && (r.Reason == "delete_because_no_resource_config" || r.Reason == "delete_because_no_module") && !e.movedFrom[r.Address]:
			dels = append(dels, renameSide(r))
		case r.Action == change.Create:
			adds = append(adds, renameSide(r))
		}
	}
	type pair struct {
		del, add string
		score    int
	}
	// Only creates that share an identifying value or a name token with a
	// delete can pair with it, so those are looked up rather than every
	// create tried against every delete, which on a plan replacing
	// thousands of objects of one type took seconds. A token or value
	// that thousands of creates share says nothing about which one is the
	// rename, so it is not looked up.
	const maxShared = 64
	index := map[string][]int{}
	for i, c := range adds {
		for a, v := range c.ids {
			k := c.r.Type + "\x00id\x00" + a + "\x00" + v
			index[k] = append(index[k], i)
		}
		for _, t := range c.tokens {
			k := c.r.Type + "\x00tok\x00" + t
			index[k] = append(index[k], i)
		}
	}
	var pairs []pair
	tried := map[int]bool{}
	for _, d := range dels {
		clear(tried)
		try := func(k string) {
			hits := index[k]
			if len(hits) > maxShared {
				return
			}
			for _, i := range hits {
				if tried[i] {
					continue
				}
				tried[i] = true
				if s := renameScore(d, adds[i]); s > 0 {
					pairs = append(pairs, pair{d.r.Address, adds[i].r.Address, s})
				}
			}
		}
		for a, v := range d.ids {
			try(d.r.Type + "\x00id\x00" + a + "\x00" + v)
		}
		for _, t := range d.tokens {
			try(d.r.Type + "\x00tok\x00" + t)
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		if c := strings.Compare(a.del, b.del); c != 0 {
			return c
		}
		return strings.Compare(a.add, b.add)
	})
	out := map[string]string{}
	used := map[string]bool{}
	for _, p := range pairs {
		if _, done := out[p.del]; done || used[p.add] {
			continue
		}
		out[p.del], used[p.add] = p.add, true
	}
	return out
}
