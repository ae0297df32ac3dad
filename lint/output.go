package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/pgrmw/pgrmw/analyzer"
)

// Output formats.
const (
	FormatText   = "text"
	FormatJSON   = "json"
	FormatSARIF  = "sarif"
	FormatGitHub = "github"
)

// Formats lists the values --format accepts.
var Formats = []string{FormatText, FormatJSON, FormatSARIF, FormatGitHub}

// Group is the occurrences of one fingerprint (one code path).
type Group struct {
	Rule        string
	Name        string
	Severity    analyzer.Severity
	Fingerprint string
	Findings    []analyzer.Finding // in the order found
	Locations   []Location
}

// First is the group's first occurrence.
func (g *Group) First() *analyzer.Finding { return &g.Findings[0] }

// GroupFindings groups findings by rule and fingerprint: most severe rules
// first, then rule id, then the most frequent code path.
func GroupFindings(fs []analyzer.Finding, locs []Location) []*Group {
	byKey := map[string]*Group{}
	var groups []*Group
	for i, f := range fs {
		key := f.Rule + "\x00" + f.Fingerprint
		g := byKey[key]
		if g == nil {
			g = &Group{Rule: f.Rule, Name: f.Name, Severity: f.Severity, Fingerprint: f.Fingerprint}
			byKey[key] = g
			groups = append(groups, g)
		}
		if f.Severity > g.Severity {
			g.Severity = f.Severity
		}
		g.Findings = append(g.Findings, f)
		var loc Location
		if i < len(locs) {
			loc = locs[i]
		}
		g.Locations = append(g.Locations, loc)
	}
	sort.SliceStable(groups, func(i, j int) bool {
		a, b := groups[i], groups[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return len(a.Findings) > len(b.Findings)
	})
	return groups
}

// Report is what the output formats render.
type Report struct {
	*Result
	Rules     []RuleInfo
	Baselined int    // findings hidden because the baseline knows them
	Version   string // pgrmw version for SARIF
}

// Write renders r in format to w.
func Write(w io.Writer, format string, r *Report, color bool) error {
	switch format {
	case FormatText, "":
		return writeText(w, r, color)
	case FormatJSON:
		return writeJSON(w, r)
	case FormatSARIF:
		return writeSARIF(w, r)
	case FormatGitHub:
		return writeGitHub(w, r)
	}
	return fmt.Errorf("--format %q: want %s", format, strings.Join(Formats, ", "))
}

// ---- json --------------------------------------------------------------

// jsonOutput is `{"findings":[…]}`: the findings are exactly the Finding
// objects of the proxy's --findings file. Other keys are additions.
type jsonOutput struct {
	Findings     []analyzer.Finding `json:"findings"`
	SkippedRules []SkippedRule      `json:"skipped_rules,omitempty"`
	Inputs       []InputStats       `json:"inputs,omitempty"`
	Baselined    int                `json:"baselined,omitempty"`
}

func writeJSON(w io.Writer, r *Report) error {
	out := jsonOutput{Findings: r.Findings, SkippedRules: r.Skipped, Inputs: r.Inputs, Baselined: r.Baselined}
	if out.Findings == nil {
		out.Findings = []analyzer.Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// ---- text --------------------------------------------------------------

type palette struct{ bold, red, yellow, cyan, dim, reset string }

func newPalette(color bool) palette {
	if !color {
		return palette{}
	}
	return palette{bold: "\x1b[1m", red: "\x1b[31m", yellow: "\x1b[33m", cyan: "\x1b[36m", dim: "\x1b[2m", reset: "\x1b[0m"}
}

func (p palette) severity(s analyzer.Severity) string {
	switch s {
	case analyzer.SeverityError:
		return p.red
	case analyzer.SeverityWarning:
		return p.yellow
	}
	return p.cyan
}

func writeText(w io.Writer, r *Report, color bool) error {
	p := newPalette(color)
	ew := &errWriter{w: w}
	groups := GroupFindings(r.Findings, r.Locations)
	lastRule := ""
	for _, g := range groups {
		if g.Rule != lastRule {
			n, paths := 0, 0
			for _, h := range groups {
				if h.Rule == g.Rule {
					n += len(h.Findings)
					paths++
				}
			}
			if lastRule != "" {
				ew.printf("\n")
			}
			ew.printf("%s%s%s %s%s (%s): %d occurrence%s in %d code path%s\n",
				p.bold, p.severity(g.Severity), g.Rule, g.Name, p.reset, g.Severity,
				n, plural(n), paths, plural(paths))
			lastRule = g.Rule
		}
		f := g.First()
		ew.printf("\n  %s%s%s\n", p.bold, oneLine(f.Message), p.reset)
		where := f.Table
		if f.Key != nil {
			where += fmt.Sprintf(" (%s = %s)", f.Key.Column, f.Key.Value)
		}
		if len(f.Columns) > 0 {
			where += " columns " + strings.Join(f.Columns, ", ")
		}
		if where != "" {
			ew.printf("    row:   %s\n", strings.TrimSpace(where))
		}
		if len(f.Timeline) > 0 {
			writeTimeline(ew, f.Timeline)
		} else {
			for _, s := range f.Statements {
				ew.printf("    %-6s %s\n", s.Role+":", oneLine(s.SQL))
			}
		}
		if f.Summary != "" {
			ew.printf("    %s\n", f.Summary)
		}
		if f.Fix != "" {
			ew.printf("    fix:   %s\n", indentRest(f.Fix, "           "))
		}
		ew.printf("    %sseen %d×%s%s, fingerprint %s%s\n", p.dim, len(g.Findings),
			seenIn(g), firstLocation(g), g.Fingerprint, p.reset)
	}
	if len(groups) > 0 {
		ew.printf("\n")
	}
	ew.printf("%d finding%s in %d code path%s", len(r.Findings), plural(len(r.Findings)), len(groups), plural(len(groups)))
	if r.Baselined > 0 {
		ew.printf(" (%d more in the baseline, not shown)", r.Baselined)
	}
	ew.printf("; %d events from %d input%s\n", r.Events, len(r.Inputs), plural(len(r.Inputs)))
	for _, s := range r.Skipped {
		ew.printf("%snote: %s %s could not run: %s%s\n", p.dim, s.ID, s.Name, s.Reason, p.reset)
	}
	return ew.err
}

// writeTimeline prints a cross-session interleaving in the sessions' own
// words, e.g. `t+1.1ms  [order]  UPDATE … WHERE id=42  UPDATE 1`.
func writeTimeline(ew *errWriter, tl []analyzer.TimelineEntry) {
	width := 0
	for _, e := range tl {
		if n := len(timelineLabel(e)); n > width {
			width = n
		}
	}
	for _, e := range tl {
		line := fmt.Sprintf("    t+%.1fms  %-*s  %s", float64(e.Offset)/1e6, width, timelineLabel(e), oneLine(e.SQL))
		if e.Result != "" {
			line += "  " + e.Result // "-> 100" for a read, "UPDATE 1" for a write
		}
		if e.Note != "" {
			line += "  <- " + e.Note
		}
		ew.printf("%s\n", line)
	}
}

func timelineLabel(e analyzer.TimelineEntry) string {
	if e.Label != "" {
		return "[" + e.Label + "]"
	}
	return "[" + e.Session + "]"
}

// seenIn lists the applications (or sessions) a group was seen in.
func seenIn(g *Group) string {
	seen := map[string]bool{}
	var names []string
	for _, f := range g.Findings {
		n := f.Session.ApplicationName
		if n == "" && f.Session.ID != "" {
			n = "session " + f.Session.ID
		}
		if n == "" {
			continue
		}
		if f.Session.User != "" || f.Session.Database != "" {
			n += " (" + f.Session.User + "@" + f.Session.Database + ")"
		}
		if !seen[n] && len(names) < 5 {
			seen[n] = true
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return " in " + strings.Join(names, ", ")
}

func firstLocation(g *Group) string {
	for _, l := range g.Locations {
		if l.Line > 0 {
			return fmt.Sprintf(", first at %s:%d", l.Input, l.Line)
		}
	}
	return ""
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func indentRest(s, indent string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+indent)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}

// ---- github ------------------------------------------------------------

// writeGitHub writes one workflow command per code path, e.g.
// `::warning title=RMW001 unguarded-read-modify-write,file=x,line=3::message`.
// GitHub shows a limited number of annotations per step, so occurrences of
// one fingerprint are folded into one line with their count.
func writeGitHub(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	for _, g := range GroupFindings(r.Findings, r.Locations) {
		f := g.First()
		cmd := "notice"
		switch g.Severity {
		case analyzer.SeverityError:
			cmd = "error"
		case analyzer.SeverityWarning:
			cmd = "warning"
		}
		props := "title=" + escapeProperty(g.Rule+" "+g.Name)
		for _, l := range g.Locations {
			if l.Input != "" && l.Input != StdinName {
				props += ",file=" + escapeProperty(l.Input)
				if l.Line > 0 {
					props += ",line=" + fmt.Sprint(l.Line)
				}
				break
			}
		}
		var msg strings.Builder
		msg.WriteString(oneLine(f.Message))
		if len(g.Findings) > 1 {
			fmt.Fprintf(&msg, " (seen %d times)", len(g.Findings))
		}
		for _, s := range f.Statements {
			fmt.Fprintf(&msg, "\n%s: %s", s.Role, oneLine(s.SQL))
		}
		if f.Fix != "" {
			fmt.Fprintf(&msg, "\nfix: %s", f.Fix)
		}
		fmt.Fprintf(&msg, "\nfingerprint: %s", g.Fingerprint)
		ew.printf("::%s %s::%s\n", cmd, props, escapeData(msg.String()))
	}
	for _, s := range r.Skipped {
		ew.printf("::notice title=%s::%s\n", escapeProperty("pgrmw: "+s.ID+" could not run"), escapeData(s.Reason))
	}
	return ew.err
}

// escapeData and escapeProperty follow GitHub's workflow command encoding.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
