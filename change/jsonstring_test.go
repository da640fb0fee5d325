package change

import (
	"encoding/json"
	"testing"
)

// FuzzAppendJSONString checks the string encoder, fast path included,
// against encoding/json (HTML escaping on, invalid UTF-8 replaced).
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain ascii, longer than eight", "a<b>&c", "tab\there", "\x00\x1f\x7f",
		"é and ü", "\xff\xfe broken", "line\u2028sep\u2029", `quote " and \ backslash`, "12345678<", "1234567\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("appendJSONString(%q) = %s, encoding/json %s", s, got, want)
		}
	})
}

func BenchmarkAppendJSONString(b *testing.B) {
	s := "module.prod_svc_0001.aws_db_instance.orders_primary.eu-west-1.abcdefghijk"
	buf := make([]byte, 0, 256)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		buf = appendJSONString(buf[:0], s)
	}
}
