package origin

import (
	"fmt"
	"sort"
	"strings"
)

// decider applies the rules to commits one at a time, so a long range is
// never held in memory.
type decider struct {
	rng    string // "" when only HEAD is read
	keys   map[string]bool
	agents []agentName
	unkAI  bool

	n      int
	newest string
	marked int
	first  *match
	emails map[string]bool
}

type agentName struct{ name, folded string }

// match is what marked a commit.
type match struct {
	commit string
	what   string // "trailer Key: value", "author Name <email>"…
	raw    string // the text the agent was found in
	agent  string
}

func newDecider(r Rules, rng string) *decider {
	d := &decider{rng: rng, keys: map[string]bool{}, unkAI: r.UnknownIsAI, emails: map[string]bool{}}
	for _, k := range r.Trailers {
		if k = Fold(k); k != "" {
			d.keys[k] = true
		}
	}
	for _, a := range r.Agents {
		if f := Fold(a); f != "" {
			d.agents = append(d.agents, agentName{strings.TrimSpace(a), f})
		}
	}
	return d
}

func (d *decider) add(c commit) {
	if d.n == 0 {
		d.newest = c.hash
	}
	d.n++
	for _, e := range []string{c.authorEmail, c.commitEmail} {
		if e = NormalizeEmail(e); e != "" {
			d.emails[e] = true
		}
	}
	if m := d.match(c); m != nil {
		d.marked++
		if d.first == nil {
			d.first = m
		}
	}
}

// match returns what marks c as AI-written, or nil: a trailer anywhere in
// the message (git's own parse of the last paragraph included), then the
// author, then the committer.
func (d *decider) match(c commit) *match {
	for _, text := range []string{c.message, c.trailers} {
		if m := d.trailer(text); m != nil {
			m.commit = c.hash
			return m
		}
	}
	for _, id := range []struct{ role, name, email string }{
		{"author", c.authorName, c.authorEmail},
		{"committer", c.committerName, c.commitEmail},
	} {
		ident := id.name + " <" + id.email + ">"
		if a, ok := d.agent(ident); ok {
			return &match{commit: c.hash, what: id.role + " " + visible(ident), raw: ident, agent: a}
		}
	}
	return nil
}

// trailer finds a line of text that reads "Key: value", wherever it is,
// with a wanted key and a value that names an agent. A value folded onto
// indented lines is read whole.
func (d *decider) trailer(text string) *match {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		key, val, ok := strings.Cut(line, ":")
		if !ok || !d.keys[Fold(key)] {
			continue
		}
		val = strings.TrimSpace(val)
		for _, next := range lines[i+1:] {
			if next == "" || (next[0] != ' ' && next[0] != '\t') || strings.TrimSpace(next) == "" {
				break
			}
			val += " " + strings.TrimSpace(next)
		}
		if a, ok := d.agent(val); ok {
			return &match{what: "trailer " + visible(strings.TrimSpace(key)) + ": " + visible(val), raw: val, agent: a}
		}
	}
	return nil
}

func (d *decider) agent(s string) (string, bool) {
	f := Fold(s)
	for _, a := range d.agents {
		if strings.Contains(f, a.folded) {
			return a.name, true
		}
	}
	return "", false
}

func (d *decider) result() Result {
	res := Result{Commits: d.n, Commit: d.newest}
	for e := range d.emails {
		res.Authors = append(res.Authors, e)
	}
	sort.Strings(res.Authors)
	if m := d.first; m != nil {
		res.AI, res.Marked, res.Commit = true, true, m.commit
		res.DecidedBy = fmt.Sprintf("%s %s, matching agent %q", m.what, d.where(m.commit), m.agent)
		if !strings.Contains(strings.ToLower(m.raw), strings.ToLower(m.agent)) {
			res.DecidedBy += " after Unicode normalization"
		}
		if d.rng != "" {
			res.DecidedBy += fmt.Sprintf("; %d of %s marked", d.marked, commits(d.n))
		}
		return res
	}
	switch {
	case d.rng == "":
		res.DecidedBy = fmt.Sprintf("no AI trailer or agent author on HEAD %s, nor an agent committer", short(d.newest))
	case d.n == 0:
		res.DecidedBy = fmt.Sprintf("no commits in %s", d.rng)
	default:
		res.DecidedBy = fmt.Sprintf("no AI trailer or agent author in %s of %s, nor an agent committer", commits(d.n), d.rng)
	}
	res.AI = d.unkAI
	if d.unkAI {
		res.DecidedBy += "; origin.unknown: ai"
	} else {
		res.DecidedBy += "; origin.unknown: human"
	}
	return res
}

// where names a commit for DecidedBy.
func (d *decider) where(hash string) string {
	if d.rng == "" {
		return "on HEAD " + short(hash)
	}
	return fmt.Sprintf("on commit %s in %s", short(hash), d.rng)
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

func commits(n int) string {
	if n == 1 {
		return "1 commit"
	}
	return fmt.Sprintf("%d commits", n)
}
