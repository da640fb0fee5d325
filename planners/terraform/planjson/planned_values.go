package planjson

// planned_values is checked for syntax and otherwise skipped, but on the
// way it is counted: the resources it lists (every module's) are about as
// many as the resource changes that follow it, which then go straight
// into one list of that size (changes, pipeline.go), instead of into a
// list per job copied into one list at the end. That copy held every
// Resource twice for a moment, the process's peak memory on a large plan
// (35 MB of structs at 100k resources). The count is a hint only: the
// walk refuses nothing that skipping the value would accept, with the
// same errors at the same offsets (lenient).

// minPlannedBytes is the fewest bytes a resource in planned_values is
// taken to need for the count to be trusted: terraform writes each with
// its address, mode, type, name, provider, schema version and values,
// 500 bytes and more. A document listing a million empty objects in 3 MB
// must not make the reader set aside room for a million Resources
// (368 MB): the room is at most the bytes read over this, so it never
// outgrows the input by more than the Resources themselves would.
const minPlannedBytes = 256

// plannedValues consumes planned_values and counts its resources.
func (d *reader) plannedValues() error {
	n, start := 0, d.s.offset()
	_, err := d.lenient(func(k string) error {
		if k != "root_module" {
			return d.s.value()
		}
		return d.countModule(&n)
	})
	d.plannedResources = min(n, int((d.s.offset()-start)/minPlannedBytes))
	return err
}

// countModule consumes a module of planned_values, adding the elements
// of its resources list and of its child modules' to n.
func (d *reader) countModule(n *int) error {
	_, err := d.lenient(func(k string) error {
		switch k {
		case "resources":
			_, err := d.lenient(func(string) error { *n++; return d.s.value() })
			return err
		case "child_modules":
			_, err := d.lenient(func(string) error { return d.countModule(n) })
			return err
		}
		return d.s.value()
	})
	return err
}

// lenient consumes one value as scanner.value does, walking into an
// object or array: fn is called for each member (with its key; "" in an
// array) and must consume the member's value. Any other value is left to
// scanner.value. The bytes accepted, the errors and their offsets, and
// the depth limit are scanner.value's: an empty container is not a
// level, a non-empty one is checked against maxDepth after the white
// space that follows its opening byte, and the member syntax is
// scanner.next and scanner.key, which give value's errors. It reports the
// container's opening byte, or 0.
func (d *reader) lenient(fn func(key string) error) (byte, error) {
	c, err := d.s.ws()
	if err != nil {
		return 0, err
	}
	if c != '{' && c != '[' {
		return 0, d.s.value()
	}
	closer := byte('}')
	if c == '[' {
		closer = ']'
	}
	d.s.pos++
	c2, err := d.s.ws()
	if err != nil {
		return c, err
	}
	if c2 == closer {
		d.s.pos++
		return c, nil
	}
	d.s.depth++
	defer func() { d.s.depth-- }()
	if d.s.depth > maxDepth {
		return c, &depthError{Offset: d.s.offset()}
	}
	for first := true; ; first = false {
		more, err := d.s.next(closer, first)
		if err != nil || !more {
			return c, err
		}
		key := ""
		if c == '{' {
			if key, err = d.s.key(); err != nil {
				return c, err
			}
		}
		if err := fn(key); err != nil {
			return c, err
		}
	}
}
