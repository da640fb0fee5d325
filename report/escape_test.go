package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/verdict"
)

// hostileInputs are names and values a plan's author could write to make a
// report say, link, hide or run something. Each goes into every field of a
// verdict that comes from the plan.
var hostileInputs = []struct{ name, s string }{
	{"link", "[click](https://evil.example/x)"},
	{"javascript link", "[ok](javascript:alert(1))"},
	{"reference link", "[ref]\n\n[ref]: javascript:alert(1)"},
	{"image", "![x](https://evil.example/p.png)"},
	{"emphasis", "*em* _em_ **strong** __strong__ ***both***"},
	{"strikethrough", "~~gone~~ ~gone~"},
	{"angle autolink", "<https://evil.example> <mailto:a@evil.example>"},
	{"bare url", "see https://evil.example/a?b=c and ftp://evil.example"},
	{"www autolink", "www.evil.example/path and WWW.EVIL.EXAMPLE"},
	{"email autolink", "alice@evil.example and mailto:bob@evil.example"},
	{"mentions", "@octocat @rehearse-dev/security cc:@admin"},
	{"issue refs", "#123 rehearse-dev/rehearse#456 (#7)"},
	{"emoji", ":rotating_light: :+1: :x:"},
	{"math", "$x^2$ and $$\\sum$$"},
	{"script", "<script>alert(1)</script>"},
	{"img tag", `<img src=x onerror="alert(1)">`},
	{"break out of code", `</code><a href="https://evil.example">x</a><code>`},
	{"details", "<details open><summary>hidden</summary>"},
	{"comment", "<!-- hide the rest"},
	{"entities", "&lt;b&gt; &amp; &#42;star&#42; &#x40;user"},
	{"table pipes", "a|b || c \\| d"},
	{"backticks", "`code` ``double`` ```fence```"},
	{"backslashes", `\*not em\* \\ \`},
	{"newlines", "one\ntwo\r\n| x | y |\n|---|---|\n\n# heading"},
	{"list item", "- item"},
	{"ordered item", "1. first"},
	{"quote", "> quoted"},
	{"heading", "## heading"},
	{"indented code", "    code"},
	{"thematic break", "***"},
	{"setext", "=="},
	{"footnote and task", "[^1] [ ] [x]\n\n[^1]: note"},
	{"alert", "[!CAUTION]"},
	{"ansi", "\x1b[2J\x1b[31mred\x1b[0m"},
	{"osc 8 link", "\x1b]8;;http://evil.example\x07click\x1b]8;;\x07"},
	{"c1 csi", "\u009b2J\u0085next"},
	{"bidi override", "admin\u202etxt.exe\u202c \u202a\u202b\u202d"},
	{"bidi isolates", "\u2066isolated\u2069 \u2067\u2068 \u200e\u200f\u061c"},
	{"zero width", "zero\u200bwidth\u200c\u200d\u2060\ufeff"},
	{"tag characters", "visible\U000e0041\U000e0042\U000e007f"},
	{"variation selector", "x\ufe0f\U000e0100"},
	{"separators", "a\u2028b\u2029c"},
	{"invalid utf-8", "bad\xff\xfe\xc0"},
	{"replacement and nonchars", "\ufffd\ufffe\uffff\ufdd0"},
	{"xml illegal", "nul\x00 bs\x08 vt\x0b ff\x0c"},
}

// hostileVerdict puts s in every field of a verdict that comes from a
// plan, a policy, an approvals file or a commit.
func hostileVerdict(s string) *verdict.Verdict {
	void := []verdict.Approval{{Finding: "RH-2", Fingerprint: s, By: s, At: s, Reason: s, Rollback: s}}
	return &verdict.Verdict{
		Schema:      "rehearse.verdict/v1",
		Decision:    verdict.Block,
		Origin:      verdict.OriginInfo{Origin: verdict.OriginAI, DecidedBy: "trailer " + s},
		Source:      change.Source{Kind: change.Planned, Tool: "terraform", ToolVersion: s, FormatVersion: s, File: s},
		Fingerprint: "sha256:" + strings.Repeat("0", 64),
		Workspace:   s,
		Blast: verdict.Blast{Managed: 10, Destructive: 2, Affected: 3, Actions: map[string]int{"replace": 1, "delete": 1, "create": 1},
			Envs: map[string]verdict.EnvCount{s: {Changed: 3, Destructive: 2, Protected: true}}},
		Findings: []verdict.Finding{{
			ID: "RH-1", Rule: verdict.RuleProtectedDestroy, Severity: verdict.SeverityBlock,
			Address: s, Type: s, Action: change.Replace, Class: verdict.DataBearing, Kind: s, Environment: s, Protected: true,
			Message: s, Evidence: []string{s, "engine: " + s + " → " + s}, Recoverability: s, Hints: []string{s},
			Dependents: []string{s, s}, Location: &change.Location{File: s, Line: 7}, VoidApprovals: void,
		}, {
			ID: "RH-2", Rule: verdict.RuleDestroy, Severity: verdict.SeverityWarn,
			Address: s, Type: s, Action: change.Delete, Environment: s, Message: "deletes " + s,
			Approval: &verdict.Approval{Finding: "RH-2", Fingerprint: s, By: s, At: s, Reason: s, Rollback: s},
		}},
		Passed: []verdict.Listed{{Address: s, Action: change.Create, Note: s, Environment: s}},
		Drift:  []verdict.Listed{{Address: s, Action: change.Update, Note: s}},
		Notes:  []string{s, "note about " + s},
	}
}

// judgedHostile judges a change whose addresses, instance keys, labels and
// values are s, so that s reaches the messages and evidence the verdict
// package writes, not only the fields set directly.
func judgedHostile(s string) *verdict.Verdict {
	set := change.Set{Managed: 40, Resources: []change.Resource{{
		Address: `aws_db_instance.x["` + s + `"]`, Type: "aws_db_instance", Name: "x", Mode: change.Managed, Action: change.Replace,
		ReplaceOrder: change.DeleteThenCreate, Labels: map[string]string{"env": "prod-" + s, "owner": s},
		ReplacePaths: []change.AttrChange{{Path: "engine", Before: s, After: s + "2"}},
	}, {
		Address: `aws_s3_bucket.y["` + s + `"]`, Type: "aws_s3_bucket", Name: "y", Mode: change.Managed, Action: change.Create,
	}}}
	v := verdict.Evaluate(set, verdict.DefaultPolicy(), verdict.Options{Origin: verdict.OriginInfo{Origin: verdict.OriginHuman, DecidedBy: s}})
	return &v
}

var hostileBuilders = []struct {
	name  string
	build func(string) *verdict.Verdict
}{{"fields", hostileVerdict}, {"judged", judgedHostile}}

func render(t *testing.T, f Format, v *verdict.Verdict) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, f, v, Options{}); err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	return buf.Bytes()
}

// gfm renders Markdown as GitHub does as far as CommonMark and its GFM
// extensions go (tables, strikethrough, task lists, autolinks of bare URLs,
// www. and e-mail addresses, footnotes), passing through the raw HTML
// GitHub allows (<code>, <details>).
var gfm = goldmark.New(
	goldmark.WithExtensions(extension.GFM, extension.Footnote),
	goldmark.WithRendererOptions(gmhtml.WithUnsafe()),
)

var (
	tagRe  = regexp.MustCompile(`<[^>]*>`)
	codeRe = regexp.MustCompile(`(?s)<code>.*?</code>`)
	// What GitHub links in the text of the rendered page, after parsing:
	// e-mail addresses (cmark-gfm finds them in the merged text nodes,
	// inside code too) and, outside code, mentions, issue references and
	// emoji codes.
	emailRe   = regexp.MustCompile(`[A-Za-z0-9.+_-]@[A-Za-z0-9]`)
	mentionRe = regexp.MustCompile(`(?i)(^|[^a-z0-9_])@[a-z0-9]`)
	issueRe   = regexp.MustCompile(`(^|[^A-Za-z0-9_])#[0-9]`)
	emojiRe   = regexp.MustCompile(`:[a-z0-9_+-]+:`)
)

// wordsOnly keeps the letters and digits of s, each run of anything else
// becoming a space, after a word of its own so that it is never empty.
func wordsOnly(s string) string {
	return strings.TrimSpace("name " + regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(s, " "))
}

// markup lists the tags of rendered HTML, in order, without <wbr>, which
// mdCode adds and which only splits text.
func markup(page string) []string {
	var tags []string
	for _, tag := range tagRe.FindAllString(page, -1) {
		if tag != "<wbr>" {
			tags = append(tags, tag)
		}
	}
	return tags
}

// textNodes are the decoded texts between the tags of rendered HTML.
func textNodes(page string) []string {
	var out []string
	for _, n := range tagRe.Split(page, -1) {
		out = append(out, html.UnescapeString(n))
	}
	return out
}

// shown is the text a reader sees: without the zero-width spaces mdEscape
// adds, with white space as HTML collapses it.
func shown(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\u200b", "")), " ")
}

// TestMarkdownInert renders every hostile input in every field as
// Markdown, then renders that Markdown as GitHub would: the page must have
// exactly the elements it has for a harmless name (no link, image,
// emphasis, strikethrough, script, list or heading from the plan), nothing
// GitHub would link or notify, and the input itself as visible text.
func TestMarkdownInert(t *testing.T) {
	for _, b := range hostileBuilders {
		for _, h := range hostileInputs {
			t.Run(b.name+"/"+h.name, func(t *testing.T) {
				// The same words without the punctuation and the
				// rest: a name that says "dev" makes another
				// environment, in both.
				var want bytes.Buffer
				if err := gfm.Convert(render(t, Markdown, b.build(wordsOnly(h.s))), &want); err != nil {
					t.Fatal(err)
				}
				wantTags := markup(want.String())
				md := render(t, Markdown, b.build(h.s))
				checkMarkdownSource(t, string(md))
				var page bytes.Buffer
				if err := gfm.Convert(md, &page); err != nil {
					t.Fatal(err)
				}
				got := markup(page.String())
				if strings.Join(got, "") != strings.Join(wantTags, "") {
					t.Errorf("the input changed the page's elements:\n got %q\nwant %q\nmarkdown:\n%s", got, wantTags, md)
				}
				nodes := textNodes(page.String())
				if !strings.Contains(shown(strings.Join(nodes, "")), shown(TermSafe(h.s))) {
					t.Errorf("the page does not show %q as text:\n%s", TermSafe(h.s), page.String())
				}
				// GitHub links nothing in a code block (the Mermaid
				// graph, the approval command).
				unfenced := preRe.ReplaceAllString(page.String(), "<pre></pre>")
				for _, n := range textNodes(unfenced) {
					if emailRe.MatchString(n) {
						t.Errorf("GitHub would link an e-mail address in %q", n)
					}
				}
				for _, n := range textNodes(codeRe.ReplaceAllString(unfenced, "<code></code>")) {
					for _, re := range []*regexp.Regexp{mentionRe, issueRe, emojiRe} {
						if re.MatchString(n) {
							t.Errorf("GitHub would link %s in %q", re, n)
						}
					}
				}
			})
		}
	}
}

// checkMarkdownSource looks for raw forms of what the input tries in the
// Markdown itself, apart from the renderer.
func checkMarkdownSource(t *testing.T, md string) {
	t.Helper()
	checkVisible(t, "markdown", strings.ReplaceAll(md, "⚠️", ""))
	// What a backslash escapes is text: take it out before looking.
	body := regexp.MustCompile(`\\[[:punct:]]`).ReplaceAllString(strings.TrimPrefix(md, MarkdownMarker+"\n"), "\x00")
	// A fenced block (the Mermaid graph, the approval command) is shown
	// as it is, not read as Markdown: it must only never end early.
	body = withoutFences(t, body)
	for _, bad := range []string{"javascript:", "://", "mailto:", "<script", "<img", "<a ", "<a>", "</code><", "<http", "<details open", "<!--", "&lt;b", "&#42;", "&#x40;"} {
		if strings.Contains(strings.ToLower(body), bad) {
			t.Errorf("raw %q in the markdown", bad)
		}
	}
	if regexp.MustCompile(`(?i)www\.`).MatchString(body) {
		t.Error("raw www. in the markdown")
	}
	for _, c := range "`_~[]!$@" {
		if n := strings.Count(body, string(c)); n > 0 {
			t.Errorf("%d unescaped %q in the markdown", n, c)
		}
	}
	// The only emphasis is the decision's, "**BLOCK**".
	if n := strings.Count(body, "*"); n != 4 {
		t.Errorf("%d unescaped * in the markdown, want the 4 of **BLOCK**", n)
	}
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| ") && strings.Count(line, "|") != 7 {
			t.Errorf("the input broke a table row: %q", line)
		}
	}
}

var preRe = regexp.MustCompile(`(?s)<pre>.*?</pre>`)

// withoutFences removes fenced code blocks from md, failing if a line
// inside one could close it early.
func withoutFences(t *testing.T, md string) string {
	t.Helper()
	var out []string
	fence := ""
	for _, line := range strings.Split(md, "\n") {
		switch {
		case fence == "" && strings.HasPrefix(line, "```"):
			fence = line[:len(line)-len(strings.TrimLeft(line, "`"))]
		case fence != "" && line == fence:
			fence = ""
		case fence != "" && strings.HasPrefix(strings.TrimLeft(line, " "), "```"):
			t.Errorf("a line in a fenced block could close it: %q", line)
		case fence == "":
			out = append(out, line)
		}
	}
	if fence != "" {
		t.Error("a fenced block is not closed")
	}
	return strings.Join(out, "\n")
}

// checkVisible fails if out has a character TermSafe spells out, other
// than the line breaks of the format itself.
func checkVisible(t *testing.T, what, out string) {
	t.Helper()
	for i, r := range out {
		if r != '\n' && hidden(r) {
			t.Errorf("%s: raw %U at byte %d: %q", what, r, i, out[max(0, i-30):min(len(out), i+30)])
			return
		}
	}
}

// TestTextAndCIInert renders every hostile input as text, SARIF and JUnit:
// nothing a terminal or a viewer would act on or hide reaches the output,
// raw or as a JSON or XML escape, and the XML is well-formed. JSON keeps
// the values exact (encoding/json escapes control characters).
func TestTextAndCIInert(t *testing.T) {
	for _, b := range hostileBuilders {
		for _, h := range hostileInputs {
			t.Run(b.name+"/"+h.name, func(t *testing.T) {
				v := b.build(h.s)
				text := render(t, Text, v)
				checkVisible(t, "text", string(text))
				if !bytes.Contains(text, []byte(TermSafe(h.s))) {
					t.Errorf("text does not show %q", TermSafe(h.s))
				}

				sarif := render(t, SARIF, v)
				checkVisible(t, "sarif", string(sarif))
				var doc any
				if err := json.Unmarshal(sarif, &doc); err != nil {
					t.Fatal(err)
				}
				walkStrings(doc, func(s string) { checkVisible(t, "sarif value", s) })

				junit := render(t, JUnit, v)
				checkVisible(t, "junit", string(junit))
				checkXML(t, junit)
				dec := xml.NewDecoder(bytes.NewReader(junit))
				for {
					tok, err := dec.Token()
					if err == io.EOF {
						break
					} else if err != nil {
						t.Fatal(err)
					}
					switch tok := tok.(type) {
					case xml.CharData:
						checkVisible(t, "junit text", string(tok))
					case xml.StartElement:
						for _, a := range tok.Attr {
							checkVisible(t, "junit attribute", a.Value)
						}
					}
				}

				js := render(t, JSON, v)
				for i, c := range js {
					if c < 0x20 && c != '\n' {
						t.Fatalf("json: raw control byte %#x at %d", c, i)
					}
				}
				var out struct {
					Findings []struct{ Address string }
				}
				if err := json.Unmarshal(js, &out); err != nil {
					t.Fatal(err)
				}
				// encoding/json writes each invalid byte as U+FFFD, as
				// converting to runes does.
				if b.name == "fields" && out.Findings[0].Address != string([]rune(h.s)) {
					t.Errorf("json changed the address: %q, want %q", out.Findings[0].Address, h.s)
				}
			})
		}
	}
}

func walkStrings(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case []any:
		for _, e := range v {
			walkStrings(e, f)
		}
	case map[string]any:
		for k, e := range v {
			f(k)
			walkStrings(e, f)
		}
	}
}

func TestTermSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"aws_instance.web[\"é日本\"]", "aws_instance.web[\"é日本\"]"},
		{"\x1b[2Jx", `\x1b[2Jx`},
		{"\x1b]8;;http://e\x07t", `\x1b]8;;http://e\x07t`},
		{"a\nb\tc\r", `a\x0ab\x09c\x0d`},
		{"\u009b2J", `\x9b2J`},
		{"soft\u00adhyphen", `soft\xadhyphen`},
		{"\u202eexe", `\u202eexe`},
		{"\u2066\u2069\u200e\u061c", `\u2066\u2069\u200e\u061c`},
		{"\u200b\u200c\u200d\u2060\ufeff", `\u200b\u200c\u200d\u2060\ufeff`},
		{"\u2028\u2029", `\u2028\u2029`},
		{"\U000e0041", `\U000e0041`},
		{"\ufe0f\u3164", `\ufe0f\u3164`},
		{"\xff\xc0", `\xff\xc0`},
		{"\ufffd\uffff", `\ufffd\uffff`},
	}
	for _, tt := range tests {
		if got := TermSafe(tt.in); got != tt.want {
			t.Errorf("TermSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMarkdownEscapes(t *testing.T) {
	tests := []struct{ in, prose, code string }{
		{"aws_s3_bucket.x", `aws\_s3\_bucket.x`, `aws\_s3\_bucket.x`},
		{"@octocat", `\@&#8203;octocat`, `\@<wbr>octocat`},
		{"user:alice@example.com", `user\:&#8203;alice\@&#8203;example.com`, `user\:alice\@<wbr>example.com`},
		{"#12 and a: b", `\#&#8203;12 and a: b`, `\#12 and a: b`},
		{"https://www.x", `https\:&#8203;//www\.x`, `https\://www\.x`},
		{"<b>&amp;|'\"", "&lt;b&gt;&amp;amp;&#124;&#39;&quot;", "&lt;b&gt;&amp;amp;&#124;&#39;&quot;"},
		{"- a", `\- a`, `\- a`},
		{"12) a", `12\) a`, `12\) a`},
		{"  a", "&#32; a", "&#32; a"},
		{"a\nb", `a\\x0ab`, `a\\x0ab`},
	}
	for _, tt := range tests {
		if got := mdEscape(tt.in); got != tt.prose {
			t.Errorf("mdEscape(%q) = %q, want %q", tt.in, got, tt.prose)
		}
		if got, want := mdCode(tt.in), fmt.Sprintf("<code>%s</code>", tt.code); got != want {
			t.Errorf("mdCode(%q) = %q, want %q", tt.in, got, want)
		}
	}
}
