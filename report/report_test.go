package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

func TestReadFindingsShapes(t *testing.T) {
	fs := sampleFindings()
	var jsonl bytes.Buffer
	for _, f := range fs {
		b, _ := json.Marshal(f)
		jsonl.Write(b)
		jsonl.WriteString("\n")
	}
	env, _ := json.Marshal(map[string]any{"findings": fs})
	arr, _ := json.Marshal(fs)
	for name, input := range map[string]string{
		"jsonl":    jsonl.String(),
		"envelope": string(env),
		"array":    "  \n" + string(arr),
	} {
		t.Run(name, func(t *testing.T) {
			var got []analyzer.Finding
			if err := ReadFindings(strings.NewReader(input), func(f analyzer.Finding) { got = append(got, f) }); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(fs) {
				t.Fatalf("read %d findings, want %d", len(got), len(fs))
			}
			if got[0].Rule != "RMW006" || len(got[0].Timeline) != 6 || got[0].Timeline[4].Offset != 1900*time.Microsecond {
				t.Errorf("first finding read wrong: %+v", got[0])
			}
		})
	}

	var n int
	if err := ReadFindings(strings.NewReader(""), func(analyzer.Finding) { n++ }); err != nil || n != 0 {
		t.Errorf("empty input: n=%d err=%v", n, err)
	}
	bad := jsonl.String() + "{\"rule\": \n"
	if err := ReadFindings(strings.NewReader(bad), func(analyzer.Finding) {}); err == nil {
		t.Error("truncated JSON: no error")
	}
	if err := ReadFindings(strings.NewReader(`{"kind":"query","sql":"SELECT 1"}`), func(analyzer.Finding) {}); err == nil || !strings.Contains(err.Error(), "not a pgrmw findings file") {
		t.Errorf("a capture event read as a finding: err=%v", err)
	}
}

func TestReadFindingsFileSamples(t *testing.T) {
	for _, name := range []string{"sample.jsonl", "sample-envelope.json"} {
		g := NewGrouper()
		if err := ReadFindingsFile(filepath.Join("..", "testdata", "findings", name), g.Add); err != nil {
			t.Fatal(err)
		}
		if got := len(g.Groups()); got != 4 {
			t.Errorf("%s: %d groups, want 4", name, got)
		}
	}
}

func TestGrouping(t *testing.T) {
	groups := GroupFindings(sampleFindings())
	var order []string
	for _, g := range groups {
		order = append(order, fmt.Sprintf("%s×%d", g.Fingerprint, g.Count))
	}
	// Error first; then warnings by count (5, 2, 1).
	want := []string{"rmw006-users-balance×1", "rmw001-users-balance×5", "rmw002-orders-version×2", "rmw001-notes-body×1"}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Fatalf("groups = %v, want %v", order, want)
	}
	g := groups[1]
	if !g.FirstSeen.Equal(t0.Add(3*time.Millisecond)) || !g.LastSeen.Equal(t0.Add(4*time.Minute+3*time.Millisecond)) {
		t.Errorf("first/last = %v / %v", g.FirstSeen, g.LastSeen)
	}
	if len(g.Places) != 2 || g.Places[0].Application != "order" || g.Places[0].Count != 3 || g.Places[1].Count != 2 {
		t.Errorf("places = %+v", g.Places)
	}
	// The RMW006 group counts both sessions' applications.
	if p := groups[0].Places; len(p) != 2 {
		t.Errorf("cross-session places = %+v", p)
	}

	s := Summarize(groups)
	if s.Findings != 9 || s.Groups != 4 {
		t.Errorf("summary totals = %d findings, %d groups", s.Findings, s.Groups)
	}
	if fmt.Sprint(s.BySeverity) != "[{error 1} {warning 8}]" {
		t.Errorf("by severity = %v", s.BySeverity)
	}
	if fmt.Sprint(s.ByTable) != "[{users 6} {orders 2} {notes 1}]" {
		t.Errorf("by table = %v", s.ByTable)
	}
}

func TestGrouperBoundsPlaces(t *testing.T) {
	g := NewGrouper()
	for i := range 100 {
		g.Add(analyzer.Finding{Rule: "RMW001", Fingerprint: "fp", Session: analyzer.SessionInfo{ApplicationName: fmt.Sprintf("app%d", i)}})
	}
	grp := g.Groups()[0]
	if grp.Count != 100 || len(grp.Places) != maxPlaces || grp.MorePlaces != 100-maxPlaces {
		t.Errorf("count=%d places=%d more=%d", grp.Count, len(grp.Places), grp.MorePlaces)
	}
}

func TestGrouperPrefersExampleWithTimeline(t *testing.T) {
	g := NewGrouper()
	g.Add(analyzer.Finding{Rule: "RMW006", Fingerprint: "fp", Message: "with", Timeline: []analyzer.TimelineEntry{{SQL: "SELECT 1"}}, Time: t0})
	g.Add(analyzer.Finding{Rule: "RMW006", Fingerprint: "fp", Message: "without", Time: t0.Add(time.Hour)})
	if got := g.Groups()[0].Example.Message; got != "with" {
		t.Errorf("example = %q, want the one with a timeline", got)
	}
}

func TestHighlightSQL(t *testing.T) {
	got := string(HighlightSQL(`SELECT "balance", 'it''s' FROM users WHERE id = $1 AND n > 3.5 -- <b>`))
	for _, want := range []string{
		`<span class="k">SELECT</span>`,
		`<span class="i">&#34;balance&#34;</span>`,
		`<span class="s">&#39;it&#39;&#39;s&#39;</span>`,
		`<span class="p">$1</span>`,
		`<span class="n">3.5</span>`,
		`<span class="c">-- &lt;b&gt;</span>`,
		` users `,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("highlight missing %s in\n%s", want, got)
		}
	}
	if strings.Contains(string(HighlightSQL("SELECT '"+injected+"'")), "<script") {
		t.Error("a <script> in SQL came out as markup")
	}
}

func TestTokenizeSQLKeepsEveryByte(t *testing.T) {
	for _, s := range []string{
		"SELECT 1", "UPDATE t SET a = E'x\\'y' WHERE b = $$a$b$$", "SELECT $tag$ x $tag$, $1, t1.c2",
		"unterminated 'string", `"unterminated ident`, "/* open comment", "-- only", "é = 'ü' ∑", "", "$", "$$",
	} {
		var b strings.Builder
		for _, tok := range tokenizeSQL(s) {
			b.WriteString(tok.text)
		}
		if b.String() != s {
			t.Errorf("tokens of %q join to %q", s, b.String())
		}
	}
}

func FuzzTokenizeSQL(f *testing.F) {
	for _, s := range []string{"SELECT 1", "E'\\''", "$a$ $a$", "/* */ -- x\n'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		for _, tok := range tokenizeSQL(s) {
			b.WriteString(tok.text)
		}
		if b.String() != s {
			t.Fatalf("tokens of %q join to %q", s, b.String())
		}
		// Highlighting adds only our own span tags: anything else that
		// looks like markup came from the input unescaped.
		rest := spanTagRE.ReplaceAllString(string(HighlightSQL(s)), "")
		if strings.ContainsAny(rest, "<>") {
			t.Fatalf("HighlightSQL(%q) leaves markup: %q", s, rest)
		}
	})
}

var spanTagRE = regexp.MustCompile(`<span class="[a-z]">|</span>`)

func TestNormalizeSQL(t *testing.T) {
	if got := NormalizeSQL("UPDATE users  SET balance = 250\n WHERE id = 42"); got != "UPDATE users SET balance = $1 WHERE id = $2" {
		t.Errorf("normalized = %q", got)
	}
	if got := NormalizeSQL("UPDATE users SET balance = 25"); got == "" { // truncated-looking but valid
		t.Error("empty")
	}
	if got := NormalizeSQL("SELEKT  broken\n'"); got != "SELEKT broken '" {
		t.Errorf("unparsable SQL = %q, want whitespace collapsed", got)
	}
}

func TestMarkdownToHTML(t *testing.T) {
	_, body := splitDoc(sampleDocs("RMW001"))
	got := string(markdownToHTML(body))
	for _, want := range []string{
		"<h5>Fixes</h5>",
		"<ol>\n<li>An <strong>atomic update</strong>: <code>SET balance = balance + $1</code>.</li>",
		"</ol>\n<ul>\n<li>a version column with retry</li>\n</ul>",
		`<pre class="code"><code><span class="k">UPDATE</span>`,
		"Raw &lt;b&gt;HTML&lt;/b&gt; stays text.",
		`<a href="https://www.postgresql.org/docs/current/transaction-iso.html" rel="noreferrer">PostgreSQL docs</a>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("doc HTML missing %q in\n%s", want, got)
		}
	}
	if strings.Contains(string(markdownToHTML("[x](javascript:alert(1))")), "href") {
		t.Error("a javascript: link became a link")
	}
}

func renderHTML(t *testing.T, fs []analyzer.Finding) string {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(&b, GroupFindings(fs), Options{Docs: sampleDocs, Source: "sample", Generated: t0}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestHTMLSelfContainedAndEscaped(t *testing.T) {
	page := renderHTML(t, sampleFindings())
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("%d <script tags, want only the report's own", n)
	}
	if strings.Contains(page, "<img") || strings.Contains(page, "onerror=\"") {
		t.Error("injected markup came through unescaped")
	}
	if !strings.Contains(page, "&lt;script&gt;document.body.setAttribute") {
		t.Error("injected text is not shown escaped")
	}
	// Nothing may be fetched: no external URLs in src/href, no link or import.
	for _, re := range []string{`(?i)\bsrc=["']?(https?:)?//`, `(?i)<link\b`, `(?i)@import`, `(?i)url\(`, `(?i)href="https?://(?:[^"]*)"[^>]*>[^<]*</a>\s*</?(?:script|link)`} {
		if regexp.MustCompile(re).MatchString(page) {
			t.Errorf("page matches %s: it would fetch something", re)
		}
	}
	if !strings.Contains(page, `http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;`) {
		t.Error("no restrictive Content-Security-Policy")
	}
	if !strings.Contains(page, "<style>"+reportCSS+"</style>") || !strings.Contains(page, "<script>"+reportJS+"</script>") {
		t.Error("style or script was altered on the way into the page: its CSP hash would not match")
	}
	if got := strings.Count(page, `<section class="group `); got != 4 {
		t.Errorf("%d group sections, want 4", got)
	}
	for _, want := range []string{
		`data-rule="RMW001" data-severity="warning" data-table="users" data-count="5"`,
		`<option value="RMW002">RMW002</option>`,
		`id="total-findings">9</span>`,
		`@media (prefers-color-scheme:dark)`,
		`@media print`,
		"expected 650, stored 500: the &#43;150 was lost",
		"order (app@shop)",
		"<h3>Fix</h3>",
		"About RMW001: Unguarded read-modify-write",
		// Normalized statement shapes, highlighted.
		`<span class="k">UPDATE</span> users <span class="k">SET</span> balance = <span class="p">$1</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page missing %q", want)
		}
	}
}

func TestHTMLTimelineMarksOverwrite(t *testing.T) {
	page := renderHTML(t, sampleFindings()[:1])
	for _, want := range []string{
		`<svg class="timeline"`,
		`<g class="mark mark-overwritten"><title>3. order: UPDATE users SET balance=250 WHERE id=42`,
		`<g class="mark mark-overwrites"><title>5. referral: UPDATE users SET balance=500`,
		`class="overwrite-arrow"`,
		`>t+1.9ms</text>`,
		`<text class="lane-label" x="8" y="`,
		`<tr class="row-overwrites">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("timeline missing %q", want)
		}
	}
}

func TestHTMLEmpty(t *testing.T) {
	page := renderHTML(t, nil)
	if !strings.Contains(page, "No findings.") || strings.Contains(page, `id="controls"`) {
		t.Error("empty report should say so and show no filters")
	}
}

func TestMarkdownFitsInFull(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, GroupFindings(sampleFindings()), Options{Docs: sampleDocs}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"**9 findings** in **4 distinct problems**: 🔴 1 error, 🟠 8 warning.",
		"### 1. 🔴 `RMW006` lost-update-observed on `users` — 1×",
		"t+1.9ms  [referral]  UPDATE users SET balance=500 WHERE id=42  -> UPDATE 1  <- overwrites 250",
		"t+1.1ms  [order]     UPDATE users SET balance=250 WHERE id=42  -> UPDATE 1  (lost)",
		"t+0.0ms  [order]     SELECT balance FROM users WHERE id=42     -> 100\n",
		"expected 650, stored 500: the +150 was lost\n```",
		"```sql\nUPDATE users SET balance = $1 WHERE id = $2\n```",
		"<details><summary>About RMW001: Unguarded read-modify-write</summary>",
		"- Seen in: order (app@shop) ×3, referral (app@shop) ×2",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown missing %q", want)
		}
	}
	if strings.Contains(md, "More problems") || strings.Contains(md, "not shown") {
		t.Error("small report was summarised")
	}
	if strings.Count(md, "<details>") != 2 {
		t.Errorf("rule docs shown %d times, want once per rule with a doc (2)", strings.Count(md, "<details>"))
	}
}

func TestMarkdownEscapesUserText(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, GroupFindings(sampleFindings()[8:]), Options{}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if strings.Contains(md, "- Seen in: evil <script") || !strings.Contains(md, `evil &lt;script&gt;`) {
		t.Errorf("application name not escaped:\n%s", md)
	}
	if !strings.Contains(md, `(u\|ser@shop)`) {
		t.Error("pipe in user name not escaped")
	}
	// The SQL holds ``` so its fence must be longer.
	if !strings.Contains(md, "````sql\nUPDATE notes SET body = '<script>") {
		t.Errorf("fence not lengthened around SQL with backticks:\n%s", md)
	}
}

// manyFindings makes n distinct groups, each with long SQL, so the Markdown
// report must summarise.
func manyFindings(n int) []analyzer.Finding {
	fs := make([]analyzer.Finding, 0, n)
	for i := range n {
		table := fmt.Sprintf("table_%03d", i%50)
		fs = append(fs, analyzer.Finding{
			Rule: "RMW001", Name: "unguarded-read-modify-write", Severity: analyzer.Severity(1 + i%3),
			Message: "read then wrote " + table,
			Session: analyzer.SessionInfo{ID: fmt.Sprint(i), ApplicationName: fmt.Sprintf("svc-%d", i%7), User: "app", Database: "db"},
			Table:   table,
			Statements: []analyzer.StatementRef{
				{Role: "read", SQL: fmt.Sprintf("SELECT a, b, c, d, e, f FROM %s WHERE id = %d AND tenant = 'x'", table, i), Time: t0},
				{Role: "write", SQL: fmt.Sprintf("UPDATE %s SET a = 1, b = 2, c = 3 WHERE id = %d", table, i), Time: t0.Add(time.Millisecond)},
			},
			Fingerprint: fmt.Sprintf("fp-%05d", i),
			Fix:         fmt.Sprintf("UPDATE %s SET a = a + 1 WHERE id = $1", table),
			Time:        t0.Add(time.Duration(i) * time.Second),
		})
	}
	return fs
}

func TestMarkdownRespectsGitHubLimit(t *testing.T) {
	for _, n := range []int{200, 3000} {
		var b bytes.Buffer
		groups := GroupFindings(manyFindings(n))
		if err := Markdown(&b, groups, Options{Docs: sampleDocs}); err != nil {
			t.Fatal(err)
		}
		md := b.String()
		if len(md) > GitHubCommentLimit {
			t.Errorf("n=%d: %d bytes, over the %d limit", n, len(md), GitHubCommentLimit)
		}
		full := strings.Count(md, "\n### ") - strings.Count(md, "\n### More problems")
		rows := strings.Count(md, "\n| ") - 2 - len(Summarize(groups).ByRule) // minus the two header rows
		if full < 10 {
			t.Errorf("n=%d: only %d groups in full", n, full)
		}
		if !strings.Contains(md, "### More problems") {
			t.Errorf("n=%d: no table of the rest", n)
		}
		m := regexp.MustCompile(`\*\*(\d+) more problems not shown\*\*`).FindStringSubmatch(md)
		more := 0
		if m != nil {
			fmt.Sscan(m[1], &more)
		}
		if full+rows+more != n {
			t.Errorf("n=%d: %d in full + %d rows + %d more = %d, want every group accounted for", n, full, rows, more, full+rows+more)
		}
		if n == 3000 && more == 0 {
			t.Error("3000 groups cannot all fit, yet no 'more' line")
		}
		// Most severe first: the first full group is an error.
		if !strings.Contains(md, "### 1. 🔴") {
			t.Errorf("n=%d: first group is not an error", n)
		}
	}
}

func TestMarkdownSmallLimit(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, GroupFindings(manyFindings(50)), Options{MarkdownLimit: 4000}); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 4000 {
		t.Errorf("%d bytes over a 4000 limit", b.Len())
	}
}

func TestHTMLCapsGroupsDrawnInFull(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, GroupFindings(sampleFindings()), Options{MaxHTMLGroups: 2}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if n := strings.Count(page, `<section class="group `); n != 2 {
		t.Errorf("%d groups in full, want 2", n)
	}
	if n := strings.Count(page, `<tr class="group-row `); n != 2 {
		t.Errorf("%d groups as rows, want 2", n)
	}
	if !strings.Contains(page, `data-total-groups="4"`) || !strings.Contains(page, "2 more problems") {
		t.Error("page does not count the rows as groups")
	}
}

func TestTrimRulePrefix(t *testing.T) {
	for _, c := range [][2]string{
		{"RMW001 unguarded-read-modify-write: a row was read", "A row was read"},
		{"RMW001 — lost", "Lost"},
		{"Unguarded read-modify-write", "Unguarded read-modify-write"},
		{"RMW001", "RMW001"},
	} {
		if got := trimRulePrefix(c[0], "RMW001", "unguarded-read-modify-write"); got != c[1] {
			t.Errorf("trimRulePrefix(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

func TestSplitFix(t *testing.T) {
	show := func(parts []fixPart) string {
		var b strings.Builder
		for _, p := range parts {
			if p.SQL {
				b.WriteString("[" + p.Text + "]")
			} else {
				b.WriteString(p.Text)
			}
		}
		return b.String()
	}
	for in, want := range map[string]string{
		"UPDATE users SET balance = balance + 150 WHERE id = 42;":                        "[UPDATE users SET balance = balance + 150 WHERE id = 42;]",
		"make the update atomic: UPDATE users SET balance = balance + 400 WHERE id = 42": "make the update atomic: [UPDATE users SET balance = balance + 400 WHERE id = 42]",
		"guard the write: add a version column and write UPDATE t SET a = $1, version = version + 1 WHERE id = 42 AND version = $2 (retry on UPDATE 0); or lock the row when reading it: SELECT … FROM t WHERE id = 42 FOR UPDATE": "guard the write: add a version column and write [UPDATE t SET a = $1, version = version + 1 WHERE id = 42 AND version = $2] (retry on UPDATE 0); or lock the row when reading it: [SELECT … FROM t WHERE id = 42 FOR UPDATE]",
		"check the affected row count of the UPDATE; on 0, re-read": "check the affected row count of the UPDATE; on 0, re-read",
		"retry on UPDATE 0 and SELECT again":                        "retry on UPDATE 0 and SELECT again",
	} {
		if got := show(splitFix(in)); got != want {
			t.Errorf("splitFix(%q)\n got %s\nwant %s", in, got, want)
		}
	}
	if got := string(fixHTML("make it atomic: UPDATE t SET a = a + 1 WHERE id = '<x>'")); !strings.Contains(got, `<p class="fix">make it atomic: <code class="sql"><span class="k">UPDATE</span>`) || strings.Contains(got, "<x>") {
		t.Errorf("fixHTML = %s", got)
	}
}

func TestSingularCounts(t *testing.T) {
	var b bytes.Buffer
	groups := GroupFindings(sampleFindings()[:1])
	if err := Markdown(&b, groups, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "**1 finding** in **1 distinct problem**:") {
		t.Errorf("markdown counts: %.200s", b.String())
	}
	b.Reset()
	if err := HTML(&b, groups, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `id="total-groups">1</span> distinct problem</div>`) {
		t.Error("html counts not singular")
	}
}

func TestFixMarkdownKeepsSpacesAroundCode(t *testing.T) {
	got := fixMarkdown("make the update atomic: UPDATE users SET balance = balance + 400 WHERE id = 42")
	want := "make the update atomic: `UPDATE users SET balance = balance + 400 WHERE id = 42`\n"
	if got != want {
		t.Errorf("fixMarkdown = %q, want %q", got, want)
	}
	got = fixMarkdown("guard the write: add a version column and write UPDATE t SET a = $1, version = version + 1 WHERE id = 42 AND version = $2 (retry on UPDATE 0); or lock the row when reading it: SELECT … FROM t WHERE id = 42 FOR UPDATE")
	if strings.Contains(got, ":`") || strings.Contains(got, "`(") || !strings.Contains(got, "write `UPDATE") {
		t.Errorf("fixMarkdown lost a space: %q", got)
	}
}
