package lint

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/rs/zerolog"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/capture"
	"github.com/pgrmw/pgrmw/internal/pgtest"
	"github.com/pgrmw/pgrmw/internal/scenario"
	"github.com/pgrmw/pgrmw/proxy"
	"github.com/pgrmw/pgrmw/rules"
	"github.com/pgrmw/pgrmw/serverlog"
)

var srv *pgtest.Server

// The server logs every statement in the documented stderr format, so the
// same server serves the capture test (through the proxy) and the server-log
// test (directly).
func TestMain(m *testing.M) {
	os.Exit(pgtest.Main(m, pgtest.Options{Conf: map[string]string{
		"log_statement":      "'all'",
		"log_line_prefix":    "'" + serverlog.RecommendedPrefix + "'",
		"log_connections":    "on",
		"log_disconnections": "on",
		"log_timezone":       "'UTC'",
	}}, &srv))
}

func scenarios(t *testing.T) []*scenario.Scenario {
	t.Helper()
	scs, err := scenario.LoadDir(filepath.Join("..", "testdata", "scenarios"))
	if err != nil {
		t.Fatal(err)
	}
	if len(scs) == 0 {
		t.Fatal("no scenarios")
	}
	return scs
}

func scenarioConfig(t *testing.T, sc *scenario.Scenario) analyzer.Config {
	t.Helper()
	if sc.Config == "" {
		return analyzer.DefaultConfig()
	}
	p := filepath.Join(t.TempDir(), "pgrmw.yaml")
	if err := os.WriteFile(p, []byte(sc.Config), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := analyzer.LoadConfig(p)
	if err != nil {
		t.Fatalf("scenario config: %v", err)
	}
	return cfg
}

var nonIdent = regexp.MustCompile(`[^a-z0-9_]+`)

func scenarioDB(t *testing.T, prefix string, sc *scenario.Scenario, proto scenario.Protocol) string {
	t.Helper()
	db := nonIdent.ReplaceAllString(strings.ToLower(prefix+"_"+sc.Name+"_"+string(proto)), "_")
	if len(db) > 60 {
		db = db[:60]
	}
	if err := srv.CreateDatabase(db); err != nil {
		t.Fatal(err)
	}
	if err := scenario.Setup(context.Background(), sc, srv.URL(db)); err != nil {
		t.Fatal(err)
	}
	return db
}

// liveAndCapture feeds the live analyzer and the capture writers under one
// lock, so they see the events in the same order (as the proxy's single
// analysis queue does in production).
type liveAndCapture struct {
	mu       sync.Mutex
	a        *analyzer.Analyzer
	captures []*capture.Writer
	findings []analyzer.Finding
	ended    int
}

func (o *liveAndCapture) Observe(ev *analyzer.Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.findings = append(o.findings, o.a.Feed(ev)...)
	for _, w := range o.captures {
		w.Observe(ev)
	}
	if ev.Kind == analyzer.EventSessionEnd {
		o.ended++
	}
}

// findingKey is what must agree between live and offline: rule, session,
// row, columns and every statement with its role, SQL and time.
func findingKey(f analyzer.Finding, withValues bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s app=%s table=%s cols=%v fp=%s", f.Rule, f.Session.ApplicationName, f.Table, f.Columns, f.Fingerprint)
	if withValues {
		if f.Key != nil {
			fmt.Fprintf(&b, " key=%s=%s", f.Key.Column, f.Key.Value)
		}
		for _, s := range f.Statements {
			fmt.Fprintf(&b, " | %s %q @%s", s.Role, s.SQL, s.Time.UTC().Format(time.RFC3339Nano))
		}
	}
	return b.String()
}

func keys(fs []analyzer.Finding, withValues bool) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, findingKey(f, withValues))
	}
	sort.Strings(out)
	return out
}

func diffKeys(t *testing.T, what string, live, offline []string) {
	t.Helper()
	if strings.Join(live, "\n") == strings.Join(offline, "\n") {
		return
	}
	t.Errorf("%s: findings differ\nlive (%d):\n  %s\noffline (%d):\n  %s", what,
		len(live), strings.Join(live, "\n  "), len(offline), strings.Join(offline, "\n  "))
}

// TestSameFindingsOfflineAsLive runs every scenario through the real proxy
// with captures (raw and hashed values) as additional observers, lints the
// captures and compares the findings one for one with the live analyzer's.
func TestSameFindingsOfflineAsLive(t *testing.T) {
	total := 0
	for _, sc := range scenarios(t) {
		for _, proto := range []scenario.Protocol{scenario.Extended, scenario.Simple} {
			if !sc.Supports(proto) {
				continue
			}
			t.Run(sc.Name+"/"+string(proto), func(t *testing.T) {
				total += offlineVsLive(t, sc, proto)
			})
		}
	}
	if total == 0 {
		t.Error("no scenario produced a finding: the comparison proved nothing")
	}
}

func offlineVsLive(t *testing.T, sc *scenario.Scenario, proto scenario.Protocol) int {
	ctx := context.Background()
	db := scenarioDB(t, "cap", sc, proto)
	cfg := scenarioConfig(t, sc)
	dir := t.TempDir()
	rawPath, hashPath := filepath.Join(dir, "raw.jsonl"), filepath.Join(dir, "hash.jsonl")
	raw, err := capture.Create(rawPath, capture.Options{Values: capture.ValuesRaw})
	if err != nil {
		t.Fatal(err)
	}
	hashed, err := capture.Create(hashPath, capture.Options{Values: capture.ValuesHash})
	if err != nil {
		t.Fatal(err)
	}
	obs := &liveAndCapture{a: analyzer.New(cfg, rules.All()), captures: []*capture.Writer{raw, hashed}}
	p, err := proxy.New(proxy.Config{Upstream: srv.URL(db), Observer: obs, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Serve(pctx, ln) }()
	url := fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", srv.User, ln.Addr(), db)
	res, err := scenario.Run(ctx, sc, scenario.Options{URL: url, Protocol: proto})
	if err != nil {
		cancel()
		<-done
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	defer wcancel()
	pgtest.WaitContext(wctx, 5*time.Millisecond, func() bool {
		obs.mu.Lock()
		defer obs.mu.Unlock()
		return obs.ended >= len(sc.Sessions)
	})
	cancel()
	<-done
	obs.mu.Lock()
	live := append(obs.findings, obs.a.Close()...)
	obs.mu.Unlock()
	for _, w := range obs.captures {
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// The live run itself must match the fixture, or the comparison is moot.
	for _, pr := range scenario.CheckFindings(sc, res, live) {
		t.Logf("live run vs fixture (not this test's concern, see rules tests): %s", pr)
	}

	if keep := os.Getenv("PGRMW_KEEP_CAPTURES"); keep != "" {
		data, _ := os.ReadFile(rawPath)
		os.WriteFile(filepath.Join(keep, db+".jsonl"), data, 0o644)
	}
	offline, err := Collect(ctx, []string{rawPath}, DefaultOptions(cfg))
	if err != nil {
		t.Fatal(err)
	}
	diffKeys(t, "raw capture", keys(live, true), keys(offline.Findings, true))
	for _, loc := range offline.Locations {
		if loc.Line < 2 {
			t.Errorf("finding without a capture line: %+v", loc)
		}
	}

	// Hashed values: the same rules fire on the same code paths for the
	// same sessions (values and literals differ by design), except the
	// findings that need to compute with the values read.
	hashedRes, err := Collect(ctx, []string{hashPath}, DefaultOptions(cfg))
	if err != nil {
		t.Fatal(err)
	}
	var comparable []analyzer.Finding
	for _, f := range live {
		if !needsValues(f) {
			comparable = append(comparable, f)
		}
	}
	diffKeys(t, "hashed capture", keys(comparable, false), keys(withoutValueFindings(hashedRes.Findings), false))
	return len(live)
}

// needsValues: RMW002 recognises "version set to the value read + 1" by
// doing the arithmetic, and RMW001 tells a version (advanced by one) from a
// compare-and-set of a column's own value the same way; a hashed capture
// hides the numbers.
func needsValues(f analyzer.Finding) bool {
	if f.Rule == "RMW002" {
		return true
	}
	if f.Rule != "RMW001" {
		return false
	}
	for _, st := range f.Statements {
		if st.Role == "write" && checksAColumnItSets(st.SQL) {
			return true
		}
	}
	return false
}

// checksAColumnItSets reports whether an UPDATE sets a column its WHERE
// clause also compares (= or IS NOT DISTINCT FROM).
func checksAColumnItSets(sql string) bool {
	tree, err := pg_query.Parse(sql)
	if err != nil || len(tree.Stmts) != 1 {
		return false
	}
	u := tree.Stmts[0].Stmt.GetUpdateStmt()
	if u == nil {
		return false
	}
	i := strings.LastIndex(strings.ToUpper(sql), "WHERE")
	if i < 0 {
		return false
	}
	where := sql[i:]
	for _, t := range u.TargetList {
		name := t.GetResTarget().GetName()
		if name != "" && regexp.MustCompile(`(?i)(^|[^A-Za-z0-9_])"?`+regexp.QuoteMeta(name)+`"?\s*(=|IS\s+NOT\s+DISTINCT\s+FROM)`).MatchString(where) {
			return true
		}
	}
	return false
}

func withoutValueFindings(fs []analyzer.Finding) []analyzer.Finding {
	var out []analyzer.Finding
	for _, f := range fs {
		if !needsValues(f) {
			out = append(out, f)
		}
	}
	return out
}

// beyondServerLogs are the scenarios whose outcome depends on what a server
// log does not record.
var beyondServerLogs = map[string]string{
	"013_startup_options_serializable":     "the isolation level comes from startup options, which the log does not show: a false RMW001",
	"025_version_advanced_not_checked":     "RMW002 compares the version written with the value read, and the log has no rows",
	"037_rails_identity_from_returned_row": "the row's identity comes from the id the SELECT returned, and the log has no rows",
}

// TestServerLogFindings runs every scenario directly against PostgreSQL with
// statement logging on, lints the server log and compares the findings with
// the scenario's expectations for the rules that can run without results.
func TestServerLogFindings(t *testing.T) {
	needsResults := map[string]bool{}
	for _, r := range rules.All() {
		if r.NeedsResults {
			needsResults[r.ID] = true
		}
	}
	checked := 0
	for _, sc := range scenarios(t) {
		for _, proto := range []scenario.Protocol{scenario.Extended, scenario.Simple} {
			if !sc.Supports(proto) {
				continue
			}
			t.Run(sc.Name+"/"+string(proto), func(t *testing.T) {
				ctx := context.Background()
				db := scenarioDB(t, "log", sc, proto)
				res, err := scenario.Run(ctx, sc, scenario.Options{URL: srv.URL(db), Protocol: proto})
				if err != nil {
					t.Fatal(err)
				}
				if problems := scenario.CheckSteps(sc, res); len(problems) > 0 {
					t.Fatalf("scenario did not run as written: %v", problems)
				}
				out, err := Collect(ctx, []string{srv.LogPath}, DefaultOptions(scenarioConfig(t, sc)))
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, f := range out.Findings {
					if f.Session.Database == db {
						got = append(got, f.Rule+" "+f.Session.ApplicationName)
					}
				}
				var want []string
				for _, st := range sc.Steps {
					for _, w := range st.Wants {
						if !needsResults[w.Rule] {
							want = append(want, w.Rule+" "+st.Session)
						}
					}
				}
				sort.Strings(got)
				sort.Strings(want)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					if reason, ok := beyondServerLogs[sc.Name]; ok {
						t.Logf("differs as expected (%s):\n  got %v\n  fixture %v", reason, got, want)
						return
					}
					t.Errorf("server log findings:\n  %s\nwant (rules that can run on a log):\n  %s",
						strings.Join(got, "\n  "), strings.Join(want, "\n  "))
				}
				checked += len(want)
			})
		}
	}
	if checked == 0 {
		t.Error("no scenario expects a finding a server log can show: the test proved nothing")
	}
}
