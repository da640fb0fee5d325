package guard

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseEvent: ParseEvent and Answer never panic, and an event that
// does not parse is answered with a block in every dialect.
func FuzzParseEvent(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.json"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"toolName":"bash","toolArgs":"{\"command\":\"ls\"}"}`))
	f.Add([]byte(`{"tool_input":{"command":null}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, agent := range Agents {
			ev, err := ParseEvent(agent, bytes.NewReader(b))
			d := Decision{Permission: Allow}
			if err != nil {
				d = Decision{Permission: Deny, Reason: err.Error()}
			} else if ev.Shell {
				d = Decision{Permission: Ask, Reason: ev.Command}
			}
			var w bytes.Buffer
			code := Answer(agent, d, &w)
			if err != nil && code != 2 && !bytes.Contains(w.Bytes(), []byte(`"deny"`)) {
				t.Fatalf("%s: unparsable event answered exit %d %q", agent, code, w.String())
			}
		}
	})
}

// FuzzAnswer: any decision, any reason, any agent name: no panic, and the
// exit code is 0 or 2.
func FuzzAnswer(f *testing.F) {
	f.Add("claude", "deny", "reason")
	f.Add("kiro", "ask", "")
	f.Add("x", "", "\x00\xff")
	f.Fuzz(func(t *testing.T, agent, perm, reason string) {
		code := Answer(agent, Decision{Permission: Permission(perm), Reason: reason}, &bytes.Buffer{})
		if code != 0 && code != 2 {
			t.Fatalf("exit %d", code)
		}
		if code == 0 && perm != "allow" && perm != "ask" && perm != "deny" && agent != "cursor" {
			// an unknown permission is a deny: exit 0 only with a deny written
			var w bytes.Buffer
			Answer(agent, Decision{Permission: Permission(perm), Reason: reason}, &w)
			if !bytes.Contains(w.Bytes(), []byte("deny")) {
				t.Fatalf("%s %q: %q", agent, perm, w.String())
			}
		}
	})
}

// FuzzAnalyze: Analyze and Classify never panic on any line.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"ls -la", `bash -c "terraform destroy"`, "cd infra && TF_WORKSPACE=prod terraform apply -auto-approve",
		"echo x | xargs terraform destroy", "$(echo terraform) destroy", "psql <<EOF\nDROP TABLE x;\nEOF",
		"rm -rf ~/*", "find / -exec rm {} +", "eval \"$(cat x)\"", "sudo -s 'kubectl delete ns prod'",
		"f() { terraform destroy; }; f", "for w in a b; do terraform workspace select $w; terraform apply; done",
		"env -S 'terraform destroy'", "a=$'\\x74erraform'; $a destroy", "x=terraform; $x destroy",
	} {
		f.Add(s, "/work/repo")
	}
	f.Fuzz(func(t *testing.T, line, cwd string) {
		invs, err := Analyze(line, cwd)
		if err != nil {
			return
		}
		for i := range invs {
			Classify(&invs[i], nil)
		}
	})
}

func BenchmarkBenign(b *testing.B) {
	lines := []string{"ls -la", "git status"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, l := range lines {
			invs, err := Analyze(l, "/work/repo")
			if err != nil {
				b.Fatal(err)
			}
			for j := range invs {
				if d, _ := Classify(&invs[j], nil); d.Permission != Allow {
					b.Fatal(d)
				}
			}
		}
	}
}
