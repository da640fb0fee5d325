package planjson

import (
	"bufio"
	"fmt"
	"io"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// utf8Reader returns r as UTF-8. Terraform writes UTF-8 without a byte
// order mark, but a plan saved on Windows is often not what terraform
// wrote: PowerShell's `>` writes UTF-16 with a BOM, and some editors add a
// UTF-8 BOM. Both are decoded; UTF-16 without a BOM, which cannot be told
// apart from binary data for sure, is refused with what to do.
func utf8Reader(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4)
	switch {
	case len(head) >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF:
		_, _ = br.Discard(3)
		return br, nil
	case len(head) >= 2 && (head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF):
		// The decoder reads and drops the BOM, and turns invalid
		// sequences into U+FFFD, which the scanner then sees as text.
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		return transform.NewReader(br, dec), nil
	case len(head) >= 2 && (head[0] == 0 || head[1] == 0):
		return nil, fmt.Errorf("%w: the file looks like UTF-16 without a byte order mark; re-save it as UTF-8 (terraform show -json plan > plan.json in a shell that writes UTF-8, or Out-File -Encoding utf8)", ErrEncoding)
	}
	return br, nil
}
