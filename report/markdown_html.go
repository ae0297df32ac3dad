package report

import (
	"html/template"
	"regexp"
	"strings"
)

// markdownToHTML renders the small Markdown subset rule docs are written in:
// ATX headings, paragraphs, fenced code blocks (```sql gets SQL
// highlighting), bullet and numbered lists, and inline `code`, **bold** and
// [links](https://…). Everything is escaped; raw HTML in the doc is shown as
// text. Headings are shifted down (# becomes h4) to sit inside a group.
func markdownToHTML(md string) template.HTML {
	var b strings.Builder
	lines := strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n")
	var para []string
	listTag := ""
	flushPara := func() {
		if len(para) > 0 {
			b.WriteString("<p>")
			b.WriteString(inlineMarkdown(strings.Join(para, " ")))
			b.WriteString("</p>\n")
			para = nil
		}
	}
	closeList := func() {
		if listTag != "" {
			b.WriteString("</" + listTag + ">\n")
			listTag = ""
		}
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```"):
			flushPara()
			closeList()
			lang := strings.TrimSpace(strings.TrimPrefix(trimmed, "```"))
			var code []string
			for i++; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), "```"); i++ {
				code = append(code, lines[i])
			}
			text := strings.Join(code, "\n")
			b.WriteString(`<pre class="code"><code>`)
			if strings.EqualFold(lang, "sql") {
				b.WriteString(string(HighlightSQL(text)))
			} else {
				b.WriteString(template.HTMLEscapeString(text))
			}
			b.WriteString("</code></pre>\n")
		case trimmed == "":
			flushPara()
			closeList()
		case headingRE.MatchString(trimmed):
			flushPara()
			closeList()
			m := headingRE.FindStringSubmatch(trimmed)
			level := min(len(m[1])+3, 6)
			tag := "h" + string(rune('0'+level))
			b.WriteString("<" + tag + ">" + inlineMarkdown(m[2]) + "</" + tag + ">\n")
		case bulletRE.MatchString(line) || numberRE.MatchString(line):
			flushPara()
			want := "ul"
			item := bulletRE.FindStringSubmatch(line)
			if item == nil {
				want = "ol"
				item = numberRE.FindStringSubmatch(line)
			}
			if listTag != want {
				closeList()
				b.WriteString("<" + want + ">\n")
				listTag = want
			}
			text := item[1]
			// Continuation lines indented under the item belong to it.
			for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "  ") && !bulletRE.MatchString(lines[i+1]) && !numberRE.MatchString(lines[i+1]) && strings.TrimSpace(lines[i+1]) != "" {
				i++
				text += " " + strings.TrimSpace(lines[i])
			}
			b.WriteString("<li>" + inlineMarkdown(text) + "</li>\n")
		default:
			closeList()
			para = append(para, trimmed)
		}
	}
	flushPara()
	closeList()
	return template.HTML(b.String()) //nolint:gosec // every text piece goes through inlineMarkdown or escaping
}

var (
	headingRE = regexp.MustCompile(`^(#{1,6})\s+(.*)$`)
	bulletRE  = regexp.MustCompile(`^\s*[-*+]\s+(.*)$`)
	numberRE  = regexp.MustCompile(`^\s*\d+[.)]\s+(.*)$`)
	inlineRE  = regexp.MustCompile("`([^`]+)`|\\*\\*([^*]+)\\*\\*|\\[([^\\]]+)\\]\\((https?://[^)\\s]+)\\)")
)

// inlineMarkdown escapes text and renders `code`, **bold** and links.
func inlineMarkdown(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range inlineRE.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(template.HTMLEscapeString(s[last:m[0]]))
		switch {
		case m[2] >= 0:
			b.WriteString("<code>" + template.HTMLEscapeString(s[m[2]:m[3]]) + "</code>")
		case m[4] >= 0:
			b.WriteString("<strong>" + template.HTMLEscapeString(s[m[4]:m[5]]) + "</strong>")
		default:
			b.WriteString(`<a href="` + template.HTMLEscapeString(s[m[8]:m[9]]) + `" rel="noreferrer">` +
				template.HTMLEscapeString(s[m[6]:m[7]]) + "</a>")
		}
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(s[last:]))
	return b.String()
}

// splitDoc separates a rule doc's first line (its title) from the body.
func splitDoc(doc string) (title, body string) {
	doc = strings.TrimLeft(doc, "\n")
	title, body, _ = strings.Cut(doc, "\n")
	return strings.TrimSpace(strings.TrimLeft(title, "# ")), strings.TrimSpace(body)
}
