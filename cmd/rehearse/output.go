package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/report"
	"github.com/rehearse-dev/rehearse/verdict"
)

// outputOptions are --format for stdout and repeatable --output
// FORMAT=FILE, where FILE "-" is stdout.
type outputOptions struct {
	Format  string
	Outputs []string
	format  report.Format
	files   []fileOutput
	cmd     *cobra.Command // for --color, parsed by the root
	// Report are the options every report is rendered with (colour
	// aside): the comment limit, the version, the approval command.
	Report report.Options
}

type fileOutput struct {
	format report.Format
	path   string
}

func (o *outputOptions) addFlags(cmd *cobra.Command) {
	o.cmd = cmd
	cmd.Flags().StringVar(&o.Format, "format", "text", "stdout format: text, json, markdown, sarif or junit")
	cmd.Flags().StringArrayVar(&o.Outputs, "output", nil, "also write FORMAT=FILE (repeatable), e.g. --output sarif=rehearse.sarif; FILE - is stdout, in place of --format")
}

func (o *outputOptions) check() error {
	f, err := report.ParseFormat(o.Format)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	o.format = f
	o.files = nil
	stdout := ""
	for _, spec := range o.Outputs {
		name, path, ok := strings.Cut(spec, "=")
		if !ok || path == "" {
			return fmt.Errorf("--output %q: want FORMAT=FILE", spec)
		}
		f, err := report.ParseFormat(name)
		if err != nil {
			return fmt.Errorf("--output %q: %w", spec, err)
		}
		if path == "-" {
			// Standard output carries one report: --output FORMAT=- names
			// it, so it cannot be given twice or beside --format.
			switch {
			case stdout != "":
				return fmt.Errorf("--output %q and --output %q: standard output takes one report", stdout, spec)
			case o.formatGiven():
				return fmt.Errorf("--format %s and --output %q: standard output takes one report", o.Format, spec)
			}
			stdout, o.format = spec, f
			continue
		}
		o.files = append(o.files, fileOutput{f, path})
	}
	return nil
}

func (o *outputOptions) formatGiven() bool {
	return o.cmd != nil && o.cmd.Flags().Changed("format")
}

// color is --color for the text report on stdout.
func (o *outputOptions) color(stdout io.Writer) bool {
	if o.cmd != nil {
		if f := o.cmd.Flag("color"); f != nil {
			return colorFor(f.Value.String(), stdout)
		}
	}
	return useColor(stdout)
}

// write renders the verdict to stdout and to every --output file.
func (o *outputOptions) write(stdout io.Writer, v *verdict.Verdict) error {
	for _, f := range o.files {
		if err := writeFile(f.path, func(w io.Writer) error { return report.Render(w, f.format, v, o.Report) }); err != nil {
			return err
		}
	}
	ro := o.Report
	ro.Color = o.format == report.Text && o.color(stdout)
	return report.Render(stdout, o.format, v, ro)
}

// writeFile writes through a temporary file beside path and renames it, so
// a reader never sees half a report. The file is created 0644, like any
// report a shell redirect writes. Errors name path, never the temporary
// file: that name means nothing to the reader and is gone afterwards.
func writeFile(path string, render func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".rehearse-*")
	if err != nil {
		return fmt.Errorf("%s: %w", path, bare(err))
	}
	defer os.Remove(tmp.Name())
	if err := render(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, bare(err))
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, bare(err))
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, bare(err))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", path, bare(err))
	}
	return nil
}

// bare is the cause of a path or link error without the path it names
// (here the temporary file's).
func bare(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
