package container_test

import (
	"os"
	"testing"

	"github.com/rehearse-dev/rehearse/internal/testimage"
)

// TestMain builds the busybox test image and, after the tests, fails the
// run if any object labelled by one of this package's runs remains.
func TestMain(m *testing.M) { os.Exit(testimage.Main(m)) }
