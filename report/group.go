// Package report renders findings for people: a self-contained HTML page and
// a Markdown pull-request comment. Findings with the same fingerprint are one
// group (one problem in the code, however often it fired), so a reviewer reads
// each problem once with its count, where it was seen and how to fix it.
//
// The package knows the Finding JSON contract and nothing about how findings
// were produced: no proxy, no analyzer internals, no rules registry (rule docs
// come in through Options.Docs).
package report

import (
	"cmp"
	"slices"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

// maxPlaces caps the distinct (application, user, database) triples kept per
// group, so a group fed by millions of findings stays small.
const maxPlaces = 20

// Place is where a group's findings were seen, with how often.
type Place struct {
	Application string
	User        string
	Database    string
	Count       int
}

// Group is every occurrence of one fingerprint, summarised.
type Group struct {
	Fingerprint string
	Rule        string
	Name        string
	Severity    analyzer.Severity
	Table       string
	Columns     []string
	Count       int
	FirstSeen   time.Time
	LastSeen    time.Time
	// Places is sorted by Count, most frequent first; at most maxPlaces.
	Places []Place
	// MorePlaces counts occurrences at places beyond the cap.
	MorePlaces int
	// Example is the occurrence shown in full: the most informative one seen
	// (one with a timeline beats one without; then the latest).
	Example analyzer.Finding
}

// Grouper folds findings into groups in bounded memory: one Group per
// fingerprint, however many findings arrive. Not safe for concurrent use.
type Grouper struct {
	groups map[string]*Group
	order  []string // first-seen order, for stable output on ties
}

// NewGrouper returns an empty Grouper.
func NewGrouper() *Grouper {
	return &Grouper{groups: map[string]*Group{}}
}

// Add folds one finding into its group.
func (g *Grouper) Add(f analyzer.Finding) {
	key := groupKey(f)
	grp, ok := g.groups[key]
	if !ok {
		grp = &Group{
			Fingerprint: f.Fingerprint,
			Rule:        f.Rule,
			Name:        f.Name,
			Severity:    f.Severity,
			Table:       f.Table,
			FirstSeen:   f.Time,
			LastSeen:    f.Time,
			Example:     f,
		}
		g.groups[key] = grp
		g.order = append(g.order, key)
	}
	grp.Count++
	if !f.Time.IsZero() && (grp.FirstSeen.IsZero() || f.Time.Before(grp.FirstSeen)) {
		grp.FirstSeen = f.Time
	}
	if f.Time.After(grp.LastSeen) {
		grp.LastSeen = f.Time
	}
	if f.Severity > grp.Severity {
		grp.Severity = f.Severity
	}
	for _, c := range f.Columns {
		if !slices.Contains(grp.Columns, c) {
			grp.Columns = append(grp.Columns, c)
		}
	}
	grp.addPlace(f)
	if ok && moreInformative(f, grp.Example) {
		grp.Example = f
	}
}

// Groups returns the groups, most severe first, then most frequent, then the
// most recently seen. The slice is a copy; the Grouper may keep adding.
func (g *Grouper) Groups() []Group {
	out := make([]Group, 0, len(g.order))
	for _, k := range g.order {
		grp := *g.groups[k]
		grp.Places = slices.Clone(grp.Places)
		grp.Columns = slices.Clone(grp.Columns)
		slices.SortStableFunc(grp.Places, func(a, b Place) int { return cmp.Compare(b.Count, a.Count) })
		out = append(out, grp)
	}
	slices.SortStableFunc(out, compareGroups)
	return out
}

// GroupFindings groups a slice of findings; see Grouper.
func GroupFindings(fs []analyzer.Finding) []Group {
	g := NewGrouper()
	for _, f := range fs {
		g.Add(f)
	}
	return g.Groups()
}

func compareGroups(a, b Group) int {
	if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Count, a.Count); c != 0 {
		return c
	}
	return b.LastSeen.Compare(a.LastSeen)
}

// groupKey falls back to rule+table+message for findings written without a
// fingerprint, so they still group rather than each becoming its own section.
func groupKey(f analyzer.Finding) string {
	if f.Fingerprint != "" {
		return f.Fingerprint
	}
	return "\x00" + f.Rule + "\x00" + f.Table + "\x00" + f.Message
}

func (grp *Group) addPlace(f analyzer.Finding) {
	sessions := f.Sessions
	if len(sessions) == 0 {
		sessions = []analyzer.SessionInfo{f.Session}
	}
	for _, s := range sessions {
		found := false
		for i := range grp.Places {
			p := &grp.Places[i]
			if p.Application == s.ApplicationName && p.User == s.User && p.Database == s.Database {
				p.Count++
				found = true
				break
			}
		}
		if found {
			continue
		}
		if len(grp.Places) >= maxPlaces {
			grp.MorePlaces++
			continue
		}
		grp.Places = append(grp.Places, Place{Application: s.ApplicationName, User: s.User, Database: s.Database, Count: 1})
	}
}

func moreInformative(f, current analyzer.Finding) bool {
	if (len(f.Timeline) > 0) != (len(current.Timeline) > 0) {
		return len(f.Timeline) > 0
	}
	if (f.Fix != "") != (current.Fix != "") {
		return f.Fix != ""
	}
	return f.Time.After(current.Time)
}

// Count is one row of a summary table.
type Count struct {
	Key   string
	Count int
}

// Summary counts occurrences (not groups) along the axes a reviewer filters by.
type Summary struct {
	Findings    int
	Groups      int
	ByRule      []Count // key "RMW001 unguarded-read-modify-write"
	BySeverity  []Count // error, warning, info order
	ByTable     []Count
	ByApp       []Count // application_name; "(none)" when unset
	RuleNames   map[string]string
	TablesEmpty int // occurrences with no table
}

// Summarize counts the groups' occurrences by rule, severity, table and
// application.
func Summarize(groups []Group) Summary {
	s := Summary{Groups: len(groups), RuleNames: map[string]string{}}
	rule, sev, table, app := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	for _, g := range groups {
		s.Findings += g.Count
		rule[g.Rule] += g.Count
		s.RuleNames[g.Rule] = g.Name
		sev[g.Severity.String()] += g.Count
		if g.Table == "" {
			s.TablesEmpty += g.Count
		} else {
			table[g.Table] += g.Count
		}
		for _, p := range g.Places {
			app[orNone(p.Application)] += p.Count
		}
		if g.MorePlaces > 0 {
			app["(other)"] += g.MorePlaces
		}
	}
	s.ByRule = sortedCounts(rule, func(a, b Count) int { return cmp.Compare(a.Key, b.Key) })
	s.ByTable = sortedCounts(table, nil)
	s.ByApp = sortedCounts(app, nil)
	for _, name := range []string{"error", "warning", "info", "unknown"} {
		if n := sev[name]; n > 0 {
			s.BySeverity = append(s.BySeverity, Count{Key: name, Count: n})
		}
	}
	return s
}

// sortedCounts orders by count descending, then key; tie overrides the
// secondary order when set.
func sortedCounts(m map[string]int, order func(a, b Count) int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Key: k, Count: n})
	}
	if order != nil {
		slices.SortFunc(out, order)
		return out
	}
	slices.SortFunc(out, func(a, b Count) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
