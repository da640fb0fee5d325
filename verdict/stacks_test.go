package verdict

import (
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

func stackSet(env string, act change.Action, addrs ...string) change.Set {
	s := change.Set{Managed: 10, Source: change.Source{Kind: change.Planned, Tool: "terraform"}}
	for _, a := range addrs {
		s.Resources = append(s.Resources, change.Resource{
			Address: a, Type: strings.SplitN(a, ".", 2)[0], Name: "x", Mode: change.Managed, Action: act,
			ReplaceOrder: change.DeleteThenCreate, Labels: map[string]string{"env": env},
		})
	}
	return s
}

func judgeStacks(t *testing.T, opts Options, sets map[string]change.Set) Verdict {
	t.Helper()
	var js []Judged
	for name, s := range sets {
		js = append(js, Judged{Name: name, Verdict: Evaluate(s, DefaultPolicy(), StackOptions(opts))})
	}
	v, err := EvaluateStacks(js, DefaultPolicy(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEvaluateStacks(t *testing.T) {
	sets := map[string]change.Set{
		"infra/dev":  stackSet("dev", change.Update, "aws_instance.web"),
		"infra/prod": stackSet("prod", change.Replace, "aws_db_instance.main"),
		"infra/qa":   stackSet("qa", change.Delete, "aws_instance.web"),
	}
	v := judgeStacks(t, Options{Notes: []string{"run note"}}, sets)
	if v.Decision != Block {
		t.Errorf("decision %s, want the strongest, block", v.Decision)
	}
	var names []string
	for _, s := range v.Stacks {
		names = append(names, s.Name+":"+string(s.Decision))
	}
	if got := strings.Join(names, " "); got != "infra/prod:block infra/qa:warn infra/dev:pass" {
		t.Errorf("stacks %s, want strongest first", got)
	}
	if v.Blast.Managed != 30 || v.Blast.Destructive != 2 || v.Blast.Actions["update"] != 1 {
		t.Errorf("total blast radius %+v", v.Blast)
	}
	if e := v.Blast.Envs["prod"]; !e.Protected || e.Destructive != 1 {
		t.Errorf("prod in total: %+v", e)
	}
	if len(v.Notes) != 1 {
		t.Errorf("notes %q: the run's note once", v.Notes)
	}
	if v.Findings[0].Stack != "infra/prod" || v.Passed[0].Stack != "infra/dev" {
		t.Errorf("findings and listed changes not tagged with their stack: %+v", v.Findings[0])
	}
	// The same address in two stacks is two findings with two ids.
	qa := Evaluate(sets["infra/qa"], DefaultPolicy(), Options{})
	if v.Findings[1].ID == qa.Findings[0].ID {
		t.Error("a stack's finding keeps the single-change id: ids collide across stacks")
	}
	if !strings.HasPrefix(v.Fingerprint, "sha256:") || v.Fingerprint == v.Stacks[0].Fingerprint {
		t.Errorf("fingerprint %s is not one over all stacks", v.Fingerprint)
	}
	// The order the stacks came in changes nothing.
	again := judgeStacks(t, Options{Notes: []string{"run note"}}, sets)
	if again.Fingerprint != v.Fingerprint || again.Findings[0].ID != v.Findings[0].ID {
		t.Error("the verdict depends on the order of the stacks")
	}
}

func TestStacksFingerprintBindsTheSet(t *testing.T) {
	base := []Stack{{Name: "a", Fingerprint: "sha256:1"}, {Name: "b", Fingerprint: "sha256:2"}}
	fp := StacksFingerprint(base)
	for name, other := range map[string][]Stack{
		"a stack's change": {{Name: "a", Fingerprint: "sha256:1"}, {Name: "b", Fingerprint: "sha256:3"}},
		"a stack renamed":  {{Name: "a", Fingerprint: "sha256:1"}, {Name: "c", Fingerprint: "sha256:2"}},
		"a stack removed":  {{Name: "a", Fingerprint: "sha256:1"}},
		"a stack added":    append(append([]Stack{}, base...), Stack{Name: "c", Fingerprint: "sha256:4"}),
		"names swapped":    {{Name: "b", Fingerprint: "sha256:1"}, {Name: "a", Fingerprint: "sha256:2"}},
	} {
		if StacksFingerprint(other) == fp {
			t.Errorf("%s: same fingerprint", name)
		}
	}
	if StacksFingerprint([]Stack{base[1], base[0]}) != fp {
		t.Error("the order of the stacks changes the fingerprint")
	}
}

func TestEvaluateStacksApprovals(t *testing.T) {
	sets := map[string]change.Set{
		"prod": stackSet("prod", change.Replace, "aws_db_instance.main"),
		"dev":  stackSet("dev", change.Update, "aws_instance.web"),
	}
	v := judgeStacks(t, Options{}, sets)
	id := v.Findings[0].ID
	for _, tt := range []struct {
		name        string
		fingerprint string
		want        Decision
	}{
		{"for the whole set", v.Fingerprint, Pass},
		{"for one stack only", v.Stacks[0].Fingerprint, Block},
	} {
		a := Approval{Finding: id, Fingerprint: tt.fingerprint, By: "alice", Reason: "r", Rollback: "rb"}
		got := judgeStacks(t, Options{Approvals: []Approval{a}}, sets)
		if got.Decision != tt.want {
			t.Errorf("approval %s: decision %s, want %s", tt.name, got.Decision, tt.want)
		}
	}
}

func TestEvaluateStacksDuplicateNames(t *testing.T) {
	v := Evaluate(stackSet("dev", change.Update, "a.b"), DefaultPolicy(), Options{})
	if _, err := EvaluateStacks([]Judged{{"x", v}, {"x", v}}, DefaultPolicy(), Options{}); err == nil {
		t.Error("two stacks of one name joined")
	}
}

func TestStackView(t *testing.T) {
	v := judgeStacks(t, Options{}, map[string]change.Set{
		"prod": stackSet("prod", change.Replace, "aws_db_instance.main"),
		"dev":  stackSet("dev", change.Delete, "aws_instance.a", "aws_instance.b"),
	})
	dev := v.StackView("dev")
	if dev.Decision != Warn || len(dev.Findings) != 2 || dev.Blast.Destructive != 2 {
		t.Errorf("dev view: %s, %d findings, %+v", dev.Decision, len(dev.Findings), dev.Blast)
	}
	for _, f := range dev.Findings {
		if f.Stack != "dev" {
			t.Errorf("dev view holds a finding of %s", f.Stack)
		}
	}
}

// TestEvaluateStacksSplitDestroy: a destroy split over stacks, each under
// the policy's limit, is judged by its total, as one stack holding it all
// would be; a stack over the limit on its own says so itself, once.
func TestEvaluateStacksSplitDestroy(t *testing.T) {
	p := DefaultPolicy()
	p.Thresholds.MaxDestructive = 3
	p.Thresholds.MaxDestructiveShare = 1 // only the count, here
	del := func(env string, n int) change.Set {
		var addrs []string
		for i := range n {
			addrs = append(addrs, "aws_instance.s"+string(rune('a'+i)))
		}
		s := stackSet(env, change.Delete, addrs...)
		s.Managed = 100
		return s
	}
	cases := []struct {
		name   string
		sizes  []int
		total  bool // a whole-set blast-radius finding
		blocks bool
	}{
		{"each under, total under", []int{1, 2}, false, false},
		{"each under, total over", []int{2, 2}, true, true},
		{"three under, total over", []int{1, 1, 2}, true, true},
		{"one over on its own", []int{4, 1}, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var js []Judged
			for i, n := range c.sizes {
				js = append(js, Judged{Name: "stack" + string(rune('a'+i)), Verdict: Evaluate(del("dev", n), p, StackOptions(Options{}))})
			}
			v, err := EvaluateStacks(js, p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var total, own int
			for _, f := range v.Findings {
				if f.Rule != RuleBlastRadius {
					continue
				}
				if f.Stack == "" {
					total++
					if !strings.Contains(f.Message, "over all") {
						t.Errorf("whole-set finding says %q", f.Message)
					}
				} else {
					own++
				}
			}
			if got := total == 1; got != c.total {
				t.Errorf("whole-set blast-radius findings = %d, want total %v", total, c.total)
			}
			if total+own > 1 {
				t.Errorf("blast radius said %d times", total+own)
			}
			if got := v.Decision == Block; got != c.blocks {
				t.Errorf("decision %s, want block %v", v.Decision, c.blocks)
			}
		})
	}
}
