package verdict

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

// genSet makes a random Set from a seeded generator: many providers,
// actions, tag styles and key cases, modules with environment-like names,
// triggers, renames and dependencies.
func genSet(rng *rand.Rand) (change.Set, Options) {
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	types := []string{"aws_db_instance", "aws_instance", "aws_s3_bucket", "aws_lb", "google_storage_bucket", "google_compute_instance",
		"azurerm_resource_group", "azurerm_linux_virtual_machine", "kubernetes_namespace", "kubernetes_manifest", "null_resource", "random_id"}
	actions := []change.Action{change.NoOp, change.Create, change.Read, change.Update, change.Delete, change.Replace, change.Forget}
	labels := func() map[string]string {
		if rng.IntN(3) == 0 {
			return nil
		}
		m := map[string]string{}
		for i := rng.IntN(4); i >= 0; i-- {
			m[pick("env", "ENV", "Env", "environment", "Stage", "Name", "team")] = pick("prod", "staging", "dev", "PROD_EU", "pre-prod", "live-1", "euProd", "qa", "")
		}
		return m
	}
	set := change.Set{Managed: rng.IntN(60) - 1, Workspace: pick("", "", "default", "dev", "prod"), Dependents: map[string][]string{}}
	n := rng.IntN(16)
	for i := 0; i < n; i++ {
		typ := types[rng.IntN(len(types))]
		name := pick("main", "data", "data_v2", "web", "logs", "assets") + fmt.Sprint(i)
		addr := pick("", "", "module.app.", "module.prod_eu.", `module.env["staging"].`, "module.live_chat.") + typ + "." + name + pick("", "", `["a"]`, `["prd"]`, "[0]")
		r := change.Resource{Address: addr, Type: typ, Name: name, Mode: change.Managed, Action: actions[rng.IntN(len(actions))],
			Labels: labels(), BeforeLabels: labels(), LabelsUnknown: rng.IntN(4) == 0}
		if typ == "kubernetes_manifest" {
			r.Kind = pick("Namespace", "ConfigMap", "StatefulSet", "Secret")
		}
		if rng.IntN(8) == 0 {
			r.Mode = change.Data
		}
		switch r.Action {
		case change.Delete:
			r.Reason = pick("", "delete_because_no_resource_config", "delete_because_no_module")
		case change.Replace:
			r.ReplaceOrder = change.ReplaceOrder(pick(string(change.DeleteThenCreate), string(change.CreateThenDelete)))
			r.Reason = pick("replace_because_cannot_update", "replace_by_triggers", "")
			for j := rng.IntN(3); j > 0; j-- {
				r.ReplacePaths = append(r.ReplacePaths, change.AttrChange{Path: pick("availability_zone", "triggers.t", `keepers["k"]`, "ami"), Unknown: rng.IntN(2) == 0, Before: "x"})
			}
		}
		if rng.IntN(4) == 0 {
			r.Before = map[string]change.Value{"skip_final_snapshot": true, "name": pick("a", "b")}
		}
		if rng.IntN(3) == 0 && i > 0 {
			to := set.Resources[rng.IntN(i)].ConfigAddress()
			set.Dependents[to] = append(set.Dependents[to], r.ConfigAddress())
		}
		set.Resources = append(set.Resources, r)
	}
	if rng.IntN(4) == 0 {
		set.Actions = []change.ActionInvocation{{Address: "action.aws_lambda_invoke.n", Type: "aws_lambda_invoke", Trigger: "after_create of x"}}
	}
	if rng.IntN(4) == 0 {
		set.Deferred = []change.Resource{{Address: "aws_s3_bucket.later", Type: "aws_s3_bucket", Mode: change.Managed, Action: change.Delete, Labels: labels(), Deferred: "instance_count_unknown"}}
	}
	set.Incomplete = rng.IntN(6) == 0
	opts := Options{Origin: OriginInfo{Origin: Origin(pick(string(OriginHuman), string(OriginAI))), DecidedBy: "test"}}
	if rng.IntN(3) == 0 {
		opts.Workspace = pick("staging", "prod", "live")
	}
	return set, opts
}

func decisionRank(d Decision) int { return map[Decision]int{Pass: 0, Warn: 1, Block: 2}[d] }

func ids(v Verdict) []string {
	out := make([]string, len(v.Findings))
	for i, f := range v.Findings {
		out[i] = f.ID
	}
	return out
}

func marshal(t *testing.T, v Verdict) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// swapCase renames env to ENV and ENV to env in every tag map.
func swapCase(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch k {
		case "env":
			k = "ENV"
		case "ENV":
			k = "env"
		}
		out[k] = v
	}
	return out
}

// Class 9: properties of Evaluate over random Sets.
func TestProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 2026))
	p := DefaultPolicy()
	for i := 0; i < 400; i++ {
		set, opts := genSet(rng)
		base := Evaluate(set, p, opts)

		// A protected delete never lowers the decision: it blocks.
		more := set
		more.Resources = append(slices.Clone(set.Resources), change.Resource{Address: "aws_db_instance.zz_protected", Type: "aws_db_instance", Name: "zz_protected",
			Mode: change.Managed, Action: change.Delete, Labels: map[string]string{"env": "prod"}})
		if got := Evaluate(more, p, opts); decisionRank(got.Decision) < decisionRank(base.Decision) || got.Decision != Block {
			t.Fatalf("set %d: a protected delete gave %s after %s", i, got.Decision, base.Decision)
		}

		// The order of the resources changes nothing, to the byte.
		shuffled := set
		shuffled.Resources = slices.Clone(set.Resources)
		rng.Shuffle(len(shuffled.Resources), func(a, b int) {
			shuffled.Resources[a], shuffled.Resources[b] = shuffled.Resources[b], shuffled.Resources[a]
		})
		got := Evaluate(shuffled, p, opts)
		if got.Decision != base.Decision || !slices.Equal(ids(got), ids(base)) {
			t.Fatalf("set %d: shuffled %s %v, was %s %v", i, got.Decision, ids(got), base.Decision, ids(base))
		}
		if a, b := marshal(t, base), marshal(t, got); !bytes.Equal(a, b) {
			t.Fatalf("set %d: shuffled resources give other JSON:\n%s\n%s", i, a, b)
		}

		// Nor does the case of a tag key.
		swapped := set
		swapped.Resources = slices.Clone(set.Resources)
		for j := range swapped.Resources {
			r := &swapped.Resources[j]
			r.Labels, r.BeforeLabels = swapCase(r.Labels), swapCase(r.BeforeLabels)
		}
		got = Evaluate(swapped, p, opts)
		if got.Decision != base.Decision || !slices.Equal(ids(got), ids(base)) {
			t.Fatalf("set %d: env↔ENV gives %s %v, was %s %v", i, got.Decision, ids(got), base.Decision, ids(base))
		}
	}
}
