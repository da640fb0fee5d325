package planjson

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestStrSpecialMask checks the eight-byte test against the table: the
// first special byte it finds is the table's.
func TestStrSpecialMask(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	interesting := []byte{0, 1, 0x1f, 0x20, 0x21, '"', '\\', 'a', 0x7f, 0x80, 0x9f, 0xa0, 0xdc, 0xff, 0x5b, 0x5d, 0x23, 0x22 ^ 0x80}
	var b [8]byte
	for n := 0; n < 200000; n++ {
		for i := range b {
			if r.IntN(2) == 0 {
				b[i] = interesting[r.IntN(len(interesting))]
			} else {
				b[i] = byte(r.IntN(256))
			}
		}
		want := 8
		for i, c := range b {
			if strSpecial[c] {
				want = i
				break
			}
		}
		got := 8
		if m := strSpecialMask(binary.LittleEndian.Uint64(b[:])); m != 0 {
			got = bits.TrailingZeros64(m) >> 3
		}
		if got != want {
			t.Fatalf("%x: first special byte %d, the table says %d", b, got, want)
		}
	}
}

// TestScannerKeys: key decodes every key as written, the same raw key
// always to the same string, escaped spellings to what they spell, and
// it stops keeping keys at maxKeys while still decoding the rest.
func TestScannerKeys(t *testing.T) {
	var doc strings.Builder
	var want []string
	doc.WriteString("{")
	add := func(raw, decoded string) {
		if len(want) > 0 {
			doc.WriteString(",")
		}
		doc.WriteString(raw + ":0")
		want = append(want, decoded)
	}
	add(`"type"`, "type")
	add(`"typ\u0065"`, "type")
	add(`"type"`, "type")
	add(`"a\"b"`, `a"b`)
	add(`"é"`, "é")
	for i := range maxKeys + 10 {
		add(fmt.Sprintf(`"k%d"`, i), fmt.Sprintf("k%d", i))
	}
	add(`"type"`, "type")
	add(`"k5"`, "k5")
	add(`"zz\n"`, "zz\n")
	doc.WriteString("}")
	s := newScanner(context.Background(), strings.NewReader(doc.String()))
	if _, err := s.ws(); err != nil {
		t.Fatal(err)
	}
	s.pos++
	for i, w := range want {
		more, err := s.next('}', i == 0)
		if err != nil || !more {
			t.Fatalf("key %d: more %v, err %v", i, more, err)
		}
		k, err := s.key()
		if err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
		if k != w {
			t.Fatalf("key %d = %q, want %q", i, k, w)
		}
		if err := s.value(); err != nil {
			t.Fatal(err)
		}
	}
	if len(s.keys) != maxKeys {
		t.Errorf("kept %d keys, want the bound %d", len(s.keys), maxKeys)
	}
}
