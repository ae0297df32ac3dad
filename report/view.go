package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

// Options shape a report.
type Options struct {
	// Title heads the report; default "pgrmw report".
	Title string
	// Source says what was analysed ("3 files", "live proxy since 12:00").
	Source string
	// Generated stamps the report; zero means now.
	Generated time.Time
	// Docs returns a rule's Markdown doc (first line its title), or "" when
	// unknown. The command passes the rules registry's lookup; nil shows the
	// findings without docs.
	Docs func(ruleID string) string
	// MarkdownLimit caps Markdown output in bytes; default
	// GitHubCommentLimit. Past it the report summarises.
	MarkdownLimit int
	// MaxHTMLGroups caps the groups drawn in full in HTML (default 300); the
	// rest are one table row each, still filtered and sorted, so a page over
	// a pathological input stays small enough to open.
	MaxHTMLGroups int
}

func (o Options) maxHTMLGroups() int {
	if o.MaxHTMLGroups <= 0 {
		return 300
	}
	return o.MaxHTMLGroups
}

func (o Options) title() string {
	if o.Title == "" {
		return "pgrmw report"
	}
	return o.Title
}

func (o Options) generated() time.Time {
	if o.Generated.IsZero() {
		return time.Now().UTC()
	}
	return o.Generated.UTC()
}

func (o Options) doc(rule string) string {
	if o.Docs == nil {
		return ""
	}
	return o.Docs(rule)
}

// statementView is one statement of a group, normalized for display.
type statementView struct {
	Role string
	SQL  string // normalized
}

// groupView is what both renderers show of one group.
type groupView struct {
	Group
	Anchor     string
	Row        string // users.id = 42
	Statements []statementView
	Timeline   timeline
	DocTitle   string
	DocBody    string
}

func newGroupView(i int, g Group, opts Options) groupView {
	v := groupView{Group: g, Anchor: fmt.Sprintf("g%d", i+1), Timeline: buildTimeline(g.Example)}
	if k := g.Example.Key; k != nil {
		table := g.Table
		if table == "" {
			table = "?"
		}
		v.Row = fmt.Sprintf("%s.%s = %s", table, k.Column, k.Value)
	}
	seen := map[string]bool{}
	for _, s := range g.Example.Statements {
		role := s.Role
		if role == "" {
			role = statementKind("", s.SQL)
		}
		sql := NormalizeSQL(s.SQL)
		if seen[role+"\x00"+sql] {
			continue
		}
		seen[role+"\x00"+sql] = true
		v.Statements = append(v.Statements, statementView{Role: role, SQL: sql})
	}
	v.DocTitle, v.DocBody = splitDoc(opts.doc(g.Rule))
	v.DocTitle = trimRulePrefix(v.DocTitle, g.Rule, g.Name)
	return v
}

// trimRulePrefix drops a leading "RMW001 unguarded-read-modify-write:" from a
// doc title: the report shows the id and name beside it already.
func trimRulePrefix(title, id, name string) string {
	t := strings.TrimSpace(title)
	if id != "" && strings.HasPrefix(strings.ToUpper(t), strings.ToUpper(id)) {
		t = strings.TrimSpace(t[len(id):])
	}
	if name != "" && strings.HasPrefix(t, name) {
		t = strings.TrimSpace(t[len(name):])
	}
	t = strings.TrimSpace(strings.TrimLeft(t, ":—-"))
	if t == "" {
		return strings.TrimSpace(title)
	}
	return strings.ToUpper(t[:1]) + t[1:]
}

// where summarises a place as "app (user@db)".
func (p Place) String() string {
	who := p.User
	if p.Database != "" {
		who += "@" + p.Database
	}
	app := orNone(p.Application)
	if who == "" {
		return app
	}
	return app + " (" + who + ")"
}

// severityRank orders severities for sorting in the page's script.
func severityRank(s analyzer.Severity) int { return int(s) }

// roleTitle capitalises a statement role for headings.
func roleTitle(role string) string {
	if role == "" {
		return "Statement"
	}
	return strings.ToUpper(role[:1]) + role[1:]
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}
