package yamlfile_test

import (
	"fmt"

	"github.com/rehearse-dev/rehearse/internal/yamlfile"
)

func ExampleDecode() {
	type Thresholds struct {
		MaxDestructive int `yaml:"max_destructive"`
	}
	type Policy struct {
		Kind       string     `yaml:"kind"`
		Thresholds Thresholds `yaml:"thresholds"`
	}
	p := Policy{Thresholds: Thresholds{MaxDestructive: 10}} // defaults
	err := yamlfile.Decode("rehearse.yaml", []byte("kind: Policy\nthresholds:\n  max_destructive: three\n  max_destrutive: 3\n"), &p)
	fmt.Println(err)
	// Output:
	// rehearse.yaml: line 3: thresholds.max_destructive: want a whole number, got "three"
	// rehearse.yaml: line 4: thresholds.max_destrutive: unknown key; did you mean max_destructive?
}

// A check after decoding points at the key it is about.
func ExampleDoc_Problemf() {
	data := []byte("kind: Policy\nthresholds:\n  max_destructive: -1\n")
	d, err := yamlfile.Parse("rehearse.yaml", data)
	if err != nil {
		panic(err)
	}
	var p struct {
		Kind       string `yaml:"kind"`
		Thresholds struct {
			MaxDestructive int `yaml:"max_destructive"`
		} `yaml:"thresholds"`
	}
	if err := d.Decode(&p); err != nil {
		panic(err)
	}
	var problems []yamlfile.Problem
	if p.Thresholds.MaxDestructive < 0 {
		problems = append(problems, d.Problemf([]any{"thresholds", "max_destructive"}, "must be 0 or more"))
	}
	fmt.Println(d.Err(problems...))
	// Output:
	// rehearse.yaml: line 3: thresholds.max_destructive: must be 0 or more
}
