package guard

import (
	"path/filepath"
	"strings"
	"sync"

	"github.com/rehearse-dev/rehearse/verdict"
)

// builtinRules are the commands that destroy what a plan would not show:
// state surgery, cluster objects, stacks, buckets, volumes. Each asks; one
// naming a protected environment gets guard.protected_context (deny).
// Kept as plain values so package init does nothing; compiled on first use.
var builtinRules = []verdict.GuardRule{
	{Match: "terraform|tofu|terragrunt state rm|mv|push|replace-provider", Decision: "ask", Reason: "rewrites Terraform state outside a plan: resources can be forgotten (and recreated) or state overwritten"},
	{Match: "terraform|tofu|terragrunt workspace delete", Decision: "ask", Reason: "deletes a Terraform workspace and its state"},
	{Match: "terraform|tofu|terragrunt force-unlock", Decision: "ask", Reason: "removes a state lock another run may hold"},
	{Match: "terraform|tofu|terragrunt taint", Decision: "ask", Reason: "marks a resource to be destroyed and recreated by the next apply"},
	{Match: "terraform|tofu|terragrunt import", Decision: "ask", Reason: "writes an existing resource into state, where the next apply can change or destroy it"},
	{Match: "terraform|tofu|terragrunt refresh", Decision: "ask", Reason: "rewrites state from real infrastructure without a plan"},
	{Match: "terraform|tofu test", Decision: "ask", Reason: "creates and destroys real infrastructure"},
	{Match: "kubectl|oc delete ns|namespace|namespaces|ns/*|namespace/*", Decision: "ask", Reason: "deletes a namespace and everything in it"},
	{Match: "kubectl|oc delete pvc|pv|persistentvolumeclaim|persistentvolumeclaims|persistentvolume|persistentvolumes|pvc/*|pv/*|persistentvolumeclaim/*|persistentvolume/*", Decision: "ask", Reason: "deletes persistent volumes and the data on them"},
	{Match: "kubectl|oc delete sts|statefulset|statefulsets|sts/*|statefulset/*", Decision: "ask", Reason: "deletes a stateful set"},
	{Match: "kubectl|oc delete crd|crds|customresourcedefinition|customresourcedefinitions|crd/*|customresourcedefinition/*", Decision: "ask", Reason: "deletes a custom resource definition and every object of it"},
	{Match: "kubectl|oc delete --all|-A|--all-namespaces", Decision: "ask", Reason: "deletes every object of a kind"},
	{Match: "kubectl|oc delete -f|--filename|-k|--kustomize", Decision: "ask", Reason: "deletes what a manifest names, which the guard does not read"},
	{Match: "kubectl|oc apply --prune", Decision: "ask", Reason: "deletes every object the manifests no longer name"},
	{Match: "kubectl|oc replace --force", Decision: "ask", Reason: "deletes and recreates objects"},
	{Match: "helm uninstall|delete|del|un", Decision: "ask", Reason: "uninstalls a release and deletes its objects"},
	{Match: "pulumi destroy|down", Decision: "ask", Reason: "destroys every resource of a stack"},
	{Match: "pulumi stack rm", Decision: "ask", Reason: "removes a stack and its state"},
	{Match: "pulumi up|update", Decision: "ask", Reason: "applies a change the guard does not plan"},
	{Match: "cdk destroy", Decision: "ask", Reason: "destroys CloudFormation stacks"},
	{Match: "aws cloudformation delete-stack", Decision: "ask", Reason: "deletes a CloudFormation stack and its resources"},
	{Match: "aws rds delete-db-*", Decision: "ask", Reason: "deletes a database"},
	{Match: "aws dynamodb delete-table", Decision: "ask", Reason: "deletes a table and its data"},
	{Match: "aws s3 rb --force", Decision: "ask", Reason: "deletes a bucket and every object in it"},
	{Match: "aws s3 rm --recursive", Decision: "ask", Reason: "deletes every object under a prefix"},
	{Match: "aws s3api delete-bucket", Decision: "ask", Reason: "deletes a bucket"},
	{Match: "aws ec2 terminate-instances", Decision: "ask", Reason: "terminates instances"},
	{Match: "aws ec2 delete-volume|delete-snapshot|delete-vpc", Decision: "ask", Reason: "deletes a volume, snapshot or network"},
	{Match: "aws eks|ecs|elasticache|redshift|efs|kms delete-*|schedule-key-deletion", Decision: "ask", Reason: "deletes a cluster, file system or key"},
	{Match: "gcloud delete", Decision: "ask", Reason: "deletes a cloud resource"},
	{Match: "gcloud storage rm -r|--recursive", Decision: "ask", Reason: "deletes every object under a path"},
	{Match: "gsutil rm -r|-R", Decision: "ask", Reason: "deletes every object under a path"},
	{Match: "gsutil rb", Decision: "ask", Reason: "deletes a bucket"},
	{Match: "az group delete", Decision: "ask", Reason: "deletes a resource group and every resource in it"},
	{Match: "az delete", Decision: "ask", Reason: "deletes an Azure resource"},
	{Match: "docker|podman volume rm|prune", Decision: "ask", Reason: "deletes volumes and their data"},
	{Match: "docker|podman system prune", Decision: "ask", Reason: "deletes unused containers, networks and images (volumes with --volumes)"},
	{Match: "docker|podman compose down -v|--volumes", Decision: "ask", Reason: "deletes the project's volumes and their data"},
	{Match: "docker-compose|podman-compose down -v|--volumes", Decision: "ask", Reason: "deletes the project's volumes and their data"},
	{Match: "dropdb", Decision: "ask", Reason: "drops a database"},
	{Match: "mysqladmin drop", Decision: "ask", Reason: "drops a database"},
	{Match: "redis-cli flushall|flushdb", Decision: "ask", Reason: "deletes every key"},
}

// BuiltinRules returns the built-in rules, in the order they are checked.
func BuiltinRules() []verdict.GuardRule {
	return append([]verdict.GuardRule(nil), builtinRules...)
}

// rule is a compiled verdict.GuardRule.
type rule struct {
	src   verdict.GuardRule
	progs []string
	pos   [][]string // positional words, in order; each a list of alternatives
	flags [][]string // flags that must be present
}

func compile(r verdict.GuardRule) rule {
	f := strings.Fields(r.Match)
	c := rule{src: r}
	if len(f) == 0 {
		return c
	}
	c.progs = strings.Split(f[0], "|")
	for _, w := range f[1:] {
		alts := strings.Split(w, "|")
		if strings.HasPrefix(alts[0], "-") {
			c.flags = append(c.flags, alts)
		} else {
			for i := range alts {
				alts[i] = strings.ToLower(alts[i])
			}
			c.pos = append(c.pos, alts)
		}
	}
	return c
}

var (
	builtinOnce  sync.Once
	builtinIndex map[string][]rule
)

// builtinFor returns the built-in rules for a program.
func builtinFor(prog string) []rule {
	builtinOnce.Do(func() {
		builtinIndex = map[string][]rule{}
		for _, r := range builtinRules {
			c := compile(r)
			for _, p := range c.progs {
				builtinIndex[p] = append(builtinIndex[p], c)
			}
		}
	})
	return builtinIndex[prog]
}

// match says how a rule holds for an invocation.
type match int

const (
	noMatch match = iota
	maybe         // it would hold if a word not known until run time is the one it names
	matched       // it holds
)

func (r *rule) match(inv *Invocation, prog string) match {
	return r.matchAt(inv, prog, false)
}

// matchAt is match; with adjacent, the positional words must follow one
// another (flags aside), as a terraform subcommand's do.
func (r *rule) matchAt(inv *Invocation, prog string, adjacent bool) match {
	ok := false
	for _, p := range r.progs {
		ok = ok || globMatch(p, prog) || globMatch(p, inv.Argv[0])
	}
	if !ok {
		return noMatch
	}
	result := matched
	// Positional words in order: an unknown word may be any of them.
	next := 0
	for i := 1; i < len(inv.Argv) && next < len(r.pos); i++ {
		a := inv.Argv[i]
		if !inv.WordKnown(i) {
			result = maybe
			next++
			continue
		}
		if strings.HasPrefix(a, "-") {
			continue
		}
		if wordMatch(r.pos[next], a) {
			next++
		} else if adjacent && next > 0 {
			return noMatch
		}
	}
	if next < len(r.pos) {
		if inv.Hidden == "" {
			return noMatch
		}
		result = maybe // xargs or find may add the rest
	}
	for _, alts := range r.flags {
		if !hasFlag(inv, alts) {
			if inv.Hidden == "" && len(inv.Unknown) == 0 {
				return noMatch
			}
			result = maybe
		}
	}
	return result
}

// wordMatch reports whether a positional argument is one of alts (written
// in lower case), in any case; a kubectl-style argument (pvc,pod or ns/prod) matches by any of its kinds.
func wordMatch(alts []string, arg string) bool {
	// Subcommands are matched in any case: redis-cli FLUSHALL is flushall.
	if strings.ToLower(arg) != arg {
		arg = strings.ToLower(arg)
	}
	for _, alt := range alts {
		if globMatch(alt, arg) {
			return true
		}
	}
	if !strings.ContainsAny(arg, ",/") {
		return false
	}
	for _, part := range strings.Split(arg, ",") {
		kind, _, _ := strings.Cut(part, "/")
		for _, alt := range alts {
			if globMatch(alt, kind) || globMatch(alt, part) {
				return true
			}
		}
	}
	return false
}

// hasFlag reports whether one of alts is given: --name or --name=value,
// and a one-letter -x alone or in a group of short flags (-rf).
func hasFlag(inv *Invocation, alts []string) bool {
	for i, a := range inv.Argv[1:] {
		if a == "--" {
			return false
		}
		if !strings.HasPrefix(a, "-") || !inv.WordKnown(i+1) {
			continue
		}
		for _, f := range alts {
			if a == f || strings.HasPrefix(a, f+"=") {
				return true
			}
			if len(f) == 2 && f[0] == '-' && len(a) > 2 && a[1] != '-' && shortGroup(a[1:]) && strings.IndexByte(a[1:], f[1]) >= 0 {
				return true
			}
		}
	}
	return false
}

func shortGroup(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// globMatch matches s against a pattern where "*" is any run of
// characters and everything else stands for itself.
func globMatch(pattern, s string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == s
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, p)
		}
		j := strings.Index(s, p)
		if j < 0 {
			return false
		}
		s = s[j+len(p):]
	}
	return true
}

// progName is the program an invocation runs, without its directory.
func progName(argv0 string) string {
	if strings.IndexByte(argv0, '/') < 0 && !strings.HasSuffix(argv0, ".exe") {
		return argv0
	}
	return strings.TrimSuffix(filepath.Base(argv0), ".exe")
}
