package terraform

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"

	version "github.com/hashicorp/go-version"
)

// ErrUnsupportedVersion is returned for a terraform too old to print a plan as
// JSON; rehearse cannot judge what it cannot read, so it refuses.
var ErrUnsupportedVersion = errors.New("unsupported terraform version")

var (
	// minVersion is the first release with `terraform show -json`.
	minVersion = version.Must(version.NewVersion("0.12.0"))
	// preciseVersion is the first release whose plan JSON carries
	// action_reason and replace_paths, which say why a replace happens.
	preciseVersion = version.Must(version.NewVersion("1.2.0"))
)

// versionLine matches the first line of `terraform version` and `tofu version`
// ("Terraform v1.5.7", "OpenTofu v1.8.0"), whatever follows on later lines.
var versionLine = regexp.MustCompile(`^(Terraform|OpenTofu) v?([0-9][^\s]*)`)

// parseVersion reads the output of `version` or `version -json` and returns
// the tool ("terraform" or "tofu") and its version. The JSON form does not name
// the tool (OpenTofu kept the terraform_version key), so there the name comes
// from the binary's file name.
func parseVersion(out []byte, binary string) (tool string, v *version.Version, err error) {
	trimmed := bytes.TrimSpace(out)
	if bytes.HasPrefix(trimmed, []byte("{")) {
		var doc struct {
			Version string `json:"terraform_version"`
		}
		if err := json.Unmarshal(trimmed, &doc); err != nil {
			return "", nil, fmt.Errorf("parse version JSON: %w", err)
		}
		if doc.Version == "" {
			return "", nil, errors.New("parse version JSON: no terraform_version")
		}
		v, err := version.NewVersion(doc.Version)
		if err != nil {
			return "", nil, fmt.Errorf("parse version %q: %w", doc.Version, err)
		}
		return toolFromBinary(binary), v, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(trimmed))
	for sc.Scan() {
		m := versionLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		v, err := version.NewVersion(m[2])
		if err != nil {
			return "", nil, fmt.Errorf("parse version %q: %w", m[2], err)
		}
		tool := "terraform"
		if m[1] == "OpenTofu" {
			tool = "tofu"
		}
		return tool, v, nil
	}
	first, _, _ := strings.Cut(string(trimmed), "\n")
	return "", nil, fmt.Errorf("unrecognised version output %q", first)
}

func toolFromBinary(binary string) string {
	if strings.Contains(strings.ToLower(filepath.Base(binary)), "tofu") {
		return "tofu"
	}
	return "terraform"
}

// checkVersion refuses versions that cannot produce plan JSON and warns about
// those whose plan JSON lacks the replace evidence the verdict uses.
func checkVersion(tool string, v *version.Version, warn io.Writer) error {
	if v.LessThan(minVersion) {
		return fmt.Errorf("%s %s is older than 0.12 and cannot print plans as JSON; install %s 0.12 or later (1.2 or later recommended): %w",
			tool, v, tool, ErrUnsupportedVersion)
	}
	if v.LessThan(preciseVersion) && warn != nil {
		fmt.Fprintf(warn, "%s %s < 1.2: plans lack action_reason and replace_paths, so findings are less precise\n", tool, v)
	}
	return nil
}
