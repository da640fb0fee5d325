// Package plangen writes synthetic but format-faithful Terraform plan JSON
// (terraform show -json, format 1.2, terraform 1.5.7) for benchmarks.
package plangen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// Options size a plan.
type Options struct {
	N     int    // resource changes
	Seed  int64  // same seed, same plan
	Shape string // ShapeAWS (the default) or ShapeMixed
}

// The shapes of plan Write makes.
const (
	// ShapeAWS is AWS resources of about 600 bytes whose updates change
	// a tag or two.
	ShapeAWS = "aws"
	// ShapeMixed is three providers' resources of 18 to 60 attributes of
	// every JSON type, whose updates change every attribute (mixed.go).
	ShapeMixed = "mixed"
)

// perModule is how many resources one module call holds.
const perModule = 20

// Write writes a plan of o.N resource changes to w. The AWS shape's mix is
// about 70% no-op, 10% update, 7% create, 3% delete-then-create and 2%
// create-then-delete replaces, 4% delete and 4% read (the mixed shape's is
// in mixedResource); a third of the modules are tagged prod, a third
// staging and a third dev.
func Write(w io.Writer, o Options) error {
	g := &gen{r: rand.New(rand.NewPCG(uint64(o.Seed), 0x5eed)), w: bufio.NewWriterSize(w, 1<<20)}
	next := g.resource
	switch o.Shape {
	case "", ShapeAWS:
	case ShapeMixed:
		next = g.mixedResource
	default:
		return fmt.Errorf("unknown shape %q (want %s or %s)", o.Shape, ShapeAWS, ShapeMixed)
	}
	for i := 0; i < o.N; i++ {
		g.res = append(g.res, next(i))
	}
	g.plan()
	return g.w.Flush()
}

type resource struct {
	module, modName, typ, name, mode, env string
	index                                 int // -1: no count
	actions                               []string
	reason                                string
	before, after                         map[string]any
	afterUnknown, sensitive               map[string]any
	replacePaths                          [][]any
	refs                                  []string // config addresses in the same module it refers to
}

func (r *resource) local() string {
	s := r.typ + "." + r.name
	if r.mode == "data" {
		s = "data." + s
	}
	return s
}

func (r *resource) address() string {
	s := r.local()
	if r.index >= 0 {
		s += fmt.Sprintf("[%d]", r.index)
	}
	if r.module != "" {
		s = r.module + "." + s
	}
	return s
}

type gen struct {
	r   *rand.Rand
	w   *bufio.Writer
	res []*resource
}

var envs = []string{"prod", "staging", "dev"}

var managedTypes = []string{
	"aws_instance", "aws_instance", "aws_security_group", "aws_security_group", "aws_iam_role",
	"aws_s3_bucket", "aws_db_instance", "aws_sqs_queue", "aws_cloudwatch_log_group", "aws_route53_record",
}

func (g *gen) resource(i int) *resource {
	mod := i / perModule
	r := &resource{index: -1, env: envs[mod%3], mode: "managed"}
	if mod > 0 { // the first module's worth lives in the root module
		r.modName = fmt.Sprintf("%s_svc_%04d", r.env, mod)
		r.module = "module." + r.modName
	}
	p := g.r.IntN(100)
	switch {
	case p < 4:
		r.mode = "data"
		r.actions = []string{"read"}
		r.typ = []string{"aws_ami", "aws_iam_policy_document"}[g.r.IntN(2)]
	default:
		r.typ = managedTypes[(i+g.r.IntN(3))%len(managedTypes)]
	}
	r.name = fmt.Sprintf("%s_%d", strings.TrimPrefix(r.typ, "aws_"), i%perModule)
	if i%7 == 0 && r.mode == "managed" {
		r.index = g.r.IntN(3)
	}
	if r.typ == "aws_instance" && i%perModule > 0 {
		r.refs = append(r.refs, "aws_security_group."+fmt.Sprintf("security_group_%d", i%perModule-1))
	}
	if r.typ == "aws_db_instance" || r.typ == "aws_route53_record" {
		r.refs = append(r.refs, fmt.Sprintf("aws_instance.instance_%d", (i+1)%perModule))
	}
	obj, sens := g.attrs(r, i)
	r.sensitive = sens
	switch {
	case r.mode == "data":
		r.after = obj
	case p < 74:
		r.actions = []string{"no-op"}
		r.before, r.after = obj, clone(obj)
	case p < 84:
		r.actions = []string{"update"}
		r.before, r.after = obj, g.updated(obj)
	case p < 91:
		r.actions = []string{"create"}
		r.after = clone(obj)
		r.afterUnknown = map[string]any{"id": true, "arn": true, "tags": map[string]any{}, "tags_all": map[string]any{}}
		delete(r.after, "id")
		delete(r.after, "arn")
	case p < 96:
		if p < 94 {
			r.actions = []string{"delete", "create"}
		} else {
			r.actions = []string{"create", "delete"}
		}
		r.reason = "replace_because_cannot_update"
		r.before, r.after = obj, clone(obj)
		key := forceKey(r.typ)
		if g.r.IntN(4) == 0 { // forced by a value known only after apply
			r.after[key] = nil
			r.afterUnknown = map[string]any{key: true, "id": true}
		} else {
			r.after[key] = fmt.Sprint(obj[key]) + "-v2"
			r.afterUnknown = map[string]any{"id": true}
		}
		r.replacePaths = [][]any{{key}}
	default:
		r.actions = []string{"delete"}
		r.before = obj
		if g.r.IntN(2) == 0 {
			r.reason = "delete_because_no_resource_config"
		}
	}
	return r
}

func forceKey(typ string) string {
	switch typ {
	case "aws_instance":
		return "ami"
	case "aws_db_instance":
		return "identifier"
	case "aws_s3_bucket":
		return "bucket"
	}
	return "name"
}

func (g *gen) updated(obj map[string]any) map[string]any {
	a := clone(obj)
	if t, ok := obj["tags"].(map[string]any); ok {
		tags := clone(t)
		tags["revision"] = fmt.Sprint(g.r.IntN(1000))
		a["tags"], a["tags_all"] = tags, clone(tags)
	} else {
		a["ttl"] = json.Number("60")
	}
	if _, ok := a["instance_type"]; ok {
		a["instance_type"] = "m6i.xlarge"
	}
	return a
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (g *gen) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.r.IntN(16)]
	}
	return string(b)
}

// attrs builds an object value of about 600 bytes, as the AWS provider
// would report it, and its sensitivity marks.
func (g *gen) attrs(r *resource, i int) (map[string]any, map[string]any) {
	id := g.hex(17)
	tags := map[string]any{"env": r.env, "team": fmt.Sprintf("t%d", i%13)}
	m := map[string]any{"tags": tags, "tags_all": clone(tags)}
	sens := map[string]any{"tags": map[string]any{}, "tags_all": map[string]any{}}
	arn := func(svc, kind string) string {
		return fmt.Sprintf("arn:aws:%s:eu-west-1:123456789012:%s/%s", svc, kind, id)
	}
	switch r.typ {
	case "aws_instance":
		m["id"], m["arn"] = "i-"+id, arn("ec2", "instance")
		m["ami"] = "ami-" + g.hex(17)
		m["instance_type"] = "m6i.large"
		m["availability_zone"] = "eu-west-1a"
		m["subnet_id"] = "subnet-" + g.hex(17)
		m["private_ip"] = fmt.Sprintf("10.%d.%d.%d", i%250, (i/250)%250, g.r.IntN(250))
		m["associate_public_ip_address"] = false
		m["monitoring"] = true
		m["key_name"] = nil
		m["vpc_security_group_ids"] = []any{"sg-" + g.hex(17), "sg-" + g.hex(17)}
		m["root_block_device"] = []any{map[string]any{"volume_size": json.Number("50"), "volume_type": "gp3", "encrypted": true, "delete_on_termination": true}}
		m["metadata_options"] = []any{map[string]any{"http_tokens": "required"}}
		sens["root_block_device"] = []any{map[string]any{}}
		sens["metadata_options"] = []any{map[string]any{}}
	case "aws_security_group":
		m["id"], m["arn"] = "sg-"+id, arn("ec2", "security-group")
		m["name"] = fmt.Sprintf("sg-%s-%d", r.env, i)
		m["description"] = "Managed by Terraform"
		m["vpc_id"] = "vpc-" + g.hex(17)
		rule := func(port int) map[string]any {
			return map[string]any{"from_port": json.Number(fmt.Sprint(port)), "to_port": json.Number(fmt.Sprint(port)), "protocol": "tcp", "cidr_blocks": []any{"10.0.0.0/8"}, "ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{}, "security_groups": []any{}, "self": false, "description": ""}
		}
		m["ingress"] = []any{rule(443)}
		m["egress"] = []any{map[string]any{"from_port": json.Number("0"), "to_port": json.Number("0"), "protocol": "-1", "cidr_blocks": []any{"0.0.0.0/0"}}}
	case "aws_iam_role":
		m["id"] = fmt.Sprintf("role-%s-%d", r.env, i)
		m["arn"] = arn("iam", "role")
		m["name"] = m["id"]
		m["assume_role_policy"] = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
		m["max_session_duration"] = json.Number("3600")
		m["path"] = "/"
		m["force_detach_policies"] = false
		m["unique_id"] = "AROA" + strings.ToUpper(g.hex(17))
	case "aws_s3_bucket":
		m["id"] = fmt.Sprintf("%s-data-%d-%s", r.env, i, g.hex(6))
		m["bucket"], m["arn"] = m["id"], "arn:aws:s3:::"+m["id"].(string)
		m["force_destroy"] = i%3 == 0
		m["region"] = "eu-west-1"
		m["bucket_domain_name"] = m["id"].(string) + ".s3.amazonaws.com"
		m["versioning"] = []any{map[string]any{"enabled": true, "mfa_delete": false}}
		m["object_lock_enabled"] = false
		sens["versioning"] = []any{map[string]any{}}
	case "aws_db_instance":
		m["id"] = "db-" + strings.ToUpper(g.hex(20))
		m["arn"] = arn("rds", "db")
		m["identifier"] = fmt.Sprintf("%s-db-%d", r.env, i)
		m["engine"], m["engine_version"] = "postgres", "15.4"
		m["instance_class"] = "db.r6g.large"
		m["allocated_storage"] = json.Number("100")
		m["storage_encrypted"] = true
		m["skip_final_snapshot"] = i%2 == 0
		m["final_snapshot_identifier"] = nil
		m["backup_retention_period"] = json.Number(fmt.Sprint([]int{0, 7, 14}[i%3]))
		m["deletion_protection"] = i%5 == 0
		m["username"] = "app"
		m["password"] = nil
		m["port"] = json.Number("5432")
		m["multi_az"] = true
		sens["password"] = true
	case "aws_sqs_queue":
		m["id"] = fmt.Sprintf("https://sqs.eu-west-1.amazonaws.com/123456789012/%s-q-%d", r.env, i)
		m["arn"] = arn("sqs", "queue")
		m["name"] = fmt.Sprintf("%s-q-%d", r.env, i)
		m["visibility_timeout_seconds"] = json.Number("30")
		m["message_retention_seconds"] = json.Number("345600")
		m["fifo_queue"] = false
		m["sqs_managed_sse_enabled"] = true
	case "aws_cloudwatch_log_group":
		m["id"] = fmt.Sprintf("/aws/%s/svc-%d", r.env, i)
		m["arn"] = arn("logs", "log-group")
		m["name"] = m["id"]
		m["retention_in_days"] = json.Number("30")
		m["skip_destroy"] = false
		m["kms_key_id"] = ""
	case "aws_route53_record":
		m["id"] = fmt.Sprintf("Z%s_svc-%d.example.com_A", strings.ToUpper(g.hex(12)), i)
		m["name"] = fmt.Sprintf("svc-%d.%s.example.com", i, r.env)
		m["type"] = "A"
		m["ttl"] = json.Number("300")
		m["records"] = []any{fmt.Sprintf("10.%d.%d.%d", i%250, (i/250)%250, g.r.IntN(250))}
		m["zone_id"] = "Z" + strings.ToUpper(g.hex(12))
		delete(m, "tags")
		delete(m, "tags_all")
		delete(sens, "tags")
		delete(sens, "tags_all")
	case "aws_ami":
		m = map[string]any{"id": "ami-" + g.hex(17), "most_recent": true, "owners": []any{"amazon"}, "name_regex": nil, "architecture": "x86_64",
			"filter": []any{map[string]any{"name": "name", "values": []any{"al2023-ami-*"}}}, "tags": map[string]any{}}
		sens = map[string]any{"filter": []any{map[string]any{"values": []any{false}}}, "tags": map[string]any{}}
	case "aws_iam_policy_document":
		m = map[string]any{"id": fmt.Sprint(g.r.Uint32()), "json": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}`, "version": "2012-10-17"}
		sens = map[string]any{}
	}
	return m, sens
}

// writer helpers

func (g *gen) s(s string) { g.w.WriteString(s) }

func (g *gen) v(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	g.w.Write(b)
}

func (g *gen) plan() {
	g.s(`{"format_version":"1.2","terraform_version":"1.5.7","variables":{"region":{"value":"eu-west-1"}},"planned_values":{"root_module":`)
	g.moduleValues(func(r *resource) map[string]any {
		if r.actions[0] == "delete" && len(r.actions) == 1 {
			return nil
		}
		return r.after
	}, true)
	g.s(`},"resource_drift":[],"resource_changes":[`)
	for i, r := range g.res {
		if i > 0 {
			g.s(",")
		}
		g.change(r)
	}
	g.s(`],"output_changes":{"instance_count":{"actions":["no-op"],"before":`)
	g.v(len(g.res))
	g.s(`,"after":`)
	g.v(len(g.res))
	g.s(`,"after_unknown":false,"before_sensitive":false,"after_sensitive":false},"db_password":{"actions":["update"],"before":"x","after":"y","after_unknown":false,"before_sensitive":true,"after_sensitive":true}}`)
	g.s(`,"prior_state":{"format_version":"1.0","terraform_version":"1.5.7","values":{"root_module":`)
	g.moduleValues(func(r *resource) map[string]any {
		if r.mode == "data" || r.before == nil {
			return nil
		}
		return r.before
	}, false)
	g.s(`}},"configuration":{"provider_config":{"aws":{"name":"aws","full_name":"registry.terraform.io/hashicorp/aws","expressions":{"region":{"references":["var.region"]}}}},"root_module":`)
	g.config()
	g.s(`},"relevant_attributes":[],"timestamp":"2024-05-01T12:00:00Z"}`)
	g.s("\n")
}

// moduleValues writes a root_module of planned_values or prior_state.
func (g *gen) moduleValues(values func(*resource) map[string]any, planned bool) {
	write := func(rs []*resource) {
		g.s(`"resources":[`)
		n := 0
		for _, r := range rs {
			v := values(r)
			if v == nil {
				continue
			}
			if n > 0 {
				g.s(",")
			}
			n++
			g.s(`{"address":`)
			g.v(r.address())
			g.s(`,"mode":"` + r.mode + `","type":"` + r.typ + `","name":"` + r.name + `"`)
			if r.index >= 0 {
				g.s(fmt.Sprintf(`,"index":%d`, r.index))
			}
			g.s(`,"provider_name":"` + provider(r.typ) + `","schema_version":1,"values":`)
			g.v(v)
			g.s(`,"sensitive_values":`)
			g.v(r.sensitive)
			g.s("}")
		}
		g.s("]")
	}
	var root []*resource
	var mods [][]*resource
	for _, r := range g.res {
		if r.module == "" {
			root = append(root, r)
			continue
		}
		if len(mods) == 0 || mods[len(mods)-1][0].module != r.module {
			mods = append(mods, nil)
		}
		mods[len(mods)-1] = append(mods[len(mods)-1], r)
	}
	g.s("{")
	write(root)
	g.s(`,"child_modules":[`)
	for i, m := range mods {
		if i > 0 {
			g.s(",")
		}
		g.s(`{"address":"` + m[0].module + `",`)
		write(m)
		g.s("}")
	}
	g.s("]}")
}

// provider is the provider a type belongs to, as terraform names it.
func provider(typ string) string {
	p, _, _ := strings.Cut(typ, "_")
	if p == "azurerm" || p == "google" || p == "aws" {
		return "registry.terraform.io/hashicorp/" + p
	}
	return "registry.terraform.io/hashicorp/aws"
}

func (g *gen) change(r *resource) {
	g.s(`{"address":`)
	g.v(r.address())
	if r.module != "" {
		g.s(`,"module_address":"` + r.module + `"`)
	}
	g.s(`,"mode":"` + r.mode + `","type":"` + r.typ + `","name":"` + r.name + `"`)
	if r.index >= 0 {
		g.s(fmt.Sprintf(`,"index":%d`, r.index))
	}
	g.s(`,"provider_name":"` + provider(r.typ) + `","change":{"actions":`)
	g.v(r.actions)
	g.s(`,"before":`)
	g.v(r.before)
	g.s(`,"after":`)
	g.v(r.after)
	g.s(`,"after_unknown":`)
	if r.afterUnknown != nil {
		g.v(r.afterUnknown)
	} else {
		g.s("{}")
	}
	g.s(`,"before_sensitive":`)
	if r.before != nil {
		g.v(r.sensitive)
	} else {
		g.s("false")
	}
	g.s(`,"after_sensitive":`)
	if r.after != nil {
		g.v(r.sensitive)
	} else {
		g.s("false")
	}
	if len(r.replacePaths) > 0 {
		g.s(`,"replace_paths":`)
		g.v(r.replacePaths)
	}
	g.s("}")
	if r.reason != "" {
		g.s(`,"action_reason":"` + r.reason + `"`)
	}
	g.s("}")
}

// config writes the configuration: root resources and one module call per
// module, each resource with expressions that reference its neighbours.
func (g *gen) config() {
	writeRes := func(rs []*resource) {
		g.s(`"resources":[`)
		seen := map[string]bool{}
		n := 0
		for _, r := range rs {
			if seen[r.local()] {
				continue
			}
			seen[r.local()] = true
			if n > 0 {
				g.s(",")
			}
			n++
			g.s(`{"address":"` + r.local() + `","mode":"` + r.mode + `","type":"` + r.typ + `","name":"` + r.name + `","provider_config_key":"aws","expressions":{"tags":{"constant_value":{"env":"` + r.env + `"}}`)
			for j, ref := range r.refs {
				g.s(fmt.Sprintf(`,"ref_%d":{"references":["%s.id","%s"]}`, j, ref, ref))
			}
			g.s(`},"schema_version":1`)
			if r.index >= 0 {
				g.s(`,"count_expression":{"constant_value":3}`)
			}
			g.s("}")
		}
		g.s("]")
	}
	var root []*resource
	mods := map[string][]*resource{}
	var order []string
	for _, r := range g.res {
		if r.module == "" {
			root = append(root, r)
			continue
		}
		if _, ok := mods[r.modName]; !ok {
			order = append(order, r.modName)
		}
		mods[r.modName] = append(mods[r.modName], r)
	}
	g.s("{")
	writeRes(root)
	g.s(`,"module_calls":{`)
	for i, name := range order {
		if i > 0 {
			g.s(",")
		}
		g.s(`"` + name + `":{"source":"./modules/svc","module":{`)
		writeRes(mods[name])
		g.s(`}}`)
	}
	g.s("}}")
}
