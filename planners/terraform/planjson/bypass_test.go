package planjson

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/rehearse-dev/rehearse/change"
)

// plan wraps resource changes in a plan document.
func plan(changes ...string) string {
	return `{"format_version":"1.2","resource_changes":[` + strings.Join(changes, ",") + `]}`
}

func readDoc(t *testing.T, doc string) (change.Set, error) {
	t.Helper()
	return Read(context.Background(), strings.NewReader(doc), File("plan.json"))
}

// Each class of input terraform never writes is refused with the error
// class, and the offset points at the problem.
func TestReadRefuses(t *testing.T) {
	del := `{"address":"aws_db_instance.main","type":"aws_db_instance","name":"main","change":{"actions":["delete"],"before":{"tags":{"env":"prod"}}}}`
	tests := []struct {
		name, doc string
		want      error
		at        string // the input at the error's offset starts with this
	}{
		// Duplicate keys, in every part that decides something.
		{"actions twice", plan(`{"address":"a.b","type":"a","change":{"actions":["delete"],"before":{},"actions":["no-op"]}}`), ErrDuplicate, `"actions":["no-op"]`},
		{"nested before key twice", plan(`{"address":"a.b","type":"a","change":{"actions":["delete"],"before":{"settings":{"tier":"a","tier":"b"}}}}`), ErrDuplicate, `"tier":"b"`},
		{"address twice", plan(`{"address":"aws_db_instance.main","type":"aws_db_instance","address":"x.y","change":{"actions":["delete"]}}`), ErrDuplicate, `"address":"x.y"`},
		{"top-level key twice", `{"format_version":"1.2","resource_changes":[` + del + `],"resource_changes":[]}`, ErrDuplicate, `"resource_changes":[]`},
		{"output twice", `{"format_version":"1.2","resource_changes":[],"output_changes":{"a":{"actions":["create"]},"a":{"actions":["delete"]}}}`, ErrDuplicate, `"a":{"actions":["delete"]}`},
		{"prior state resources twice", `{"format_version":"1.2","resource_changes":[],"prior_state":{"values":{"root_module":{"resources":[{"mode":"managed"}],"resources":[]}}}}`, ErrDuplicate, `"resources":[]`},
		{"variable twice", `{"format_version":"1.2","resource_changes":[],"variables":{"a":{"value":1},"a":{"value":2}}}`, ErrDuplicate, `"a":{"value":2}`},
		// Keys in another case than terraform writes.
		{"Actions", plan(`{"address":"a.b","type":"a","change":{"Actions":["delete"],"actions":["no-op"]}}`), ErrKeyCase, ""},
		{"Errored", `{"format_version":"1.2","resource_changes":[],"Errored":true}`, ErrKeyCase, `"Errored"`},
		{"Resource_Changes", `{"format_version":"1.2","Resource_Changes":[` + del + `],"planned_values":{}}`, ErrKeyCase, `"Resource_Changes"`},
		{"MODE", plan(`{"address":"a.b","type":"a","MODE":"data","change":{"actions":["delete"]}}`), ErrKeyCase, ""},
		{"output Before", `{"format_version":"1.2","resource_changes":[],"output_changes":{"a":{"actions":["update"],"Before":1}}}`, ErrKeyCase, ""},
		{"prior state Values", `{"format_version":"1.2","resource_changes":[],"prior_state":{"Values":{}}}`, ErrKeyCase, `"Values"`},
		// Values that matter, out of their range.
		{"before not an object", plan(`{"address":"aws_db_instance.a","type":"aws_db_instance","change":{"actions":["delete"],"before":"prod"}}`), ErrNotPlan, ""},
		{"a mark of the wrong type", plan(`{"address":"aws_db_instance.a","type":"aws_db_instance","change":{"actions":["delete"],"before":{"tags":{"env":"prod"}},"before_sensitive":"yes"}}`), ErrNotPlan, ""},
		{"unknown mode", plan(`{"address":"a.b","type":"a","mode":"resource","change":{"actions":["delete"]}}`), ErrNotPlan, ""},
		{"mode in another case", plan(`{"address":"a.b","type":"a","mode":"Managed","change":{"actions":["delete"]}}`), ErrNotPlan, ""},
		{"errored plan", `{"format_version":"1.2","resource_changes":[],"errored":true}`, ErrErroredPlan, ""},
		{"action invocation without address", `{"format_version":"1.2","resource_changes":[],"action_invocations":[{"type":"aws_lambda_invoke"}]}`, ErrNotPlan, ""},
		{"deferred change without resource_change", `{"format_version":"1.2","resource_changes":[],"deferred_changes":[{"reason":"provider_config_unknown"}]}`, ErrNotPlan, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readDoc(t, tt.doc)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			var re *ReadError
			if !errors.As(err, &re) || !strings.HasPrefix(err.Error(), "plan.json: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			if tt.at != "" {
				if re.Offset < 0 || !strings.HasPrefix(tt.doc[re.Offset:], tt.at) {
					t.Fatalf("offset %d: input there is %.30q, want %q", re.Offset, tt.doc[max(re.Offset, 0):], tt.at)
				}
			}
		})
	}
}

func TestReadFormatVersions(t *testing.T) {
	for _, v := range []string{"0.1", "0.2", "1.0", "1.1", "1.2", "1.10"} {
		if _, err := readDoc(t, `{"format_version":"`+v+`","resource_changes":[]}`); err != nil {
			t.Errorf("%s: %v", v, err)
		}
	}
	for _, v := range []string{"0.3", "0.99", "0.0", "+1.2", "1.2.3", "01.2", "1.", "1.02", "2.0", "1.-1", "1.2 ", "v1.2"} {
		if _, err := readDoc(t, `{"format_version":"`+v+`","resource_changes":[]}`); !errors.Is(err, ErrFormat) {
			t.Errorf("%q: got %v, want ErrFormat", v, err)
		}
	}
}

// Nesting past maxDepth is refused wherever it is, quickly and without
// recursion.
func TestReadDepth(t *testing.T) {
	deep := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	deepList := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	ok := 400
	for _, tt := range []struct {
		name string
		doc  func(string) string
	}{
		{"planned_values", func(v string) string {
			return `{"format_version":"1.2","resource_changes":[],"planned_values":` + v + `}`
		}},
		{"before", func(v string) string {
			return plan(`{"address":"a.b","type":"a","change":{"actions":["delete"],"before":{"x":` + v + `}}}`)
		}},
		{"output", func(v string) string {
			return `{"format_version":"1.2","resource_changes":[],"output_changes":{"o":{"actions":["create"],"after":` + v + `}}}`
		}},
		{"variables", func(v string) string {
			return `{"format_version":"1.2","resource_changes":[],"variables":{"v":{"value":` + v + `}}}`
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := readDoc(t, tt.doc(deep(ok))); err != nil {
				t.Fatalf("%d levels: %v", ok, err)
			}
			for _, v := range []string{deep(maxDepth + 1), deepList(maxDepth + 1)} {
				if _, err := readDoc(t, tt.doc(v)); !errors.Is(err, ErrTooDeep) {
					t.Fatalf("got %v, want ErrTooDeep", err)
				}
			}
		})
	}
	// The 2 MB document that used to take 54 s and die of stack overflow.
	start := time.Now()
	huge := `{"format_version":"1.2","resource_changes":[],"planned_values":` + deepList(1<<20) + `}`
	if _, err := readDoc(t, huge); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("got %v, want ErrTooDeep", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Logf("a 2 MB nested document took %v to refuse", d) // figures belong in benchmarks; this only reports
	}
}

func utf16Bytes(s string, big bool) []byte {
	var b bytes.Buffer
	order := binary.ByteOrder(binary.LittleEndian)
	bom := []byte{0xFF, 0xFE}
	if big {
		order, bom = binary.BigEndian, []byte{0xFE, 0xFF}
	}
	b.Write(bom)
	for _, u := range utf16.Encode([]rune(s)) {
		_ = binary.Write(&b, order, u)
	}
	return b.Bytes()
}

// Plans saved on Windows: a UTF-8 BOM and UTF-16 with a BOM are read as
// the plan they hold; UTF-16 without one is refused with what to do.
func TestReadEncodings(t *testing.T) {
	doc := plan(`{"address":"aws_s3_bucket.logs","type":"aws_s3_bucket","name":"logs","change":{"actions":["delete"],"before":{"bucket":"lögs","tags":{"env":"prod"}}}}`)
	want, err := readDoc(t, doc)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"utf-8 bom": append([]byte("\xef\xbb\xbf"), doc...),
		"utf-16 le": utf16Bytes(doc, false),
		"utf-16 be": utf16Bytes(doc, true),
	} {
		got, err := Read(context.Background(), bytes.NewReader(data), File("plan.json"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.Fingerprint() != want.Fingerprint() || got.Resources[0].Labels["env"] != "prod" {
			t.Errorf("%s: read differently from UTF-8", name)
		}
	}
	noBOM := utf16Bytes(doc, false)[2:]
	if _, err := Read(context.Background(), bytes.NewReader(noBOM), File("plan.json")); !errors.Is(err, ErrEncoding) || !strings.Contains(err.Error(), "re-save it as UTF-8") {
		t.Errorf("UTF-16 without BOM: got %v", err)
	}
}

// Plans that are not whole are read with what makes them so.
func TestReadPlansNotWhole(t *testing.T) {
	set, err := readDoc(t, `{"format_version":"1.2","complete":false,"resource_changes":[],
	 "action_invocations":[
	  {"address":"action.aws_lambda_invoke.notify","type":"aws_lambda_invoke","name":"notify","provider_name":"registry.terraform.io/hashicorp/aws",
	   "config_values":{"function_name":"f"},"lifecycle_action_trigger":{"triggering_resource_address":"aws_db_instance.main","action_trigger_event":"before_destroy","action_trigger_block_index":0,"actions_list_index":0}},
	  {"address":"action.aws_cloudfront_create_invalidation.x","type":"aws_cloudfront_create_invalidation","name":"x","invoke_action_trigger":{}}],
	 "deferred_action_invocations":[{"address":"action.local_command.y","type":"local_command","name":"y","lifecycle_action_trigger":{"triggering_resource_address":"a.b","action_trigger_event":"after_create"}}],
	 "deferred_changes":[{"reason":"provider_config_unknown","resource_change":{"address":"aws_db_instance.x","type":"aws_db_instance","name":"x","change":{"actions":["delete"],"before":{"tags":{"env":"prod"}}}}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if !set.Incomplete {
		t.Error("complete: false not kept")
	}
	if len(set.Actions) != 3 {
		t.Fatalf("actions: %+v", set.Actions)
	}
	for i, want := range []string{"before_destroy of aws_db_instance.main", "invoked directly", "deferred to a later plan; after_create of a.b"} {
		if !strings.Contains(set.Actions[i].Trigger, want) || set.Actions[i].Digest == "" {
			t.Errorf("action %d: %+v, want trigger %q", i, set.Actions[i], want)
		}
	}
	if len(set.Deferred) != 1 || set.Deferred[0].Deferred != "provider_config_unknown" || set.Deferred[0].Action != change.Delete || set.Deferred[0].Labels["env"] != "prod" {
		t.Errorf("deferred: %+v", set.Deferred)
	}
}

// Real plans of old versions: drift without addresses (Terraform 1.0.0),
// replaces without replace_paths (formats 0.1 and 0.2), a prior_state
// trimmed below what the plan touches.
func TestReadOldShapes(t *testing.T) {
	set, err := readDoc(t, `{"format_version":"0.2","resource_changes":[
	  {"address":"aws_instance.web","mode":"managed","type":"aws_instance","name":"web","change":{"actions":["delete","create"],"before":{"ami":"a","tags":{"env":"prod"}},"after":{"ami":"b","tags":{"env":"prod"}}}},
	  {"address":"aws_instance.b","mode":"managed","type":"aws_instance","name":"b","change":{"actions":["delete"],"before":{}}},
	  {"address":"aws_instance.c","mode":"managed","type":"aws_instance","name":"c","change":{"actions":["update"],"before":{"x":1},"after":{"x":2}}}],
	 "resource_drift":[{"mode":"managed","module_address":"module.m","type":"aws_s3_bucket","name":"logs","index":0,"change":{"actions":["update"],"before":{},"after":{}}}],
	 "prior_state":{"values":{"root_module":{"resources":[{"mode":"managed"}]}}}}`)
	if err != nil {
		t.Fatal(err)
	}
	web := set.Resources[0]
	if !web.NoReplacePaths || len(web.Changes) != 1 || web.Changes[0].Path != "ami" {
		t.Errorf("replace without replace_paths: %+v", web)
	}
	if len(set.Drift) != 1 || set.Drift[0].Address != "module.m.aws_s3_bucket.logs[0]" {
		t.Errorf("drift: %+v", set.Drift)
	}
	if set.Managed != 3 {
		t.Errorf("managed %d, want 3: at least the existing objects the plan changes", set.Managed)
	}
}

// Where a replaced object lives is read from both sides, and unknown new
// labels are said to be unknown.
func TestReadLabelsBothSides(t *testing.T) {
	tests := []struct{ name, change string }{
		{"aws tags unknown", `{"address":"aws_db_instance.main","type":"aws_db_instance","change":{"actions":["delete","create"],"before":{"tags":{"env":"prod"}},"after":{"engine":"mysql"},"after_unknown":{"tags":true}}}`},
		{"google labels changed", `{"address":"google_sql_database_instance.db","type":"google_sql_database_instance","change":{"actions":["create","delete"],"before":{"user_labels":{"Environment":"prod-eu"}},"after":{"user_labels":{"Environment":"staging"}},"after_unknown":{"settings":true}}}`},
		{"kubernetes labels unknown", `{"address":"kubernetes_namespace.ns","type":"kubernetes_namespace","change":{"actions":["delete","create"],"before":{"metadata":[{"labels":{"stage":"prod"},"name":"app"}]},"after":{"metadata":[{"name":"app2"}]},"after_unknown":{"metadata":[{"labels":true}]}}}`},
	}
	for _, tt := range tests {
		set, err := readDoc(t, plan(tt.change))
		if err != nil {
			t.Fatal(err)
		}
		r := set.Resources[0]
		found := false
		for _, v := range r.BeforeLabels {
			found = found || strings.HasPrefix(v, "prod")
		}
		if !found {
			t.Errorf("%s: before labels %v", tt.name, r.BeforeLabels)
		}
		if tt.name != "google labels changed" && !r.LabelsUnknown {
			t.Errorf("%s: labels unknown not said", tt.name)
		}
	}
}

func TestReadManifestKind(t *testing.T) {
	for _, tt := range []struct{ change, kind string }{
		{`{"address":"kubernetes_manifest.ns","type":"kubernetes_manifest","change":{"actions":["delete"],"before":{"manifest":{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"prod"}}}}}`, "Namespace"},
		{`{"address":"kubectl_manifest.pvc","type":"kubectl_manifest","change":{"actions":["delete","create"],"before":{"kind":"PersistentVolumeClaim","yaml_body":"x"},"after":{"kind":"PersistentVolumeClaim","yaml_body":"y"},"replace_paths":[["yaml_body"]]}}`, "PersistentVolumeClaim"},
		{`{"address":"kubernetes_manifest.sts","type":"kubernetes_manifest","change":{"actions":["create"],"after":{"manifest":{"kind":"StatefulSet"}}}}`, "StatefulSet"},
	} {
		set, err := readDoc(t, plan(tt.change))
		if err != nil {
			t.Fatal(err)
		}
		if got := set.Resources[0].Kind; got != tt.kind {
			t.Errorf("kind %q, want %q", got, tt.kind)
		}
	}
}

// Tags marked sensitive hide the environment: the reader says so, and
// keeps their values out.
func TestReadSensitiveLabels(t *testing.T) {
	for _, c := range []string{
		`{"address":"aws_db_instance.main","type":"aws_db_instance","change":{"actions":["delete"],"before":{"tags":{"env":"prod"}},"before_sensitive":{"tags":true}}}`,
		`{"address":"aws_db_instance.main","type":"aws_db_instance","change":{"actions":["delete","create"],"before":{"tags":{"env":"prod"}},"after":{"tags":{"env":"prod"}},"before_sensitive":{"tags":{"env":true}},"after_sensitive":{"tags":{"env":true}},"replace_paths":[["engine"]]}}`,
		`{"address":"google_sql_database_instance.db","type":"google_sql_database_instance","change":{"actions":["delete"],"before":{"labels":{"environment":"prod"}},"before_sensitive":true}}`,
	} {
		set, err := readDoc(t, plan(c))
		if err != nil {
			t.Fatal(err)
		}
		r := set.Resources[0]
		if !r.LabelsSensitive || r.Labels["env"] != "" || r.Labels["environment"] != "" {
			t.Errorf("sensitive labels: %+v", r)
		}
	}
}
