package report

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

// Mark kinds, used as CSS classes and in the Markdown legend.
const (
	markRead        = "read"
	markLock        = "lock"
	markWrite       = "write"
	markTx          = "tx"
	markOther       = "other"
	markOverwrites  = "overwrites"  // the write that erased another
	markOverwritten = "overwritten" // the committed write that was lost
)

// timelineMark is one statement on the interleaving drawing.
type timelineMark struct {
	Step   int // 1-based, the order drawn and the number shown
	Offset time.Duration
	Lane   int
	Label  string
	SQL    string
	Result string
	Note   string
	Kind   string
}

// timeline is a finding's statements laid out by session.
type timeline struct {
	Lanes []string // lane labels (application_name or session id)
	Marks []timelineMark
}

// buildTimeline uses the finding's own Timeline (cross-session rules such as
// RMW006) and otherwise draws its Statements, one lane per session.
func buildTimeline(f analyzer.Finding) timeline {
	var t timeline
	laneOf := map[string]int{}
	lane := func(session, label string) int {
		key := session
		if key == "" {
			key = label
		}
		if i, ok := laneOf[key]; ok {
			return i
		}
		if label == "" {
			label = session
		}
		laneOf[key] = len(t.Lanes)
		t.Lanes = append(t.Lanes, label)
		return len(t.Lanes) - 1
	}
	if len(f.Timeline) > 0 {
		for i, e := range f.Timeline {
			t.Marks = append(t.Marks, timelineMark{
				Step: i + 1, Offset: e.Offset, Lane: lane(e.Session, e.Label), Label: e.Label,
				SQL: e.SQL, Result: cleanResult(e.Result), Note: e.Note, Kind: statementKind("", e.SQL),
			})
		}
	} else {
		labels := sessionLabels(f)
		var t0 time.Time
		for i, s := range f.Statements {
			if i == 0 || (!s.Time.IsZero() && s.Time.Before(t0)) {
				t0 = s.Time
			}
		}
		for i, s := range f.Statements {
			session := s.Session
			if session == "" {
				session = f.Session.ID
			}
			var off time.Duration
			if !s.Time.IsZero() && !t0.IsZero() {
				off = s.Time.Sub(t0)
			}
			result := s.Result
			if s.Tag != "" {
				result = strings.TrimSpace(s.Tag + " " + result)
			}
			t.Marks = append(t.Marks, timelineMark{
				Step: i + 1, Offset: off, Lane: lane(session, labels[session]), Label: labels[session],
				SQL: s.SQL, Result: result, Kind: statementKind(s.Role, s.SQL),
			})
		}
	}
	markOverwrite(t.Marks)
	return t
}

// cleanResult drops the "->" some rules put before a result: the report
// draws its own arrow.
func cleanResult(r string) string {
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r), "->"))
}

// markOverwrite finds the write whose note says it overwrote another and the
// latest earlier write from another session: the lost one.
func markOverwrite(marks []timelineMark) {
	for i := range marks {
		if !strings.Contains(strings.ToLower(marks[i].Note), "overwrit") {
			continue
		}
		marks[i].Kind = markOverwrites
		for j := i - 1; j >= 0; j-- {
			if marks[j].Lane != marks[i].Lane && marks[j].Kind == markWrite {
				marks[j].Kind = markOverwritten
				break
			}
		}
	}
}

func sessionLabels(f analyzer.Finding) map[string]string {
	labels := map[string]string{}
	for _, s := range append([]analyzer.SessionInfo{f.Session}, f.Sessions...) {
		if s.ApplicationName != "" {
			labels[s.ID] = s.ApplicationName
		} else if _, ok := labels[s.ID]; !ok {
			labels[s.ID] = s.ID
		}
	}
	return labels
}

// statementKind classifies a statement for drawing, preferring the role the
// rule gave it.
func statementKind(role, sql string) string {
	switch role {
	case "read":
		return markRead
	case "lock":
		return markLock
	case "write":
		return markWrite
	case "commit", "rollback", "begin":
		return markTx
	}
	upper := strings.ToUpper(sqlBody(sql))
	word, _, _ := strings.Cut(upper, " ")
	switch word {
	case "SELECT", "WITH", "TABLE":
		if strings.Contains(upper, " FOR UPDATE") || strings.Contains(upper, " FOR NO KEY UPDATE") || strings.Contains(upper, " FOR SHARE") {
			return markLock
		}
		return markRead
	case "UPDATE", "INSERT", "DELETE", "MERGE":
		return markWrite
	case "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET":
		return markTx
	}
	return markOther
}

// sqlBody skips leading comments and whitespace (pgrmw:ignore comments, ORM
// tags) to reach the statement's first word.
func sqlBody(sql string) string {
	s := strings.TrimSpace(sql)
	for {
		switch {
		case strings.HasPrefix(s, "/*"):
			_, rest, ok := strings.Cut(s[2:], "*/")
			if !ok {
				return ""
			}
			s = strings.TrimSpace(rest)
		case strings.HasPrefix(s, "--"):
			_, rest, _ := strings.Cut(s, "\n")
			s = strings.TrimSpace(rest)
		default:
			return s
		}
	}
}

// formatOffset renders an offset like the RMW006 timeline does: t+1.9ms.
func formatOffset(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("t+%.1fms", float64(d)/float64(time.Millisecond))
	case d < time.Minute:
		return fmt.Sprintf("t+%.2fs", d.Seconds())
	}
	return "t+" + d.Round(time.Second).String()
}

// Geometry of the drawing, in SVG user units.
const (
	svgLabelWidth = 150
	svgStep       = 96
	svgLaneHeight = 44
	svgTop        = 30
	svgRight      = 40
)

// timelineSVG draws sessions as lanes and statements as numbered marks in
// order; the numbers refer to the table printed under the drawing. Text is
// escaped; the SVG is inline so the report stays one file.
func timelineSVG(t timeline) template.HTML {
	if len(t.Marks) == 0 {
		return ""
	}
	width := svgLabelWidth + svgStep*len(t.Marks) + svgRight
	height := svgTop + svgLaneHeight*len(t.Lanes) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="timeline" role="img" viewBox="0 0 %d %d" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg">`, width, height, width, height)
	b.WriteString(`<title>` + template.HTMLEscapeString(timelineTitle(t)) + `</title>`)
	laneY := func(l int) int { return svgTop + svgLaneHeight*l + svgLaneHeight/2 }
	markX := func(i int) int { return svgLabelWidth + svgStep*i + svgStep/2 }
	for l, name := range t.Lanes {
		y := laneY(l)
		fmt.Fprintf(&b, `<text class="lane-label" x="8" y="%d">%s</text>`, y+4, template.HTMLEscapeString(truncate(name, 20)))
		fmt.Fprintf(&b, `<line class="lane-line" x1="%d" y1="%d" x2="%d" y2="%d"/>`, svgLabelWidth-6, y, width-svgRight/2, y)
	}
	for i, m := range t.Marks {
		x := markX(i)
		fmt.Fprintf(&b, `<line class="guide" x1="%d" y1="%d" x2="%d" y2="%d"/>`, x, svgTop-6, x, height-6)
		fmt.Fprintf(&b, `<text class="offset" x="%d" y="%d" text-anchor="middle">%s</text>`, x, svgTop-12, template.HTMLEscapeString(formatOffset(m.Offset)))
	}
	// The overwrite arrow goes under the marks.
	for i, m := range t.Marks {
		if m.Kind != markOverwrites {
			continue
		}
		for j := i - 1; j >= 0; j-- {
			if t.Marks[j].Kind == markOverwritten {
				x1, y1, x2, y2 := markX(i), laneY(m.Lane), markX(j), laneY(t.Marks[j].Lane)
				fmt.Fprintf(&b, `<path class="overwrite-arrow" d="M%d %d C %d %d, %d %d, %d %d"/>`,
					x1-10, y1, (x1+x2)/2, y1, (x1+x2)/2, y2, x2+11, y2)
				fmt.Fprintf(&b, `<polygon class="overwrite-head" points="%d,%d %d,%d %d,%d"/>`, x2+10, y2, x2+17, y2-4, x2+17, y2+4)
				break
			}
		}
	}
	for i, m := range t.Marks {
		x, y := markX(i), laneY(m.Lane)
		tip := m.Label + ": " + m.SQL
		if m.Result != "" {
			tip += " → " + m.Result
		}
		if m.Note != "" {
			tip += " (" + m.Note + ")"
		}
		fmt.Fprintf(&b, `<g class="mark mark-%s"><title>%s</title>`, m.Kind, template.HTMLEscapeString(fmt.Sprintf("%d. %s", m.Step, tip)))
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="10"/>`, x, y)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%d</text></g>`, x, y+4, m.Step)
		if label := markCaption(m); label != "" {
			fmt.Fprintf(&b, `<text class="mark-caption mark-caption-%s" x="%d" y="%d" text-anchor="middle">%s</text>`, m.Kind, x, y+22, template.HTMLEscapeString(label))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // numbers and escaped text only
}

func markCaption(m timelineMark) string {
	switch m.Kind {
	case markOverwritten:
		return "lost"
	case markOverwrites:
		return "overwrites"
	}
	word, _, _ := strings.Cut(sqlBody(m.SQL), " ")
	return strings.ToUpper(truncate(word, 10))
}

func timelineTitle(t timeline) string {
	return fmt.Sprintf("Interleaving of %d statements across %d session(s): %s", len(t.Marks), len(t.Lanes), strings.Join(t.Lanes, ", "))
}

// truncate shortens s to n runes with an ellipsis.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
