package guard

import (
	"fmt"
	"strings"

	"github.com/rehearse-dev/rehearse/verdict"
)

// sqlFlags are, per SQL client, the flags whose value is SQL to run.
var sqlFlags = map[string][]string{
	"psql":              {"-c", "--command"},
	"mysql":             {"-e", "--execute"},
	"mariadb":           {"-e", "--execute"},
	"sqlite3":           {"-cmd"},
	"duckdb":            {"-c", "-cmd"},
	"clickhouse-client": {"-q", "--query"},
	"clickhouse":        {"-q", "--query"},
	"cockroach":         {"-e", "--execute"},
	"sqlcmd":            {"-Q", "-q"},
	"mongosh":           {"--eval"},
	"mongo":             {"--eval"},
}

// classifySQL decides a SQL client given SQL on the line (-c, -e, a
// sqlite3 argument, a here-document or echo piped in): DROP, TRUNCATE,
// and DELETE or UPDATE without WHERE ask; the rest is allowed. SQL the
// line does not show (psql -f file, < dump.sql) is not judged.
func classifySQL(inv *Invocation, p *verdict.Policy, prog string) (Decision, bool) {
	flags, ok := sqlFlags[prog]
	if !ok {
		return Decision{}, false
	}
	type text struct {
		sql   string
		index int // in Argv; -1 for stdin
	}
	var sqls []text
	positional := 0
	for i := 1; i < len(inv.Argv); i++ {
		a := inv.Argv[i]
		matched := false
		for _, f := range flags {
			switch {
			case a == f && i+1 < len(inv.Argv):
				sqls = append(sqls, text{inv.Argv[i+1], i + 1})
				i++
				matched = true
			case strings.HasPrefix(a, f+"="):
				sqls = append(sqls, text{a[len(f)+1:], i})
				matched = true
			case len(f) == 2 && f[1] != '-' && strings.HasPrefix(a, f) && len(a) > 2 && a[1] != '-':
				sqls = append(sqls, text{a[2:], i}) // -cSQL
				matched = true
			}
			if matched {
				break
			}
		}
		if matched || strings.HasPrefix(a, "-") {
			continue
		}
		// sqlite3 DB SQL…, duckdb DB SQL: SQL after the database file.
		if prog == "sqlite3" || prog == "duckdb" {
			if positional > 0 {
				sqls = append(sqls, text{a, i})
			}
			positional++
		}
	}
	if inv.Stdin != "" {
		sqls = append(sqls, text{inv.Stdin, -1})
	}
	cmd := quote(strings.Join(inv.Argv, " "))
	for _, t := range sqls {
		if t.index > 0 && !inv.WordKnown(t.index) {
			return Decision{Permission: Ask, Reason: fmt.Sprintf("rehearse guard: %s runs SQL that is not known until the line runs. A human must confirm it.", cmd)}, true
		}
		var what string
		if prog == "mongosh" || prog == "mongo" {
			what = destructiveMongo(t.sql)
		} else {
			what = destructiveSQL(t.sql)
		}
		if what == "" {
			continue
		}
		if env, from := protectedContext(inv, p, t.index); env != "" {
			perm := protectedPermission(p)
			return Decision{Permission: perm, Reason: fmt.Sprintf("rehearse guard: %s %s, in protected environment %q (from %s). %s", cmd, what, env, quote(from), protectedAdvice(perm))}, true
		}
		return Decision{Permission: Ask, Reason: fmt.Sprintf("rehearse guard: %s %s. A human must confirm it.", cmd, what)}, true
	}
	return Decision{}, false
}

// destructiveSQL says what the first destructive statement of sql does,
// "" when none is: DROP anything, TRUNCATE, and DELETE or UPDATE without
// WHERE. Strings, quoted names and comments are skipped.
func destructiveSQL(sql string) string {
	var words []string
	flush := func() string {
		defer func() { words = words[:0] }()
		has := func(w string) bool {
			for _, v := range words {
				if v == w {
					return true
				}
			}
			return false
		}
		switch {
		case has("DROP"):
			return "drops " + after(words, "DROP")
		case has("TRUNCATE"):
			return "truncates " + after(words, "TRUNCATE")
		case has("DELETE") && !has("WHERE"):
			return "deletes every row of " + after(words, "FROM")
		case has("UPDATE") && !has("WHERE") && has("SET"):
			return "updates every row of " + after(words, "UPDATE")
		}
		return ""
	}
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == ';':
			if w := flush(); w != "" {
				return w
			}
		case c == '\'' || c == '"' || c == '`':
			j := strings.IndexByte(sql[i+1:], c)
			if j < 0 {
				i = len(sql)
				continue
			}
			if c != '\'' {
				words = append(words, sql[i+1:i+1+j])
			}
			i += j + 1
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-', c == '#':
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				i = len(sql)
				continue
			}
			i += j
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				i = len(sql)
				continue
			}
			i += j + 3
		case c == '$':
			// $$ … $$ and $tag$ … $tag$: a string.
			j := strings.IndexByte(sql[i+1:], '$')
			if j < 0 || !isIdent(sql[i+1:i+1+j]) {
				continue
			}
			tag := sql[i : i+j+2]
			k := strings.Index(sql[i+len(tag):], tag)
			if k < 0 {
				i = len(sql)
				continue
			}
			i += len(tag) + k + len(tag) - 1
		case isIdentByte(c):
			j := i
			for j < len(sql) && (isIdentByte(sql[j]) || sql[j] == '.') {
				j++
			}
			words = append(words, strings.ToUpper(sql[i:j]))
			i = j - 1
		}
	}
	return flush()
}

// after returns the word after keyword (skipping TABLE, IF EXISTS…), the
// object a statement names.
func after(words []string, keyword string) string {
	skip := map[string]bool{"TABLE": true, "IF": true, "EXISTS": true, "ONLY": true, "FROM": true}
	for i, w := range words {
		if w != keyword {
			continue
		}
		kind := ""
		for _, v := range words[i+1:] {
			switch v {
			case "DATABASE", "SCHEMA", "INDEX", "VIEW", "COLUMN", "USER", "ROLE", "SEQUENCE", "FUNCTION", "TRIGGER", "TYPE", "EXTENSION", "KEYSPACE", "CONSTRAINT":
				kind = strings.ToLower(v) + " "
				continue
			}
			if skip[v] {
				continue
			}
			if kind == "" && keyword == "DROP" {
				kind = "table "
			}
			return kind + strings.ToLower(v)
		}
	}
	return "a table"
}

func isIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isIdentByte(s[i]) {
			return false
		}
	}
	return true
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// destructiveMongo says what a mongosh --eval script destroys, "" when
// nothing the guard knows.
func destructiveMongo(js string) string {
	s := strings.Join(strings.Fields(js), "")
	switch {
	case strings.Contains(s, "dropDatabase("):
		return "drops a database"
	case strings.Contains(s, ".drop("):
		return "drops a collection"
	case strings.Contains(s, "deleteMany({})"), strings.Contains(s, "remove({})"):
		return "deletes every document of a collection"
	}
	return ""
}
