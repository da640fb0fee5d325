package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestPolicyFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want *policyCheckOptions // nil: a flag or argument error
	}{
		{[]string{"check"}, &policyCheckOptions{}},
		{[]string{"check", "rehearse.yaml"}, &policyCheckOptions{File: "rehearse.yaml", Named: true}},
		{[]string{"check", "-"}, &policyCheckOptions{File: "-", Named: true}},
		{[]string{"check", ""}, &policyCheckOptions{Named: true}}, // a name that is empty is no name: an error, not discovery
		{[]string{"check", "a.yaml", "b.yaml"}, nil},
		{[]string{"check", "--fix", "a.yaml"}, nil},
		{[]string{"init", "out.yaml"}, nil},
	}
	for _, tt := range tests {
		f, _ := testFactory()
		var got *policyCheckOptions
		ran := tt.want != nil
		policy := &cobra.Command{Use: "policy"}
		policy.AddCommand(newCmdPolicyCheck(f, func(_ context.Context, o *policyCheckOptions) error { got = o; return nil }),
			newCmdPolicyInit(f, func(context.Context, *policyInitOptions) error { t.Errorf("%v: init ran", tt.args); return nil }))
		parse(t, policy, tt.args, &ran)
		if tt.want == nil {
			continue
		}
		if got.Factory != f {
			t.Errorf("%v: the run does not read the world through the factory", tt.args)
		}
		got.Factory = nil
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v:\n got %+v\nwant %+v", tt.args, got, tt.want)
		}
	}
}

// TestPolicyExitCodes: policy check is 0 with "FILE: ok", 2 with one line
// per problem; the policy found without a FILE is the one the Factory's
// $REHEARSE_POLICY names, with nothing set on the process.
func TestPolicyExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	typo := filepath.Join(dir, "typo.yaml")
	must(t, os.WriteFile(good, []byte(validPolicy), 0o644))
	must(t, os.WriteFile(typo, []byte("apiVersion: rehearse/v1\nkind: Policy\nenvironments:\n  protectd: [prod]\nthreshold: {}\n"), 0o644))
	tests := []struct {
		name  string
		o     policyCheckOptions
		env   map[string]string
		stdin string
		code  int
		out   string
		lines int // lines on stderr, "checking" aside
	}{
		{name: "file", o: policyCheckOptions{File: good, Named: true}, code: 0, out: good + ": ok\n"},
		{name: "stdin from the factory", o: policyCheckOptions{File: "-", Named: true}, stdin: validPolicy, code: 0, out: "<stdin>: ok\n"},
		{name: "REHEARSE_POLICY from the factory", env: map[string]string{"REHEARSE_POLICY": good}, code: 0, out: good + ": ok\n"},
		{name: "REHEARSE_POLICY missing", env: map[string]string{"REHEARSE_POLICY": filepath.Join(dir, "nope.yaml")}, code: 2},
		{name: "every problem, a line each", o: policyCheckOptions{File: typo, Named: true}, code: 2, lines: 2},
		{name: "empty stdin", o: policyCheckOptions{File: "-", Named: true}, code: 2, lines: 1},
		{name: "an empty name", o: policyCheckOptions{Named: true}, code: 2},
		{name: "missing", o: policyCheckOptions{File: filepath.Join(dir, "nope.yaml"), Named: true}, code: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, _ := testFactory()
			var out, errw strings.Builder
			f.in, f.out, f.err = strings.NewReader(tt.stdin), &out, &errw
			f.Getenv = func(k string) string { return tt.env[k] }
			o := tt.o
			o.Factory = f
			err := policyCheckRun(context.Background(), &o)
			if got := exitCode(err); got != tt.code {
				t.Fatalf("exit %d (%v), want %d\n%s%s", got, err, tt.code, out.String(), errw.String())
			}
			if out.String() != tt.out {
				t.Errorf("stdout %q, want %q", out.String(), tt.out)
			}
			lines := 0
			for _, l := range strings.Split(strings.TrimSpace(errw.String()), "\n") {
				if l != "" && !strings.HasPrefix(l, "checking ") {
					lines++
				}
			}
			if lines != tt.lines {
				t.Errorf("%d lines on stderr, want %d:\n%s", lines, tt.lines, errw.String())
			}
			if tt.code == exitCannot && tt.lines == 0 {
				if e := fmt.Sprint(err); !strings.HasPrefix(e, "policy: ") || strings.Contains(e, "\n") {
					t.Errorf("error %q: want one line naming the policy", e)
				}
			}
		})
	}
	f, out := testFactory()
	if err := policyInitRun(context.Background(), &policyInitOptions{Factory: f}); err != nil || !strings.Contains(out.String(), "kind: Policy") {
		t.Errorf("policy init: %v\n%s", err, out)
	}
}

func TestVersionFlags(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		ok   bool
	}{{[]string{}, true}, {[]string{"extra"}, false}, {[]string{"--short"}, false}} {
		f, _ := testFactory()
		ran := tt.ok
		parse(t, newCmdVersion(f, func(context.Context, *versionOptions) error { return nil }), tt.args, &ran)
	}
	f, out := testFactory()
	if err := versionRun(context.Background(), &versionOptions{Factory: f}); err != nil || out.String() != versionText() {
		t.Errorf("version: %v, %q; want %q", err, out, versionText())
	}
}
