package terraform

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestDiagnostics(t *testing.T) {
	tests := []struct {
		name, stderr string
		want         []string
	}{
		{
			name: "error after a warning",
			stderr: `There are some problems with the CLI configuration:
╷
│ Warning: Unable to open CLI configuration file
│
│ The CLI configuration file at "/root/.terraformrc" does not exist.
╵

╷
│ Error: No value for required variable
│
│   on main.tf line 1:
│    1: variable "region" {
│
│ The root module input variable "region" is not set.
╵
`,
			want: []string{
				"Error: No value for required variable",
				"on main.tf line 1:",
				`1: variable "region" {`,
				`The root module input variable "region" is not set.`,
			},
		},
		{
			name:   "no diagnostics: last lines",
			stderr: "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/x.go:1\n",
			want:   []string{"goroutine 1 [running]:", "main.main()", "/x.go:1"},
		},
		{
			name:   "long error is cut",
			stderr: "Error: x\n" + strings.Repeat("detail\n", 20),
			want:   append([]string{"Error: x"}, strings.Split(strings.Repeat("detail ", maxDiagnosticLines-1), " ")[:maxDiagnosticLines-1]...),
		},
		{name: "empty", stderr: "", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := diagnostics(tt.stderr)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestCommandError(t *testing.T) {
	base := errors.New("exit status 1\nthe whole stderr")
	tests := []struct {
		err  *CommandError
		want string
	}{
		{&CommandError{Tool: "tofu", Command: "init", Diagnostics: []string{"Error: a", "b"}, Err: base}, "tofu init failed: Error: a\n  b"},
		{&CommandError{Tool: "terraform", Command: "plan", Err: base}, "terraform plan failed: exit status 1"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.err, base) {
			t.Error("does not unwrap to the exit error")
		}
	}
}

func TestPrefixWriter(t *testing.T) {
	var out bytes.Buffer
	p := &prefixWriter{w: &out, prefix: "terraform: "}
	for _, chunk := range []string{"Initializing", " the backend...\n\nPlan: 1 to add.  \nlast"} {
		if _, err := p.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "terraform: Initializing the backend...\nterraform:\nterraform: Plan: 1 to add.\nterraform: last\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

func TestCommandEnv(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		want    []string
	}{
		{"plain", []string{"PATH=/bin", "HOME=/h"}, []string{"PATH=/bin", "HOME=/h", "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1"}},
		{"workspace and logging removed", []string{"TF_WORKSPACE=prod", "TF_LOG=trace", "TF_LOG_PATH=/x", "TF_LOG_CORE=1", "TF_LOG_PROVIDER=1", "TF_VAR_a=b"},
			[]string{"TF_VAR_a=b", "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1"}},
		{"the user's checkpoint choice kept", []string{"CHECKPOINT_DISABLE=", "TF_IN_AUTOMATION=0"}, []string{"CHECKPOINT_DISABLE=", "TF_IN_AUTOMATION=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := commandEnv(tt.environ); strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPrefixWriterHeld(t *testing.T) {
	var out bytes.Buffer
	p := &prefixWriter{w: &out, held: true}
	p.Write([]byte("Initializing...\npart"))
	if out.Len() != 0 {
		t.Fatalf("wrote %q while held", out.String())
	}
	if err := p.start("tofu: "); err != nil {
		t.Fatal(err)
	}
	p.Write([]byte("ial\n"))
	if want := "tofu: Initializing...\ntofu: partial\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}
