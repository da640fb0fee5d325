package approval

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestMessage(t *testing.T) {
	t.Parallel()
	e := validEntry()
	e.Reason = "quote \" back \\ nl \n tab \t bell \x07 del \x7f <tag> & é \u2028"
	got, ok := Message(&e)
	if !ok {
		t.Fatal("no message")
	}
	want := `{"at":"2026-11-27T10:00:00Z","by":"alice@example.com","expires":"","finding":"RH-673cbe987e",` +
		`"fingerprint":"` + testFP + `","reason":"quote \" back \\ nl \n tab \t bell \u0007 del ` + "\x7f" + ` <tag> & é ` + "\u2028" + `",` +
		`"rollback":"restore snapshot rds-2026-11-27"}`
	if string(got) != want {
		t.Fatalf("message\n got %s\nwant %s", got, want)
	}
	// A signature is not part of what it signs.
	e.Signature = "anything"
	if again, _ := Message(&e); string(again) != string(got) {
		t.Error("the signature changed the message")
	}
	e.By = "bad \xff"
	if _, ok := Message(&e); ok {
		t.Error("invalid UTF-8 has a message")
	}
}

// TestMessageCoversEveryField changes each signed field in turn: each
// change must change the message.
func TestMessageCoversEveryField(t *testing.T) {
	t.Parallel()
	base := validEntry()
	base.Expires = "2026-11-30T10:00:00Z"
	m0, _ := Message(&base)
	v := reflect.ValueOf(&base).Elem()
	for i := 0; i < v.NumField(); i++ {
		name := v.Type().Field(i).Name
		if name == "Signature" {
			continue
		}
		e := base
		f := reflect.ValueOf(&e).Elem().Field(i)
		f.SetString(f.String() + "x")
		if m, _ := Message(&e); string(m) == string(m0) {
			t.Errorf("changing %s does not change the message", name)
		}
	}
}

// FuzzMessage checks the message is JSON that reads back to the same
// fields, so it is unambiguous.
func FuzzMessage(f *testing.F) {
	f.Add("alice", "a reason \" \\ \n", "restore", "")
	f.Add("\x00\x1f", "\u2028\u2029", "<>&", "2026-11-30T10:00:00Z")
	f.Fuzz(func(t *testing.T, by, reason, rollback, expires string) {
		e := validEntry()
		e.By, e.Reason, e.Rollback, e.Expires = by, reason, rollback, expires
		m, ok := Message(&e)
		if !ok {
			return
		}
		var back map[string]string
		if err := json.Unmarshal(m, &back); err != nil {
			t.Fatalf("%q: %v", m, err)
		}
		want := map[string]string{"at": e.At, "by": by, "expires": expires, "finding": e.Finding,
			"fingerprint": e.Fingerprint, "reason": reason, "rollback": rollback}
		if !reflect.DeepEqual(back, want) {
			t.Fatalf("%q reads back as %q", m, back)
		}
	})
}
