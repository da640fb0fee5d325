package verdict

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// ApprovalsKind is the kind of an approvals file; its apiVersion is
// PolicyAPIVersion, so both files move to a new format together.
const ApprovalsKind = "Approvals"

// DefaultApprovalsFile is where `rehearse approve` writes when not told
// otherwise: next to the code, so an approval is reviewed like a change.
const DefaultApprovalsFile = ".rehearse/approvals.yaml"

// ApprovalsFile is the on-disk form of a list of approvals.
type ApprovalsFile struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Approvals  []Approval `yaml:"approvals"`
}

var (
	findingIDPattern   = regexp.MustCompile(`^RH-[0-9a-f]{10}$`)
	fingerprintPattern = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
)

// Validate checks one approval. An approval that does not name a
// well-formed finding and fingerprint, or lacks who, when, why or the
// rollback plan, is rejected rather than ignored: an approvals file that
// has been hand-edited or tampered with must not quietly turn into
// "no approvals" or, worse, into a match.
func (a *Approval) Validate() error {
	switch {
	case !findingIDPattern.MatchString(a.Finding):
		return fmt.Errorf("finding %q is not a finding id (RH- and 10 hex digits)", a.Finding)
	case !fingerprintPattern.MatchString(a.Fingerprint):
		return fmt.Errorf("finding %s: fingerprint %q is not sha256: and 64 hex digits", a.Finding, a.Fingerprint)
	case strings.TrimSpace(a.By) == "":
		return fmt.Errorf("finding %s: by is empty", a.Finding)
	case strings.TrimSpace(a.Reason) == "":
		return fmt.Errorf("finding %s: reason is empty", a.Finding)
	case strings.TrimSpace(a.Rollback) == "":
		return fmt.Errorf("finding %s: rollback is empty", a.Finding)
	}
	if _, err := time.Parse(time.RFC3339, a.At); err != nil {
		return fmt.Errorf("finding %s: at %q is not an RFC 3339 time", a.Finding, a.At)
	}
	return nil
}

// ParseApprovals parses an approvals file named name. It fails closed:
// unknown keys, a wrong apiVersion or kind, or any invalid entry make the
// whole file an error.
func ParseApprovals(name string, b []byte) ([]Approval, error) {
	var f ApprovalsFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty approvals file", name)
		}
		return nil, fmt.Errorf("%s: %s", name, oneLine(err.Error()))
	}
	// A second document would be ignored by Decode; refuse it instead,
	// since it could hide entries from a reviewer reading the top.
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: more than one YAML document", name)
	}
	if f.APIVersion != PolicyAPIVersion {
		return nil, fmt.Errorf("%s: unsupported apiVersion %q (want %q)", name, f.APIVersion, PolicyAPIVersion)
	}
	if f.Kind != ApprovalsKind {
		return nil, fmt.Errorf("%s: kind is %q, want %q", name, f.Kind, ApprovalsKind)
	}
	for i := range f.Approvals {
		if err := f.Approvals[i].Validate(); err != nil {
			return nil, fmt.Errorf("%s: approvals[%d]: %w", name, i, err)
		}
	}
	return f.Approvals, nil
}

// LoadApprovals reads an approvals file. A missing file is an error too:
// whoever names a file expects its approvals to count.
func LoadApprovals(file string) ([]Approval, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("approvals: %w", err)
	}
	return ParseApprovals(file, b)
}

// AppendApproval validates the approvals and appends them to the approvals
// file in one write, creating the file and its directories when missing. The existing file is parsed
// first, so an append never builds on a malformed file; it is edited as a
// YAML tree, so comments a reviewer left stay. The file is replaced by a
// rename, so a reader never sees half of it.
func AppendApproval(file string, approvals ...Approval) error {
	var entries []*yaml.Node
	for i := range approvals {
		if err := approvals[i].Validate(); err != nil {
			return fmt.Errorf("approval: %w", err)
		}
		n, err := encodeNode(approvals[i])
		if err != nil {
			return err
		}
		entries = append(entries, n)
	}
	var doc yaml.Node
	old, err := os.ReadFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		doc, err = newApprovalsDoc()
		if err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("approvals: %w", err)
	default:
		if _, err := ParseApprovals(file, old); err != nil {
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
	list.Content = append(list.Content, entries...)

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	// Check what is about to be written reads back, so a bug here cannot
	// leave a file that fails every later run.
	if _, err := ParseApprovals(file, buf.Bytes()); err != nil {
		return fmt.Errorf("approvals: refusing to write: %w", err)
	}
	return writeAtomic(file, buf.Bytes())
}

func newApprovalsDoc() (yaml.Node, error) {
	const head = "# rehearse approvals: each entry approves one finding of exactly one change\n" +
		"# (the fingerprint). Written by `rehearse approve`; review it like code.\n"
	var doc yaml.Node
	err := yaml.Unmarshal([]byte(head+"apiVersion: "+PolicyAPIVersion+"\nkind: "+ApprovalsKind+"\napprovals: []\n"), &doc)
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
