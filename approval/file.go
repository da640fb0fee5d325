package approval

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/rehearse-dev/rehearse/internal/yamlfile"
	"github.com/rehearse-dev/rehearse/verdict"
)

// Kind is the kind of an approvals file; its apiVersion is
// verdict.PolicyAPIVersion, so both files move to a new format together.
const Kind = "Approvals"

// DefaultFile is where `rehearse approve` writes when not told otherwise,
// and where `rehearse plan` looks when not given --approvals: next to the
// code, so an approval is reviewed like a change.
const DefaultFile = ".rehearse/approvals.yaml"

// Entry is one approval as the file holds it: the approval and, when it
// was signed, its armored SSH signature over Message.
type Entry struct {
	Finding     string `yaml:"finding"`
	Fingerprint string `yaml:"fingerprint"`
	By          string `yaml:"by"`
	At          string `yaml:"at"`
	Reason      string `yaml:"reason"`
	Rollback    string `yaml:"rollback"`
	Expires     string `yaml:"expires,omitempty"`
	Signature   string `yaml:"signature,omitempty"`
}

// File is the on-disk form of a list of approvals.
type File struct {
	APIVersion string  `yaml:"apiVersion"`
	Kind       string  `yaml:"kind"`
	Approvals  []Entry `yaml:"approvals"`
}

// Approval is the entry as verdict applies it, not yet checked.
func (e *Entry) Approval() verdict.Approval {
	return verdict.Approval{Finding: e.Finding, Fingerprint: e.Fingerprint, By: e.By, At: e.At,
		Reason: e.Reason, Rollback: e.Rollback, Expires: e.Expires}
}

var (
	findingIDPattern   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^RH-[0-9a-f]{10}$`) })
	fingerprintPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^sha256:[0-9a-f]{64}$`) })
)

// Validate checks one entry. An entry that does not name a well-formed
// finding and fingerprint, lacks who, when, why or the rollback plan, or
// carries a signature that is not one, is rejected rather than ignored: an
// approvals file that has been hand-edited or tampered with must not
// quietly turn into "no approvals" or, worse, into a match.
func (e *Entry) Validate() error {
	switch {
	case !findingIDPattern().MatchString(e.Finding):
		return fmt.Errorf("finding %q is not a finding id (RH- and 10 hex digits)", e.Finding)
	case !fingerprintPattern().MatchString(e.Fingerprint):
		return fmt.Errorf("finding %s: fingerprint %q is not sha256: and 64 hex digits", e.Finding, e.Fingerprint)
	case strings.TrimSpace(e.By) == "":
		return fmt.Errorf("finding %s: by is empty", e.Finding)
	case strings.TrimSpace(e.Reason) == "":
		return fmt.Errorf("finding %s: reason is empty", e.Finding)
	case strings.TrimSpace(e.Rollback) == "":
		return fmt.Errorf("finding %s: rollback is empty", e.Finding)
	}
	// The signed message is the text as written: text that is not UTF-8
	// would have no single canonical form.
	for _, f := range []struct{ name, val string }{{"by", e.By}, {"reason", e.Reason}, {"rollback", e.Rollback}} {
		if !utf8.ValidString(f.val) {
			return fmt.Errorf("finding %s: %s is not valid UTF-8", e.Finding, f.name)
		}
	}
	if _, err := time.Parse(time.RFC3339, e.At); err != nil {
		return fmt.Errorf("finding %s: at %q is not an RFC 3339 time", e.Finding, e.At)
	}
	if e.Expires != "" {
		if _, err := time.Parse(time.RFC3339, e.Expires); err != nil {
			return fmt.Errorf("finding %s: expires %q is not an RFC 3339 time", e.Finding, e.Expires)
		}
	}
	if e.Signature != "" {
		if _, err := parseSignature(e.Signature); err != nil {
			return fmt.Errorf("finding %s: signature: %w", e.Finding, err)
		}
	}
	return nil
}

// Parse parses an approvals file named name. It fails closed: unknown
// keys, a second document, a wrong apiVersion or kind, or any invalid entry
// make the whole file an error, a *yamlfile.Error listing every problem
// with its line.
func Parse(name string, b []byte) ([]Entry, error) {
	d, err := yamlfile.Parse(name, b)
	if err != nil {
		return nil, err
	}
	var f File
	if err := d.Decode(&f); err != nil {
		return nil, err
	}
	var ps []yamlfile.Problem
	if f.APIVersion != verdict.PolicyAPIVersion {
		ps = append(ps, d.Problemf([]any{"apiVersion"}, "unsupported apiVersion %q (want %q)", f.APIVersion, verdict.PolicyAPIVersion))
	}
	if f.Kind != Kind {
		ps = append(ps, d.Problemf([]any{"kind"}, "kind is %q, want %q", f.Kind, Kind))
	}
	for i := range f.Approvals {
		if err := f.Approvals[i].Validate(); err != nil {
			ps = append(ps, d.Problemf([]any{"approvals", i}, "%v", err))
		}
	}
	if err := d.Err(ps...); err != nil {
		return nil, err
	}
	return f.Approvals, nil
}

// Load reads an approvals file. A missing file is an error too (one that
// wraps fs.ErrNotExist): whoever names a file expects its approvals to
// count.
func Load(file string) ([]Entry, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("approvals: %w", err)
	}
	return Parse(file, b)
}

// Append validates the entries and appends them to the approvals file in
// one write, creating the file and its directories when missing. The
// existing file is parsed first, so an append never builds on a malformed
// file; it is edited as a YAML tree, so comments a reviewer left stay. The
// file is replaced by a rename, so a reader never sees half of it.
func Append(file string, entries ...Entry) error {
	var nodes []*yaml.Node
	for i := range entries {
		if err := entries[i].Validate(); err != nil {
			return fmt.Errorf("approval: %w", err)
		}
		n, err := encodeNode(entries[i])
		if err != nil {
			return err
		}
		nodes = append(nodes, n)
	}
	var doc yaml.Node
	old, err := os.ReadFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		doc, err = newDoc()
		if err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("approvals: %w", err)
	default:
		if _, err := Parse(file, old); err != nil {
			return err
		}
		if err := yaml.Unmarshal(old, &doc); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	list := mappingValue(doc.Content[0], "approvals")
	if list == nil {
		list = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		doc.Content[0].Content = append(doc.Content[0].Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "approvals"}, list)
	}
	if list.Kind != yaml.SequenceNode || list.Tag == "!!null" {
		// "approvals:" with nothing after it parses as null.
		*list = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	}
	list.Style = 0 // block style, one entry per paragraph, whatever it was
	list.Content = append(list.Content, nodes...)

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	// Check what is about to be written reads back as written, so a bug
	// here cannot leave a file that fails every later run, or one whose
	// entries no longer match their signatures.
	back, err := Parse(file, buf.Bytes())
	if err != nil {
		return fmt.Errorf("approvals: refusing to write: %w", err)
	}
	for i := range entries {
		if back[len(back)-len(entries)+i] != entries[i] {
			return fmt.Errorf("approvals: refusing to write: approval for %s does not read back as written", entries[i].Finding)
		}
	}
	return writeAtomic(file, buf.Bytes())
}

func newDoc() (yaml.Node, error) {
	const head = "# rehearse approvals: each entry approves one finding of exactly one change\n" +
		"# (the fingerprint). Written by `rehearse approve`; review it like code.\n"
	var doc yaml.Node
	err := yaml.Unmarshal([]byte(head+"apiVersion: "+verdict.PolicyAPIVersion+"\nkind: "+Kind+"\napprovals: []\n"), &doc)
	return doc, err
}

func encodeNode(v any) (*yaml.Node, error) {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return nil, fmt.Errorf("approval: %w", err)
	}
	return &n, nil
}

// mappingValue returns the value node of key in mapping m, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func writeAtomic(file string, b []byte) error {
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("approvals: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".approvals-*")
	if err != nil {
		return fmt.Errorf("approvals: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("approvals: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("approvals: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("approvals: %w", err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("approvals: %w", err)
	}
	return nil
}
