package planjson

import (
	"fmt"
	"strings"
	"testing"
)

// Updates and replaces through the attribute picker's fast path give what
// decoding both objects whole gives.
func TestPickSameAsGeneral(t *testing.T) {
	change := func(actions, body string) string {
		return `{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{"actions":` + actions + `,` + body + `}}]}`
	}
	wide := func(n int, v string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, `"k%d":%s,`, i, v)
		}
		return b.String()
	}
	bodies := []string{
		`"before":{"a":1,"b":"x","c":{"d":[1]}},"after":{"a":2,"b":"x","c":{"d":[2]},"e":null}`,
		`"before":{"a":1,"a":2},"after":{"a":2}`,
		`"before":{"a":1},"after":{"a":2,"a":1}`,
		`"before":{"` + "\xff" + `":1,"` + "\xfe" + `":2},"after":{"` + "\xfd" + `":2}`,
		`"before":{"\u0061":1,"a":3},"after":{"a":3}`,
		`"before":{"a":1,"tags":{"env":"a"}},"after":{"a":1,"tags":{"env":"b"}},"after_unknown":{"a":true}`,
		`"before":{"a":{"x":1},"b":{"y":1}},"after":{"a":{"x":1},"b":{"y":1}},"after_unknown":{"b":{"y":true}},"replace_paths":[["a","x"],[1],[]]`,
		`"before":null,"after":{"a":1}`,
		`"after":{"a":1}`,
		`"before":{"a":1}`,
		`"before":{},"after":{}`,
		`"before":"x","after":{"a":1}`,
		`"before":{"a":1},"after":[1]`,
		`"before":{` + wide(60, `1`) + `"z":1},"after":{` + wide(60, `2`) + `"z":1}`,
		`"before":{` + wide(47, `1`) + `"z":1},"after":{` + wide(47, `1`) + `"z":2}`,
		`"before":{` + wide(48, `{}`) + `"z":1},"after":{"z":1}`,
		`"before":{"p":"s","q":[1],"tags":{"env":"a"}},"after":{"p":"s","q":[1],"tags":{"env":"a"}},"before_sensitive":{"p":true},"after_sensitive":{"tags":{"env":true}}`,
	}
	// Values diffed as bytes (canonical) and decoded (written otherwise).
	bodies = append(bodies,
		`"before":{"m":{"a":1,"b":[1,2],"c":{"d":"x"}},"l":["a","b"],"s":"x","n":1,"z":null},"after":{"m":{"a":1,"b":[1,3],"e":true},"l":["a"],"s":"y","n":1.0}`,
		`"before":{"m":{"b":1,"a":2}},"after":{"m":{"a":2,"b":1}}`,
		`"before":{"m":{"a": 1}},"after":{"m":{"a":1}}`,
		`"before":{"l":[1, 2]},"after":{"l":[1,2]}`,
		`"before":{"m":{"a":"x"}},"after":{"m":{"a":"x"}}`,
		`"before":{"m":{"a":"<b>"}},"after":{"m":{"a":"<b>"}}`,
		`"before":{"m":{"password":"p","x":1}},"after":{"m":{"password":"q","x":1}}`,
		`"before":{"l":[{"token":"t"}]},"after":{"l":[{"token":"u"}]}`,
		`"before":{"m":{"é":1}},"after":{"m":{"é":2}}`,
		`"before":{"m":{"a":{"b":{"c":1}}}},"after":{"m":{"a":{"b":{"c":2}}}},"after_sensitive":{"m":{"a":{"b":true}}}`,
		`"before":{"m":{"a":1}},"after":{"m":{"a":2}},"before_sensitive":{"m":true}`,
		`"before":{"m":{"a":1}},"after":{"m":null},"after_unknown":{"m":true}`,
		`"before":{"a":null},"after":{}`,
		`"before":{},"after":{"a":null,"b":[]}`,
		`"before":{"m":{}},"after":{"m":{"a":[]}}`,
		`"before":{"x":{"a":1}},"after":{"x":[1]}`,
		`"before":{"a":1,"b":2},"after":{"a":2,"b":3},"replace_paths":[[]]`,
	)
	for _, actions := range []string{`["update"]`, `["delete","create"]`, `["create","delete"]`} {
		for i, b := range bodies {
			sameWithoutFastPaths(t, fmt.Sprintf("%s-%d", actions, i), []byte(change(actions, b)))
		}
	}
}
