package rules

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/internal/pgtest"
	"github.com/pgrmw/pgrmw/internal/scenario"
	"github.com/pgrmw/pgrmw/proxy"
)

var srv *pgtest.Server

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, pgtest.Options{}, &srv)) }

// collector feeds the analyzer from the proxy and keeps the findings.
type collector struct {
	a        *analyzer.Analyzer
	mu       sync.Mutex
	findings []analyzer.Finding
	events   []*analyzer.Event
	ended    int
}

func (c *collector) Observe(ev *analyzer.Event) {
	if os.Getenv("PGRMW_TRACE") != "" {
		fmt.Fprintf(os.Stderr, "%s %s %-16s %q %s %c\n", ev.Time.Format("05.000000"), ev.Session, ev.Kind, ev.SQL, ev.Tag, ev.TxStatus)
	}
	fs := c.a.Feed(ev)
	c.mu.Lock()
	c.findings = append(c.findings, fs...)
	c.events = append(c.events, ev)
	if ev.Kind == analyzer.EventSessionEnd {
		c.ended++
	}
	c.mu.Unlock()
}

func scenarioConfig(t *testing.T, sc *scenario.Scenario) analyzer.Config {
	cfg := analyzer.DefaultConfig()
	if sc.Config == "" {
		return cfg
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

var dbName = regexp.MustCompile(`[^a-z0-9_]+`)

// TestScenarios runs every testdata/scenarios/*.sql through the real proxy
// against real PostgreSQL, with the extended and the simple protocol, and
// checks the findings against the "want" annotations.
func TestScenarios(t *testing.T) {
	scs, err := scenario.LoadDir(filepath.Join("..", "testdata", "scenarios"))
	if err != nil {
		t.Fatal(err)
	}
	if len(scs) == 0 {
		t.Fatal("no scenarios")
	}
	only := os.Getenv("PGRMW_SCENARIO")
	for _, sc := range scs {
		if only != "" && !strings.Contains(sc.Name, only) {
			continue
		}
		for _, proto := range []scenario.Protocol{scenario.Extended, scenario.Simple} {
			if !sc.Supports(proto) {
				continue
			}
			t.Run(sc.Name+"/"+string(proto), func(t *testing.T) {
				runScenario(t, sc, proto)
			})
		}
	}
}

func runScenario(t *testing.T, sc *scenario.Scenario, proto scenario.Protocol) {
	db := dbName.ReplaceAllString(strings.ToLower("s_"+sc.Name+"_"+string(proto)), "_")
	if err := srv.CreateDatabase(db); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := scenario.Setup(ctx, sc, srv.URL(db)); err != nil {
		t.Fatal(err)
	}
	col := &collector{a: analyzer.New(scenarioConfig(t, sc), All())}
	url := startProxy(t, db, col)
	res, err := scenario.Run(ctx, sc, scenario.Options{URL: url, Protocol: proto})
	if err != nil {
		t.Fatal(err)
	}
	col.waitEnded(t, len(sc.Sessions))
	col.mu.Lock()
	findings := append(col.findings, col.a.Close()...)
	col.mu.Unlock()
	problems := scenario.CheckSteps(sc, res)
	problems = append(problems, scenario.CheckFindings(sc, res, findings)...)
	for _, pr := range problems {
		t.Errorf("%s: %s", sc.Path, pr)
	}
	// Determinism: the same events fed again, in the order the analyzer
	// saw them, give the same findings (what offline lint relies on).
	replay := analyzer.New(scenarioConfig(t, sc), All())
	var again []analyzer.Finding
	for _, ev := range col.events {
		again = append(again, replay.Feed(ev)...)
	}
	again = append(again, replay.Close()...)
	if a, b := findingKeys(findings), findingKeys(again); a != b {
		t.Errorf("replay differs:\nlive:   %s\nreplay: %s", a, b)
	}
	if st := col.a.Stats(); st.Panics > 0 {
		t.Errorf("analyzer panics: %d (%s)", st.Panics, st.LastPanic)
	}
	if t.Failed() || testing.Verbose() {
		for _, f := range findings {
			t.Logf("finding %s [%s] %s | fix: %s", f.Rule, f.Session.ApplicationName, f.Message, f.Fix)
		}
	}
}

func findingKeys(fs []analyzer.Finding) string {
	var parts []string
	for _, f := range fs {
		k := ""
		if f.Key != nil {
			k = f.Key.Column + "=" + f.Key.Value
		}
		parts = append(parts, f.Rule+"@"+f.Session.ID+"/"+f.Table+"/"+k+"/"+f.Fingerprint)
	}
	return strings.Join(parts, " ")
}

// startProxy runs the real proxy in front of database db, feeding col, and
// returns the URL to connect through it.
func startProxy(t *testing.T, db string, col *collector) string {
	t.Helper()
	p, err := proxy.New(proxy.Config{Upstream: srv.URL(db), Observer: col, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", srv.User, ln.Addr(), db)
}

// waitEnded waits until the analyzer saw n sessions end.
func (c *collector) waitEnded(t *testing.T, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if !pgtest.WaitContext(ctx, 5*time.Millisecond, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.ended >= n
	}) {
		t.Errorf("analyzer saw %d of %d sessions end", c.ended, n)
	}
}
