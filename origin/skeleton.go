package origin

import (
	"sort"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// confusable is one row of confusableTable.
type confusable struct {
	r rune
	s string
}

//go:generate go run gen_confusables.go

// skeleton is the TR39 skeleton of s, as confusables.Skeleton computes it
// (NFD, each rune replaced by its prototype, NFD again), from a table the
// compiler lays out as data: the library builds its map of some 6,000
// runes when the process starts, which every rehearse process paid for,
// `rehearse hook` answering `ls` first.
func skeleton(s string) string {
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		i := sort.Search(len(confusableTable), func(i int) bool { return confusableTable[i].r >= r })
		if i < len(confusableTable) && confusableTable[i].r == r {
			b.WriteString(confusableTable[i].s)
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFD.String(b.String())
}
