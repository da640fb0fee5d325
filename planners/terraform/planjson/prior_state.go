package planjson

import (
	"github.com/rehearse-dev/rehearse/change"
)

// prior_state is read for one number: how many managed resources exist
// before the change, the base of the blast radius's share. The values are
// checked for syntax and skipped.

// priorState counts managed resources without building their values. It
// follows what decoding into {values: {root_module: {resources: [{mode}],
// child_modules: [...]}}} gave: a repeated key replaces a list, null
// clears it.
func (d *reader) priorState() error {
	var root stateCount
	hasValues := false
	_, err := d.objectKeys("prior_state", []string{"values"}, func(k string) error {
		if !keyIs(k, "values") {
			return d.s.value()
		}
		isObj, err := d.objectKeys("prior_state.values", []string{"root_module"}, func(k string) error {
			if !keyIs(k, "root_module") {
				return d.s.value()
			}
			_, err := d.objectKeys("prior_state.values.root_module", stateModuleKeys, func(k string) error { return d.stateModule(k, &root) })
			return err
		})
		if !isObj && d.typeErr == nil { // null: the values are gone
			root, hasValues = stateCount{}, false
		} else {
			hasValues = true
		}
		return err
	})
	if err != nil {
		return err
	}
	d.set.Managed = 0
	if hasValues {
		d.set.Managed = root.resources + root.children
	}
	return nil
}

type stateCount struct{ resources, children int }

func (d *reader) stateModule(k string, into *stateCount) error {
	switch {
	case keyIs(k, "resources"):
		n := 0
		_, err := d.array("resources", func() error {
			mode := ""
			_, err := d.objectKeys("resources", []string{"mode"}, func(k string) error {
				if !keyIs(k, "mode") {
					return d.s.value()
				}
				return d.stringField("resources.mode", &mode)
			})
			if mode == "managed" {
				n++
			}
			return err
		})
		into.resources = n
		return err
	case keyIs(k, "child_modules"):
		n := 0
		_, err := d.array("child_modules", func() error {
			var child stateCount
			_, err := d.objectKeys("child_modules", stateModuleKeys, func(k string) error { return d.stateModule(k, &child) })
			n += child.resources + child.children
			return err
		})
		into.children = n
		return err
	}
	return d.s.value()
}

// managedAtLeast is the number of managed resources before the change: what
// prior_state holds, but never fewer than the existing objects the plan
// itself changes (a trimmed prior_state would make a share of 250%).
// Unknown (-1) stays unknown.
func managedAtLeast(managed int, rs []change.Resource) int {
	if managed < 0 {
		return managed
	}
	existing := 0
	for i := range rs {
		r := &rs[i]
		if r.Mode == change.Managed && r.Action != change.Create && r.Action != change.Read {
			existing++
		}
	}
	return max(managed, existing)
}
