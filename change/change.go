// Package change is the model every planner produces: the resources a change
// touches, what happens to each, and the evidence behind it. It does no I/O.
package change

// Action is what a change does to one resource instance.
type Action string

// The actions a plan or an observation can report. Replace stands for both
// orders of Terraform's ["delete","create"] and ["create","delete"]; the order
// is kept in Resource.ReplaceOrder.
const (
	NoOp    Action = "no-op"
	Create  Action = "create"
	Read    Action = "read"
	Update  Action = "update"
	Delete  Action = "delete"
	Replace Action = "replace"
	Forget  Action = "forget"
)

// Destructive reports whether the action removes the existing object.
func (a Action) Destructive() bool { return a == Delete || a == Replace }

// ReplaceOrder says which half of a replace happens first.
type ReplaceOrder string

// The two orders Terraform can replace in.
const (
	DeleteThenCreate ReplaceOrder = "delete-then-create"
	CreateThenDelete ReplaceOrder = "create-then-delete"
)

// Mode distinguishes managed resources from data sources.
type Mode string

// Resource modes, as in the plan JSON.
const (
	Managed Mode = "managed"
	Data    Mode = "data"
)

// Kind says how a Set was produced.
type Kind string

// Planned sets come from a plan; observed sets from running the change in a sandbox.
const (
	Planned  Kind = "planned"
	Observed Kind = "observed"
)

// Source says where a Set came from. It is reported but not fingerprinted:
// the same change read from two paths is the same change.
type Source struct {
	Kind          Kind   `json:"kind"`
	Tool          string `json:"tool,omitempty"`
	ToolVersion   string `json:"tool_version,omitempty"`
	FormatVersion string `json:"format_version,omitempty"`
	File          string `json:"file,omitempty"`
	// Document says what the input is when the tool names it, e.g.
	// "change set fix-rounding on stack orders-prod" or "preview of stack
	// prod".
	Document string `json:"document,omitempty"`
}

// Value is an attribute value decoded from JSON: nil, bool, float64 or
// json.Number, string, []any or map[string]any.
type Value = any

// AttrChange is one attribute path's before and after. Sensitive values are
// dropped by the planner before they reach the model: Before and After are
// then nil and Sensitive is set.
type AttrChange struct {
	Path      string `json:"path"`
	Before    Value  `json:"before,omitempty"`
	After     Value  `json:"after,omitempty"`
	Unknown   bool   `json:"unknown,omitempty"`
	Sensitive bool   `json:"sensitive,omitempty"`
	// ByName is set, with Sensitive, on a value the provider did not mark
	// but whose name says it is a secret (password, token, private_key…).
	ByName bool `json:"by_name,omitempty"`
}

// DataDelta is what a fingerprinted data path held before and after an
// observed change.
type DataDelta struct {
	Service     string `json:"service,omitempty"`
	Path        string `json:"path"`
	BeforeFiles int64  `json:"before_files"`
	AfterFiles  int64  `json:"after_files"`
	BeforeBytes int64  `json:"before_bytes"`
	AfterBytes  int64  `json:"after_bytes"`
	BeforeHash  string `json:"before_hash,omitempty"`
	AfterHash   string `json:"after_hash,omitempty"`
	// Gone is set when the path itself no longer exists afterwards.
	Gone bool `json:"gone,omitempty"`
	// Unit is set when the figures are a count a command printed (rows
	// of a table, keys of a store) rather than files and bytes of a
	// path: Path names the count, BeforeFiles and AfterFiles hold it,
	// and Gone says it could not be read afterwards (the table is gone).
	Unit string `json:"unit,omitempty"`
}

// Lost reports whether the path lost files or bytes.
func (d DataDelta) Lost() bool {
	return d.Gone || d.AfterFiles < d.BeforeFiles || d.AfterBytes < d.BeforeBytes
}

// Observation is what was measured before and after an observed change.
type Observation struct {
	BeforeID      string      `json:"before_id,omitempty"`
	AfterID       string      `json:"after_id,omitempty"`
	BeforeCreated string      `json:"before_created,omitempty"`
	AfterCreated  string      `json:"after_created,omitempty"`
	Data          []DataDelta `json:"data,omitempty"`
	Events        []string    `json:"events,omitempty"`
}

// DataLost reports whether any data path lost data.
func (o *Observation) DataLost() bool {
	if o == nil {
		return false
	}
	for _, d := range o.Data {
		if d.Lost() {
			return true
		}
	}
	return false
}

// Resource is one changed object, whatever produced it.
type Resource struct {
	Address         string `json:"address"`
	PreviousAddress string `json:"previous_address,omitempty"`
	Module          string `json:"module,omitempty"`
	Mode            Mode   `json:"mode"`
	Type            string `json:"type"`
	Name            string `json:"name"`
	Index           string `json:"index,omitempty"`
	Provider        string `json:"provider,omitempty"`
	Deposed         string `json:"deposed,omitempty"`

	Action       Action       `json:"action"`
	ReplaceOrder ReplaceOrder `json:"replace_order,omitempty"`
	Reason       string       `json:"reason,omitempty"`
	Importing    bool         `json:"importing,omitempty"`
	ImportID     string       `json:"import_id,omitempty"`

	// ReplacePaths are the attribute paths that forced a replace, with
	// their values.
	ReplacePaths []AttrChange `json:"replace_paths,omitempty"`
	// Changes are the attribute paths whose value changes.
	Changes []AttrChange `json:"changes,omitempty"`
	// Before holds the top-level scalar attributes of the object before the
	// change (sensitive ones left out). It is kept for deletes and replaces,
	// where it tells how recoverable the loss is.
	Before map[string]Value `json:"before,omitempty"`
	// Labels are the tags or labels of the object (after the change, or
	// before it for a delete).
	Labels map[string]string `json:"labels,omitempty"`
	// BeforeLabels are the tags or labels before an update or a replace:
	// where a replaced object lives is said by its old values as much as
	// by its new ones.
	BeforeLabels map[string]string `json:"before_labels,omitempty"`
	// LabelsUnknown is set when the new tags or labels are known only
	// after apply.
	LabelsUnknown bool `json:"labels_unknown,omitempty"`
	// LabelsSensitive is set when tags or labels on either side are
	// marked sensitive: their values are kept out of the model, so where
	// the object lives cannot be read from them.
	LabelsSensitive bool `json:"labels_sensitive,omitempty"`
	// Kind is the object kind of a generic manifest resource
	// (kubernetes_manifest, kubectl_manifest): Namespace, StatefulSet…
	Kind string `json:"kind,omitempty"`
	// NoReplacePaths is set on a replace from a plan format that does not
	// say which attributes forced it (format 0.1 and 0.2): Changes then
	// lists what changed.
	NoReplacePaths bool `json:"no_replace_paths,omitempty"`
	// Deferred is why terraform deferred this change to a later plan
	// (deferred_changes), "" for a planned change.
	Deferred string `json:"deferred,omitempty"`
	// Conditional is set on a replace the tool says may or may not
	// happen: CloudFormation's Replacement: Conditional, decided only when
	// the change set runs. It is judged as a replace, and said to be
	// conditional.
	Conditional bool `json:"conditional,omitempty"`
	// Digest is a hash of the whole resource change as the plan wrote it,
	// canonicalized: it binds the fingerprint to every value, sensitive
	// ones included, while the model keeps only what the verdict reads.
	Digest string `json:"digest,omitempty"`

	Observed *Observation `json:"observed,omitempty"`
}

// Moved reports whether the resource was moved from another address.
func (r *Resource) Moved() bool { return r.PreviousAddress != "" && r.PreviousAddress != r.Address }

// ConfigAddress is the address without instance keys, as configuration
// references name it: module.a["x"].aws_db.main[0] → module.a.aws_db.main.
func (r *Resource) ConfigAddress() string { return ConfigAddress(r.Address) }

// OutputChange is a root module output that changes.
type OutputChange struct {
	Name      string `json:"name"`
	Action    Action `json:"action"`
	Before    Value  `json:"before,omitempty"`
	After     Value  `json:"after,omitempty"`
	Unknown   bool   `json:"unknown,omitempty"`
	Sensitive bool   `json:"sensitive,omitempty"`
	ByName    bool   `json:"by_name,omitempty"`
	// Digest hashes the output change as the plan wrote it (see
	// Resource.Digest).
	Digest string `json:"digest,omitempty"`
}

// ActionInvocation is a Terraform action (1.14+) the plan invokes at apply:
// a side effect outside any resource's lifecycle.
type ActionInvocation struct {
	Address  string `json:"address"`
	Type     string `json:"type"`
	Name     string `json:"name,omitempty"`
	Provider string `json:"provider,omitempty"`
	// Trigger says what invokes it: "after_create of aws_instance.web", or
	// "invoked (-invoke)".
	Trigger string `json:"trigger,omitempty"`
	Digest  string `json:"digest,omitempty"`
}

// Set is one change: everything a planner saw.
type Set struct {
	Source    Source         `json:"source"`
	Resources []Resource     `json:"resources"`
	Drift     []Resource     `json:"drift,omitempty"`
	Outputs   []OutputChange `json:"outputs,omitempty"`
	// Actions are the action invocations the plan runs at apply.
	Actions []ActionInvocation `json:"actions,omitempty"`
	// Deferred are changes terraform could not plan yet
	// (deferred_changes): they happen on a later apply.
	Deferred []Resource `json:"deferred,omitempty"`
	// Incomplete is set when the plan says it is not complete (more
	// changes follow on a later plan).
	Incomplete bool `json:"incomplete,omitempty"`
	// Variables hashes the plan's input variables: a different value is a
	// different change, and the values themselves (some secret) are kept
	// nowhere.
	Variables string `json:"variables,omitempty"`
	// Notes are what the planner has to say about how it read the change,
	// e.g. attributes hidden because their names say secret.
	Notes []string `json:"notes,omitempty"`
	// Managed is the number of managed resources under management before
	// the change (from prior_state), or -1 when unknown.
	Managed int `json:"managed"`
	// Dependents maps a configuration address to the configuration
	// addresses whose expressions refer to it.
	Dependents map[string][]string `json:"dependents,omitempty"`
	// Workspace is the Terraform workspace, where known.
	Workspace string `json:"workspace,omitempty"`
	// Stack is the CloudFormation or Pulumi stack the change is for,
	// where known: its name (orders-prod) is a weak hint of the
	// environment, weaker than tags.
	Stack string `json:"stack,omitempty"`
	// Rollback is what rehearsing the change's rollback steps found, for
	// an observed change that has them; nil when it has none. It is not
	// part of the fingerprint: the rollback is not what the change does.
	Rollback *Rollback `json:"rollback,omitempty"`
	// Locations maps a configuration address to where its block is
	// written, where the planner could find it. Plan JSON has no source
	// positions, so only a planner that has the directory fills it.
	Locations map[string]Location `json:"locations,omitempty"`
}

// Rollback says whether the rollback steps, run after the change, bring
// back every service, volume, data path, count and probe as it was before
// the change. A recreated container counts as back when its settings,
// data and probes are: the rollback of a recreate recreates.
type Rollback struct {
	Restores bool `json:"restores"`
	// Failed is why a rollback step failed; what the steps did up to it
	// is compared all the same.
	Failed string `json:"failed,omitempty"`
	// Data are the data paths and counts that are not back: Before is
	// before the change, After after the rollback.
	Data []DataDelta `json:"data,omitempty"`
	// Changes are the probes and settings that are not back, by address
	// and path (docker_container.db.probe.columns).
	Changes []AttrChange `json:"changes,omitempty"`
	// Objects are the services and volumes that are not back, e.g.
	// "docker_container.cache is gone".
	Objects []string `json:"objects,omitempty"`
}

// Location is a place in a configuration file.
type Location struct {
	File string `json:"file"`
	Line int    `json:"line"`
}
