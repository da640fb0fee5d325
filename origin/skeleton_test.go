package origin

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mtibben/confusables"
)

// TestSkeletonIsTheLibrarys: the generated table gives what
// confusables.Skeleton gives, for every rune in it, for look-alike agent
// names and for random strings of the runes it maps, mixed with plain
// letters, combining marks and precomposed ones. go generate rewrites the
// table when the library changes.
func TestSkeletonIsTheLibrarys(t *testing.T) {
	inputs := []string{"", "claude", "Clаude", "ＣＬＡＵＤＥ", "co\u200bpilot", "ⅽodex", "gеmini", "café", "cafe\u0301", "Ωmega", "ﬁle", "x\u0338y", "한국어", "prod-eu-west-1"}
	pool := []rune{'a', 'e', 'o', 'l', '1', '0', ' ', '-', 'é', '\u0301', '\u0323', 'Å', 'ﬃ', '한'}
	for _, c := range confusableTable {
		inputs = append(inputs, string(c.r))
		pool = append(pool, c.r)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteRune(pool[rng.IntN(len(pool))])
		}
		inputs = append(inputs, b.String())
	}
	for _, s := range inputs {
		if got, want := skeleton(s), confusables.Skeleton(s); got != want {
			t.Fatalf("skeleton(%+q) = %+q, confusables.Skeleton: %+q", s, got, want)
		}
	}
	for i := 1; i < len(confusableTable); i++ {
		if confusableTable[i-1].r >= confusableTable[i].r || !utf8.ValidRune(confusableTable[i].r) {
			t.Fatalf("table not sorted at %d", i)
		}
	}
}
