package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// GitHubCommentLimit is the size GitHub accepts for a pull-request comment
// (65,536 characters). We count bytes, which is never fewer.
const GitHubCommentLimit = 65536

const (
	// footerReserve keeps room for the closing "N more" line and the hint.
	footerReserve = 400
	// When not everything fits: at most this many groups in full, using at
	// most this share (percent) of the limit; the rest become table rows.
	maxFullWhenCapped   = 25
	fullShareWhenCapped = 60
)

// Markdown writes groups as a pull-request comment. When everything does not
// fit in opts.MarkdownLimit it shows the first groups in full (most severe
// and most frequent first), then one table row for each further group that
// fits, then a line counting the rest.
func Markdown(w io.Writer, groups []Group, opts Options) error {
	limit := opts.MarkdownLimit
	if limit <= 0 {
		limit = GitHubCommentLimit
	}
	var out strings.Builder
	out.WriteString(markdownHeader(groups, opts))

	// Everything in full when it fits. Otherwise the first groups in full,
	// within maxFullWhenCapped and a share of the limit, so the table of the
	// rest can still list many more.
	sections := make([]string, 0, len(groups))
	docShown := map[string]bool{}
	total := out.Len()
	fits := true
	for i, g := range groups {
		section := markdownGroup(i, newGroupView(i, g, opts), !docShown[g.Rule])
		docShown[g.Rule] = true
		total += len(section)
		if total+footerReserve > limit {
			fits = false
			break
		}
		sections = append(sections, section)
	}
	full := len(sections)
	if !fits {
		budget := limit * fullShareWhenCapped / 100
		full = 0
		for _, section := range sections {
			if full == maxFullWhenCapped || out.Len()+len(section) > budget {
				break
			}
			out.WriteString(section)
			full++
		}
	} else {
		for _, section := range sections {
			out.WriteString(section)
		}
	}

	rest := groups[full:]
	rows := 0
	if len(rest) > 0 {
		out.WriteString("\n### More problems\n\n")
		out.WriteString(restTableHeader)
		for i, g := range rest {
			row := restTableRow(full+i, g)
			if out.Len()+len(row)+footerReserve > limit {
				break
			}
			out.WriteString(row)
			rows++
		}
	}
	if left := rest[rows:]; len(left) > 0 {
		n := 0
		for _, g := range left {
			n += g.Count
		}
		fmt.Fprintf(&out, "\n**%d more %s not shown** (%s): this comment is capped at GitHub's size limit. Run `pgrmw report --format html` for the full report.\n", len(left), pluralWord(len(left), "problem"), plural(n, "finding"))
	}
	if _, err := io.WriteString(w, out.String()); err != nil {
		return fmt.Errorf("write markdown report: %w", err)
	}
	return nil
}

const restTableHeader = "| # | Severity | Rule | Table | Count | Last seen |\n|---:|---|---|---|---:|---|\n"

func restTableRow(i int, g Group) string {
	return fmt.Sprintf("| %d | %s | %s %s | %s | %d | %s |\n", i+1, g.Severity, codeSpan(g.Rule), mdCell(g.Name),
		codeSpanOr(g.Table, "—"), g.Count, formatTime(g.LastSeen))
}

func markdownHeader(groups []Group, opts Options) string {
	s := Summarize(groups)
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n", mdText(opts.title()))
	if len(groups) == 0 {
		b.WriteString("No findings. Nothing pgrmw saw lost an update.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "**%s** in **%s**", plural(s.Findings, "finding"), plural(s.Groups, "distinct problem"))
	for i, c := range s.BySeverity {
		sep := ", "
		if i == 0 {
			sep = ": "
		}
		fmt.Fprintf(&b, "%s%s %d %s", sep, severityIcon(c.Key), c.Count, c.Key)
	}
	b.WriteString(".")
	if opts.Source != "" {
		fmt.Fprintf(&b, " Source: %s.", mdText(opts.Source))
	}
	b.WriteString("\n\n| Rule | Findings |\n|---|---:|\n")
	for _, c := range s.ByRule {
		fmt.Fprintf(&b, "| %s %s | %d |\n", codeSpan(c.Key), mdCell(s.RuleNames[c.Key]), c.Count)
	}
	b.WriteString("\n")
	if len(s.ByTable) > 0 {
		b.WriteString("**Tables:** " + countList(s.ByTable, true, 10) + "  \n")
	}
	if len(s.ByApp) > 0 {
		b.WriteString("**Applications:** " + countList(s.ByApp, false, 10) + "\n")
	}
	return b.String()
}

func countList(cs []Count, code bool, max int) string {
	var parts []string
	for i, c := range cs {
		if i == max {
			parts = append(parts, fmt.Sprintf("and %d more", len(cs)-max))
			break
		}
		key := mdText(c.Key)
		if code {
			key = codeSpan(c.Key)
		}
		parts = append(parts, fmt.Sprintf("%s (%d)", key, c.Count))
	}
	return strings.Join(parts, ", ")
}

func markdownGroup(i int, v groupView, withDoc bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n### %d. %s %s %s", i+1, severityIcon(v.Severity.String()), codeSpan(v.Rule), mdText(v.Name))
	if v.Table != "" {
		fmt.Fprintf(&b, " on %s", codeSpan(v.Table))
	}
	fmt.Fprintf(&b, " — %d×\n\n", v.Count)
	if v.Example.Message != "" {
		b.WriteString(mdText(v.Example.Message) + "\n\n")
	}
	if v.Example.Summary != "" {
		b.WriteString("> **" + mdText(v.Example.Summary) + "**\n\n")
	}
	if v.Row != "" {
		b.WriteString("- Row: " + codeSpan(v.Row) + "\n")
	}
	if len(v.Columns) > 0 {
		var cols []string
		for _, c := range v.Columns {
			cols = append(cols, codeSpan(c))
		}
		b.WriteString("- Columns: " + strings.Join(cols, ", ") + "\n")
	}
	if v.Example.Isolation != "" {
		b.WriteString("- Isolation: " + mdText(v.Example.Isolation) + "\n")
	}
	var places []string
	for _, p := range v.Places {
		places = append(places, fmt.Sprintf("%s ×%d", mdText(p.String()), p.Count))
	}
	if v.MorePlaces > 0 {
		places = append(places, fmt.Sprintf("and %d more elsewhere", v.MorePlaces))
	}
	if len(places) > 0 {
		b.WriteString("- Seen in: " + strings.Join(places, ", ") + "\n")
	}
	fmt.Fprintf(&b, "- First seen %s, last seen %s\n", formatTime(v.FirstSeen), formatTime(v.LastSeen))
	for _, s := range v.Statements {
		fmt.Fprintf(&b, "\n**%s**\n%s", roleTitle(s.Role), fenced("sql", s.SQL))
	}
	if len(v.Timeline.Marks) > 0 {
		b.WriteString("\n**Interleaving**\n" + fenced("text", timelineText(v.Timeline, v.Example.Summary)))
	}
	if v.Example.Fix != "" {
		b.WriteString("\n**Fix**\n" + fixMarkdown(v.Example.Fix))
	}
	if withDoc && (v.DocTitle != "" || v.DocBody != "") {
		// The doc is our own Markdown, embedded in the rules; it renders as is.
		fmt.Fprintf(&b, "\n<details><summary>About %s: %s</summary>\n\n%s\n\n</details>\n", mdText(v.Rule), mdText(v.DocTitle), v.DocBody)
	}
	return b.String()
}

// timelineText prints the interleaving the way RMW006 describes it:
// t+1.9ms  [referral]  UPDATE … UPDATE 1  <- overwrites 250
func timelineText(t timeline, summary string) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, m := range t.Marks {
		line := fmt.Sprintf("%s\t[%s]\t%s", formatOffset(m.Offset), oneLine(t.Lanes[m.Lane]), oneLine(m.SQL))
		if m.Result != "" {
			line += "\t-> " + oneLine(m.Result)
		} else {
			line += "\t"
		}
		switch {
		case m.Note != "":
			line += "\t<- " + oneLine(strings.TrimLeft(m.Note, "<- "))
		case m.Kind == markOverwritten:
			line += "\t(lost)"
		}
		fmt.Fprintln(tw, line)
	}
	_ = tw.Flush() // writes to a strings.Builder cannot fail
	if summary != "" {
		b.WriteString(oneLine(summary) + "\n")
	}
	return b.String()
}

// plural writes "1 finding", "2 findings".
func plural(n int, noun string) string { return fmt.Sprintf("%d %s", n, pluralWord(n, noun)) }

func pluralWord(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func severityIcon(sev string) string {
	switch sev {
	case "error":
		return "🔴"
	case "warning":
		return "🟠"
	case "info":
		return "🔵"
	}
	return "⚪"
}

// fenced wraps text in a code fence longer than any backtick run inside it,
// so SQL containing ``` cannot end the block early.
func fenced(lang, text string) string {
	fence := strings.Repeat("`", max(3, longestRun(text, '`')+1))
	return fence + lang + "\n" + strings.TrimRight(text, "\n") + "\n" + fence + "\n"
}

// codeSpan renders s as inline code whatever backticks it holds.
func codeSpan(s string) string {
	s = oneLine(s)
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	// A pipe ends a table cell even inside a code span on GitHub.
	return fence + pad + strings.ReplaceAll(s, "|", `\|`) + pad + fence
}

func codeSpanOr(s, empty string) string {
	if s == "" {
		return empty
	}
	return codeSpan(s)
}

func longestRun(s string, c byte) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

// mdText escapes user-controlled text (application names, messages) so it
// shows literally: no emphasis, links, HTML or table breaks.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `#`, `\#`,
	`|`, `\|`, `<`, `&lt;`, `>`, `&gt;`, `&`, `&amp;`, `!`, `\!`, `~`, `\~`,
)

func mdText(s string) string { return mdEscaper.Replace(oneLine(s)) }

func mdCell(s string) string { return mdText(s) }
