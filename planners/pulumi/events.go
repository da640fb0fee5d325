package pulumi

import (
	"fmt"

	"github.com/rehearse-dev/rehearse/internal/strictjson"
)

// eventKinds are the engine events a stream can hold (apitype.EngineEvent),
// and whether the reader ignores them.
var eventKinds = map[string]bool{
	"cancelEvent": false, "stdoutEvent": true, "diagnosticEvent": false, "preludeEvent": true,
	"summaryEvent": false, "resourcePreEvent": false, "resOutputsEvent": false, "resOpFailedEvent": false,
	"policyEvent": true, "policyRemediationEvent": true, "policyLoadEvent": true,
	"policyAnalyzeSummaryEvent": true, "policyRemediateSummaryEvent": true, "policyAnalyzeStackSummaryEvent": true,
	"startDebuggingEvent": true, "progressEvent": true, "errorEvent": false,
}

// isEvent reports whether the first value is an engine event rather than
// a preview digest.
func isEvent(o strictjson.Obj) bool {
	if _, ok := o.M["sequence"]; ok {
		return true
	}
	for k := range o.M {
		if _, ok := eventKinds[k]; ok {
			return true
		}
	}
	return false
}

// events reads the stream, first event already decoded. Steps come from
// resourcePreEvent, as in the digest; a refresh's outputs event that turns
// out to update or delete replaces its step, as pulumi's digest does.
func (p *preview) events(dec *strictjson.Decoder, first strictjson.Obj) error {
	p.streaming = true
	ev := first
	for n := 0; ; n++ {
		if p.cancelled {
			return fmt.Errorf("%w: event %d follows the closing cancelEvent", ErrInvalid, n)
		}
		if err := p.event(ev, n); err != nil {
			return err
		}
		if !dec.More() {
			return nil
		}
		v, err := dec.Value()
		if err != nil {
			return err
		}
		o, isObj, err := strictjson.AsObj(v, fmt.Sprintf("event %d", n+1))
		if err != nil || !isObj {
			return fmt.Errorf("%w: event %d is not a JSON object", ErrNotPreview, n+1)
		}
		ev = o
	}
}

func (p *preview) event(o strictjson.Obj, n int) error {
	kind := ""
	for k := range o.M {
		switch k {
		case "sequence", "timestamp":
			continue
		}
		if _, ok := eventKinds[k]; !ok {
			return fmt.Errorf("%w: event %d: %q is not an engine event rehearse knows", ErrAction, n, k)
		}
		if kind != "" {
			return fmt.Errorf("%w: event %d holds both %s and %s", ErrNotPreview, n, kind, k)
		}
		kind = k
	}
	if kind == "" {
		return fmt.Errorf("%w: event %d holds no event", ErrNotPreview, n)
	}
	if err := o.CheckCase(append([]string{"sequence", "timestamp"}, keys(eventKinds)...)...); err != nil {
		return err
	}
	if eventKinds[kind] {
		return nil
	}
	body, err := o.Obj(kind)
	if err != nil {
		return err
	}
	switch kind {
	case "cancelEvent":
		p.cancelled = true
	case "diagnosticEvent":
		return diagnostic(body)
	case "errorEvent":
		msg, _ := body.Str("error")
		return fmt.Errorf("%w: %s", ErrFailed, oneLine(msg))
	case "resOpFailedEvent":
		return fmt.Errorf("%w: a resource operation failed (event %d)", ErrFailed, n)
	case "summaryEvent":
		p.summary = true
		corrupt, err := body.Bool("maybeCorrupt")
		if err != nil {
			return err
		}
		if corrupt {
			return fmt.Errorf("%w: maybeCorrupt is set: one or more resources may be corrupt", ErrFailed)
		}
	case "resourcePreEvent", "resOutputsEvent":
		if err := body.CheckCase("metadata", "planning"); err != nil {
			return err
		}
		md, err := body.Obj("metadata")
		if err != nil {
			return err
		}
		st, err := readStep(md, "old", "new", "diffs", "keys", "diffKind")
		if err != nil {
			return err
		}
		if kind == "resourcePreEvent" {
			p.steps = append(p.steps, st)
			return nil
		}
		if st.op != "update" && st.op != "delete" {
			return nil
		}
		for i := range p.steps {
			if p.steps[i].urn == st.urn && p.steps[i].op == "refresh" && (st.op == "delete" || st.detailed != nil) {
				p.steps[i] = st
			}
		}
	}
	return nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
