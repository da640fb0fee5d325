package plangen

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The mixed shape: resources of three providers whose attributes mix every
// JSON type, 18 to 60 of them per resource, tags (or labels) on every one,
// and updates that change every top-level attribute. It is what the AWS
// shape is not: most of an update's bytes differ between before and after,
// so a reader cannot skip what is equal, and values are lists and nested
// maps as often as strings.

// mixedTypes are resource types of three providers; the data-bearing ones
// (databases, buckets, storage accounts) make the verdict work.
var mixedTypes = []string{
	"aws_lambda_function", "aws_ecs_service", "aws_db_instance", "aws_s3_bucket", "aws_dynamodb_table",
	"google_compute_instance", "google_sql_database_instance", "google_storage_bucket", "google_pubsub_topic",
	"azurerm_linux_virtual_machine", "azurerm_storage_account", "azurerm_key_vault", "azurerm_app_service",
}

// mixedNames are attribute names providers use, for the generated ones.
var mixedNames = []string{
	"name", "enabled", "port", "protocol", "timeout", "memory", "runtime", "handler", "region", "zone",
	"location", "sku", "tier", "capacity", "min_size", "max_size", "count", "subnets", "groups", "cidrs",
	"origins", "env", "settings", "kms_key", "logging", "retention", "versioning", "lifecycle", "nic",
	"disk", "image", "schedule", "script", "endpoint", "hostname", "health", "scaling", "window", "backup",
	"ip", "flags", "public", "replicas", "class", "cors", "website", "access", "kind", "identity", "site",
	"app", "https", "affinity", "purge", "tenant", "acls", "version", "arch", "owner", "quota", "mode",
	"path", "host", "ttl", "role", "rule", "type", "size", "labels_x", "policy", "target", "source",
}

// mixedLabelKey is where a provider keeps tags.
func mixedLabelKey(typ string) string {
	if strings.HasPrefix(typ, "google_") {
		return "labels"
	}
	return "tags"
}

// mixedResource is the mixed shape's resource i: 70% no-op, 12% update of
// every top-level attribute, 6% create, 3% delete-then-create and 2%
// create-then-delete replaces, 3% delete, 4% read.
func (g *gen) mixedResource(i int) *resource {
	mod := i / perModule
	r := &resource{index: -1, env: envs[mod%3], mode: "managed"}
	if mod > 0 {
		r.modName = fmt.Sprintf("%s_svc_%04d", r.env, mod)
		r.module = "module." + r.modName
	}
	r.typ = mixedTypes[(i+g.r.IntN(4))%len(mixedTypes)]
	p := g.r.IntN(100)
	if p < 4 {
		r.mode = "data"
		r.actions = []string{"read"}
	}
	r.name = fmt.Sprintf("r_%d", i%perModule)
	if i%7 == 0 && r.mode == "managed" {
		r.index = g.r.IntN(3)
	}
	if i%perModule > 0 {
		r.refs = append(r.refs, fmt.Sprintf("%s.r_%d", r.typ, i%perModule-1))
	}
	obj, sens := g.mixedAttrs(r, i)
	r.sensitive = sens
	switch {
	case r.mode == "data":
		r.after = obj
	case p < 74:
		r.actions = []string{"no-op"}
		r.before, r.after = obj, clone(obj)
	case p < 86:
		r.actions = []string{"update"}
		r.before, r.after = obj, g.mixedUpdated(obj)
	case p < 92:
		r.actions = []string{"create"}
		r.after = clone(obj)
		r.afterUnknown = map[string]any{"id": true}
		delete(r.after, "id")
	case p < 97:
		if p < 95 {
			r.actions = []string{"delete", "create"}
		} else {
			r.actions = []string{"create", "delete"}
		}
		r.reason = "replace_because_cannot_update"
		r.before, r.after = obj, clone(obj)
		if g.r.IntN(4) == 0 {
			r.after["name"] = nil
			r.afterUnknown = map[string]any{"name": true, "id": true}
		} else {
			r.after["name"] = fmt.Sprint(obj["name"]) + "-v2"
			r.afterUnknown = map[string]any{"id": true}
		}
		r.replacePaths = [][]any{{"name"}}
	default:
		r.actions = []string{"delete"}
		r.before = obj
		if g.r.IntN(2) == 0 {
			r.reason = "delete_because_no_resource_config"
		}
	}
	return r
}

// mixedAttrs builds an object of 18 to 60 attributes: an id, a name, tags
// or labels, and the rest drawn from mixedNames with values of every type.
func (g *gen) mixedAttrs(r *resource, i int) (map[string]any, map[string]any) {
	lk := mixedLabelKey(r.typ)
	tags := map[string]any{"env": r.env, "team": fmt.Sprintf("t%d", i%13), "cost_center": fmt.Sprintf("cc-%03d", i%97)}
	m := map[string]any{
		"id":   fmt.Sprintf("%s-%s", strings.SplitN(r.typ, "_", 2)[1], g.hex(16)),
		"name": fmt.Sprintf("%s-%s-%d", r.env, r.name, i),
		lk:     tags,
	}
	sens := map[string]any{lk: map[string]any{}}
	if lk == "tags" {
		m["tags_all"] = clone(tags)
		sens["tags_all"] = map[string]any{}
	}
	// Most resources have few attributes, some have many: 18 + 42u⁵
	// gives 18 to 60, 25 on average.
	u := g.r.Float64()
	n := 18 + int(43*u*u*u*u*u)
	for len(m) < n {
		k := mixedNames[g.r.IntN(len(mixedNames))]
		if _, ok := m[k]; ok {
			k = fmt.Sprintf("%s%d", k, g.r.IntN(10))
			if _, ok := m[k]; ok {
				continue
			}
		}
		m[k] = g.mixedValue(2)
	}
	if g.r.IntN(5) == 0 {
		m["connection_string"] = nil
		sens["connection_string"] = true
	}
	return m, sens
}

// mixedValue is a value of any type: strings most often, then numbers,
// booleans, nulls, lists of strings and (while depth lasts) nested maps.
func (g *gen) mixedValue(depth int) any {
	switch p := g.r.IntN(100); {
	case p < 40:
		return g.mixedString()
	case p < 60:
		return json.Number(fmt.Sprint(g.r.IntN(1000)))
	case p < 75:
		return g.r.IntN(2) == 0
	case p < 87:
		return nil
	case p < 95:
		l := make([]any, g.r.IntN(3))
		for j := range l {
			l[j] = g.mixedString()
		}
		return l
	default:
		if depth == 0 {
			return g.mixedString()
		}
		sub := map[string]any{}
		for range 1 + g.r.IntN(3) {
			sub[mixedNames[g.r.IntN(len(mixedNames))]] = g.mixedValue(depth - 1)
		}
		return sub
	}
}

func (g *gen) mixedString() string {
	switch g.r.IntN(4) {
	case 0:
		return g.hex(4 + g.r.IntN(8))
	case 1:
		return fmt.Sprintf("10.%d.0.0/16", g.r.IntN(256))
	case 2:
		return []string{"enabled", "STANDARD", "us-central1-a", "westeurope", "python3.12", "Hot", "LRS"}[g.r.IntN(7)]
	}
	return "p-" + g.hex(4) + "/" + g.hex(4)
}

// mixedUpdated changes every top-level attribute but the id: strings get a
// suffix, numbers grow, booleans flip, nulls get a value, lists gain an
// element, maps gain a member, and tags a revision.
func (g *gen) mixedUpdated(obj map[string]any) map[string]any {
	a := make(map[string]any, len(obj))
	for k, v := range obj {
		switch t := v.(type) {
		case string:
			if k == "id" {
				a[k] = t
			} else {
				a[k] = t + "-2"
			}
		case json.Number:
			n, _ := t.Int64()
			a[k] = json.Number(fmt.Sprint(n + 1))
		case bool:
			a[k] = !t
		case nil:
			a[k] = g.mixedString()
		case []any:
			a[k] = append(append([]any(nil), t...), g.mixedString())
		case map[string]any:
			c := clone(t)
			c["revision"] = json.Number(fmt.Sprint(g.r.IntN(1000)))
			a[k] = c
		}
	}
	return a
}
