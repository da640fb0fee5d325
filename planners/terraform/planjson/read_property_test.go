package planjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rehearse-dev/rehearse/bench/genplan/plangen"
)

// Properties every read must have, whatever the input: no panic; an error
// is a one-line *ReadError; the same bytes give the same Set; and a plan
// rehearse reads is valid JSON, whose re-encoding by encoding/json (keys
// sorted, other escapes, no whitespace) is the same change with the same
// fingerprint.
func readInvariants(t testing.TB, name string, data []byte) {
	t.Helper()
	set, err := Read(context.Background(), bytes.NewReader(data), File(name))
	if err != nil {
		var re *ReadError
		if !errors.As(err, &re) {
			t.Fatalf("%s: error %T is not a *ReadError: %v", name, err, err)
		}
		if strings.ContainsAny(err.Error(), "\n\r") {
			t.Fatalf("%s: error is not one line: %q", name, err)
		}
		return
	}
	again, err := Read(context.Background(), bytes.NewReader(data), File(name))
	if err != nil {
		t.Fatalf("%s: second read: %v", name, err)
	}
	a, _ := json.Marshal(set)
	b, _ := json.Marshal(again)
	if !bytes.Equal(a, b) {
		t.Fatalf("%s: two reads of the same bytes differ", name)
	}
	body := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(body) > 1 && (body[0] == 0xff || body[0] == 0xfe) {
		return // UTF-16: encoding/json does not read it
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%s: rehearse read a document encoding/json refuses: %v", name, err)
	}
	sorted, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	first, err := Read(context.Background(), bytes.NewReader(sorted), File(name))
	if err != nil {
		t.Fatalf("%s: the re-encoded document is refused: %v", name, err)
	}
	other, err := Read(context.Background(), bytes.NewReader(encodeReversed(doc)), File(name))
	if err != nil {
		t.Fatalf("%s: the document with its keys reversed is refused: %v", name, err)
	}
	if got, want := other.Fingerprint(), first.Fingerprint(); got != want {
		t.Fatalf("%s: the order of keys changed the fingerprint\n%s\n%s", name, sorted, encodeReversed(doc))
	}
}

// encodeReversed writes v as encoding/json does, but with every object's
// keys in reverse order and spaces between tokens.
func encodeReversed(v any) []byte {
	var b bytes.Buffer
	var enc func(v any)
	enc = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			slices.Reverse(keys)
			b.WriteString("{ ")
			for i, k := range keys {
				if i > 0 {
					b.WriteString(" , ")
				}
				kb, _ := json.Marshal(k)
				b.Write(kb)
				b.WriteString(" : ")
				enc(t[k])
			}
			b.WriteString(" }")
		case []any:
			b.WriteString("[ ")
			for i, e := range t {
				if i > 0 {
					b.WriteString(" , ")
				}
				enc(e)
			}
			b.WriteString(" ]")
		default:
			x, _ := json.Marshal(t)
			b.Write(x)
		}
	}
	enc(v)
	return b.Bytes()
}

// sameWithoutFastPaths checks that each resource change of a plan converts
// to the same Resource with the interner, which turns on the fast paths
// (rawLabels, the attribute picker), as without it, through the general
// decoding.
func sameWithoutFastPaths(t *testing.T, name string, plan []byte) {
	t.Helper()
	readInvariants(t, name, plan)
	var doc struct {
		ResourceChanges []json.RawMessage `json:"resource_changes"`
	}
	if err := json.Unmarshal(plan, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for i, raw := range doc.ResourceChanges {
		var fast, slow converter
		a, _, errA := fast.resource(raw, newInterner(), 2, "resource_changes")
		b, _, errB := slow.resource(raw, nil, 2, "resource_changes")
		if (errA == nil) != (errB == nil) || errA != nil && errA.Error() != errB.Error() {
			t.Fatalf("%s[%d]: errors differ: %v / %v", name, i, errA, errB)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Fatalf("%s[%d]: fast path gives\n%s\ngeneral path gives\n%s", name, i, ja, jb)
		}
	}
}

func TestReadInvariants(t *testing.T) {
	var files []string
	for _, g := range []string{corpusPattern(), "testdata/read/*.json", "testdata/edge/*.json", "../../../examples/plans/*.json"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(f), func(t *testing.T) { readInvariants(t, f, data) })
	}
	for _, seed := range []int64{1, 2, 3} {
		readInvariants(t, fmt.Sprintf("generated-%d", seed), genPlan(t, 600, seed))
	}
	for i, s := range tricky {
		readInvariants(t, fmt.Sprintf("tricky-%d", i), []byte(s))
	}
}

func FuzzRead(f *testing.F) {
	for _, s := range tricky {
		f.Add([]byte(s))
	}
	f.Add(genPlan(f, 3, 1))
	f.Fuzz(func(t *testing.T, data []byte) { readInvariants(t, "fuzz", data) })
}

func genPlan(t testing.TB, n int, seed int64) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := plangen.Write(&b, plangen.Options{N: n, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// tricky are inputs at the edges of the format: escapes, odd types,
// repeated keys, key case, nulls.
var tricky = []string{
	``, ` `, `{}`, `[]`, `"x"`, `1`, `null`, `{"format_version":"1.2"}`, `{"format_version":"1.2","planned_values":{}} x`,
	`{"format_version":"1.2","planned_values":{}} {}`, `{"format_version":"1.2","planned_values":{}} 1`,
	`{"format_version":"1.2","planned_values":{}} "x`, `{"format_version":"1.2","resource_changes":null}`,
	`{"format_version":"1.2","resource_changes":{}}`, `{"format_version":"1.2","resource_changes":"x"}`,
	`{"format_version":"1.2","resource_changes":[null]}`, `{"format_version":"1.2","resource_changes":[1]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":null}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["delete"]}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["explode"]}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":[]}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":1,"type":"a","change":{"actions":["delete"]}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":"delete"}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["delete"],"replace_paths":{}}}]}`,
	`{"format_version":"1.2","resource_changes":[{"ADDRESS":"a.b","Type":"a","change":{"Actions":["delete"],"before":{"tags":{"env":"prod"},"x":1,"x":{}}}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","index":"\u003ck\u003e","change":{"actions":["delete"],"before":{"t\u0061gs":{"env":"pr\u00f6d"},"s":"\ud800","n":1.50e3}}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["no-op"],"before":{"tags":{"env":"a"}},"after":{"tags":{"env":"b","k":"v"},"tags_all":{"env":"c"}},"after_sensitive":{"tags":{"k":true}}}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["create"],"after":{"metadata":[{"labels":{"env":"prod"},"namespace":"ns"}]},"after_sensitive":{"metadata":[{"labels":true}]}}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["delete","create"],"before":{"a":1,"m":{"x":[1,2]},"p":"s"},"after":{"a":2,"m":{"x":[1,3]},"p":null},"after_unknown":{"p":true},"before_sensitive":{"p":true},"replace_paths":[["a"],["m","x",0],["p"]]}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["delete","create"],"replace_paths":[1]}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["update"],"importing":{"id":"x"},"before":{"a":{"b":1}},"after":{"a":{"b":1.0}}}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["update"],"importing":{"id":1}}}]}`,
	`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":["update"],"generated_config":1}}]}`,
	`{"format_version":"1.2","resource_changes":[],"prior_state":null}`,
	`{"format_version":"1.2","resource_changes":[],"prior_state":{"values":null}}`,
	`{"format_version":"1.2","resource_changes":[],"prior_state":{"values":{"root_module":{"resources":[{"mode":"managed"},{"mode":"data"},null],"child_modules":[{"resources":[{"mode":"managed"}]},null]}}}}`,
	`{"format_version":"1.2","resource_changes":[],"prior_state":{"values":{"root_module":{"resources":[{"mode":"managed"}],"resources":[]}}}}`,
	`{"format_version":"1.2","resource_changes":[],"prior_state":{"values":{"root_module":{"resources":[{"mode":1}]}}}}`,
	`{"format_version":"1.2","resource_changes":[],"prior_state":{"values":{"root_module":{"resources":{}}}}}`,
	`{"format_version":"1.2","resource_changes":[],"prior_state":{"values":{"root_module":{"resources":[{"mode":1}]}}},"planned_values":{`,
	`{"format_version":"1.2","resource_changes":[],"prior_state":"x"}`,
	`{"format_version":"1.2","resource_changes":[],"configuration":{"root_module":{"resources":[{"address":"a.b","expressions":{"x":{"references":["c.d.id","var.x"]},"y":[{"references":["data.e.f[0].x"]}]}},{"address":"c.d"}],"module_calls":{"m":{"module":{"resources":[{"address":"a.b","expressions":{"x":{"references":["c.d"]}}}]}},"n":null}}}}`,
	`{"format_version":"1.2","resource_changes":[],"configuration":{"root_module":{"resources":[{"address":"a.b","expressions":{"x":{"references":["c.d"]}}}],"resources":null}}}`,
	`{"format_version":"1.2","resource_changes":[],"configuration":{"root_module":{"resources":[{"address":2}]}}}`,
	`{"format_version":"1.2","resource_changes":[],"configuration":[]}`,
	`{"format_version":"1.2","resource_changes":[],"output_changes":{"a":{"actions":["update"],"before":1,"after":2},"b":null,"c":{"actions":["create"],"after_unknown":true}}}`,
	`{"format_version":"1.2","resource_changes":[],"output_changes":{"a":{"actions":"update"}}}`,
	`{"format_version":"1.2","resource_changes":[],"output_changes":{"a":{"actions":["boom"]}}}`,
	`{"format_version":1.2,"resource_changes":[]}`, `{"format_version":"2.0","resource_changes":[]}`,
	`{"format_version":"1.2","resource_changes":[],"errored":true}`, `{"format_version":"1.2","resource_changes":[],"errored":"yes"}`,
	`{"format_version":"1.2","resource_changes":[],"errored":null,"terraform_version":null}`,
	`{"format_version":"1.2","resource_changes":[],}`, `{"format_version":"1.2" "resource_changes":[]}`,
	`{"format_version":"1.2","resource_changes":[{} {}]}`, `{"format_version":"1.2","resource_changes":[01]}`,
	`{"format_version":"1.2","resource_changes":[1.]}`, `{"format_version":"1.2","resource_changes":[-]}`,
	`{"format_version":"1.2","resource_changes":[tru]}`, `{"format_version":"1.2","resource_changes":["\x"]}`,
	`{"format_version":"1.2","resource_changes":["` + "\x01" + `"]}`, `{"format_version":"1.2","resource_changes":["\u12G4"]}`,
	"\ufeff{}", `{"format_version":"1.2","planned_values":{"a":[1,2,{"b":null}]}}`,
}

func refBenchPlans(b *testing.B) map[string][]byte {
	plans := map[string][]byte{"1k": genPlan(b, 1000, 1), "10k": genPlan(b, 10000, 1)}
	if f := os.Getenv("REHEARSE_BENCH_PLAN"); f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		plans["file"] = data
	}
	return plans
}

// BenchmarkSyntaxScanner is the reader's syntax pass on its own scanner:
// check the syntax of the whole plan as a stream, take each resource
// change's bytes (capture, checked), and skip every other value (checked).
// Its counterpart on jsontext is BenchmarkSyntaxJSONText in bench/decoders.
func BenchmarkSyntaxScanner(b *testing.B) {
	data := refBenchPlans(b)["file"]
	if data == nil {
		b.Skip("set REHEARSE_BENCH_PLAN")
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		d := &reader{s: newScanner(context.Background(), bytes.NewReader(data))}
		n, size := 0, 0
		_, err := d.object("", func(k string) error {
			if k != "resource_changes" {
				return d.s.value()
			}
			_, err := d.array("", func() error {
				raw, err := d.s.capture()
				n++
				size += len(raw)
				return err
			})
			return err
		})
		if err != nil || n == 0 || size == 0 {
			b.Fatal(err, n)
		}
	}
}

// BenchmarkScanCountDeletes is the decoder comparison's task (bench/decoders)
// on rehearse's own scanner: check all the syntax, decode address and
// actions per change, skip the rest.
func BenchmarkScanCountDeletes(b *testing.B) {
	data := refBenchPlans(b)["file"]
	if data == nil {
		b.Skip("set REHEARSE_BENCH_PLAN")
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d := &reader{s: newScanner(context.Background(), bytes.NewReader(data))}
		deletes := 0
		_, err := d.object("", func(k string) error {
			if k != "resource_changes" {
				return d.s.value()
			}
			_, err := d.array("", func() error {
				raw, err := d.s.capture()
				if err != nil {
					return err
				}
				p := &vparser{b: raw, i: 1}
				var addr string
				for first := true; p.next('}', first); first = false {
					switch decodeString(p.key()) {
					case "address":
						addr = decodeString(p.strRaw())
					case "change":
						p.i++
						for first := true; p.next('}', first); first = false {
							if decodeString(p.key()) != "actions" {
								p.skip()
								continue
							}
							p.i++
							for first := true; p.next(']', first); first = false {
								if decodeString(p.strRaw()) == "delete" {
									deletes++
								}
							}
						}
					default:
						p.skip()
					}
				}
				_ = addr
				return nil
			})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// reportCPU reports the process's CPU time (user and system) per
// operation: on a machine shared with other work, wall time says more
// about the others than about the code.
func reportCPU(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	return func() { b.ReportMetric(float64(cpu()-start)/float64(b.N)/1e9, "cpu-s/op") }
}
