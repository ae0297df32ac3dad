package ormtraffic

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pgrmw/pgrmw/analyzer"
)

// Step is one statement a client sent, as a scenario step: the session (its
// application_name, else its id), the SQL and the parameter values in text
// form (nil = NULL). Simple-protocol queries have no parameters.
type Step struct {
	Session string
	SQL     string
	Params  []*string
}

// Steps extracts, in wire order, every statement the clients executed:
// simple Query messages and, for the extended protocol, each Execute with the
// SQL of its portal's statement and the Bind values. Binary values are turned
// into text with analyzer.Normalizer. The events are not modified.
func Steps(events []*analyzer.Event) []Step {
	norm := analyzer.NewNormalizer()
	type wireState struct {
		name       string
		statements map[string]string // statement name → SQL
		portals    map[string]Step   // portal name → bound step
	}
	sessions := map[string]*wireState{}
	var out []Step
	for _, orig := range events {
		ev := *orig
		ev.Params = append([][]byte(nil), orig.Params...)
		ev.Values = append([][]byte(nil), orig.Values...)
		norm.Normalize(&ev)
		ws := sessions[ev.Session]
		if ws == nil {
			ws = &wireState{name: ev.Session, statements: map[string]string{}, portals: map[string]Step{}}
			sessions[ev.Session] = ws
		}
		switch ev.Kind {
		case analyzer.EventSessionStart:
			if app := ev.Startup["application_name"]; app != "" {
				ws.name = app
			}
		case analyzer.EventQuery:
			out = append(out, Step{Session: ws.name, SQL: ev.SQL})
		case analyzer.EventParse:
			ws.statements[ev.Statement] = ev.SQL
		case analyzer.EventBind:
			st := Step{Session: ws.name, SQL: ws.statements[ev.Statement]}
			for _, p := range ev.Params {
				if p == nil {
					st.Params = append(st.Params, nil)
					continue
				}
				s := string(p)
				st.Params = append(st.Params, &s)
			}
			ws.portals[ev.Portal] = st
		case analyzer.EventExecute:
			if st, ok := ws.portals[ev.Portal]; ok {
				out = append(out, st)
			}
		}
	}
	return out
}

var nonIdent = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// Scenario renders steps as scenario lines ("session: SQL -- args: …"),
// one statement per line (newlines in SQL become spaces). Values that look
// like integers, booleans or NULL are written bare, the rest quoted; the
// scenario runner sends bare integers as int8 and quoted values as text, which
// PostgreSQL coerces to the column types the ORM sent.
func Scenario(steps []Step) string {
	var b strings.Builder
	for _, st := range steps {
		name := nonIdent.ReplaceAllString(st.Session, "_")
		if name == "" || (name[0] >= '0' && name[0] <= '9') {
			name = "s_" + name
		}
		sql := strings.Join(strings.Fields(st.SQL), " ")
		fmt.Fprintf(&b, "%s: %s", name, sql)
		if len(st.Params) > 0 {
			var args []string
			for _, p := range st.Params {
				args = append(args, argText(p))
			}
			fmt.Fprintf(&b, "   -- args: %s", strings.Join(args, ", "))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func argText(p *string) string {
	if p == nil {
		return "NULL"
	}
	s := *p
	if s == "t" || s == "true" {
		return "true"
	}
	if s == "f" || s == "false" {
		return "false"
	}
	if _, err := strconv.ParseInt(s, 10, 64); err == nil && (s == "0" || !strings.HasPrefix(s, "0")) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
