package decoders

import (
	"bytes"
	"syscall"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// BenchmarkSyntaxJSONText is the reader's syntax pass on
// github.com/go-json-experiment/json/jsontext (the upstream of
// encoding/json/v2, no GOEXPERIMENT): check the syntax of the whole plan
// as a stream, take each resource change's bytes (ReadValue, checked), and
// skip every other value (SkipValue, checked). Its counterpart on
// rehearse's scanner is BenchmarkSyntaxScanner in planners/terraform/planjson.
func BenchmarkSyntaxJSONText(b *testing.B) {
	data := plan(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		dec := jsontext.NewDecoder(bytes.NewReader(data),
			jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
		if _, err := dec.ReadToken(); err != nil {
			b.Fatal(err)
		}
		n, size := 0, 0
		for dec.PeekKind() != '}' {
			k, err := dec.ReadToken()
			if err != nil {
				b.Fatal(err)
			}
			if k.String() != "resource_changes" {
				if err := dec.SkipValue(); err != nil {
					b.Fatal(err)
				}
				continue
			}
			if _, err := dec.ReadToken(); err != nil {
				b.Fatal(err)
			}
			for dec.PeekKind() != ']' {
				v, err := dec.ReadValue()
				if err != nil {
					b.Fatal(err)
				}
				n++
				size += len(v)
			}
			if _, err := dec.ReadToken(); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			b.Fatal(err)
		}
		if n == 0 || size == 0 {
			b.Fatal("no resource changes")
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
