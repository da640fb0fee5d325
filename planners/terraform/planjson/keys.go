package planjson

import (
	"bytes"
	"strings"
)

// The keys rehearse reads, in one place. Terraform writes each key in one
// case and once: a key that is one of these in another case (caseOf), or
// one of them twice, is refused, since it would mean one thing to rehearse
// and another to whoever reads the plan next.
var (
	// topKeys are the top-level keys of a plan.
	topKeys = []string{"format_version", "terraform_version", "errored", "complete", "planned_values",
		"resource_changes", "resource_drift", "output_changes", "prior_state", "configuration",
		"variables", "action_invocations", "deferred_action_invocations", "deferred_changes"}
	// resourceKeys are the keys of a resource change.
	resourceKeys = []string{"address", "previous_address", "module_address", "mode", "type", "name", "index",
		"provider_name", "deposed", "action_reason", "change"}
	// changeKeys are the keys of a change object, of a resource or an
	// output.
	changeKeys = []string{"actions", "before", "after", "after_unknown", "before_sensitive", "after_sensitive",
		"replace_paths", "importing", "generated_config"}
	// actionInvocationKeys are the keys of an action invocation.
	actionInvocationKeys = []string{"address", "type", "name", "provider_name", "lifecycle_action_trigger", "invoke_action_trigger"}
	// deferredChangeKeys are the keys of a deferred change.
	deferredChangeKeys = []string{"reason", "resource_change"}
	// stateModuleKeys are the keys of a module in prior_state.
	stateModuleKeys = []string{"resources", "child_modules"}
	// configModuleKeys are the keys of a module in the configuration.
	configModuleKeys = []string{"resources", "module_calls"}
)

// knownKeys maps the keys of a resource change and its change object to
// themselves, so keyString returns them without allocating.
var knownKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range resourceKeys {
		m[k] = k
	}
	for _, k := range changeKeys {
		m[k] = k
	}
	return m
}()

// keyString decodes an object key; the usual ones without allocating.
func keyString(raw []byte) string {
	if k, ok := knownKeys[string(raw[1:len(raw)-1])]; ok {
		return k
	}
	return decodeString(raw)
}

// caseOf returns the name among names that k is in another case.
func caseOf(k string, names []string) (string, bool) {
	for _, n := range names {
		if k != n && strings.EqualFold(k, n) {
			return n, true
		}
	}
	return "", false
}

// labelAttrs are the top-level attributes that hold tags or labels across
// providers, in the order they apply: for a label in more than one, the
// later attribute's value wins (tags over tags_all). Kubernetes resources
// keep theirs in metadataAttr[0].labels, applied last, with the namespace.
var labelAttrs = [...]string{"tags_all", "labels", "tags", "user_labels"}

// metadataAttr is the Kubernetes resources' block of labels and namespace.
const metadataAttr = "metadata"

// labelSlot is the index in labelAttrs of an attribute name (its decoded
// body), len(labelAttrs) for metadataAttr, and -1 for any other.
func labelSlot(k []byte) int {
	switch string(k) {
	case metadataAttr:
		return len(labelAttrs)
	default:
		for i, a := range labelAttrs {
			if string(k) == a {
				return i
			}
		}
	}
	return -1
}

// isLabelKey reports whether a raw key names one of labelAttrs or
// metadataAttr; an escaped key is decoded to tell.
func isLabelKey(rawKey []byte) bool {
	k := rawKey[1 : len(rawKey)-1]
	if bytes.IndexByte(k, '\\') >= 0 {
		k = []byte(decodeString(rawKey))
	}
	return labelSlot(k) >= 0
}

// labelAttr reports whether a decoded attribute name is one of labelAttrs
// or metadataAttr: the attributes an update or replace always decodes.
func labelAttr(k string) bool {
	switch k {
	case labelAttrs[0], labelAttrs[1], labelAttrs[2], labelAttrs[3], metadataAttr:
		return true
	}
	return false
}
