package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rehearse-dev/rehearse/verdict"
)

// The SARIF types are written here rather than taken from a library: the
// one served (owenrumney/go-sarif/v2) encodes an unset suppression location
// or guid as null, which the 2.1.0 schema rejects, and rehearse needs only
// this small subset. Field names and nesting follow the OASIS 2.1.0 schema;
// what GitHub code scanning reads is noted where it matters.

const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	// sarifFingerprintKey names rehearse's own partial fingerprint, the
	// finding id, so code scanning tracks an alert across runs without
	// hashing source lines (a plan has none).
	sarifFingerprintKey = "rehearseFindingId/v1"
	// planSuffix is how the terraform planner names a plan it produced
	// from a directory.
	planSuffix = " (terraform show -json)"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool      `json:"tool"`
	Results    []sarifResult  `json:"results"`
	Properties map[string]any `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string        `json:"id"`
	Name                 string        `json:"name"`
	ShortDescription     sarifText     `json:"shortDescription"`
	FullDescription      sarifText     `json:"fullDescription"`
	Help                 sarifText     `json:"help"`
	DefaultConfiguration sarifRuleConf `json:"defaultConfiguration"`
}

type sarifRuleConf struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations,omitempty"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          map[string]any     `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactL `json:"artifactLocation"`
	Region           *sarifRegion   `json:"region,omitempty"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifArtifactL struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifLogical struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

// sarifRules describes every rule the verdict package can report. Rules
// are listed even when no finding uses them, so a rule's index is stable
// from run to run.
var sarifRules = []struct {
	id, name, short, full string
	level                 string
}{
	{verdict.RuleProtectedDestroy, "ProtectedDestroy", "Data-bearing resource or environment root destroyed in a protected environment",
		"A delete or replace of a resource that holds data (database, bucket, volume…) or holds an environment together (network, cluster, namespace…) in a protected environment. It blocks until approved for this exact change.", "error"},
	{verdict.RuleObservedDataLoss, "ObservedDataLoss", "Data lost when the change ran in a replica",
		"Running the change against a replica environment lost files or bytes in a protected service.", "error"},
	{verdict.RuleBlastRadius, "BlastRadius", "Change deletes or replaces too much at once",
		"The number or share of resources deleted or replaced is over the policy's thresholds.", "error"},
	{verdict.RuleDestroy, "Destroy", "Resource deleted or replaced",
		"A delete or replace that no stronger rule covers. Check the recoverability and what refers to the resource.", "warning"},
	{verdict.RuleSpuriousReplace, "PossiblySpuriousReplace", "Replace forced only by values unknown until apply",
		"The replace is forced only by attributes whose new value is unknown until apply; it may not happen, or may be avoidable.", "warning"},
	{verdict.RuleLikelyRename, "LikelyRename", "Delete paired with a create of the same type and no moved block",
		"A resource is deleted while another of the same type is created, with no moved block: likely a rename that needs one to keep the object.", "warning"},
}

func renderSARIF(w io.Writer, v *verdict.Verdict, o Options) error {
	rules, index := sarifRuleList(v)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "rehearse",
			Version:        o.version(),
			InformationURI: "https://github.com/rehearse-dev/rehearse",
			Rules:          rules,
		}},
		Results: []sarifResult{},
		Properties: map[string]any{
			"verdictSchema":     v.Schema,
			"decision":          string(v.Decision),
			"summary":           termSafe(summary(v)),
			"origin":            string(v.Origin.Origin),
			"originDecidedBy":   termSafe(v.Origin.DecidedBy),
			"changeFingerprint": v.Fingerprint,
			"source":            termSafe(sourceLine(v)),
		},
	}
	if v.Workspace != "" {
		run.Properties["workspace"] = termSafe(v.Workspace)
	}
	artifact := sarifArtifact(v.Source.File)
	// A many-stack verdict: each finding's artifact is its stack's plan.
	artifacts := map[string]*sarifArtifactL{}
	if len(v.Stacks) > 0 {
		var stacks []map[string]string
		for _, s := range v.Stacks {
			artifacts[s.Name] = sarifArtifact(s.Source.File)
			stacks = append(stacks, map[string]string{"name": termSafe(s.Name), "decision": string(s.Decision), "fingerprint": s.Fingerprint})
		}
		run.Properties["stacks"] = stacks
	}
	for i := range v.Findings {
		a := artifact
		if f := &v.Findings[i]; f.Stack != "" {
			a = artifacts[f.Stack]
		}
		run.Results = append(run.Results, sarifFinding(v, &v.Findings[i], index, a))
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}); err != nil {
		return err
	}
	return bw.Flush()
}

// sarifRuleList returns the known rules plus any rule a finding names that
// this renderer does not know yet, and each rule's index.
func sarifRuleList(v *verdict.Verdict) ([]sarifRule, map[string]int) {
	var rules []sarifRule
	index := map[string]int{}
	for _, r := range sarifRules {
		index[r.id] = len(rules)
		rules = append(rules, sarifRule{
			ID: r.id, Name: r.name,
			ShortDescription:     sarifText{r.short},
			FullDescription:      sarifText{r.full},
			Help:                 sarifText{r.full + " Approve a reviewed change with `rehearse approve`, giving the reason and the rollback plan."},
			DefaultConfiguration: sarifRuleConf{r.level},
		})
	}
	var extra []string
	for i := range v.Findings {
		if id := v.Findings[i].Rule; !slices.Contains(extra, id) {
			if _, ok := index[id]; !ok {
				extra = append(extra, id)
			}
		}
	}
	slices.Sort(extra)
	for _, id := range extra {
		index[id] = len(rules)
		rules = append(rules, sarifRule{
			ID: id, Name: id,
			ShortDescription:     sarifText{id},
			FullDescription:      sarifText{"rehearse rule " + id},
			Help:                 sarifText{"rehearse rule " + id},
			DefaultConfiguration: sarifRuleConf{"warning"},
		})
	}
	return rules, index
}

func sarifFinding(v *verdict.Verdict, f *verdict.Finding, index map[string]int, artifact *sarifArtifactL) sarifResult {
	res := sarifResult{
		RuleID:              f.Rule,
		RuleIndex:           index[f.Rule],
		Level:               sarifLevel(f),
		Message:             sarifText{sarifMessage(v, f)},
		PartialFingerprints: map[string]string{sarifFingerprintKey: f.ID},
		Properties: map[string]any{
			"findingId":         f.ID,
			"severity":          string(f.Severity),
			"changeFingerprint": v.Fingerprint,
			"origin":            string(v.Origin.Origin),
			"originDecidedBy":   termSafe(v.Origin.DecidedBy),
		},
	}
	p := res.Properties
	set := func(k, val string) {
		if val != "" {
			p[k] = termSafe(val)
		}
	}
	set("stack", f.Stack)
	set("address", f.Address)
	set("action", string(f.Action))
	set("environment", f.Environment)
	set("class", string(f.Class))
	set("kind", f.Kind)
	set("recoverability", f.Recoverability)
	if f.Protected {
		p["protected"] = true
	}
	if f.Escalated {
		p["escalated"] = true
	}
	if a := f.Approval; a != nil {
		p["approval"] = sarifApproval(a)
		// GitHub code scanning closes an alert whose suppression is
		// accepted; the level drops to note so other SARIF viewers do not
		// count it as an error either.
		res.Suppressions = []sarifSuppression{{
			Kind:          "external",
			Status:        "accepted",
			Justification: termSafe(fmt.Sprintf("approved by %s at %s: %s; rollback: %s", a.By, a.At, a.Reason, a.Rollback)),
		}}
	}
	if len(f.VoidApprovals) > 0 {
		var void []map[string]string
		for i := range f.VoidApprovals {
			void = append(void, sarifApproval(&f.VoidApprovals[i]))
		}
		p["voidApprovals"] = void
	}
	var loc sarifLocation
	switch {
	case f.Location != nil && sarifArtifact(f.Location.File) != nil:
		// The .tf file and line of the resource block, where the planner
		// could find it.
		loc.PhysicalLocation = &sarifPhysical{ArtifactLocation: *sarifArtifact(f.Location.File), Region: &sarifRegion{StartLine: f.Location.Line}}
	case artifact != nil:
		loc.PhysicalLocation = &sarifPhysical{ArtifactLocation: *artifact}
	}
	if f.Address != "" {
		// The address as Terraform prints it, with only what TermSafe
		// spells out changed: a SARIF viewer shows it as it is, and JSON
		// keeps bidi and zero-width characters raw. Code scanning matches
		// alerts on the partial fingerprint, not on this.
		loc.LogicalLocations = []sarifLogical{{Name: termSafe(f.Type), FullyQualifiedName: termSafe(f.Address), Kind: "resource"}}
	}
	if loc.PhysicalLocation != nil || loc.LogicalLocations != nil {
		res.Locations = []sarifLocation{loc}
	}
	return res
}

func sarifApproval(a *verdict.Approval) map[string]string {
	return map[string]string{
		"by": termSafe(a.By), "at": termSafe(a.At), "reason": termSafe(a.Reason),
		"rollback": termSafe(a.Rollback), "fingerprint": termSafe(a.Fingerprint),
	}
}

func sarifLevel(f *verdict.Finding) string {
	switch {
	case f.Approval != nil:
		return "note"
	case f.Severity == verdict.SeverityBlock:
		return "error"
	}
	return "warning"
}

// sarifMessage is the alert text: what happened, the evidence, how
// recoverable it is, and the approval state.
func sarifMessage(v *verdict.Verdict, f *verdict.Finding) string {
	var b strings.Builder
	b.WriteString(strings.ToUpper(string(f.Severity)) + ": " + termSafe(orWhole(f.Address)))
	if f.Action != "" {
		b.WriteString(" (" + string(f.Action) + ")")
	}
	b.WriteString(": " + termSafe(f.Message))
	for _, e := range f.Evidence {
		b.WriteString("\n- " + termSafe(e))
	}
	if f.Recoverability != "" {
		b.WriteString("\nRecoverability: " + termSafe(f.Recoverability))
		for _, h := range f.Hints {
			b.WriteString("\n- " + termSafe(h))
		}
	}
	if a := f.Approval; a != nil {
		b.WriteString(fmt.Sprintf("\nApproved by %s at %s: %s\nRollback plan: %s", termSafe(a.By), termSafe(a.At), termSafe(a.Reason), termSafe(a.Rollback)))
	} else {
		b.WriteString("\nRollback plan: none recorded")
	}
	for _, a := range f.VoidApprovals {
		b.WriteString(fmt.Sprintf("\nVoid approval by %s: %s", termSafe(a.By), termSafe(voidReason(&a, v.Fingerprint))))
	}
	b.WriteString(fmt.Sprintf("\nOrigin: %s · finding %s · change %s", termSafe(originLine(v)), f.ID, v.Fingerprint))
	return b.String()
}

// sarifArtifact is the plan file as a SARIF artifact location: code
// scanning needs a physical location on every result, and the plan JSON has
// no source positions, so the plan (or the planned directory) stands in,
// next to the resource address as a logical location. A plan read from
// stdin has no location to give.
func sarifArtifact(file string) *sarifArtifactL {
	file = strings.TrimSuffix(file, planSuffix)
	if file == "" || file == "<stdin>" || file == "-" {
		return nil
	}
	slashed := filepath.ToSlash(file)
	if filepath.IsAbs(file) || strings.HasPrefix(slashed, "/") {
		u := url.URL{Scheme: "file", Path: slashed}
		return &sarifArtifactL{URI: u.String()}
	}
	slashed = strings.TrimPrefix(slashed, "./")
	parts := strings.Split(slashed, "/")
	for i, p := range parts {
		// PathEscape keeps colons, and a colon in the first segment
		// would make the reference a URI with a scheme, such as
		// javascript:.
		parts[i] = strings.ReplaceAll(url.PathEscape(p), ":", "%3A")
	}
	return &sarifArtifactL{URI: strings.Join(parts, "/"), URIBaseID: "%SRCROOT%"}
}
