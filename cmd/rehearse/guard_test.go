package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGuardRefusesDestructiveApply(t *testing.T) {
	dir := hookFixture(t, dropTheDozen)
	t.Chdir(dir)
	before, err := os.ReadFile("terraform.tfstate")
	if err != nil {
		t.Fatal(err)
	}
	code, out, errw := runCLI(t, "", "guard", "--", "terraform", "apply", "-auto-approve")
	if code != exitBlock {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitBlock, out, errw)
	}
	after, err := os.ReadFile("terraform.tfstate")
	if err != nil || !bytes.Equal(before, after) {
		t.Fatalf("the state changed (%v)", err)
	}
	for _, want := range []string{"BLOCK", "terraform_data.db12", "denied by rehearse", "Nothing was applied"} {
		if !strings.Contains(errw, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errw)
		}
	}
	// terraform's own plan output is the user's, on stdout.
	if !strings.Contains(out, "12 to destroy") {
		t.Errorf("stdout:\n%s", out)
	}
}

func TestGuardAppliesBenignApply(t *testing.T) {
	dir := hookFixture(t, addToTheDozen())
	t.Chdir(dir)
	code, out, errw := runCLI(t, "", "guard", "--", "terraform", "apply", "-auto-approve", "-no-color")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errw)
	}
	st, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil || !strings.Contains(string(st), `"name": "cache"`) {
		t.Fatalf("the state does not hold the change (%v):\n%s", err, st)
	}
	if !strings.Contains(out, "Apply complete! Resources: 1 added") || !strings.Contains(errw, "PASS") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, errw)
	}
}

func TestGuardOtherCommandsAndExitCodes(t *testing.T) {
	bin := terraformBin(t)
	t.Chdir(t.TempDir())
	if code, out, _ := runCLI(t, "", "guard", "--", "sh", "-c", "echo ok; exit 3"); code != 3 || out != "ok\n" {
		t.Errorf("exit %d, stdout %q: want the command's own", code, out)
	}
	if code, _, errw := runCLI(t, "", "guard", "--", "rm", "-rf", "/"); code != exitBlock || !strings.Contains(errw, "root of the file system") {
		t.Errorf("rm -rf /: exit %d\n%s", code, errw)
	}
	// Not a terminal: what needs a person's word is refused.
	if code, _, errw := runCLI(t, "y\n", "guard", "--", "./deploy.sh"); code != exitBlock {
		t.Errorf("./deploy.sh: exit %d\n%s", code, errw)
	}
	if code, _, errw := runCLI(t, "", "guard", "terraform", "apply"); code != exitCannot || !strings.Contains(errw, "after --") {
		t.Errorf("without --: exit %d\n%s", code, errw)
	}
	// A directory that does not plan: could not judge, nothing runs.
	if code, _, errw := runCLI(t, "", "guard", "--", bin, "apply", "-auto-approve"); code != exitCannot {
		t.Errorf("no configuration: exit %d\n%s", code, errw)
	}
}
