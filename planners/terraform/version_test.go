package terraform

import (
	"bytes"
	"errors"
	"testing"

	version "github.com/hashicorp/go-version"
)

// TestParseVersion covers both tools' text and JSON forms: OpenTofu cannot be
// installed here, so its formats are pinned as data.
func TestParseVersion(t *testing.T) {
	tests := []struct {
		name, out, binary, tool, version string
		wantErr                          bool
	}{
		{"terraform text", "Terraform v1.5.7\non linux_amd64\n", "terraform", "terraform", "1.5.7", false},
		{"terraform text with providers and notice", "Terraform v1.1.9\non linux_amd64\n+ provider registry.terraform.io/hashicorp/aws v4.0.0\n\nYour version of Terraform is out of date! The latest version\nis 1.5.7.\n", "terraform", "terraform", "1.1.9", false},
		{"terraform 0.11 text", "Terraform v0.11.14\n", "terraform", "terraform", "0.11.14", false},
		{"tofu text", "OpenTofu v1.8.0\non linux_amd64\n", "/usr/bin/tofu", "tofu", "1.8.0", false},
		{"tofu text behind a terraform name", "OpenTofu v1.8.0\non linux_amd64\n", "/usr/local/bin/terraform", "tofu", "1.8.0", false},
		{"tofu prerelease", "OpenTofu v1.9.0-beta1\non darwin_arm64\n", "tofu", "tofu", "1.9.0-beta1", false},
		{"terraform json", `{"terraform_version":"1.5.7","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}`, "terraform", "terraform", "1.5.7", false},
		{"tofu json", "{\n  \"terraform_version\": \"1.8.0\",\n  \"platform\": \"linux_amd64\",\n  \"provider_selections\": {}\n}\n", "/opt/tofu/bin/tofu", "tofu", "1.8.0", false},
		{"json without version", `{"platform":"linux_amd64"}`, "terraform", "", "", true},
		{"garbage", "command not found\n", "terraform", "", "", true},
		{"bad version", "Terraform vx.y\n", "terraform", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tool, v, err := parseVersion([]byte(tt.out), tt.binary)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("no error; got %s %s", tool, v)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tool != tt.tool || v.String() != tt.version {
				t.Errorf("got %s %s, want %s %s", tool, v, tt.tool, tt.version)
			}
		})
	}
}

func TestCheckVersion(t *testing.T) {
	tests := []struct {
		version  string
		refuse   bool
		wantWarn bool
	}{
		{"0.11.14", true, false},
		{"0.12.0", false, true},
		{"1.1.9", false, true},
		{"1.2.0", false, false},
		{"1.8.0", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			var warn bytes.Buffer
			err := checkVersion("terraform", version.Must(version.NewVersion(tt.version)), &warn)
			if got := errors.Is(err, ErrUnsupportedVersion); got != tt.refuse {
				t.Errorf("refused = %v (%v), want %v", got, err, tt.refuse)
			}
			if got := warn.Len() > 0; got != tt.wantWarn {
				t.Errorf("warned = %v (%q), want %v", got, warn.String(), tt.wantWarn)
			}
		})
	}
}
