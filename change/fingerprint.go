package change

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Fingerprint is a hash of the normalized Set: resources, drift and outputs in
// address order, without the Source. An approval or a recorded scenario names
// a fingerprint, so it is bound to exactly one change.
//
// The hash is of the JSON that encoding/json's Encoder writes for
//
//	struct {
//		Resources []Resource     `json:"resources"`
//		Drift     []Resource     `json:"drift"`
//		Outputs   []OutputChange     `json:"outputs"`
//		Actions   []ActionInvocation `json:"actions"`
//		Deferred  []Resource         `json:"deferred"`
//		Incomplete bool              `json:"incomplete"`
//		Variables string             `json:"variables"`
//		Managed   int                `json:"managed"`
//	}
//
// (resources and drift stably sorted by address and deposed key, outputs by
// name, an observation as observation writes it), newline included. Approvals and recorded scenarios name these
// hashes, so the bytes must never change: the encoder below writes them
// straight into the hash, byte for byte what encoding/json gives (HTML
// escaping, invalid UTF-8, sorted map keys), without reflection or copies of
// the Set. fingerprint_test.go keeps the encoding/json version and compares.
func (s *Set) Fingerprint() string {
	outs := slices.Clone(s.Outputs)
	slices.SortFunc(outs, func(a, b OutputChange) int { return strings.Compare(a.Name, b.Name) })

	e := &fpEncoder{h: sha256.New(), buf: make([]byte, 0, 64<<10)}
	e.raw(`{"resources":`)
	e.resources(s.Resources)
	e.raw(`,"drift":`)
	e.resources(s.Drift)
	e.raw(`,"outputs":`)
	if outs == nil {
		e.raw("null")
	} else {
		e.byte('[')
		for i := range outs {
			if i > 0 {
				e.byte(',')
			}
			e.output(&outs[i])
		}
		e.byte(']')
	}
	e.raw(`,"actions":`)
	if s.Actions == nil {
		e.raw("null")
	} else {
		e.marshal(s.Actions)
	}
	e.raw(`,"deferred":`)
	e.resources(s.Deferred)
	if s.Incomplete {
		e.raw(`,"incomplete":true`)
	} else {
		e.raw(`,"incomplete":false`)
	}
	e.raw(`,"variables":`)
	e.str(s.Variables)
	// Where the change applies is part of it: the same change in another
	// workspace or stack is another change, and its approval another.
	e.raw(`,"workspace":`)
	e.str(s.Workspace)
	e.raw(`,"stack":`)
	e.str(s.Stack)
	e.raw(`,"managed":`)
	e.buf = strconv.AppendInt(e.buf, int64(s.Managed), 10)
	e.raw("}\n")
	return "sha256:" + hex.EncodeToString(e.sum())
}

// fpEncoder writes JSON into a hash through a buffer.
type fpEncoder struct {
	h    hash.Hash
	buf  []byte
	keys []string // scratch for sorting map keys, used as a stack
}

func (e *fpEncoder) flushIfFull() {
	if len(e.buf) >= 48<<10 {
		e.h.Write(e.buf)
		e.buf = e.buf[:0]
	}
}

func (e *fpEncoder) sum() []byte {
	e.h.Write(e.buf)
	e.buf = e.buf[:0]
	return e.h.Sum(nil)
}

func (e *fpEncoder) raw(s string) { e.buf = append(e.buf, s...) }
func (e *fpEncoder) byte(c byte)  { e.buf = append(e.buf, c) }
func (e *fpEncoder) str(s string) { e.buf = appendJSONString(e.buf, s) }

// resources writes rs stably sorted by address and deposed key: a nil slice
// as null, as encoding/json writes the nil that slices.Clone gives for it.
func (e *fpEncoder) resources(rs []Resource) {
	if rs == nil {
		e.raw("null")
		return
	}
	order := make([]int32, len(rs))
	sorted := true
	for i := range order {
		order[i] = int32(i)
		if i > 0 && sorted && resourceCmp(&rs[i-1], &rs[i]) > 0 {
			sorted = false
		}
	}
	if !sorted {
		slices.SortStableFunc(order, func(a, b int32) int { return resourceCmp(&rs[a], &rs[b]) })
	}
	e.byte('[')
	if n := min(runtime.GOMAXPROCS(0), 4); n > 1 && len(order) >= 2*fpChunk {
		e.resourcesParallel(rs, order, n)
	} else {
		for i, k := range order {
			if i > 0 {
				e.byte(',')
			}
			e.resource(&rs[k])
			e.flushIfFull()
		}
	}
	e.byte(']')
}

// fpChunk is how many resources one encoder goroutine writes at a time.
const fpChunk = 2048

// resourcesParallel writes the resources in order as resources does, with
// n goroutines encoding chunks of fpChunk resources into buffers while
// this one hashes the buffers in chunk order: on a large plan encoding
// is most of the fingerprint's time, and Evaluate waits for it. The bytes
// hashed are the serial loop's: each chunk is the same e.resource calls
// with the same commas, and the hash sees the chunks in order. At most
// 2n chunks are encoded ahead of the hash, so the memory is bounded.
func (e *fpEncoder) resourcesParallel(rs []Resource, order []int32, n int) {
	e.h.Write(e.buf)
	e.buf = e.buf[:0]
	chunks := (len(order) + fpChunk - 1) / fpChunk
	results := make([]chan []byte, chunks)
	for k := range results {
		results[k] = make(chan []byte, 1)
	}
	next := make(chan int)
	tokens := make(chan struct{}, 2*n)
	free := make(chan []byte, 2*n+1)
	go func() {
		for k := range chunks {
			tokens <- struct{}{}
			next <- k
		}
		close(next)
	}()
	for range n {
		go func() {
			w := &fpEncoder{}
			for k := range next {
				select {
				case w.buf = <-free:
				default:
					w.buf = make([]byte, 0, 1<<20)
				}
				lo, hi := k*fpChunk, min((k+1)*fpChunk, len(order))
				for i := lo; i < hi; i++ {
					if i > 0 {
						w.byte(',')
					}
					w.resource(&rs[order[i]])
				}
				results[k] <- w.buf
			}
		}()
	}
	for k := range chunks {
		buf := <-results[k]
		e.h.Write(buf)
		<-tokens
		select {
		case free <- buf[:0]:
		default:
		}
	}
}

func resourceCmp(a, b *Resource) int {
	if c := strings.Compare(a.Address, b.Address); c != 0 {
		return c
	}
	return strings.Compare(a.Deposed, b.Deposed)
}

// resource writes r as encoding/json does, field by field in declaration
// order, omitting the empty omitempty ones.
func (e *fpEncoder) resource(r *Resource) {
	e.raw(`{"address":`)
	e.str(r.Address)
	if r.PreviousAddress != "" {
		e.raw(`,"previous_address":`)
		e.str(r.PreviousAddress)
	}
	if r.Module != "" {
		e.raw(`,"module":`)
		e.str(r.Module)
	}
	e.raw(`,"mode":`)
	e.str(string(r.Mode))
	e.raw(`,"type":`)
	e.str(r.Type)
	e.raw(`,"name":`)
	e.str(r.Name)
	if r.Index != "" {
		e.raw(`,"index":`)
		e.str(r.Index)
	}
	if r.Provider != "" {
		e.raw(`,"provider":`)
		e.str(r.Provider)
	}
	if r.Deposed != "" {
		e.raw(`,"deposed":`)
		e.str(r.Deposed)
	}
	e.raw(`,"action":`)
	e.str(string(r.Action))
	if r.ReplaceOrder != "" {
		e.raw(`,"replace_order":`)
		e.str(string(r.ReplaceOrder))
	}
	if r.Reason != "" {
		e.raw(`,"reason":`)
		e.str(r.Reason)
	}
	if r.Importing {
		e.raw(`,"importing":true`)
	}
	if r.ImportID != "" {
		e.raw(`,"import_id":`)
		e.str(r.ImportID)
	}
	if len(r.ReplacePaths) > 0 {
		e.raw(`,"replace_paths":`)
		e.attrChanges(r.ReplacePaths)
	}
	if len(r.Changes) > 0 {
		e.raw(`,"changes":`)
		e.attrChanges(r.Changes)
	}
	if len(r.Before) > 0 {
		e.raw(`,"before":`)
		e.valueMap(r.Before)
	}
	if len(r.Labels) > 0 {
		e.raw(`,"labels":`)
		e.stringMap(r.Labels)
	}
	if len(r.BeforeLabels) > 0 {
		e.raw(`,"before_labels":`)
		e.stringMap(r.BeforeLabels)
	}
	if r.LabelsUnknown {
		e.raw(`,"labels_unknown":true`)
	}
	if r.LabelsSensitive {
		e.raw(`,"labels_sensitive":true`)
	}
	if r.Kind != "" {
		e.raw(`,"kind":`)
		e.str(r.Kind)
	}
	if r.NoReplacePaths {
		e.raw(`,"no_replace_paths":true`)
	}
	if r.Deferred != "" {
		e.raw(`,"deferred":`)
		e.str(r.Deferred)
	}
	if r.Conditional {
		e.raw(`,"conditional":true`)
	}
	if r.Digest != "" {
		e.raw(`,"digest":`)
		e.str(r.Digest)
	}
	if r.Observed != nil {
		e.raw(`,"observed":`)
		e.observation(r.Observed)
	}
	e.byte('}')
}

// observation writes what an observed change did to the data, not which
// objects it ran on or when: two identical runs in two sandboxes are one
// change, with one approval. Container and volume ids, creation times and
// the timestamped events are evidence only; a data path counts by its
// figures and by whether its contents changed, not by its tree hashes,
// which a server's own files (pids, statistics) make differ between runs.
//
// It is the JSON encoding/json writes for
//
//	struct {
//		Data []struct {
//			Service     string `json:"service,omitempty"`
//			Path        string `json:"path"`
//			BeforeFiles int64  `json:"before_files"`
//			AfterFiles  int64  `json:"after_files"`
//			BeforeBytes int64  `json:"before_bytes"`
//			AfterBytes  int64  `json:"after_bytes"`
//			Changed     bool   `json:"changed,omitempty"`
//			Gone        bool   `json:"gone,omitempty"`
//			Unit        string `json:"unit,omitempty"`
//		} `json:"data,omitempty"`
//	}
func (e *fpEncoder) observation(o *Observation) {
	e.byte('{')
	if len(o.Data) > 0 {
		e.raw(`"data":[`)
		for i := range o.Data {
			d := &o.Data[i]
			if i > 0 {
				e.byte(',')
			}
			e.byte('{')
			if d.Service != "" {
				e.raw(`"service":`)
				e.str(d.Service)
				e.byte(',')
			}
			e.raw(`"path":`)
			e.str(d.Path)
			e.raw(`,"before_files":`)
			e.buf = strconv.AppendInt(e.buf, d.BeforeFiles, 10)
			e.raw(`,"after_files":`)
			e.buf = strconv.AppendInt(e.buf, d.AfterFiles, 10)
			e.raw(`,"before_bytes":`)
			e.buf = strconv.AppendInt(e.buf, d.BeforeBytes, 10)
			e.raw(`,"after_bytes":`)
			e.buf = strconv.AppendInt(e.buf, d.AfterBytes, 10)
			if d.BeforeHash != d.AfterHash {
				e.raw(`,"changed":true`)
			}
			if d.Gone {
				e.raw(`,"gone":true`)
			}
			if d.Unit != "" {
				e.raw(`,"unit":`)
				e.str(d.Unit)
			}
			e.byte('}')
		}
		e.byte(']')
	}
	e.byte('}')
}

func (e *fpEncoder) attrChanges(cs []AttrChange) {
	e.byte('[')
	for i := range cs {
		c := &cs[i]
		if i > 0 {
			e.byte(',')
		}
		e.raw(`{"path":`)
		e.str(c.Path)
		if c.Before != nil {
			e.raw(`,"before":`)
			e.value(c.Before)
		}
		if c.After != nil {
			e.raw(`,"after":`)
			e.value(c.After)
		}
		if c.Unknown {
			e.raw(`,"unknown":true`)
		}
		if c.Sensitive {
			e.raw(`,"sensitive":true`)
		}
		if c.ByName {
			e.raw(`,"by_name":true`)
		}
		e.byte('}')
	}
	e.byte(']')
}

func (e *fpEncoder) output(o *OutputChange) {
	e.raw(`{"name":`)
	e.str(o.Name)
	e.raw(`,"action":`)
	e.str(string(o.Action))
	if o.Before != nil {
		e.raw(`,"before":`)
		e.value(o.Before)
	}
	if o.After != nil {
		e.raw(`,"after":`)
		e.value(o.After)
	}
	if o.Unknown {
		e.raw(`,"unknown":true`)
	}
	if o.Sensitive {
		e.raw(`,"sensitive":true`)
	}
	if o.ByName {
		e.raw(`,"by_name":true`)
	}
	if o.Digest != "" {
		e.raw(`,"digest":`)
		e.str(o.Digest)
	}
	e.byte('}')
}

// value writes a decoded JSON value. The types JSON decoding gives are
// written here; anything else (float64, json.RawMessage, other types a
// caller put in) goes through encoding/json, whose Marshal writes what its
// Encoder writes inside a document.
func (e *fpEncoder) value(v any) {
	switch t := v.(type) {
	case nil:
		e.raw("null")
	case string:
		e.str(t)
	case bool:
		if t {
			e.raw("true")
		} else {
			e.raw("false")
		}
	case json.Number:
		if t == "" {
			e.raw("0")
		} else if validNumber(string(t)) {
			e.raw(string(t))
		} else {
			e.marshal(t)
		}
	case map[string]any:
		if t == nil {
			e.raw("null")
			return
		}
		e.valueMap(t)
	case []any:
		if t == nil {
			e.raw("null")
			return
		}
		e.byte('[')
		for i, x := range t {
			if i > 0 {
				e.byte(',')
			}
			e.value(x)
		}
		e.byte(']')
	default:
		e.marshal(v)
	}
}

// validNumber reports whether s is a JSON number, which encoding/json
// writes as it is: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(s string) bool {
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	digits := func() int {
		n := 0
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		s = s[n:]
		return n
	}
	switch {
	case s == "":
		return false
	case s[0] == '0':
		s = s[1:]
	case digits() == 0:
		return false
	}
	if s != "" && s[0] == '.' {
		s = s[1:]
		if digits() == 0 {
			return false
		}
	}
	if s != "" && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s != "" && (s[0] == '+' || s[0] == '-') {
			s = s[1:]
		}
		if digits() == 0 {
			return false
		}
	}
	return s == ""
}

func (e *fpEncoder) marshal(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Encoding a Set cannot fail: it holds only JSON-decoded values.
		panic("change: fingerprint: " + err.Error())
	}
	e.buf = append(e.buf, b...)
}

func (e *fpEncoder) valueMap(m map[string]any) {
	start := sortKeys(e, m)
	e.byte('{')
	for i := start; i < len(e.keys); i++ {
		if i > start {
			e.byte(',')
		}
		k := e.keys[i]
		e.str(k)
		e.byte(':')
		e.value(m[k]) // may use e.keys beyond len: they are restored below
	}
	e.byte('}')
	clear(e.keys[start:])
	e.keys = e.keys[:start]
}

func (e *fpEncoder) stringMap(m map[string]string) {
	start := sortKeys(e, m)
	e.byte('{')
	for i, k := range e.keys[start:] {
		if i > 0 {
			e.byte(',')
		}
		e.str(k)
		e.byte(':')
		e.str(m[k])
	}
	e.byte('}')
	clear(e.keys[start:])
	e.keys = e.keys[:start]
}

// sortKeys appends m's keys, sorted, to e.keys and returns where they
// start. encoding/json sorts map keys the same way.
func sortKeys[V any](e *fpEncoder, m map[string]V) int {
	start := len(e.keys)
	for k := range m {
		e.keys = append(e.keys, k)
	}
	slices.Sort(e.keys[start:])
	return start
}

// htmlSafe marks the ASCII bytes encoding/json writes as they are, with
// HTML escaping on.
var htmlSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	t['"'], t['\\'], t['<'], t['>'], t['&'] = false, false, false, false, false
	return
}()

const hexDigits = "0123456789abcdef"

// le64 is the eight bytes of s from i as a little-endian word (the
// compiler makes it one load).
func le64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// escapeMask is non-zero when any byte of x is one appendJSONString must
// look at: a control byte, '"', '\\', '<', '>', '&', or a byte of a
// multi-byte character. A zero byte of x^c is found with the usual
// (v-ones)&^v&highs; a false positive only costs the byte loop, and there
// is none: any set bit means at least one byte matched.
func escapeMask(x uint64) uint64 {
	has := func(c uint64) uint64 { v := x ^ (ones * c); return (v - ones) &^ v }
	return (has('"') | has('\\') | has('<') | has('>') | has('&') | (x - ones*0x20) | x) & highs
}

// appendJSONString is encoding/json's appendString with escapeHTML set.
func appendJSONString(dst []byte, src string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(src); {
		// Eight bytes at a time while none needs a look: nearly every
		// string in a plan is plain ASCII, and this loop is most of the
		// fingerprint's time otherwise.
		for i+8 <= len(src) && escapeMask(le64(src, i)) == 0 {
			i += 8
		}
		if i >= len(src) {
			break
		}
		if b := src[i]; b < utf8.RuneSelf {
			if htmlSafe[b] {
				i++
				continue
			}
			dst = append(dst, src[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(src[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, src[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, src[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, src[start:]...)
	dst = append(dst, '"')
	return dst
}
