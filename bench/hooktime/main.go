// Command hooktime times whole rehearse processes the way an agent starts
// them: each run execs the binary with the arguments given and an event
// file on standard input, and the wall time (fork to exit) and the CPU
// time the kernel accounted (user + system) are taken from that one
// process. No shell stands in between, so nothing has to be subtracted.
//
//	go run ./bench/hooktime -n 30 -event ls.json -- bin/rehearse hook claude
//
// It prints the median wall time, its 10th percentile and minimum, and the
// median CPU time, in milliseconds, as one line of key=value pairs.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"time"
)

func main() {
	n := flag.Int("n", 30, "timed runs (after 3 warm-up runs)")
	event := flag.String("event", "", "file given to each run on standard input")
	flag.Parse()
	if flag.NArg() == 0 || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: hooktime [-n RUNS] [-event FILE] -- PROGRAM [ARGS…]")
		os.Exit(2)
	}
	var walls, cpus []float64
	for i := range *n + 3 {
		wall, cpu, err := once(*event, flag.Args())
		if err != nil {
			fmt.Fprintln(os.Stderr, "hooktime:", err)
			os.Exit(2)
		}
		if i >= 3 {
			walls, cpus = append(walls, wall), append(cpus, cpu)
		}
	}
	sort.Float64s(walls)
	sort.Float64s(cpus)
	fmt.Printf("median=%.1f p10=%.1f min=%.1f cpu=%.1f runs=%d\n", median(walls), walls[len(walls)/10], walls[0], median(cpus), len(walls))
}

// once runs the program and returns its wall and CPU time in ms. A
// non-zero exit is not an error: a deny may exit 2.
func once(event string, argv []string) (wall, cpu float64, err error) {
	c := exec.Command(argv[0], argv[1:]...)
	if event != "" {
		f, err := os.Open(event)
		if err != nil {
			return 0, 0, err
		}
		defer f.Close()
		c.Stdin = f
	}
	start := time.Now()
	err = c.Run()
	took := time.Since(start)
	if _, exit := err.(*exec.ExitError); err != nil && !exit {
		return 0, 0, err
	}
	ps := c.ProcessState
	return ms(took), ms(ps.UserTime() + ps.SystemTime()), nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(xs []float64) float64 {
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}
