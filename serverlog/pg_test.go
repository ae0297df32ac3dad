package serverlog

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/internal/pgtest"
)

var update = flag.Bool("update", false, "copy the generated server logs to testdata/serverlogs")

var srv *pgtest.Server

// Settings documents and tests the postgresql.conf lines of the package doc.
var Settings = map[string]string{
	"log_statement":      "'all'",
	"log_line_prefix":    "'" + RecommendedPrefix + "'",
	"log_connections":    "on",
	"log_disconnections": "on",
	"log_timezone":       "'UTC'",
	// One server writes all three formats at once.
	"logging_collector": "on",
	"log_destination":   "'stderr,csvlog,jsonlog'",
	"log_directory":     "'log'",
	"log_filename":      "'pg'",
}

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(pgtest.Main(m, pgtest.Options{Conf: Settings}, &srv))
}

// generateTraffic runs both protocols against the server: an extended-protocol
// session (pgx's default: named prepared statements) and a simple-protocol
// one, with a transaction, a multi-line statement and an error.
func generateTraffic(t *testing.T, db string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := srv.Psql(db, "CREATE TABLE users (id int PRIMARY KEY, name text, balance int)"); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Psql(db, "INSERT INTO users VALUES (42, 'Ann', 100)"); err != nil {
		t.Fatal(err)
	}
	connect := func(app string, simple bool) *pgx.Conn {
		cfg, err := pgx.ParseConfig(srv.URL(db))
		if err != nil {
			t.Fatal(err)
		}
		cfg.RuntimeParams["application_name"] = app
		if simple {
			cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
		}
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	order := connect("order", false)
	referral := connect("referral service", true)

	var bal int
	if err := order.QueryRow(ctx, "SELECT balance FROM users WHERE id = $1", 42).Scan(&bal); err != nil {
		t.Fatal(err)
	}
	if err := referral.QueryRow(ctx, "SELECT balance\n  FROM users\n WHERE id = $1", 42).Scan(&bal); err != nil {
		t.Fatal(err)
	}
	if _, err := order.Exec(ctx, "UPDATE users SET balance = $1, name = $2 WHERE id = $3", 250, "O'Brien", 42); err != nil {
		t.Fatal(err)
	}
	tx, err := referral.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "UPDATE users SET balance = $1 WHERE id = $2", 500, 42); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO users VALUES ($1, $2, $3)", 42, nil, 1); err == nil {
		t.Fatal("duplicate insert succeeded")
	}
	tx.Rollback(ctx)
	// Same named statement again: no second Parse.
	if err := order.QueryRow(ctx, "SELECT balance FROM users WHERE id = $1", 42).Scan(&bal); err != nil {
		t.Fatal(err)
	}
	order.Close(ctx)
	referral.Close(ctx)

	// The logging collector writes asynchronously: wait until every file
	// has both pgx sessions' disconnection lines.
	dir := filepath.Join(srv.DataDir, "log")
	ok := pgtest.WaitContext(contextWithTimeout(t, 10*time.Second), 50*time.Millisecond, func() bool {
		for _, f := range []string{"pg", "pg.csv", "pg.json"} {
			b, _ := os.ReadFile(filepath.Join(dir, f))
			seen := map[string]bool{}
			for _, l := range strings.Split(string(b), "\n") {
				if strings.Contains(l, "disconnection: ") && strings.Contains(l, "database="+db) {
					for _, app := range []string{"order", "referral service"} {
						if strings.Contains(l, app) {
							seen[app] = true
						}
					}
				}
			}
			if len(seen) < 2 {
				return false
			}
		}
		return true
	})
	if !ok {
		t.Fatal("server logs did not show the disconnections")
	}
	return dir
}

func contextWithTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func readEvents(t *testing.T, path string) ([]*analyzer.Event, Format) {
	t.Helper()
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []*analyzer.Event
	for {
		ev, err := r.Next()
		if err == io.EOF {
			return out, r.Format()
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
}

func describe(evs []*analyzer.Event) string {
	var b strings.Builder
	for _, ev := range evs {
		fmt.Fprintf(&b, "%s %s", ev.Session, ev.Kind)
		if ev.Startup != nil {
			fmt.Fprintf(&b, " user=%s db=%s app=%q", ev.Startup["user"], ev.Startup["database"], ev.Startup["application_name"])
		}
		if ev.SQL != "" {
			fmt.Fprintf(&b, " %q", ev.SQL)
		}
		if ev.Statement != "" {
			fmt.Fprintf(&b, " stmt=%s", ev.Statement)
		}
		if ev.Params != nil {
			fmt.Fprintf(&b, " params=%q", ev.Params)
		}
		if ev.TxStatus != 0 {
			fmt.Fprintf(&b, " tx=%c", ev.TxStatus)
		}
		if ev.Kind == analyzer.EventError {
			fmt.Fprintf(&b, " %s %s %q", ev.Severity, ev.SQLState, ev.Message)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func describeBySession(evs []*analyzer.Event) string {
	by := map[string][]*analyzer.Event{}
	var order []string
	for _, ev := range evs {
		if by[ev.Session] == nil {
			order = append(order, ev.Session)
		}
		by[ev.Session] = append(by[ev.Session], ev)
	}
	sort.Strings(order)
	var b strings.Builder
	for _, s := range order {
		b.WriteString(describe(by[s]))
	}
	return b.String()
}

func TestRealServerLogsInAllThreeFormats(t *testing.T) {
	const db = "serverlog_formats"
	if err := srv.CreateDatabase(db); err != nil {
		t.Fatal(err)
	}
	dir := generateTraffic(t, db)
	if *update {
		names := map[string]string{"pg": "pgx-stderr.log", "pg.csv": "pgx-csvlog.csv", "pg.json": "pgx-jsonlog.json"}
		for f, name := range names {
			b, _ := os.ReadFile(filepath.Join(dir, f))
			// No paths of the machine that generated them in committed files.
			b = []byte(strings.ReplaceAll(string(b), srv.Dir, "PGTEST_DIR"))
			if err := os.WriteFile(filepath.Join("..", "testdata", "serverlogs", name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	stderrEvs, f1 := readEvents(t, filepath.Join(dir, "pg"))
	csvEvs, f2 := readEvents(t, filepath.Join(dir, "pg.csv"))
	jsonEvs, f3 := readEvents(t, filepath.Join(dir, "pg.json"))
	if f1 != FormatStderr || f2 != FormatCSV || f3 != FormatJSON {
		t.Fatalf("formats detected: %v %v %v", f1, f2, f3)
	}
	// Each destination is written separately, so lines of two backends may
	// interleave differently; each session's own sequence must be the same.
	want := describeBySession(stderrEvs)
	if got := describeBySession(csvEvs); got != want {
		t.Errorf("csvlog events differ from stderr:\n%s\nstderr:\n%s", got, want)
	}
	if got := describeBySession(jsonEvs); got != want {
		t.Errorf("jsonlog events differ from stderr:\n%s\nstderr:\n%s", got, want)
	}
	// jsonlog carries the vxid, so a held-back Sync may come later in the
	// stream than in the stderr log: compare the times, not their order.
	if a, b := sortedTimes(stderrEvs), sortedTimes(jsonEvs); a != b {
		t.Errorf("times differ between stderr and jsonlog")
	}

	// Only this test's database.
	var mine []*analyzer.Event
	sessions := map[string]bool{}
	for _, ev := range stderrEvs {
		if ev.Kind == analyzer.EventSessionStart && ev.Startup["database"] == db {
			sessions[ev.Session] = true
		}
		if sessions[ev.Session] {
			mine = append(mine, ev)
		}
	}
	text := describe(mine)
	for _, want := range []string{
		`session_start user=postgres db=serverlog_formats app="order"`,
		`session_start user=postgres db=serverlog_formats app="referral service"`,
		`parse "SELECT balance FROM users WHERE id = $1" stmt=stmtcache_`,
		`params=["42"]`,
		`params=["250" "O'Brien" "42"]`,
		"query \"SELECT balance\\n  FROM users\\n WHERE id = ",
		`query "begin"`,
		`error ERROR 23505 "duplicate key value violates unique constraint \"users_pkey\""`,
		`query "rollback"`,
		`session_end`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("events lack %s", want)
		}
	}
	if n := strings.Count(text, `parse "SELECT balance FROM users WHERE id = $1"`); n != 1 {
		t.Errorf("%d Parse events for the repeated named statement, want 1", n)
	}
	if t.Failed() {
		t.Logf("this database's events:\n%s", text)
	}
}

// A session logging with log_min_duration_statement = 0 (and log_statement
// off) gives the same statements, from its "duration:" lines.
func TestRealServerDurationLines(t *testing.T) {
	const db = "serverlog_durations"
	if err := srv.CreateDatabase(db); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Psql(db, "CREATE TABLE users (id int PRIMARY KEY, balance int); INSERT INTO users VALUES (42, 100)"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(srv.URL(db))
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["application_name"] = "durations"
	cfg.RuntimeParams["log_statement"] = "none"
	cfg.RuntimeParams["log_min_duration_statement"] = "0"
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var bal int
	if err := c.QueryRow(ctx, "SELECT balance FROM users WHERE id = $1", 42).Scan(&bal); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "UPDATE users SET balance = 250 WHERE id = 42", pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatal(err)
	}
	c.Close(ctx)
	path := filepath.Join(srv.DataDir, "log", "pg.json")
	if !pgtest.WaitContext(contextWithTimeout(t, 10*time.Second), 50*time.Millisecond, func() bool {
		b, _ := os.ReadFile(path)
		// The database name also says "durations": wait for this
		// session's own disconnection line.
		for _, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, `"disconnection: `) && strings.Contains(l, `"application_name":"durations"`) {
				return true
			}
		}
		return false
	}) {
		t.Fatal("no disconnection logged")
	}
	evs, _ := readEvents(t, path)
	var text []string
	sessions := map[string]bool{}
	for _, ev := range evs {
		if ev.Kind == analyzer.EventSessionStart && ev.Startup["application_name"] == "durations" {
			sessions[ev.Session] = true
		}
		if sessions[ev.Session] {
			text = append(text, describe([]*analyzer.Event{ev}))
		}
	}
	got := strings.Join(text, "")
	for _, want := range []string{
		`parse "SELECT balance FROM users WHERE id = $1"`,
		`params=["42"]`,
		`query "UPDATE users SET balance = 250 WHERE id = 42"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("events lack %s:\n%s", want, got)
		}
	}
	if n := strings.Count(got, " parse "); n != 1 {
		t.Errorf("%d Parse events, want 1:\n%s", n, got)
	}
}

func sortedTimes(evs []*analyzer.Event) string {
	ts := make([]string, len(evs))
	for i, ev := range evs {
		ts[i] = ev.Time.UTC().Format(time.RFC3339Nano)
	}
	sort.Strings(ts)
	return strings.Join(ts, ",")
}
