package livehttp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pgrmw/pgrmw/analyzer"
)

// fakeCounters stand in for the proxy's and analyzer's atomics.
type fakeCounters struct {
	open, total, events, dropped, blocked atomic.Int64
	analyzed, parsed, hits, misses        atomic.Uint64
	unhealthy                             atomic.Bool
}

func (f *fakeCounters) sources() Sources {
	return Sources{
		Proxy: func() ProxyStats {
			return ProxyStats{
				SessionsOpen: f.open.Load(), SessionsTotal: f.total.Load(), EventsEmitted: f.events.Load(),
				EventsDropped: f.dropped.Load(), WritesBlocked: f.blocked.Load(),
				BytesFromClients: 100, BytesFromServers: 2000,
			}
		},
		Analyzer: func() AnalyzerStats {
			return AnalyzerStats{EventsAnalyzed: f.analyzed.Load(), StatementsParsed: f.parsed.Load(), StatementCacheHits: f.hits.Load(), StatementCacheMisses: f.misses.Load()}
		},
		Healthy: func() error {
			if f.unhealthy.Load() {
				return errors.New("upstream unreachable")
			}
			return nil
		},
	}
}

func startServer(t *testing.T, f *fakeCounters) (*Server, string) {
	t.Helper()
	s := New(Options{
		Addr:    "127.0.0.1:0",
		Sources: f.sources(),
		Rules:   []KnownRule{{ID: "RMW001", Severity: analyzer.SeverityWarning}, {ID: "RMW006", Severity: analyzer.SeverityError}},
		Logger:  zerolog.Nop(),
	})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	return s, "http://" + s.Addr().String()
}

func get(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(body)
}

// scrape returns every sample of /metrics as "name{labels}" → value, after
// checking that every series is prefixed pgrmw_.
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	code, hdr, body := get(t, base+"/metrics")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", code, hdr.Get("Content-Type"))
	}
	samples := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		name, val := line[:i], line[i+1:]
		if !strings.HasPrefix(name, "pgrmw_") {
			t.Errorf("series %q is not prefixed pgrmw_", name)
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			t.Fatalf("bad sample %q: %v", line, err)
		}
		samples[name] = v
	}
	return samples
}

func TestMetricsSeriesAndValues(t *testing.T) {
	f := &fakeCounters{}
	s, base := startServer(t, f)

	m := scrape(t, base)
	for _, name := range []string{
		"pgrmw_sessions_open", "pgrmw_sessions_total", "pgrmw_events_total", "pgrmw_events_dropped_total",
		"pgrmw_writes_blocked_total", "pgrmw_events_analyzed_total", "pgrmw_statements_parsed_total",
		"pgrmw_statement_cache_hits_total", "pgrmw_statement_cache_misses_total", "pgrmw_statement_cache_hit_ratio", "pgrmw_statements_total", "pgrmw_statement_parse_errors_total",
		`pgrmw_findings_total{rule="RMW001",severity="warning"}`, // pre-created at zero
		`pgrmw_findings_total{rule="RMW006",severity="error"}`,
		"pgrmw_analysis_latency_seconds_count", `pgrmw_analysis_latency_seconds_bucket{le="+Inf"}`,
		"pgrmw_go_goroutines", "pgrmw_finding_groups",
	} {
		if v, ok := m[name]; !ok {
			t.Errorf("missing series %s", name)
		} else if v != 0 && !strings.HasPrefix(name, "pgrmw_go_") {
			t.Errorf("%s = %v before any traffic, want 0", name, v)
		}
	}

	// Traffic arrives.
	f.open.Store(3)
	f.total.Store(10)
	f.events.Store(5000)
	f.dropped.Store(7)
	f.blocked.Store(2)
	f.analyzed.Store(4993)
	f.parsed.Store(25)
	f.hits.Store(75)
	f.misses.Store(25)
	for range 2 {
		s.RecordFinding(analyzer.Finding{Rule: "RMW001", Severity: analyzer.SeverityWarning, Fingerprint: "a"})
	}
	s.RecordFinding(analyzer.Finding{Rule: "RMW004", Severity: analyzer.SeverityInfo, Fingerprint: "b"})
	s.ObserveAnalysisLatency(30 * time.Microsecond)
	s.ObserveAnalysisLatency(2 * time.Millisecond)

	m = scrape(t, base)
	for name, want := range map[string]float64{
		"pgrmw_sessions_open":                                    3,
		"pgrmw_sessions_total":                                   10,
		"pgrmw_events_total":                                     5000,
		"pgrmw_events_dropped_total":                             7,
		"pgrmw_writes_blocked_total":                             2,
		"pgrmw_events_analyzed_total":                            4993,
		"pgrmw_statements_parsed_total":                          25,
		"pgrmw_statement_cache_hit_ratio":                        0.75,
		`pgrmw_findings_total{rule="RMW001",severity="warning"}`: 2,
		`pgrmw_findings_total{rule="RMW004",severity="info"}`:    1,
		`pgrmw_findings_total{rule="RMW006",severity="error"}`:   0,
		"pgrmw_finding_groups":                                   2,
		"pgrmw_analysis_latency_seconds_count":                   2,
		`pgrmw_analysis_latency_seconds_bucket{le="4e-05"}`:      1,
		`pgrmw_analysis_latency_seconds_bucket{le="+Inf"}`:       2,
	} {
		if got, ok := m[name]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", name, got, ok, want)
		}
	}
}

func TestHealthz(t *testing.T) {
	f := &fakeCounters{}
	_, base := startServer(t, f)
	if code, _, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	f.unhealthy.Store(true)
	if code, _, body := get(t, base+"/healthz"); code != 503 || !strings.Contains(body, "upstream unreachable") {
		t.Errorf("/healthz when unhealthy = %d %q", code, body)
	}
}

func TestLiveReport(t *testing.T) {
	f := &fakeCounters{}
	s, base := startServer(t, f)

	code, hdr, page := get(t, base+"/")
	if code != 200 || hdr.Get("Content-Type") != "text/html; charset=utf-8" || !strings.Contains(page, "No findings.") {
		t.Fatalf("/ before findings: %d %s", code, hdr.Get("Content-Type"))
	}
	if hdr.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no nosniff header")
	}
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for i := range 3 {
		s.RecordFinding(analyzer.Finding{
			Rule: "RMW001", Name: "unguarded-read-modify-write", Severity: analyzer.SeverityWarning,
			Message: "read then wrote users.balance", Table: "users", Fingerprint: "fp1",
			Session: analyzer.SessionInfo{ID: fmt.Sprint(i), ApplicationName: "<b>order</b>"},
			Statements: []analyzer.StatementRef{
				{Role: "read", SQL: "SELECT balance FROM users WHERE id = 42", Time: at},
				{Role: "write", SQL: "UPDATE users SET balance = 250 WHERE id = 42", Time: at.Add(time.Millisecond)},
			},
			Time: at.Add(time.Duration(i) * time.Second),
		})
	}
	_, _, page = get(t, base+"/")
	for _, want := range []string{`data-fingerprint="fp1"`, `data-count="3"`, "&lt;b&gt;order&lt;/b&gt;", "live since"} {
		if !strings.Contains(page, want) {
			t.Errorf("/ missing %q", want)
		}
	}
	_, hdr, md := get(t, base+"/report.md")
	if !strings.HasPrefix(hdr.Get("Content-Type"), "text/markdown") || !strings.Contains(md, "`RMW001` unguarded-read-modify-write on `users` — 3×") {
		t.Errorf("/report.md:\n%s", md)
	}
	if code, _, _ := get(t, base+"/nope"); code != 404 {
		t.Errorf("/nope = %d, want 404", code)
	}
}

func TestReportGroupsBounded(t *testing.T) {
	s := New(Options{MaxGroups: 3, Logger: zerolog.Nop()})
	for i := range 10 {
		s.RecordFinding(analyzer.Finding{Rule: "RMW001", Severity: analyzer.SeverityWarning, Fingerprint: fmt.Sprint(i)})
	}
	s.RecordFinding(analyzer.Finding{Rule: "RMW001", Severity: analyzer.SeverityWarning, Fingerprint: "0"})
	groups := s.groupsSnapshot()
	if len(groups) != 3 || groups[0].Count != 2 {
		t.Errorf("groups = %d (first ×%d), want 3 with the known one still counting", len(groups), groups[0].Count)
	}
	if !strings.Contains(s.reportOptions().Source, "7 findings of further problems not listed") {
		t.Errorf("source = %q", s.reportOptions().Source)
	}
}

func TestConcurrentRecordAndScrape(t *testing.T) {
	f := &fakeCounters{}
	s, base := startServer(t, f)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				s.RecordFinding(analyzer.Finding{Rule: "RMW001", Severity: analyzer.SeverityWarning, Fingerprint: fmt.Sprint(w*1000 + i%50)})
				s.ObserveAnalysisLatency(time.Duration(i) * time.Microsecond)
			}
		}()
	}
	for range 5 {
		get(t, base+"/")
		scrape(t, base)
	}
	wg.Wait()
	if m := scrape(t, base); m[`pgrmw_findings_total{rule="RMW001",severity="warning"}`] != 2000 {
		t.Errorf("findings counted %v, want 2000", m[`pgrmw_findings_total{rule="RMW001",severity="warning"}`])
	}
}

func TestStartReportsListenError(t *testing.T) {
	s, _ := startServer(t, &fakeCounters{})
	other := New(Options{Addr: s.Addr().String(), Logger: zerolog.Nop()})
	if err := other.Start(); err == nil {
		t.Error("second server on a taken port started")
	}
}
