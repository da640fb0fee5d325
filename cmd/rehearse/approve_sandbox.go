package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"gopkg.in/yaml.v3"

	"github.com/rehearse-dev/rehearse/planners/container"
	"github.com/rehearse-dev/rehearse/sandbox"
	"github.com/rehearse-dev/rehearse/scenarios"
	"github.com/rehearse-dev/rehearse/verdict"
)

// An observed change (a sandbox run) is approved from one of three inputs,
// told apart by what the file holds, before it is read as a plan:
//
//   - the JSON verdict `rehearse sandbox run --format json` wrote: its
//     fingerprint and findings are approved as they are, without running
//     anything again. The fingerprint of an observed change depends only
//     on what the change did, so the gate's own run of the same change
//     gives the same one and the approval counts there;
//   - the environment file: it is run in the sandbox again and judged as
//     `rehearse sandbox run` judges it, with the same flags;
//   - a scenario (its folder or scenario.yaml): replayed and judged as
//     `rehearse replay` judges it, with the scenario's policy and origin.

// sandboxInput is what kind of observed-change input a file is.
type sandboxInput int

const (
	notSandbox sandboxInput = iota
	verdictDocument
	environmentFile
	scenarioFile
)

// approveInput tells what the file given to approve holds. A JSON file is
// a verdict only if its schema says so; a YAML file only if its kind is
// Environment or Scenario. Anything else is left to the plan readers.
func approveInput(file string) (sandboxInput, string, error) {
	if file == "" || file == "-" {
		return notSandbox, file, nil
	}
	if isDir(file) {
		s := filepath.Join(file, "scenario.yaml")
		if _, err := os.Stat(s); err == nil {
			return scenarioFile, s, nil
		}
		return notSandbox, file, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return notSandbox, file, nil // the plan reader says why
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var head struct {
			Schema string `json:"schema"`
		}
		if json.Unmarshal(trimmed, &head) == nil && head.Schema == verdict.Schema {
			return verdictDocument, file, nil
		}
		return notSandbox, file, nil
	}
	var head struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
	}
	if yaml.Unmarshal(data, &head) != nil {
		return notSandbox, file, nil
	}
	switch head.Kind {
	case sandbox.Kind:
		return environmentFile, file, nil
	case "Scenario":
		return scenarioFile, file, nil
	}
	return notSandbox, file, nil
}

var fingerprintRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// readVerdictDocument reads the fingerprint and findings of a JSON verdict.
// It fails closed: another schema, a fingerprint that is not one, a
// finding without an id, or a verdict of many stacks (each stack has its
// own change: approve each one's input) is refused.
func readVerdictDocument(file string) (verdict.Verdict, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return verdict.Verdict{}, err
	}
	var doc struct {
		Schema      string            `json:"schema"`
		Decision    verdict.Decision  `json:"decision"`
		Fingerprint string            `json:"fingerprint"`
		Findings    []verdict.Finding `json:"findings"`
		Stacks      []json.RawMessage `json:"stacks"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return verdict.Verdict{}, fmt.Errorf("%s: not a JSON verdict: %w", file, err)
	}
	switch {
	case doc.Schema != verdict.Schema:
		return verdict.Verdict{}, fmt.Errorf("%s: schema %q, want %q", file, doc.Schema, verdict.Schema)
	case !fingerprintRE.MatchString(doc.Fingerprint):
		return verdict.Verdict{}, fmt.Errorf("%s: fingerprint %q is not sha256: and 64 hex digits", file, doc.Fingerprint)
	case len(doc.Stacks) > 0:
		return verdict.Verdict{}, fmt.Errorf("%s: a verdict of %d stacks: approve each stack's change set or preview", file, len(doc.Stacks))
	}
	for i, f := range doc.Findings {
		if f.ID == "" {
			return verdict.Verdict{}, fmt.Errorf("%s: finding %d has no id", file, i+1)
		}
	}
	return verdict.Verdict{Schema: doc.Schema, Decision: doc.Decision, Fingerprint: doc.Fingerprint, Findings: doc.Findings}, nil
}

// judgeSandbox judges an observed-change input: it reads a verdict
// document, or runs an environment file or a scenario in the sandbox.
func (o *approveOptions) judgeSandbox(ctx context.Context, kind sandboxInput, file string, pol verdict.Policy, opts verdict.Options) (verdict.Verdict, error) {
	switch kind {
	case verdictDocument:
		return readVerdictDocument(file)
	case scenarioFile:
		s, err := scenarios.Load(file)
		if err != nil {
			return verdict.Verdict{}, err
		}
		return scenarios.Judge(ctx, s, scenarios.Options{Progress: o.err, Docker: o.Docker})
	}
	env, err := sandbox.Load(file)
	if err != nil {
		return verdict.Verdict{}, err
	}
	if err := o.Docker(ctx); err != nil {
		return verdict.Verdict{}, err
	}
	res, err := container.Run(ctx, env, container.Options{Progress: o.err})
	if err != nil {
		// An approval is for a whole change: one that did not complete
		// is not the change the gate will see.
		return verdict.Verdict{}, fmt.Errorf("sandbox run %s: the change did not complete: %w", res.RunID, err)
	}
	return verdict.Evaluate(res.Set, pol, opts), nil
}

// judge gives the verdict the approval is for: of the plan as `rehearse
// plan` judges it, or of an observed change (see judgeSandbox).
func (o *approveOptions) judge(ctx context.Context, pol verdict.Policy, opts verdict.Options) (verdict.Verdict, error) {
	kind, file, err := approveInput(o.File)
	if err != nil {
		return verdict.Verdict{}, err
	}
	if kind != notSandbox {
		if o.dir.Dir != "" {
			return verdict.Verdict{}, fmt.Errorf("%s is a sandbox input: --dir plans a Terraform directory instead; give one", o.File)
		}
		return o.judgeSandbox(ctx, kind, file, pol, opts)
	}
	set, err := o.readChange(ctx)
	if err != nil {
		return verdict.Verdict{}, err
	}
	return verdict.Evaluate(set, pol, opts), nil
}
