package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// jsonNode is a JSON value that keeps its object keys in the order they
// were written, so merging rehearse's hook into an agent's settings leaves
// every other setting where the user put it.
type jsonNode struct {
	keys   []string    // object keys in order; nil with vals == nil for a non-object
	vals   []*jsonNode // object values, parallel to keys
	items  []*jsonNode // array items
	scalar any         // string, json.Number, bool or nil
	kind   byte        // 'o' object, 'a' array, 's' scalar
}

func object() *jsonNode { return &jsonNode{kind: 'o'} }

func scalar(v any) *jsonNode { return &jsonNode{kind: 's', scalar: v} }

// parseJSON reads one JSON document; an empty or blank one is an empty object.
func parseJSON(b []byte) (*jsonNode, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return object(), nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := decodeNode(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one JSON value")
	}
	return n, nil
}

func decodeNode(dec *json.Decoder) (*jsonNode, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := object()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeNode(dec)
				if err != nil {
					return nil, err
				}
				if n.index(k) >= 0 {
					return nil, fmt.Errorf("duplicate key %q", k)
				}
				n.keys, n.vals = append(n.keys, k), append(n.vals, v)
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := &jsonNode{kind: 'a'}
			for dec.More() {
				v, err := decodeNode(dec)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
			_, err := dec.Token()
			return n, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return scalar(t), nil
	}
}

func (n *jsonNode) index(k string) int {
	for i, key := range n.keys {
		if key == k {
			return i
		}
	}
	return -1
}

// get returns the value of key k, or nil.
func (n *jsonNode) get(k string) *jsonNode {
	if n == nil || n.kind != 'o' {
		return nil
	}
	if i := n.index(k); i >= 0 {
		return n.vals[i]
	}
	return nil
}

// set replaces the value of k in place, or appends k.
func (n *jsonNode) set(k string, v *jsonNode) {
	if i := n.index(k); i >= 0 {
		n.vals[i] = v
		return
	}
	n.keys, n.vals = append(n.keys, k), append(n.vals, v)
}

// str is the node's string value, "" for anything else.
func (n *jsonNode) str() string {
	if n == nil {
		return ""
	}
	s, _ := n.scalar.(string)
	return s
}

// child returns the object or array at key k, creating it when missing.
// A key holding something else is an error: rehearse never overwrites a
// setting it does not understand.
func (n *jsonNode) child(k string, kind byte) (*jsonNode, error) {
	v := n.get(k)
	if v == nil {
		v = &jsonNode{kind: kind}
		n.set(k, v)
		return v, nil
	}
	if v.kind != kind {
		want := "an object"
		if kind == 'a' {
			want = "an array"
		}
		return nil, fmt.Errorf("%q is not %s; fix it by hand", k, want)
	}
	return v, nil
}

// encode writes the node indented by two spaces, with a final newline.
func (n *jsonNode) encode() []byte {
	var b bytes.Buffer
	n.write(&b, 0)
	b.WriteByte('\n')
	return b.Bytes()
}

func (n *jsonNode) write(b *bytes.Buffer, depth int) {
	indent := strings.Repeat("  ", depth+1)
	switch n.kind {
	case 'o':
		if len(n.keys) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, k := range n.keys {
			b.WriteString(indent)
			writeScalar(b, k)
			b.WriteString(": ")
			n.vals[i].write(b, depth+1)
			if i < len(n.keys)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(strings.Repeat("  ", depth) + "}")
	case 'a':
		if len(n.items) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, v := range n.items {
			b.WriteString(indent)
			v.write(b, depth+1)
			if i < len(n.items)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(strings.Repeat("  ", depth) + "]")
	default:
		writeScalar(b, n.scalar)
	}
}

func writeScalar(b *bytes.Buffer, v any) {
	var s bytes.Buffer
	enc := json.NewEncoder(&s)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // strings, numbers, bools and null always encode
	b.Write(bytes.TrimRight(s.Bytes(), "\n"))
}
