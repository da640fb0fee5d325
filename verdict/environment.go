package verdict

import (
	"path"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
)

// wellKnownEnvs are environment names recognized in module names even when
// they are not protected, so a staging module is reported as staging.
var wellKnownEnvs = []string{"staging", "stage", "stg", "dev", "development", "test", "qa", "uat", "sandbox", "preprod"}

// Environment returns the environment a resource belongs to and what
// decided it, or "" when nothing says. Policy rules come first, then the
// resource's own tags or labels, then module names, then the workspace.
func (p *Policy) Environment(r *change.Resource, workspace string) (env, source string) {
	module := ""
	if strings.HasPrefix(r.Address, "module.") {
		module = change.ModulePath(r.Address)
	}
	for _, rule := range p.Environments.Rules {
		if rule.Address != "" && globMatch(rule.Address, r.Address) ||
			rule.Module != "" && module != "" && globMatch(rule.Module, module) {
			return rule.Environment, "policy rule"
		}
	}
	for _, key := range p.Environments.Keys {
		for k, v := range r.Labels {
			if strings.EqualFold(k, key) && v != "" {
				return v, "label " + k
			}
		}
	}
	if p.Environments.FromModuleNames && module != "" {
		if env := p.envFromModule(module); env != "" {
			return env, "module name"
		}
	}
	if workspace != "" && workspace != "default" {
		return workspace, "workspace"
	}
	return "", ""
}

func (p *Policy) envFromModule(module string) string {
	for _, seg := range strings.Split(change.ConfigAddress(module), ".") {
		if seg == "module" {
			continue
		}
		for _, tok := range strings.FieldsFunc(seg, func(r rune) bool { return r == '_' || r == '-' }) {
			for _, e := range p.Environments.Protected {
				if strings.EqualFold(tok, e) {
					return strings.ToLower(tok)
				}
			}
			for _, e := range wellKnownEnvs {
				if strings.EqualFold(tok, e) {
					return strings.ToLower(tok)
				}
			}
		}
	}
	return ""
}

// globMatch matches with path.Match, whose "*" stops only at "/", which
// addresses do not contain: so "*" spans dots and instance keys.
func globMatch(pattern, s string) bool {
	ok, _ := path.Match(pattern, s)
	return ok
}
