package planjson

import (
	"bytes"
	"slices"
	"sort"
	"strings"
	"unsafe"

	"github.com/rehearse-dev/rehearse/change"
)

// configIndex is the part of a plan's configuration the verdict needs: which
// resources refer to which, for the blast radius. Each expression is reduced
// to its references as it is read.
type configIndex struct {
	RootModule configModule
}

type configModule struct {
	Resources   []configResource
	ModuleCalls map[string]*configModule // nil entries: a call without a module
}

type configResource struct {
	Address string
	// targets are what the blast radius needs of the expressions: the
	// resources they refer to (resourceRef), relative to the module, each
	// once. Keeping them instead of the expressions' keys and references
	// was a fifth of the reader's live memory at its peak on the mixed
	// 100k plan (28 of 149 MB, with the map dependents makes from them).
	targets []string
}

// configExpr is one expression of a configuration resource while it is
// read: its key, and the resources it refers to (exprTargets).
type configExpr struct {
	key     string
	targets []string
}

// configuration reads the configuration as decoding it into
// {root_module: {resources: [{address, expressions}], module_calls:
// {NAME: {module}}}} did: a repeated list key replaces the list, a repeated
// map key the entry, and null clears.
//
// Each module's resources go to a goroutine that adds them to the
// dependents (depBuilder) as soon as the list is read.
func (d *reader) configuration() error {
	b := &depBuilder{mods: make(chan depModule, 64), done: make(chan map[string][]string, 1)}
	d.deps = b
	// Most resources are referred to by a neighbour: room for about as
	// many as planned_values lists spares the map its growing.
	go b.run(d.plannedResources)
	defer close(b.mods)
	_, err := d.objectKeys("configuration", []string{"root_module"}, func(k string) error {
		if !keyIs(k, "root_module") {
			return d.s.value()
		}
		_, err := d.objectKeys("configuration.root_module", configModuleKeys, func(k string) error { return d.configModule(k, &d.config.RootModule, "") })
		return err
	})
	return err
}

// depBuilder makes the dependents map on its own goroutine while the
// reader goes on through the configuration. It exists because making the
// map after the whole configuration was read took a tenth of a second on
// the 100k plans (0.17 s of CPU on the mixed one) with the other core
// idle: the configuration is the last part of the document, read while
// the converters have nothing left to do.
type depBuilder struct {
	mods chan depModule
	done chan map[string][]string
	// stale is set when a module call is repeated: the first call's
	// module, whose resources were sent, is replaced, so the map is made
	// from the index instead.
	stale bool
}

// depModule is a module's resources and its address prefix.
type depModule struct {
	prefix string
	rs     []configResource
}

func (b *depBuilder) run(size int) {
	out := make(map[string][]string, size)
	for m := range b.mods {
		addDependents(m.prefix, m.rs, out)
	}
	b.done <- finishDependents(out)
}

// dependents is the map the builder made, once the configuration is read.
func (d *reader) dependents() map[string][]string {
	if d.deps == nil { // no configuration
		return nil
	}
	out := <-d.deps.done
	if d.deps.stale {
		return d.config.dependents()
	}
	return out
}

func (d *reader) configModule(k string, m *configModule, prefix string) error {
	switch {
	case keyIs(k, "resources"):
		var rs []configResource
		isNull, err := d.array("resources", func() error {
			var r configResource
			_, err := d.objectKeys("resources", []string{"address", "expressions"}, func(k string) error { return d.configResource(k, &r) })
			rs = append(rs, r)
			return err
		})
		if isNull {
			rs = nil
		} else if rs == nil {
			rs = []configResource{}
		}
		m.Resources = rs
		if err == nil && len(rs) > 0 {
			d.deps.mods <- depModule{prefix, rs}
		}
		return err
	case keyIs(k, "module_calls"):
		isObj, err := d.object("module_calls", func(name string) error {
			if m.ModuleCalls == nil {
				m.ModuleCalls = map[string]*configModule{}
			}
			var call *configModule
			_, err := d.objectKeys("module_calls", []string{"module"}, func(k string) error {
				if !keyIs(k, "module") {
					return d.s.value()
				}
				if call == nil {
					call = &configModule{}
				}
				_, err := d.objectKeys("module_calls.module", configModuleKeys, func(k string) error {
					return d.configModule(k, call, prefix+"module."+name+".")
				})
				return err
			})
			if _, ok := m.ModuleCalls[name]; ok {
				d.deps.stale = true
			}
			m.ModuleCalls[name] = call
			return err
		})
		if !isObj && d.typeErr == nil {
			m.ModuleCalls = nil
		}
		return err
	}
	return d.s.value()
}

func (d *reader) configResource(k string, r *configResource) error {
	switch {
	case keyIs(k, "address"):
		return d.stringField("resources.address", &r.Address)
	case keyIs(k, "expressions"):
		// A repeated expression key replaces the expression, as decoding
		// into a map did; null clears them.
		exprs := d.exprScratch[:0]
		isObj, err := d.object("resources.expressions", func(k string) error {
			raw, err := d.s.capture()
			if err != nil {
				return err
			}
			e := configExpr{key: k, targets: d.exprTargets(raw)}
			for i := range exprs {
				if exprs[i].key == k {
					exprs[i] = e
					return nil
				}
			}
			exprs = append(exprs, e)
			return nil
		})
		if !isObj && d.typeErr == nil {
			exprs = exprs[:0]
		}
		r.targets = resourceTargets(exprs)
		clear(exprs)
		d.exprScratch = exprs[:0]
		return err
	}
	return d.s.value()
}

// exprTargets lists the resources the expression raw refers to, each once.
// The references are looked at where they lie in raw, and only the
// resource addresses kept are copied: most references name one of a few
// resources, and copying each first was a tenth of the configuration's
// allocations.
func (d *reader) exprTargets(raw []byte) []string {
	var out []string
	d.refScratch = eachReference(raw, d.refScratch, func(ref string) {
		if to := resourceRef(ref); to != "" && !slices.Contains(out, to) {
			out = append(out, strings.Clone(to))
		}
	})
	return out
}

// resourceTargets lists the resources the expressions refer to, each once.
func resourceTargets(exprs []configExpr) []string {
	var out []string
	for _, e := range exprs {
		if out == nil {
			// Each expression's targets are distinct already.
			out = e.targets
			continue
		}
		for _, to := range e.targets {
			if !slices.Contains(out, to) {
				out = append(out, to)
			}
		}
	}
	return out
}

// dependents maps a configuration address to the configuration addresses
// that refer to it.
// It is what depBuilder makes, from the whole index.
func (c *configIndex) dependents() map[string][]string {
	// Most resources are referred to by a neighbour: room for them all
	// spares the map its growing (a third of this on 100k resources).
	out := make(map[string][]string, c.RootModule.count())
	c.RootModule.walk("", out)
	return finishDependents(out)
}

// finishDependents sorts each list and drops repeats; an empty map is nil.
func finishDependents(out map[string][]string) map[string][]string {
	if len(out) == 0 {
		return nil
	}
	for k, v := range out {
		sort.Strings(v)
		out[k] = compactStrings(v)
	}
	return out
}

// count is how many resources m and its modules configure.
func (m *configModule) count() int {
	n := len(m.Resources)
	for _, call := range m.ModuleCalls {
		if call != nil {
			n += call.count()
		}
	}
	return n
}

func (m *configModule) walk(prefix string, out map[string][]string) {
	addDependents(prefix, m.Resources, out)
	for name, call := range m.ModuleCalls {
		if call == nil {
			call = &configModule{}
		}
		call.walk(prefix+"module."+name+".", out)
	}
}

// addDependents adds the references of a module's resources to out: each
// resource it refers to maps to the resource, in full addresses.
func addDependents(prefix string, rs []configResource, out map[string][]string) {
	for _, r := range rs {
		from := ""
		if len(r.targets) > 0 {
			from = prefix + r.Address
		}
		for _, to := range r.targets {
			if to = prefix + to; to != from {
				out[to] = append(out[to], from)
			}
		}
	}
}

// references collects every "references" list inside an expression, as
// walking the decoded expression did, straight from the bytes.
func references(raw []byte) []string {
	var refs []string
	eachReference(raw, nil, func(ref string) { refs = append(refs, strings.Clone(ref)) })
	return refs
}

// eachReference calls fn with each reference inside the expression raw,
// in order, and returns scratch for the next call. A reference without
// escapes is passed where it lies in raw, so fn must copy what it keeps.
// An object with a repeated or escaped key (where the decoded map would
// keep only the last value) is rare: the expression is then decoded and
// walked.
func eachReference(raw []byte, scratch [][]byte, fn func(string)) [][]byte {
	refs := scratch[:0]
	p := vparser{b: raw}
	if !refWalk(&p, &refs) {
		for _, ref := range referencesDecoded(raw) {
			fn(ref)
		}
	} else {
		for _, r := range refs {
			if body := r[1 : len(r)-1]; bytes.IndexByte(body, '\\') < 0 && len(body) > 0 {
				fn(unsafe.String(&body[0], len(body))) // valid while raw is
			} else {
				fn(decodeString(r))
			}
		}
	}
	clear(refs)
	return refs[:0]
}

// refWalk walks one value; false means "decode instead".
// The references are appended to refs as they are written, quotes and
// all.
func refWalk(p *vparser, refs *[][]byte) bool {
	switch p.ws() {
	case '{':
		p.i++
		var kbuf [8][]byte
		keys := kbuf[:0]
		for first := true; p.next('}', first); first = false {
			k := p.key()
			if bytes.IndexByte(k, '\\') >= 0 || len(keys) == 64 {
				return false
			}
			for _, prev := range keys {
				if bytes.Equal(prev, k) {
					return false
				}
			}
			keys = append(keys, k)
			if string(k) != `"references"` {
				if !refWalk(p, refs) {
					return false
				}
				continue
			}
			if p.ws() != '[' {
				p.skip()
				continue
			}
			p.i++
			for first := true; p.next(']', first); first = false {
				if p.ws() == '"' {
					*refs = append(*refs, p.strRaw())
				} else {
					p.skip()
				}
			}
		}
	case '[':
		p.i++
		for first := true; p.next(']', first); first = false {
			if !refWalk(p, refs) {
				return false
			}
		}
	default:
		p.skip()
	}
	return true
}

// referencesDecoded is references on the decoded expression.
func referencesDecoded(raw []byte) []string {
	var refs []string
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				if k == "references" {
					if list, ok := e.([]any); ok {
						for _, s := range list {
							if s, ok := s.(string); ok {
								refs = append(refs, s)
							}
						}
					}
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(decodeValue(raw))
	return refs
}

// resourceRef turns a reference such as "aws_db.main.id" or
// "data.x.y[0]" into a resource's configuration address, or "" when it
// names something else (a variable, a local, a module output…): the
// first two dot-separated parts of the address without its indexes, three
// for a data source. It is a prefix of that address, so it allocates only
// when the reference has an index.
func resourceRef(ref string) string {
	ref = change.ConfigAddress(ref)
	first, _, ok := strings.Cut(ref, ".")
	switch first {
	case "var", "local", "module", "each", "count", "path", "terraform", "self":
		return ""
	}
	if !ok {
		return ""
	}
	parts := 2
	if first == "data" {
		parts = 3
	}
	// end is after the first part's dot; parts-1 more parts are kept.
	end := len(first) + 1
	for n := 2; ; n++ {
		i := strings.IndexByte(ref[end:], '.')
		if n == parts {
			if i < 0 {
				return ref
			}
			return ref[:end+i]
		}
		if i < 0 {
			return ""
		}
		end += i + 1
	}
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
