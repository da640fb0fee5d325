package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/report"
	"github.com/rehearse-dev/rehearse/verdict"
)

// outputOptions are --format for stdout and repeatable --output FORMAT=FILE.
type outputOptions struct {
	Format  string
	Outputs []string
	format  report.Format
	files   []fileOutput
}

type fileOutput struct {
	format report.Format
	path   string
}

func (o *outputOptions) addFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.Format, "format", "text", "stdout format: text, json, markdown, sarif or junit")
	cmd.Flags().StringArrayVar(&o.Outputs, "output", nil, "also write FORMAT=FILE (repeatable), e.g. --output sarif=rehearse.sarif")
}

func (o *outputOptions) check() error {
	f, err := report.ParseFormat(o.Format)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	o.format = f
	o.files = nil
	for _, spec := range o.Outputs {
		name, path, ok := strings.Cut(spec, "=")
		if !ok || path == "" {
			return fmt.Errorf("--output %q: want FORMAT=FILE", spec)
		}
		f, err := report.ParseFormat(name)
		if err != nil {
			return fmt.Errorf("--output %q: %w", spec, err)
		}
		o.files = append(o.files, fileOutput{f, path})
	}
	return nil
}

// write renders the verdict to stdout and to every --output file.
func (o *outputOptions) write(stdout io.Writer, v *verdict.Verdict) error {
	for _, f := range o.files {
		if err := writeFile(f.path, func(w io.Writer) error { return report.Render(w, f.format, v, report.Options{}) }); err != nil {
			return err
		}
	}
	return report.Render(stdout, o.format, v, report.Options{Color: o.format == report.Text && useColor(stdout)})
}

// writeFile writes through a temporary file and renames it, so a reader
// never sees half a report.
func writeFile(path string, render func(io.Writer) error) error {
	tmp, err := os.CreateTemp(dirOf(path), ".rehearse-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := render(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[:i+1]
	}
	return "."
}
