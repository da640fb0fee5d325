package change

import "testing"

func TestConfigAddress(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"aws_db.main", "aws_db.main"},
		{"aws_db.main[0]", "aws_db.main"},
		{`module.a["x.y[1]"].aws_db.main["k"]`, "module.a.aws_db.main"},
		{`module.a[2].module.b.data.x.y`, "module.a.module.b.data.x.y"},
		{`aws_s3_bucket.b["quote\"]"]`, "aws_s3_bucket.b"},
	}
	for _, tt := range tests {
		if got := ConfigAddress(tt.in); got != tt.want {
			t.Errorf("ConfigAddress(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestModulePath(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"aws_db.main", ""},
		{`module.a["x.y"].aws_db.main`, `module.a["x.y"]`},
		{`module.a.module.b.data.x.y`, "module.a.module.b"},
	}
	for _, tt := range tests {
		if got := ModulePath(tt.in); got != tt.want {
			t.Errorf("ModulePath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	a := Set{Source: Source{File: "a.json"}, Managed: 3, Resources: []Resource{
		{Address: "b", Action: Delete}, {Address: "a", Action: Create},
	}}
	b := Set{Source: Source{File: "b.json"}, Managed: 3, Resources: []Resource{
		{Address: "a", Action: Create}, {Address: "b", Action: Delete},
	}}
	if a.Fingerprint() != b.Fingerprint() {
		t.Fatal("fingerprint depends on order or source")
	}
	c := b
	c.Resources = []Resource{{Address: "a", Action: Create}, {Address: "b", Action: Replace}}
	if c.Fingerprint() == b.Fingerprint() {
		t.Fatal("fingerprint ignores the action")
	}
	d := b
	d.Managed = 4
	if d.Fingerprint() == b.Fingerprint() {
		t.Fatal("fingerprint ignores the managed count")
	}
}

func TestDataDeltaLost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    DataDelta
		want bool
	}{
		{DataDelta{BeforeFiles: 3, AfterFiles: 3, BeforeBytes: 10, AfterBytes: 10}, false},
		{DataDelta{BeforeFiles: 3, AfterFiles: 4, BeforeBytes: 10, AfterBytes: 20}, false},
		{DataDelta{BeforeFiles: 3, AfterFiles: 0, BeforeBytes: 10, AfterBytes: 0}, true},
		{DataDelta{BeforeFiles: 3, AfterFiles: 3, BeforeBytes: 10, AfterBytes: 9}, true},
		{DataDelta{Gone: true}, true},
	}
	for i, tt := range tests {
		if got := tt.d.Lost(); got != tt.want {
			t.Errorf("%d: Lost() = %v, want %v", i, got, tt.want)
		}
	}
}
