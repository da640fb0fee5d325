package report

import (
	"os/exec"
	"strings"
	"testing"
)

// TestReportIsPure: report renders a verdict and decides nothing, so it
// depends on nothing that runs scenarios, planners or containers. A
// regression renderer that creeps back in (importing scenarios) drags
// testcontainers and the Docker client into every reader of a verdict.
func TestReportIsPure(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go list is how this test sees the dependencies: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbidden := []string{
		"github.com/rehearse-dev/rehearse/scenarios",
		"github.com/rehearse-dev/rehearse/sandbox",
		"github.com/rehearse-dev/rehearse/planners",
		"github.com/rehearse-dev/rehearse/guard",
		"testcontainers", "moby", "docker", "terraform-exec",
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if strings.Contains(pkg, f) {
				t.Errorf("report depends on %s", pkg)
			}
		}
	}
}
