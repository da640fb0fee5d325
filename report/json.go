package report

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/rehearse-dev/rehearse/verdict"
)

// jsonVerdict adds the headline to the Verdict's own fields.
type jsonVerdict struct {
	*verdict.Verdict
	Summary string `json:"summary"`
}

func renderJSON(w io.Writer, v *verdict.Verdict) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(jsonVerdict{v, Headline(v)}); err != nil {
		return err
	}
	return bw.Flush()
}
