package terraform

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/rehearse-dev/rehearse/change"
)

var (
	blockRe  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*(resource|data)\s+"([^"]+)"\s+"([^"]+)"`) })
	moduleRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*module\s+"([^"]+)"`) })
	sourceRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*source\s*=\s*"(\.\.?/[^"]*)"`) })
)

// Locate finds where each resource block of the configuration in dir is
// written, following local module sources, so a report can point at a file
// and line. Plan JSON carries no positions; this reads the .tf files
// themselves. Paths are dir joined with the file's path inside it. What it
// cannot read it leaves out: a location is a convenience, never evidence.
func Locate(dir string) map[string]change.Location {
	out := map[string]change.Location{}
	locate(dir, "", out, map[string]bool{})
	if len(out) == 0 {
		return nil
	}
	return out
}

func locate(dir, prefix string, out map[string]change.Location, seen map[string]bool) {
	abs, err := filepath.Abs(dir)
	if err != nil || seen[abs+"\x00"+prefix] || strings.Count(prefix, "module.") > 8 {
		return
	}
	seen[abs+"\x00"+prefix] = true
	files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	sort.Strings(files)
	type call struct{ name, source string }
	var calls []call
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		pending := "" // a module block whose source is not seen yet
		for line := 1; sc.Scan(); line++ {
			text := sc.Text()
			if m := blockRe().FindStringSubmatch(text); m != nil {
				addr := m[2] + "." + m[3]
				if m[1] == "data" {
					addr = "data." + addr
				}
				if _, dup := out[prefix+addr]; !dup {
					out[prefix+addr] = change.Location{File: file, Line: line}
				}
				pending = ""
				continue
			}
			if m := moduleRe().FindStringSubmatch(text); m != nil {
				pending = m[1]
				continue
			}
			if m := sourceRe().FindStringSubmatch(text); m != nil && pending != "" {
				calls = append(calls, call{pending, m[1]})
				pending = ""
			}
		}
		f.Close()
	}
	for _, c := range calls {
		locate(filepath.Join(dir, c.source), prefix+"module."+c.name+".", out, seen)
	}
}
