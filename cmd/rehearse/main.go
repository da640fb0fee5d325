// Command rehearse rehearses an infrastructure change before it reaches
// production and says whether it may go: pass, warn or block.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/rehearse-dev/rehearse/report"
)

// memoryLimit is the soft heap limit rehearse runs under unless GOMEMLIMIT
// says otherwise. On a 100k-resource plan the live model is ~90 MiB, and
// GOGC=100 lets the heap reach twice that before collecting (peak RSS
// 175-215 MiB in bench/run.sh); with the limit the collector runs earlier
// as the heap nears it (peak ~175 MiB, no measurable change in wall time).
// It is soft: a larger plan still reads, with the collector working harder.
const memoryLimit = 180 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	// Ctrl-C and SIGTERM cancel the context, so every planner and sandbox
	// cleans up before the process exits.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// printError writes err as rehearse's one line on stderr, with Go's
// context errors in words (userError). Errors quote addresses, keys and
// file names from the plan, so what a terminal would act on or hide
// (escape sequences, bidi overrides, zero-width characters) is spelled
// out, as in the text report.
func printError(w io.Writer, err error) {
	fmt.Fprintf(w, "rehearse: %s\n", report.TermSafe(oneLine(userError(err).Error())))
}
