package origin

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/verdict"
)

// TestResolve: the flag beats $REHEARSE_ORIGIN beats the policy's
// origin.unknown; auto reads the commits (HEAD only unless a range is
// given) and returns their authors; anything else fails closed.
func TestResolve(t *testing.T) {
	t.Parallel()
	needGit(t)
	env := gitEnv(t)
	r := newRepo(t, env)
	base := r.commit(human, "", "base")
	r.commit(human, "", "rename\n\nCo-authored-by: "+claude)
	r.commit(human, "", "tidy")
	g := Git{Dir: r.dir, Env: env}
	pol := verdict.DefaultPolicy().Origin
	unknownAI := pol
	unknownAI.Unknown = verdict.OriginAI
	tests := []struct {
		name    string
		c       Choice
		p       verdict.OriginPolicy
		want    verdict.Origin
		by      string // DecidedBy starts with it
		authors []string
		err     string
	}{
		{"default human", Choice{}, pol, verdict.OriginHuman, "default (evidence", nil, ""},
		{"unknown ai", Choice{}, unknownAI, verdict.OriginAI, "origin.unknown: ai, no --origin given", nil, ""},
		{"env beats policy", Choice{Env: "human"}, unknownAI, verdict.OriginHuman, "REHEARSE_ORIGIN", nil, ""},
		{"flag beats env", Choice{Flag: "AI", Env: "human"}, pol, verdict.OriginAI, "--origin (evidence", nil, ""},
		{"auto head only is human", Choice{Flag: "auto"}, pol, verdict.OriginHuman, "", []string{"ci@example.com", "dana@example.com"}, ""},
		{"auto range finds the agent", Choice{Flag: "auto", Range: base + "..HEAD"}, pol, verdict.OriginAI, "trailer Co-authored-by", []string{"ci@example.com", "dana@example.com"}, ""},
		{"auto from env", Choice{Env: "Auto", Range: base + "..HEAD"}, pol, verdict.OriginAI, "trailer", []string{"ci@example.com", "dana@example.com"}, ""},
		{"range without auto", Choice{Flag: "human", Range: base + "..HEAD"}, pol, "", "", nil, `--origin-range needs --origin auto; the origin here is "human", from --origin`},
		{"range from env without auto", Choice{Env: "ai", Range: "a..b"}, pol, "", "", nil, "from REHEARSE_ORIGIN"},
		{"unknown value", Choice{Flag: "robot"}, pol, "", "", nil, `--origin: origin must be human, ai or auto, not "robot"`},
		{"bad range", Choice{Flag: "auto", Range: "--output=x"}, pol, "", "", nil, "--origin auto: "},
		{"missing base", Choice{Flag: "auto", Range: "nope..HEAD"}, pol, "", "", nil, "--origin auto: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, authors, err := g.Resolve(context.Background(), tt.c, tt.p)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.Origin != tt.want || !strings.HasPrefix(o.DecidedBy, tt.by) || !strings.HasSuffix(o.DecidedBy, evidence) {
				t.Errorf("got %s %q, want %s decided by %q…%q", o.Origin, o.DecidedBy, tt.want, tt.by, evidence)
			}
			if tt.c.Range == "" && strings.EqualFold(tt.c.Flag+tt.c.Env, "auto") && !strings.Contains(o.DecidedBy, "HEAD only") {
				t.Errorf("auto without a range does not say it read HEAD only: %q", o.DecidedBy)
			}
			if !reflect.DeepEqual(authors, tt.authors) {
				t.Errorf("authors %q, want %q", authors, tt.authors)
			}
		})
	}
}
