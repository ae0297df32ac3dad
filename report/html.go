package report

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"slices"
)

var (
	//go:embed assets/report.html.tmpl
	htmlTemplateText string
	//go:embed assets/report.css
	reportCSS string
	//go:embed assets/report.js
	reportJS string
)

// contentSecurityPolicy allows nothing but the page's own style and script
// (by hash): no network fetch at all, and, should escaping ever miss, an
// injected inline script still would not run.
var contentSecurityPolicy = fmt.Sprintf("default-src 'none'; style-src '%s'; script-src '%s'; img-src data:; base-uri 'none'; form-action 'none'",
	sourceHash(reportCSS), sourceHash(reportJS))

func sourceHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"sql":        HighlightSQL,
	"fix":        fixHTML,
	"markdown":   markdownToHTML,
	"svg":        timelineSVG,
	"offset":     formatOffset,
	"time":       formatTime,
	"roleTitle":  roleTitle,
	"sevRank":    severityRank,
	"unix":       func(g Group) int64 { return g.LastSeen.Unix() },
	"orNone":     orNone,
	"percentage": func(n, total int) int { return n * 100 / max(total, 1) },
}).Parse(htmlTemplateText))

type htmlPage struct {
	Title      string
	Source     string
	Generated  string
	CSP        string
	CSS        template.CSS
	JS         template.JS
	Summary    Summary
	Groups     []groupView
	Rest       []restRow // groups past Options.MaxHTMLGroups
	Total      int       // len(Groups) + len(Rest)
	Rules      []string
	Severities []string
	Tables     []string
}

// HTML writes groups as one self-contained HTML page: styles, script and
// drawings inline, nothing fetched, openable from disk.
func HTML(w io.Writer, groups []Group, opts Options) error {
	page := htmlPage{
		Title:     opts.title(),
		Source:    opts.Source,
		Generated: formatTime(opts.generated()),
		CSP:       contentSecurityPolicy,
		CSS:       template.CSS(reportCSS), //nolint:gosec // our own embedded stylesheet
		JS:        template.JS(reportJS),   //nolint:gosec // our own embedded script
		Summary:   Summarize(groups),
	}
	page.Total = len(groups)
	for i, g := range groups {
		if i < opts.maxHTMLGroups() {
			page.Groups = append(page.Groups, newGroupView(i, g, opts))
		} else {
			page.Rest = append(page.Rest, restRow{Group: g, Anchor: fmt.Sprintf("g%d", i+1)})
		}
		page.Rules = appendUnique(page.Rules, g.Rule)
		page.Severities = appendUnique(page.Severities, g.Severity.String())
		if g.Table != "" {
			page.Tables = appendUnique(page.Tables, g.Table)
		}
	}
	slices.Sort(page.Rules)
	slices.Sort(page.Tables)
	slices.SortFunc(page.Severities, func(a, b string) int { return severityOrder(a) - severityOrder(b) })
	if err := htmlTemplate.Execute(w, page); err != nil {
		return fmt.Errorf("render html report: %w", err)
	}
	return nil
}

// restRow is a group shown as one table row.
type restRow struct {
	Group
	Anchor string
}

func appendUnique(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

func severityOrder(s string) int {
	switch s {
	case "error":
		return 0
	case "warning":
		return 1
	case "info":
		return 2
	}
	return 3
}
