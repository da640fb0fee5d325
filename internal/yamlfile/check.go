package yamlfile

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// minBudget is the fewest nodes check visits before it gives up; the
// budget grows with the file, so only aliases (a file of nested anchors,
// the "billion laughs") can exhaust it, and they cost a bounded amount of
// work.
const minBudget = 1 << 14

// checkKeys refuses, anywhere in the document, a key given twice in one
// mapping (yaml.v3 keeps the last silently when it decodes into a Node or
// a struct through one), merge keys, and keys that are not plain values.
// Alias nodes are not entered: their anchors are checked where they are.
func checkKeys(n *yaml.Node, path []any, ps *[]Problem) {
	switch n.Kind {
	case yaml.MappingNode:
		first := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				*ps = append(*ps, Problem{Line: k.Line, Path: KeyPath(path...), Msg: "a key must be a plain value, not a list or mapping"})
				continue
			}
			at := append(slices.Clip(path), k.Value)
			if k.Tag == "!!merge" {
				*ps = append(*ps, Problem{Line: k.Line, Path: KeyPath(path...), Msg: "merge keys (<<) are not supported: write the keys out"})
				continue
			}
			if line, dup := first[k.Value]; dup {
				*ps = append(*ps, Problem{Line: k.Line, Path: KeyPath(at...), Msg: fmt.Sprintf("key given twice (first at line %d)", line)})
				continue
			}
			first[k.Value] = k.Line
			checkKeys(v, at, ps)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			checkKeys(item, append(slices.Clip(path), i), ps)
		}
	}
}

// checker walks a node tree against the Go type it will decode into and
// collects every mismatch in the file's words.
type checker struct {
	ps     *[]Problem
	budget int
}

// check reports what in n does not fit v (a pointer).
func check(n *yaml.Node, v any, ps *[]Problem, size int) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		panic("yamlfile: Decode needs a non-nil pointer") // a programming error, not a file's
	}
	c := &checker{ps: ps, budget: max(minBudget, 2*size)}
	c.node(n, rv.Type().Elem(), nil)
}

var (
	unmarshalerType     = reflect.TypeFor[yaml.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	durationType        = reflect.TypeFor[time.Duration]()
)

func (c *checker) add(n *yaml.Node, path []any, format string, args ...any) {
	*c.ps = append(*c.ps, Problem{Line: n.Line, Path: KeyPath(path...), Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) node(n *yaml.Node, t reflect.Type, path []any) {
	if c.budget--; c.budget < 0 {
		if c.budget == -1 {
			c.add(n, path, "too many aliases: the file expands to too many values")
		}
		return
	}
	n = deref(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an empty value keeps the default, whatever the type
	}
	pt := reflect.PointerTo(t)
	if pt.Implements(unmarshalerType) || (n.Kind == yaml.ScalarNode && pt.Implements(textUnmarshalerType)) {
		// The type reads its own YAML: its error is the message, at the
		// line of the value it names.
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			p := unmarshalProblem(err)
			if p.Line == 0 {
				p.Line = n.Line
			}
			p.Path = KeyPath(path...)
			*c.ps = append(*c.ps, p)
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		c.node(n, t.Elem(), path)
	case reflect.Interface:
		// any value fits
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			c.add(n, path, "want a mapping, got %s", got(n))
			return
		}
		fields := fieldsOf(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			at := append(slices.Clip(path), k.Value)
			ft, ok := fields.byName[k.Value]
			switch {
			case ok:
				c.node(v, ft, at)
			case fields.rest != nil:
				c.node(v, fields.rest, at)
			default:
				c.add(k, at, "unknown key%s", suggest(k.Value, fields.names))
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			c.add(n, path, "want a mapping, got %s", got(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			at := append(slices.Clip(path), k.Value)
			if t.Key().Kind() != reflect.String && t.Key().Kind() != reflect.Interface {
				c.scalar(k, t.Key(), at)
			}
			c.node(v, t.Elem(), at)
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			c.add(n, path, "want a list, got %s", got(n))
			return
		}
		if t.Kind() == reflect.Array && len(n.Content) != t.Len() {
			c.add(n, path, "want a list of %d, got %d", t.Len(), len(n.Content))
			return
		}
		for i, item := range n.Content {
			c.node(item, t.Elem(), append(slices.Clip(path), i))
		}
	default:
		c.scalar(n, t, path)
	}
}

// scalar checks a value meant for a string, number or boolean by decoding
// it alone, so what is accepted is exactly what yaml.v3 accepts.
func (c *checker) scalar(n *yaml.Node, t reflect.Type, path []any) {
	if n.Kind != yaml.ScalarNode {
		c.add(n, path, "want %s, got %s", want(t), got(n))
		return
	}
	if err := n.Decode(reflect.New(t).Interface()); err != nil {
		c.add(n, path, "want %s, got %s", want(t), got(n))
	}
}

// want names what a Go type holds, as a file's author would say it.
func want(t reflect.Type) string {
	if t == durationType {
		return "a duration such as 30s or 5m"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return fmt.Sprintf("a whole number from 0 to %d", uint64(1)<<t.Bits()-1)
	case reflect.Uint, reflect.Uint64, reflect.Uintptr:
		return "a whole number, 0 or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a single value"
	case reflect.Struct, reflect.Map:
		return "a mapping"
	case reflect.Slice, reflect.Array:
		return "a list"
	}
	return "a value of another shape"
}

// got names what the file gave: the value itself (quoted, shortened), or
// the shape of a mapping or list.
func got(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	v := n.Value
	if r := []rune(v); len(r) > 40 {
		v = string(r[:40]) + "…"
	}
	return fmt.Sprintf("%q", v)
}

// unmarshalProblem is the error of a type's own UnmarshalYAML without
// yaml.v3's prefixes, and with its "cannot unmarshal !!map into string"
// said in the file's words.
func unmarshalProblem(err error) Problem {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		err = errors.New(te.Errors[0])
	}
	p := syntaxProblem(err)
	if m := cannotRE.FindStringSubmatch(p.Msg); m != nil {
		p.Msg = "want " + goWords(m[3]) + ", got " + tagWords(m[1], m[2])
	}
	return p
}

var cannotRE = regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `([^`]*)`)? into (\\S+)$")

// tagWords names what yaml.v3's tag says the file gave.
func tagWords(tag, value string) string {
	switch tag {
	case "map":
		return "a mapping"
	case "seq":
		return "a list"
	}
	return got(&yaml.Node{Kind: yaml.ScalarNode, Value: value})
}

// goWords names a Go type yaml.v3 spelled in an error, as want does for a
// reflect.Type.
func goWords(typ string) string {
	typ = strings.TrimLeft(typ, "*")
	switch {
	case typ == "time.Duration":
		return want(durationType)
	case strings.HasPrefix(typ, "[]"):
		return "a list"
	case strings.HasPrefix(typ, "map["):
		return "a mapping"
	case typ == "string":
		return "a single value"
	case typ == "bool":
		return "true or false"
	case strings.HasPrefix(typ, "int"), strings.HasPrefix(typ, "uint"):
		return "a whole number"
	case strings.HasPrefix(typ, "float"):
		return "a number"
	}
	return "a value of another shape"
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// structFields is what keys a struct type takes, as yaml.v3 names them.
type structFields struct {
	byName map[string]reflect.Type
	names  []string     // sorted, for suggestions
	rest   reflect.Type // the value type of an inline map, taking any other key
}

func fieldsOf(t reflect.Type) structFields {
	f := structFields{byName: map[string]reflect.Type{}}
	f.collect(t)
	slices.Sort(f.names)
	return f
}

func (f *structFields) collect(t reflect.Type) {
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.PkgPath != "" && !sf.Anonymous {
			continue // unexported
		}
		tag := sf.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, flags, _ := strings.Cut(tag, ",")
		if slices.Contains(strings.Split(flags, ","), "inline") {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			switch ft.Kind() {
			case reflect.Struct:
				f.collect(ft)
			case reflect.Map:
				f.rest = ft.Elem()
			}
			continue
		}
		if sf.PkgPath != "" {
			continue
		}
		if name == "" {
			name = strings.ToLower(sf.Name)
		}
		f.byName[name] = sf.Type
		f.names = append(f.names, name)
	}
}

// suggest says which known key an unknown one probably meant, or lists the
// known keys when none is close.
func suggest(key string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		d := distance(strings.ToLower(key), strings.ToLower(k))
		if d < bestD {
			best, bestD = k, d
		}
	}
	switch {
	case best != "":
		return "; did you mean " + best + "?"
	case len(known) == 0:
		return ""
	case len(known) <= 20:
		return " (known: " + strings.Join(known, ", ") + ")"
	}
	return ""
}

// distance is the Levenshtein distance of a and b, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
