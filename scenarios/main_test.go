package scenarios_test

import (
	"os"
	"testing"

	"github.com/rehearse-dev/rehearse/internal/testimage"
)

// TestMain builds the test images and, after the tests, fails the run
// if any Docker object of this process's runs remains.
func TestMain(m *testing.M) { os.Exit(testimage.Main(m)) }
