package report

// The real-browser test: headless Chromium opens a generated report from
// disk, and we check the DOM its script produced (counts, filters hiding and
// showing groups, sorting, injected markup staying inert) and keep light and
// dark screenshots. It runs when PGRMW_BROWSER=1 (`make test-browser`, which
// installs Debian's chromium when it can); otherwise it skips, saying why.

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

func findChromium(t *testing.T) string {
	t.Helper()
	if os.Getenv("PGRMW_BROWSER") == "" {
		t.Skip("browser test: set PGRMW_BROWSER=1 or run `make test-browser`")
	}
	if p := os.Getenv("PGRMW_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("browser test SKIPPED: no chromium on PATH (apt-get install -y chromium, or set PGRMW_CHROMIUM)")
	return ""
}

// browser runs headless Chromium with the flags the issue prescribes and a
// fresh, empty profile per run.
type browser struct {
	t    *testing.T
	path string
}

func (b browser) run(extra ...string) []byte {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
		"--user-data-dir=" + b.t.TempDir(), "--hide-scrollbars",
	}, extra...)
	cmd := exec.CommandContext(ctx, b.path, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		b.t.Fatalf("chromium %v: %v\n%s", extra, err, lastLines(stderr.String(), 20))
	}
	return stdout.Bytes()
}

func (b browser) dumpDOM(url string) string {
	return string(b.run("--dump-dom", url))
}

var sectionRE = regexp.MustCompile(`<(?:section class="group|tr class="group-row)[^"]*"[^>]*>`)

// visibleGroups lists the fingerprints of group sections without the hidden
// attribute, in DOM order, and counts all sections.
func visibleGroups(dom string) (visible []string, total int) {
	for _, tag := range sectionRE.FindAllString(dom, -1) {
		total++
		if strings.Contains(tag, ` hidden`) {
			continue
		}
		m := regexp.MustCompile(`data-fingerprint="([^"]*)"`).FindStringSubmatch(tag)
		if m != nil {
			visible = append(visible, m[1])
		}
	}
	return visible, total
}

func browserFindings() []analyzer.Finding {
	fs := sampleFindings()
	// A few more so that sorting by count differs from sorting by severity.
	for i := range 7 {
		fs = append(fs, analyzer.Finding{
			Rule: "RMW004", Name: "lock-held-too-long", Severity: analyzer.SeverityInfo,
			Message: "FOR UPDATE lock on accounts held 420 ms, 400 ms of it waiting for the client",
			Session: analyzer.SessionInfo{ID: fmt.Sprint(100 + i), ApplicationName: "batch", User: "batch", Database: "shop"},
			Table:   "accounts",
			Statements: []analyzer.StatementRef{
				{Role: "lock", SQL: "SELECT * FROM accounts WHERE id = 9 FOR UPDATE", Time: t0},
				{Role: "commit", SQL: "COMMIT", Time: t0.Add(420 * time.Millisecond)},
			},
			Fingerprint: "rmw004-accounts", Time: t0.Add(time.Duration(i) * time.Hour),
		})
	}
	return fs
}

func TestBrowserReport(t *testing.T) {
	b := browser{t: t, path: findChromium(t)}
	outDir := os.Getenv("PGRMW_BROWSER_OUT")
	if outDir == "" {
		outDir = filepath.Join("..", "out", "browser")
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	outDir, _ = filepath.Abs(outDir)
	var page bytes.Buffer
	if err := HTML(&page, GroupFindings(browserFindings()), Options{Docs: sampleDocs, Source: "browser test", Generated: t0}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(outDir, "report.html")
	if err := os.WriteFile(file, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + file

	t.Run("all groups, severity order", func(t *testing.T) {
		dom := b.dumpDOM(url)
		visible, total := visibleGroups(dom)
		if total != 5 || len(visible) != 5 {
			t.Fatalf("%d of %d groups visible, want 5 of 5", len(visible), total)
		}
		if visible[0] != "rmw006-users-balance" || visible[4] != "rmw004-accounts" {
			t.Errorf("order = %v, want the error first and the info last", visible)
		}
		if !strings.Contains(dom, `data-visible-groups="5"`) || !strings.Contains(dom, "5 of 5 problems shown") {
			t.Error("the script did not report 5 visible groups")
		}
		// The report's own script ran (it set the count), and the hostile one
		// in SQL and application_name did not.
		if regexp.MustCompile(`<body[^>]*data-pwned`).MatchString(dom) {
			t.Error("injected script ran in the report")
		}
		if strings.Contains(dom, "<img src=\"x\"") {
			t.Error("injected <img> became an element")
		}
	})

	t.Run("filters hide and show", func(t *testing.T) {
		for hash, want := range map[string][]string{
			"#severity=warning":          {"rmw001-users-balance", "rmw002-orders-version", "rmw001-notes-body"},
			"#rule=RMW001":               {"rmw001-users-balance", "rmw001-notes-body"},
			"#table=users":               {"rmw006-users-balance", "rmw001-users-balance"},
			"#table=users&severity=info": nil,
			"#rule=RMW004&severity=info": {"rmw004-accounts"},
			"#rule=NOPE":                 {"rmw006-users-balance", "rmw001-users-balance", "rmw002-orders-version", "rmw001-notes-body", "rmw004-accounts"}, // unknown value: filter ignored
		} {
			dom := b.dumpDOM(url + hash)
			visible, total := visibleGroups(dom)
			if total != 5 {
				t.Errorf("%s: %d sections in the DOM, want all 5 (hidden, not removed)", hash, total)
			}
			if strings.Join(visible, " ") != strings.Join(want, " ") {
				t.Errorf("%s: visible %v, want %v", hash, visible, want)
			}
			if !strings.Contains(dom, fmt.Sprintf(`data-visible-groups="%d"`, len(want))) {
				t.Errorf("%s: body does not say %d visible", hash, len(want))
			}
		}
	})

	t.Run("sort by count", func(t *testing.T) {
		visible, _ := visibleGroups(b.dumpDOM(url + "#sort=count"))
		want := "rmw004-accounts rmw001-users-balance rmw002-orders-version rmw006-users-balance rmw001-notes-body"
		if strings.Join(visible, " ") != want {
			t.Errorf("sorted by count: %v, want %s", visible, want)
		}
	})

	t.Run("groups past the cap filter and sort as rows", func(t *testing.T) {
		var capped bytes.Buffer
		if err := HTML(&capped, GroupFindings(browserFindings()), Options{MaxHTMLGroups: 2, Generated: t0}); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(outDir, "report-capped.html")
		if err := os.WriteFile(file, capped.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		dom := b.dumpDOM("file://" + file + "#severity=warning&sort=count")
		visible, total := visibleGroups(dom)
		want := "rmw001-users-balance rmw002-orders-version rmw001-notes-body"
		if total != 5 || strings.Join(visible, " ") != want {
			t.Errorf("visible %v of %d, want %s of 5", visible, total, want)
		}
		if !strings.Contains(dom, "3 of 5 problems shown") {
			t.Error("count does not include the rows")
		}
	})

	t.Run("screenshots light and dark", func(t *testing.T) {
		light := filepath.Join(outDir, "report-light.png")
		dark := filepath.Join(outDir, "report-dark.png")
		b.run("--window-size=1200,2000", "--screenshot="+light, url)
		b.run("--window-size=1200,2000", "--force-dark-mode", "--screenshot="+dark, url)
		if l, d := luminance(t, light), luminance(t, dark); l < 200 || d > 60 {
			t.Errorf("background luminance light=%d dark=%d: want a light page and a dark one", l, d)
		}
		t.Logf("screenshots: %s, %s", light, dark)
	})

	t.Run("prints", func(t *testing.T) {
		pdf := filepath.Join(outDir, "report.pdf")
		b.run("--no-pdf-header-footer", "--print-to-pdf="+pdf, url)
		data, err := os.ReadFile(pdf)
		if err != nil || !bytes.HasPrefix(data, []byte("%PDF")) || len(data) < 10_000 {
			t.Fatalf("print to PDF: %d bytes, err %v", len(data), err)
		}
	})
}

// luminance returns the brightness (0–255) of a screenshot's top-left corner:
// the page background.
func luminance(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("screenshot not written: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	r, g, bl, _ := img.At(5, 5).RGBA()
	return int((299*r + 587*g + 114*bl) / 1000 >> 8)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
