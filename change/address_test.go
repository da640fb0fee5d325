package change

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// refSplitAddress is SplitAddress as one scan of the whole address, as it
// was before NextSegment: the segment-at-a-time walk must split alike.
func refSplitAddress(addr string) []string {
	var parts []string
	start, depth, inQuote, escaped := 0, 0, false, false
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		switch {
		case inQuote:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inQuote = false
			}
		case c == '"':
			inQuote = true
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '.' && depth == 0:
			parts = append(parts, addr[start:i])
			start = i + 1
		}
	}
	return append(parts, addr[start:])
}

// refModulePath is ModulePath as it was, the module segments joined, and
// how many module calls they are.
func refModulePath(addr string) (string, int) {
	parts := refSplitAddress(addr)
	end := 0
	for i := 0; i+1 < len(parts); i += 2 {
		if parts[i] != "module" {
			break
		}
		end = i + 2
	}
	return strings.Join(parts[:end], "."), end / 2
}

// TestAddressWalkMatchesOneScan compares SplitAddress, ModulePath and
// ModulePrefix with the one-scan versions on odd and random addresses.
func TestAddressWalkMatchesOneScan(t *testing.T) {
	addrs := []string{"", ".", "a.", "module", "module.", "module.a", "module.a.", "module.a.module",
		"data.module.x.y", `module.a["x.y"].module.b.aws_db.main["k"]`, `a["x]"].b`, `a]].b.c`, `m["\"."].x`}
	rng := rand.New(rand.NewPCG(3, 5))
	pieces := []string{"module", "a", "data", "aws_db", ".", ".", "[", "]", `"`, `\`, `["x.y"]`, "[0]", `["\"]"]`}
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(9) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		addrs = append(addrs, b.String())
	}
	for _, a := range addrs {
		if got, want := SplitAddress(a), refSplitAddress(a); !slices.Equal(got, want) {
			t.Fatalf("SplitAddress(%q) = %q, one scan %q", a, got, want)
		}
		want, wantCalls := refModulePath(a)
		if got := ModulePath(a); got != want {
			t.Fatalf("ModulePath(%q) = %q, joined %q", a, got, want)
		}
		if end, calls := ModulePrefix(a); a[:end] != want || calls != wantCalls {
			t.Fatalf("ModulePrefix(%q) = %d, %d calls; want %q, %d", a, end, calls, want, wantCalls)
		}
	}
}
