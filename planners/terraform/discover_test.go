package terraform

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	tests := []struct {
		name     string
		explicit string
		env      string
		onPath   []string
		want     string
		wantErr  string
	}{
		{name: "explicit wins", explicit: "/opt/tf", env: "/env/tf", onPath: []string{"terraform", "/opt/tf"}, want: "/opt/tf"},
		{name: "env next", env: "/env/tf", onPath: []string{"terraform", "/env/tf"}, want: "/env/tf"},
		{name: "terraform before tofu", onPath: []string{"terraform", "tofu"}, want: "/path/terraform"},
		{name: "tofu last", onPath: []string{"tofu"}, want: "/path/tofu"},
		{name: "explicit missing does not fall through", explicit: "/nope", onPath: []string{"terraform"}, wantErr: `--terraform "/nope"`},
		{name: "env missing does not fall through", env: "/nope", onPath: []string{"terraform"}, wantErr: `REHEARSE_TERRAFORM "/nope"`},
		{name: "nothing", wantErr: "no terraform or tofu binary found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := finder{
				getenv: func(k string) string {
					if k == binaryEnv {
						return tt.env
					}
					return ""
				},
				lookPath: func(name string) (string, error) {
					for _, p := range tt.onPath {
						if p == name {
							if strings.HasPrefix(name, "/") {
								return name, nil
							}
							return "/path/" + name, nil
						}
					}
					return "", fs.ErrNotExist
				},
			}
			got, err := f.find(tt.explicit)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if tt.explicit == "" && tt.env == "" && !errors.Is(err, ErrNoBinary) {
					t.Errorf("err is not ErrNoBinary: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestFindRelative: terraform runs in the isolated copy, so a relative
// --terraform ./bin/terraform must come back absolute.
func TestFindRelative(t *testing.T) {
	f := finder{getenv: func(string) string { return "" }, lookPath: func(n string) (string, error) { return n, nil }}
	got, err := f.find("./bin/terraform")
	if err != nil || !filepath.IsAbs(got) || filepath.Base(got) != "terraform" {
		t.Errorf("got %q, %v; want an absolute path to terraform", got, err)
	}
}
