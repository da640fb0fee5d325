// Command genplan writes a format-faithful Terraform plan JSON (format 1.2,
// terraform 1.5.7) of N resource changes, for benchmarks: a realistic mix of
// no-op, update, create, replace in both orders, delete and read, module
// addresses, prior_state, planned_values and a configuration with
// references. 100,000 resources make about 270 MB. -shape mixed writes the
// second shape: three providers, 18-60 attributes of every JSON type, and
// updates that change every attribute.
//
//	go run ./bench/genplan -n 100000 -o bench/out/plan-100000.json
//	go run ./bench/genplan -shape mixed -n 100000 -o bench/out/plan-mixed-100000.json
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/rehearse-dev/rehearse/bench/genplan/plangen"
)

func main() {
	n := flag.Int("n", 10000, "number of resource changes")
	out := flag.String("o", "-", "output file, - for stdout")
	seed := flag.Int64("seed", 1, "random seed")
	shape := flag.String("shape", plangen.ShapeAWS, "plan shape: aws (updates change a tag) or mixed (18-60 attributes of every type, updates change them all)")
	flag.Parse()
	var w io.Writer = os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "genplan:", err)
			os.Exit(1)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := plangen.Write(bw, plangen.Options{N: *n, Seed: *seed, Shape: *shape}); err != nil {
		fmt.Fprintln(os.Stderr, "genplan:", err)
		os.Exit(1)
	}
	if err := bw.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "genplan:", err)
		os.Exit(1)
	}
}
