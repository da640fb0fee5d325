package sandbox_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLinksNoWrapper: the sandbox, and so every rehearse binary, links no
// Docker wrapper library: testcontainers-go's init lists every process on
// the host at each start, and rehearse's agent hook starts before every
// shell command an agent runs.
func TestLinksNoWrapper(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.Contains(pkg, "testcontainers") || strings.Contains(pkg, "gopsutil") {
			t.Errorf("sandbox links %s", pkg)
		}
	}
}
