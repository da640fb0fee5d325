package planjson

import (
	"fmt"
	"strings"
	"testing"
)

// Labels read straight from the bytes (rawLabels) give what decoding the
// object gives, and fall back to decoding where they cannot.
func TestRawLabelsSameWithoutFastPaths(t *testing.T) {
	change := func(actions, body string) string {
		return `{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":` + actions + `,` + body + `}}]}`
	}
	var many strings.Builder
	for i := range 100 {
		fmt.Fprintf(&many, `"k%d":"v%d",`, i%70, i)
	}
	bodies := []string{
		`"after":{"tags":{"env":"a","env":1}}`,
		`"after":{"tags":{"env":1,"env":"a"}}`,
		`"after":{"tags_all":{"env":"a"},"tags":{"env":"b","env":null}}`,
		`"after":{"tags_all":{"env":"a","x":"1"},"labels":{"env":"b"},"tags":{"x":"2"},"user_labels":{"env":"c"}}`,
		`"after":{"tags":{"env":"a"},"tags":null}`,
		`"after":{"tags":null,"tags":{"env":"a"}}`,
		`"after":{"tags":"x","labels":[1],"user_labels":{}}`,
		`"after":{"tags":{"e\u006ev":"a","env":"b","k":"\u00e9\n"}}`,
		`"after":{"t\u0061gs":{"env":"a"}}`,
		`"after":{"tags":{"` + "\xff" + `":"a","` + "\xfe" + `":"b"}}`,
		`"after":{"tags":{"env":"` + "\xff" + `"}}`,
		`"after":{"tags":{` + many.String() + `"last":"x"}}`,
		`"after":{"metadata":null,"tags":{"env":"a"}}`,
		`"after":{"metadata":[{"labels":{"env":"k"},"namespace":"ns"}],"tags":{"env":"a"}}`,
		`"after":{"tags":{"env":"a"}},"after_sensitive":{"tags":{"env":false}}`,
		`"after":{"tags":{"env":"a","k":"b"}},"after_sensitive":{"tags":{"env":true}}`,
		`"after":{"x":{"tags":{"env":"a"}},"y":[{"tags":"z"}],"tags":{"env":"b"}}`,
		`"after":{},"after_sensitive":true`,
		`"after":null,"before":{"tags":{"env":"a"}}`,
		`"before":{"tags":{"env":"a"}}`,
		`"after":"x","before":{"tags":{"env":"a","env":2}},"before_sensitive":{}`,
	}
	for _, actions := range []string{`["no-op"]`, `["create"]`, `["read"]`, `["delete"]`, `["forget"]`} {
		for i, b := range bodies {
			sameWithoutFastPaths(t, fmt.Sprintf("%s-%d", actions, i), []byte(change(actions, b)))
		}
	}
	// Label sets shared across resources stay right.
	var plan strings.Builder
	plan.WriteString(`{"format_version":"1.2","resource_changes":[`)
	for i := range 50 {
		if i > 0 {
			plan.WriteByte(',')
		}
		fmt.Fprintf(&plan, `{"address":"a.b%d","type":"a","change":{"actions":["no-op"],"after":{"tags":{"env":"e%d","team":"t%d"}}}}`, i, i%3, i%2)
	}
	plan.WriteString(`]}`)
	sameWithoutFastPaths(t, "shared", []byte(plan.String()))
}
