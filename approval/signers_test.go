package approval

import (
	"strings"
	"testing"
	"time"
)

const (
	edKey    = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKs2X2fEkfWhXHkh5qe9ZKSjKU6M0uJDKaWTd/1TzQpG"
	ecdsaKey = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBL0Cp2G+EW21p8Mg+afB3DwvwaOkdyYlWpeM4bXbHhIEylVt2ZOeRsLypILewWPn9A/CDiMm2cPCTiX3KuBoCs0="
)

func TestParseAllowedSigners(t *testing.T) {
	t.Parallel()
	utc := func(s string) time.Time {
		t, err := time.Parse("2006-01-02 15:04:05", s)
		if err != nil {
			panic(err)
		}
		return t
	}
	tests := []struct {
		name string
		line string
		want AllowedSigner // Key and Line are not compared
		err  string
	}{
		{"plain", "alice@example.com " + edKey, AllowedSigner{Principals: "alice@example.com"}, ""},
		{"comment after key", "alice@example.com " + edKey + " alice's laptop", AllowedSigner{Principals: "alice@example.com"}, ""},
		{"indented, tabs", " \talice@example.com\t" + ecdsaKey, AllowedSigner{Principals: "alice@example.com"}, ""},
		{"several principals", "alice@example.com,*@ops.example.com,!eve@ops.example.com " + edKey,
			AllowedSigner{Principals: "alice@example.com,*@ops.example.com,!eve@ops.example.com"}, ""},
		{"quoted principals", `"alice@example.com,bob@example.com" ` + edKey, AllowedSigner{Principals: "alice@example.com,bob@example.com"}, ""},
		{"namespaces", `alice@example.com namespaces="rehearse-approval,git" ` + edKey,
			AllowedSigner{Principals: "alice@example.com", Namespaces: "rehearse-approval,git", HasNamespaces: true}, ""},
		{"options in any case", `alice@example.com NameSpaces="git",Cert-Authority ` + edKey,
			AllowedSigner{Principals: "alice@example.com", Namespaces: "git", HasNamespaces: true, CertAuthority: true}, ""},
		{"validity", `alice@example.com valid-after="20260101Z",valid-before="202612312359Z" ` + edKey,
			AllowedSigner{Principals: "alice@example.com", ValidAfter: utc("2026-01-01 00:00:00"), ValidBefore: utc("2026-12-31 23:59:00")}, ""},
		{"validity with seconds", `alice@example.com valid-before="20261231235958Z" ` + edKey,
			AllowedSigner{Principals: "alice@example.com", ValidBefore: utc("2026-12-31 23:59:58")}, ""},
		{"crlf", "alice@example.com " + edKey + "\r", AllowedSigner{Principals: "alice@example.com"}, ""},

		{"no key", "alice@example.com", AllowedSigner{}, "no key"},
		{"no key after options", `alice@example.com namespaces="git"`, AllowedSigner{}, "no key"},
		{"unknown option", `alice@example.com no-touch-required ` + edKey, AllowedSigner{}, "unknown option"},
		{"unknown option with value", `alice@example.com principals="x" ` + edKey, AllowedSigner{}, "unknown option"},
		{"unquoted value", `alice@example.com namespaces=git ` + edKey, AllowedSigner{}, "double quotes"},
		{"escaped quote", `alice@example.com namespaces="g\"it" ` + edKey, AllowedSigner{}, "not supported"},
		{"option twice", `alice@example.com namespaces="a",namespaces="b" ` + edKey, AllowedSigner{}, "twice"},
		{"cert-authority with value", `alice@example.com cert-authority="yes" ` + edKey, AllowedSigner{}, "no value"},
		{"bad time", `alice@example.com valid-after="2026-01-01" ` + edKey, AllowedSigner{}, "YYYYMMDD"},
		{"impossible date", `alice@example.com valid-after="20261301" ` + edKey, AllowedSigner{}, "month out of range"},
		{"unterminated quote", `"alice@example.com ` + edKey, AllowedSigner{}, "closing quote"},
		{"text after quote", `"alice"x ` + edKey, AllowedSigner{}, "after the closing quote"},
		{"empty principal", "alice@example.com,, " + edKey, AllowedSigner{}, "empty pattern"},
		{"empty quoted principals", `"" ` + edKey, AllowedSigner{}, "empty"},
		{"lone negation", "! " + edKey, AllowedSigner{}, "empty pattern"},
		{"unknown key type", "alice@example.com ssh-foo AAAA", AllowedSigner{}, "unknown key type"},
		{"certificate", "alice@example.com ssh-ed25519-cert-v01@openssh.com AAAA", AllowedSigner{}, "certificate"},
		{"bad base64", "alice@example.com ssh-ed25519 !!!", AllowedSigner{}, "key"},
		{"truncated key", "alice@example.com " + edKey[:40], AllowedSigner{}, "key"},
		{"type mismatch", "alice@example.com ssh-rsa " + strings.Fields(edKey)[1], AllowedSigner{}, "the line says ssh-rsa"},
		{"key type only", "alice@example.com ssh-ed25519", AllowedSigner{}, "no key"},
		{"control character", "alice\x00@example.com " + edKey, AllowedSigner{}, "control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := "# allowed signers\n\n" + tt.line + "\n"
			as, err := ParseAllowedSigners("allowed_signers", []byte(file))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "allowed_signers:3: ") {
					t.Fatalf("err = %v, want allowed_signers:3: and %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(as.Signers) != 1 {
				t.Fatalf("got %d signers", len(as.Signers))
			}
			got := as.Signers[0]
			if got.Key == nil || got.Line != 3 {
				t.Fatalf("key %v line %d", got.Key, got.Line)
			}
			got.Key, got.Line = nil, 0
			if !got.ValidAfter.Equal(tt.want.ValidAfter) || !got.ValidBefore.Equal(tt.want.ValidBefore) {
				t.Fatalf("validity %v..%v, want %v..%v", got.ValidAfter, got.ValidBefore, tt.want.ValidAfter, tt.want.ValidBefore)
			}
			got.ValidAfter, got.ValidBefore, tt.want.ValidAfter, tt.want.ValidBefore = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseSignerTimeLocal(t *testing.T) {
	t.Parallel()
	got, err := parseSignerTime("202606011200")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 6, 1, 12, 0, 0, 0, time.Local); !got.Equal(want) {
		t.Fatalf("got %v, want %v (local time without Z)", got, want)
	}
}

func TestMatchList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s, list string
		want    bool
	}{
		{"alice@example.com", "alice@example.com", true},
		{"alice@example.com", "Alice@example.com", false},
		{"alice@example.com", "bob@example.com,alice@example.com", true},
		{"alice@example.com", "*@example.com", true},
		{"alice@example.com", "*@example.co", false},
		{"alice@example.com", "al?ce@*", true},
		{"alice@example.com", "*", true},
		{"eve@example.com", "*@example.com,!eve@example.com", false},
		{"eve@example.com", "!eve@example.com,*@example.com", false},
		{"eve@example.com", "!bob@example.com", false},
		{"rehearse-approval", "rehearse-*", true},
		{"rehearse-approval", "git,file", false},
		{"", "*", true},
		{"aaa", "a*a*a*a", false},
		{"é@example.com", "?@example.com", false}, // ? is one byte, as in ssh
		{"é@example.com", "??@example.com", true},
	}
	for _, tt := range tests {
		if got := matchList(tt.s, tt.list); got != tt.want {
			t.Errorf("matchList(%q, %q) = %v, want %v", tt.s, tt.list, got, tt.want)
		}
	}
}

func FuzzParseAllowedSigners(f *testing.F) {
	f.Add([]byte("alice@example.com " + edKey + "\n"))
	f.Add([]byte(`"a,b" namespaces="x",valid-after="20260101Z",cert-authority ` + ecdsaKey + " c\n# c\n\n"))
	f.Add([]byte(`*@x !y valid-before="20261231235959" ` + edKey))
	f.Fuzz(func(t *testing.T, b []byte) {
		as, err := ParseAllowedSigners("fuzz", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz:") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, s := range as.Signers {
			if s.Key == nil || s.Line < 1 || checkPatternList(s.Principals) != nil {
				t.Fatalf("parsed a signer without a key, line or principals: %+v", s)
			}
		}
	})
}

func FuzzMatchList(f *testing.F) {
	f.Add("alice@example.com", "*@example.com,!eve@*")
	f.Fuzz(func(t *testing.T, s, list string) {
		if matchList(s, list) && !strings.Contains(list, "*") && !strings.Contains(list, "?") {
			// Without wildcards only an exact pattern matches.
			found := false
			for _, p := range strings.Split(list, ",") {
				found = found || p == s
			}
			if !found {
				t.Fatalf("%q matched %q", s, list)
			}
		}
	})
}
