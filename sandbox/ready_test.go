package sandbox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rehearse-dev/rehearse/internal/testimage"
	"github.com/rehearse-dev/rehearse/sandbox"
)

// TestReadiness: each readiness condition holds only once the service
// really is ready (a probe run right after Up sees it), a service that
// exits fails at once with what it printed, and one that never gets ready
// fails at its deadline naming the condition.
func TestReadiness(t *testing.T) {
	testimage.Require(t)
	tests := []struct {
		name, service string
		// probe, run right after Up, must print ok.
		probe   string
		wantErr string
		maxUp   time.Duration
	}{
		{
			name:    "log",
			service: `{command: "sleep 1; touch /ok; echo listening; exec sleep 600", ready: {log: listening, timeout: 10s}}`,
			probe:   "test -f /ok && echo ok",
		},
		{
			// httpd starts 1s late: the published port's proxy accepts
			// before it, so the check must look inside too.
			name:    "port",
			service: `{command: "mkdir /www; echo ok > /www/i; sleep 1; exec httpd -f -p 8080 -h /www", ready: {port: 8080, timeout: 10s}}`,
			probe:   "wget -q -O - http://127.0.0.1:8080/i",
		},
		{
			name:    "command",
			service: `{command: "sleep 1; touch /ok; exec sleep 600", ready: {command: [test, -f, /ok], timeout: 10s}}`,
			probe:   "test -f /ok && echo ok",
		},
		{
			name:    "exits",
			service: `{command: "echo boom-before-exit; exit 3", ready: {log: never, timeout: 20s}}`,
			wantErr: "the container stopped (exit 3): boom-before-exit",
			maxUp:   10 * time.Second,
		},
		{
			name:    "deadline",
			service: `{command: [sleep, "600"], ready: {log: never, timeout: 1s}}`,
			wantErr: `not ready after 1s: log "never"`,
			maxUp:   10 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := parse(t, "apiVersion: rehearse/v1\nkind: Environment\nname: ready\nservices:\n  app: {image: "+testimage.Busybox+", "+tt.service[1:]+"\n")
			ctx := context.Background()
			id := testimage.RunID()
			start := time.Now()
			s, err := sandbox.Up(ctx, env, id)
			if tt.wantErr != "" {
				if err == nil {
					s.Down(ctx)
					t.Fatal("Up succeeded")
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Up = %v, want %q", err, tt.wantErr)
				}
				if d := time.Since(start); d > tt.maxUp {
					t.Errorf("Up took %s, want under %s", d, tt.maxUp)
				}
				if left, _ := sandbox.Leftovers(ctx, id); len(left) > 0 {
					t.Errorf("after a failed Up: %v", left)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := s.Down(ctx); err != nil {
					t.Error(err)
				}
			}()
			code, out, err := s.Exec(ctx, "app", []string{"/bin/sh", "-c", tt.probe})
			if err != nil || code != 0 || strings.TrimSpace(out) != "ok" {
				t.Errorf("right after Up: %q exit %d %v, want ok", out, code, err)
			}
		})
	}
}
