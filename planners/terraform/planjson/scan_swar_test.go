package planjson

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
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
