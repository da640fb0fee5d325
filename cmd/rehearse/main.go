// Command rehearse rehearses an infrastructure change before it reaches
// production and says whether it may go: pass, warn or block.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// Ctrl-C and SIGTERM cancel the context, so every planner and sandbox
	// cleans up before the process exits.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
