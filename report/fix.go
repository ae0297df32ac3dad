package report

import (
	"html/template"
	"regexp"
	"strings"
)

// fixPart is a piece of a finding's fix: prose, or SQL to show as code.
type fixPart struct {
	Text string
	SQL  bool
}

var (
	sqlStartRE = regexp.MustCompile(`\b(?:UPDATE|SELECT|INSERT INTO|DELETE FROM|WITH|BEGIN)\s`)
	// SQL in a sentence ends at "; or …", " (retry …)", or the end.
	sqlEndRE  = regexp.MustCompile(`;\s+[a-z]|;$|\s\([a-z]`)
	sqlBodyRE = regexp.MustCompile(`\s(?:SET|FROM|WHERE|VALUES|ISOLATION)\s`)
)

// splitFix tells SQL from prose in a fix. Rules write either plain SQL
// ("UPDATE users SET balance = balance + 150 WHERE id = 42") or a sentence
// with SQL in it ("make the update atomic: UPDATE …"); a whole-SQL fix is one
// SQL part.
func splitFix(fix string) []fixPart {
	fix = strings.TrimSpace(fix)
	if loc := sqlStartRE.FindStringIndex(fix); loc != nil && loc[0] == 0 || strings.HasPrefix(fix, "--") {
		return []fixPart{{Text: fix, SQL: true}}
	}
	var parts []fixPart
	rest := fix
	for rest != "" {
		loc := sqlStartRE.FindStringIndex(rest)
		if loc == nil {
			break
		}
		end := len(rest)
		if e := sqlEndRE.FindStringIndex(rest[loc[0]:]); e != nil {
			end = loc[0] + e[0]
		}
		candidate := rest[loc[0]:end]
		if !sqlBodyRE.MatchString(candidate) { // "UPDATE 0" is a tag, not SQL
			parts = append(parts, fixPart{Text: rest[:loc[1]]})
			rest = rest[loc[1]:]
			continue
		}
		if loc[0] > 0 {
			parts = append(parts, fixPart{Text: rest[:loc[0]]})
		}
		parts = append(parts, fixPart{Text: candidate, SQL: true})
		rest = rest[end:]
	}
	if rest != "" {
		parts = append(parts, fixPart{Text: rest})
	}
	return mergeProse(parts)
}

func mergeProse(parts []fixPart) []fixPart {
	var out []fixPart
	for _, p := range parts {
		if n := len(out); n > 0 && !p.SQL && !out[n-1].SQL {
			out[n-1].Text += p.Text
			continue
		}
		out = append(out, p)
	}
	return out
}

// fixHTML renders a fix: a highlighted block when it is all SQL, otherwise
// a paragraph with the SQL in it highlighted inline.
func fixHTML(fix string) template.HTML {
	parts := splitFix(fix)
	if len(parts) == 1 && parts[0].SQL {
		return template.HTML(`<pre class="code sql fix"><code>` + string(HighlightSQL(parts[0].Text)) + `</code></pre>`) //nolint:gosec // escaped by HighlightSQL
	}
	var b strings.Builder
	b.WriteString(`<p class="fix">`)
	for _, p := range parts {
		if p.SQL {
			b.WriteString(`<code class="sql">` + string(HighlightSQL(p.Text)) + `</code>`)
		} else {
			b.WriteString(template.HTMLEscapeString(p.Text))
		}
	}
	b.WriteString(`</p>`)
	return template.HTML(b.String()) //nolint:gosec // every piece escaped
}

// fixMarkdown renders a fix for Markdown: a fenced block when all SQL,
// otherwise prose with the SQL as code spans.
func fixMarkdown(fix string) string {
	parts := splitFix(fix)
	if len(parts) == 1 && parts[0].SQL {
		return fenced("sql", parts[0].Text)
	}
	var b strings.Builder
	for _, p := range parts {
		if p.SQL {
			b.WriteString(codeSpan(p.Text))
			continue
		}
		// mdText folds whitespace; keep the spaces that separate the
		// text from the code spans around it.
		t := mdText(p.Text)
		if t != "" && strings.TrimLeft(p.Text, " \t\n") != p.Text && b.Len() > 0 {
			t = " " + t
		}
		if t != "" && strings.TrimRight(p.Text, " \t\n") != p.Text {
			t += " "
		}
		b.WriteString(t)
	}
	return strings.TrimSpace(b.String()) + "\n"
}
