package origin

import (
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Claude", "claude"},
		{"CLAUDE <NoReply@Anthropic.com>", "claude <noreply@anthropic.corn>"}, // "m" folds like "rn"
		// Cyrillic а е о р с у х і ј ѕ ԁ, Latin ɡ, Greek ο α ν ρ.
		{"\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u0501\u0261", "aeopcyxijsdg"},
		{"\u03bf\u03b1\u03bd\u03c1", "oavp"},
		{"\uff23\uff4c\uff41\uff55\uff44\uff45", "claude"}, // fullwidth
		{"Cl\u200bau\u200cd\u200de\u200e\u200f\u2060\ufeff\u00ad", "claude"},
		{"Cla\u0301ude", "claude"},            // a combining accent
		{"c\u202eedualc", "cedualc"},          // a bidi override is dropped, not obeyed
		{"amazon\u00a0\u2003 q", "arnazon q"}, // spaces made one
		{"c0pilot", "copilot"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%+q) = %+q, want %+q", tt.in, got, tt.want)
		}
	}
	// What matters is that both sides fold alike.
	for _, s := range []string{"cl\u0430ude", "ＣＬＡＵＤＥ", "Claude\u200b", "CLAUDE"} {
		if !strings.Contains(Fold("x "+s+" y"), Fold("claude")) {
			t.Errorf("Fold(%+q) does not contain Fold(claude)", s)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		" Dana@Example.COM ":        "dana@example.com",
		"d\u200bana@example.com":    "dana@example.com",
		"\uff44ana@example.com":     "dana@example.com",
		"noreply+1@users.github.io": "noreply+1@users.github.io",
	} {
		if got := NormalizeEmail(in); got != want {
			t.Errorf("NormalizeEmail(%+q) = %q, want %q", in, got, want)
		}
	}
}

func TestVisible(t *testing.T) {
	t.Parallel()
	if got := visible("Cla\u200bude\x1b[31m"); got != "Cla<U+200B>ude<U+001B>[31m" {
		t.Errorf("visible = %q", got)
	}
	if got := visible(strings.Repeat("x", 300)); len([]rune(got)) != 201 {
		t.Errorf("visible did not cut a long value: %d runes", len([]rune(got)))
	}
}
