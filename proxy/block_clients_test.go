package proxy_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/lib/pq"
	"github.com/rs/zerolog"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/internal/pipeline"
	"github.com/pgrmw/pgrmw/proxy"
	"github.com/pgrmw/pgrmw/rules"
)

// Block mode end to end: real clients, the proxy with the block pipeline,
// the real analyzer and rules, real PostgreSQL.
//
// The unsafe write in every test is the canonical RMW001: read a balance,
// write back a value computed by the client.

const (
	readSQL   = "SELECT balance FROM accounts WHERE id = $1"
	unsafeSQL = "UPDATE accounts SET balance = $1 WHERE id = $2"
	safeSQL   = "UPDATE accounts SET balance = balance + $1 WHERE id = $2"
	blockDB   = "blockmode"
)

var blockDBOnce sync.Once

// blockEnv is one proxy in block mode for one test.
type blockEnv struct {
	t        *testing.T
	url      string // through the proxy
	direct   string // straight to PostgreSQL
	block    *pipeline.Block
	findings *findingLog
	events   *eventLog
}

type findingLog struct {
	mu sync.Mutex
	fs []analyzer.Finding
}

func (l *findingLog) Record(fs []analyzer.Finding) {
	l.mu.Lock()
	l.fs = append(l.fs, fs...)
	l.mu.Unlock()
}

func (l *findingLog) all() []analyzer.Finding {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]analyzer.Finding(nil), l.fs...)
}

type eventLog struct {
	mu  sync.Mutex
	evs []analyzer.Event
}

func (l *eventLog) Observe(ev *analyzer.Event) {
	l.mu.Lock()
	l.evs = append(l.evs, *ev)
	l.mu.Unlock()
}

func (l *eventLog) all() []analyzer.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]analyzer.Event(nil), l.evs...)
}

// startBlock resets the accounts table (1: 100, 2: 200) and serves a proxy
// whose Observer and Gate are a block pipeline over cfg and rs.
func startBlock(t *testing.T, cfg analyzer.Config, rs []*analyzer.Rule) *blockEnv {
	t.Helper()
	srv := proxy.BlockTestServer()
	blockDBOnce.Do(func() {
		if err := srv.CreateDatabase(blockDB); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Psql(blockDB, "CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)"); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := srv.Psql(blockDB, "TRUNCATE accounts; INSERT INTO accounts VALUES (1, 100), (2, 200)"); err != nil {
		t.Fatal(err)
	}
	log := zerolog.Nop()
	if os.Getenv("PGRMW_TEST_LOG") != "" {
		log = zerolog.New(zerolog.NewTestWriter(t))
	}
	env := &blockEnv{t: t, direct: srv.URL(blockDB), findings: &findingLog{}, events: &eventLog{}}
	env.block = pipeline.NewBlock(cfg, rs, env.findings, log)
	addr := proxy.StartBlockTestProxy(t, proxy.Config{
		Observer: pipeline.Fanout{env.block, env.events},
		Gate:     env.block,
	})
	env.url = fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable&application_name=blocktest", srv.User, addr, blockDB)
	return env
}

func blockAll(t *testing.T) *blockEnv {
	cfg := analyzer.DefaultConfig()
	pipeline.UseBlockMode(&cfg)
	return startBlock(t, cfg, rules.All())
}

// balances reads the table directly, not through the proxy.
func (e *blockEnv) balances() string {
	e.t.Helper()
	out, err := proxy.BlockTestServer().Psql(blockDB, "SELECT string_agg(id || ':' || balance, ' ' ORDER BY id) FROM accounts")
	if err != nil {
		e.t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

func (e *blockEnv) wantBalances(want string) {
	e.t.Helper()
	if got := e.balances(); got != want {
		e.t.Fatalf("balances %q, want %q", got, want)
	}
}

// refusal is the client-visible error, whichever driver reported it.
type refusal struct{ code, message, detail, hint, where string }

func refusalOf(t *testing.T, err error) refusal {
	t.Helper()
	var pe *pgconn.PgError
	var qe *pq.Error
	switch {
	case errors.As(err, &pe):
		return refusal{pe.Code, pe.Message, pe.Detail, pe.Hint, pe.Where}
	case errors.As(err, &qe):
		return refusal{string(qe.Code), qe.Message, qe.Detail, qe.Hint, qe.Where}
	}
	t.Fatalf("want a PostgreSQL error, got %v", err)
	return refusal{}
}

// wantRefused checks the error of a write blocked for RMW001.
func wantRefused(t *testing.T, err error) {
	t.Helper()
	r := refusalOf(t, err)
	if r.code != "LU001" {
		t.Fatalf("SQLSTATE %s, want LU001 (%+v)", r.code, r)
	}
	if !strings.HasPrefix(r.message, "pgrmw blocked this write (RMW001 unguarded-read-modify-write): accounts.balance") {
		t.Fatalf("message %q", r.message)
	}
	if !strings.Contains(r.detail, "Earlier read") || !strings.Contains(r.detail, "SELECT balance FROM accounts") {
		t.Fatalf("detail %q", r.detail)
	}
	if !strings.Contains(r.hint, "balance = balance +") && !strings.Contains(r.hint, "FOR UPDATE") {
		t.Fatalf("hint %q gives no fix", r.hint)
	}
	if r.where != "" {
		t.Fatalf("PL/pgSQL CONTEXT leaked: %q", r.where)
	}
}

func ctx10(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func connectPgx(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx10(t), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// pgxWorks checks the connection is usable: a query, then a batch (pgx
// pipelines it).
func pgxWorks(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	ctx := ctx10(t)
	var one int
	if err := conn.QueryRow(ctx, "SELECT $1::int", 1).Scan(&one); err != nil || one != 1 {
		t.Fatalf("query after refusal: %v", err)
	}
	b := &pgx.Batch{}
	b.Queue("SELECT 1")
	b.Queue("SELECT $1::text", "two")
	b.Queue("SELECT count(*) FROM accounts")
	br := conn.SendBatch(ctx, b)
	var n1 int
	var s2 string
	var n3 int64
	if err := br.QueryRow().Scan(&n1); err != nil {
		t.Fatalf("batch after refusal: %v", err)
	}
	if err := br.QueryRow().Scan(&s2); err != nil || s2 != "two" {
		t.Fatalf("batch after refusal: %v %q", err, s2)
	}
	if err := br.QueryRow().Scan(&n3); err != nil || n3 != 2 {
		t.Fatalf("batch after refusal: %v %d", err, n3)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
	if st := conn.PgConn().TxStatus(); st != 'I' {
		t.Fatalf("tx status %c after batch", st)
	}
}

func TestBlockPgx(t *testing.T) {
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Run("autocommit", func(t *testing.T) {
				env := blockAll(t)
				conn := connectPgx(t, env.url)
				ctx := ctx10(t)
				var bal int
				if err := conn.QueryRow(ctx, readSQL, mode, 1).Scan(&bal); err != nil {
					t.Fatal(err)
				}
				_, err := conn.Exec(ctx, unsafeSQL, mode, bal+50, 1)
				wantRefused(t, err)
				if st := conn.PgConn().TxStatus(); st != 'I' {
					t.Fatalf("tx status %c, want I", st)
				}
				env.wantBalances("1:100 2:200")
				pgxWorks(t, conn)
				// The fix the hint proposes goes through.
				if _, err := conn.Exec(ctx, safeSQL, mode, 50, 1); err != nil {
					t.Fatal(err)
				}
				env.wantBalances("1:150 2:200")
				if n := env.block.Blocked(); n != 1 {
					t.Fatalf("Blocked() = %d, want 1", n)
				}
			})
			t.Run("transaction", func(t *testing.T) {
				env := blockAll(t)
				conn := connectPgx(t, env.url)
				ctx := ctx10(t)
				tx, err := conn.Begin(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := tx.Exec(ctx, safeSQL, mode, 1, 2); err != nil {
					t.Fatal(err)
				}
				var bal int
				if err := tx.QueryRow(ctx, readSQL, mode, 1).Scan(&bal); err != nil {
					t.Fatal(err)
				}
				_, err = tx.Exec(ctx, unsafeSQL, mode, bal+50, 1)
				wantRefused(t, err)
				if st := conn.PgConn().TxStatus(); st != 'E' {
					t.Fatalf("tx status %c, want E", st)
				}
				if err := tx.Commit(ctx); !errors.Is(err, pgx.ErrTxCommitRollback) {
					t.Fatalf("COMMIT after refusal: %v, want ROLLBACK", err)
				}
				env.wantBalances("1:100 2:200")
				pgxWorks(t, conn)
			})
		})
	}
}

func TestBlockSimpleProtocolMultiStatementRefusedWhole(t *testing.T) {
	env := blockAll(t)
	conn := connectPgx(t, env.url)
	ctx := ctx10(t)
	if _, err := conn.Exec(ctx, "SELECT balance FROM accounts WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	_, err := conn.PgConn().Exec(ctx, "UPDATE accounts SET balance = balance + 1 WHERE id = 2; UPDATE accounts SET balance = 150 WHERE id = 1; SELECT 1").ReadAll()
	wantRefused(t, err)
	env.wantBalances("1:100 2:200")
	pgxWorks(t, conn)
}

func TestBlockPgxBatchAndPipeline(t *testing.T) {
	env := blockAll(t)
	conn := connectPgx(t, env.url)
	ctx := ctx10(t)
	var bal int
	if err := conn.QueryRow(ctx, readSQL, 1).Scan(&bal); err != nil {
		t.Fatal(err)
	}

	// A batch is one implicit transaction: the refusal rolls back the write
	// before it and skips the statements after it, as a server error would.
	b := &pgx.Batch{}
	b.Queue(safeSQL, 1, 2)
	b.Queue(unsafeSQL, bal+50, 1)
	b.Queue("SELECT 3")
	br := conn.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		t.Fatalf("first batch statement: %v", err)
	}
	_, err := br.Exec()
	wantRefused(t, err)
	if _, err := br.Exec(); err == nil {
		t.Fatal("statement after the refusal ran")
	}
	br.Close()
	env.wantBalances("1:100 2:200")
	pgxWorks(t, conn)

	// Pipeline mode with a Sync after each statement: only the refused
	// segment fails.
	pl := conn.PgConn().StartPipeline(ctx)
	pl.SendQueryParams(safeSQL, [][]byte{[]byte("1"), []byte("2")}, nil, nil, nil)
	pl.SendPipelineSync()
	pl.SendQueryParams(unsafeSQL, [][]byte{[]byte("999"), []byte("1")}, nil, nil, nil)
	pl.SendPipelineSync()
	pl.SendQueryParams("SELECT balance FROM accounts WHERE id = 2", nil, nil, nil, nil)
	pl.SendPipelineSync()
	if err := pl.Flush(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := 0; i < 6; i++ {
		res, err := pl.GetResults()
		if err != nil {
			wantRefused(t, err)
			got = append(got, "refused")
			continue
		}
		switch r := res.(type) {
		case *pgconn.ResultReader:
			rr := r.Read()
			if rr.Err != nil {
				wantRefused(t, rr.Err)
				got = append(got, "refused")
			} else if len(rr.Rows) > 0 {
				got = append(got, string(rr.Rows[0][0]))
			} else {
				got = append(got, rr.CommandTag.String())
			}
		case *pgconn.PipelineSync:
			got = append(got, "sync")
		}
	}
	if err := pl.Close(); err != nil {
		t.Fatal(err)
	}
	if g := strings.Join(got, " "); g != "UPDATE 1 sync refused sync 201 sync" {
		t.Fatalf("pipeline results %q", g)
	}
	env.wantBalances("1:100 2:201")
	pgxWorks(t, conn)
}

func TestBlockDatabaseSQL(t *testing.T) {
	for _, driver := range []string{"postgres", "pgx"} {
		name := map[string]string{"postgres": "lib-pq", "pgx": "pgx-stdlib"}[driver]
		t.Run(name, func(t *testing.T) {
			env := blockAll(t)
			db, err := sql.Open(driver, env.url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1) // one connection: the same session throughout
			ctx := ctx10(t)
			var pid, bal int
			if err := db.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
				t.Fatal(err)
			}
			samePID := func() {
				t.Helper()
				var p int
				if err := db.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&p); err != nil {
					t.Fatalf("query after refusal: %v", err)
				}
				if p != pid {
					t.Fatalf("the driver replaced the connection (pid %d, was %d)", p, pid)
				}
			}

			if err := db.QueryRowContext(ctx, readSQL, 1).Scan(&bal); err != nil {
				t.Fatal(err)
			}
			_, err = db.ExecContext(ctx, unsafeSQL, bal+50, 1)
			wantRefused(t, err)
			env.wantBalances("1:100 2:200")
			samePID()

			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, safeSQL, 1, 2); err != nil {
				t.Fatal(err)
			}
			if err := tx.QueryRowContext(ctx, readSQL, 1).Scan(&bal); err != nil {
				t.Fatal(err)
			}
			_, err = tx.ExecContext(ctx, unsafeSQL, bal+50, 1)
			wantRefused(t, err)
			if _, err := tx.ExecContext(ctx, "SELECT 1"); refusalOf(t, err).code != "25P02" {
				t.Fatalf("statement in the failed transaction: %v, want 25P02", err)
			}
			if err := tx.Commit(); err == nil {
				t.Fatal("COMMIT of the failed transaction succeeded")
			}
			env.wantBalances("1:100 2:200")
			samePID()
			if _, err := db.ExecContext(ctx, safeSQL, 50, 1); err != nil {
				t.Fatal(err)
			}
			env.wantBalances("1:150 2:200")
		})
	}
}

func TestBlockPsql(t *testing.T) {
	env := blockAll(t)
	psql := filepath.Join(proxy.BlockTestServer().BinDir, "psql")
	script := filepath.Join(t.TempDir(), "refused.sql")
	err := os.WriteFile(script, []byte(`\set VERBOSITY verbose
BEGIN;
UPDATE accounts SET balance = balance + 1 WHERE id = 2;
SELECT balance FROM accounts WHERE id = 1;
UPDATE accounts SET balance = 150 WHERE id = 1;
\echo status :SQLSTATE
SELECT 'in failed tx';
COMMIT;
SELECT 'after', balance FROM accounts WHERE id = 1;
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(psql, append([]string{"-X", "-d", env.url, "-v", "ON_ERROR_STOP=0"}, args...)...)
		out, _ := cmd.CombinedOutput() // psql exits non-zero after errors
		return string(out)
	}

	out := run("-f", script)
	t.Logf("psql -f:\n%s", out)
	for _, want := range []string{
		"ERROR:  LU001: pgrmw blocked this write (RMW001 unguarded-read-modify-write): accounts.balance",
		"DETAIL:  Earlier read",
		"HINT:  ",
		"status LU001",
		"ERROR:  25P02: current transaction is aborted",
		"\nROLLBACK\n",
		"after    |     100",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("psql output lacks %q", want)
		}
	}
	if strings.Contains(out, "CONTEXT:") || strings.Contains(out, "PL/pgSQL") || strings.Contains(out, "pl_exec.c") {
		t.Error("psql shows the DO block's CONTEXT or LOCATION")
	}
	env.wantBalances("1:100 2:200")

	// One -c per statement: each is its own Query message.
	out = run("-c", "SELECT balance FROM accounts WHERE id = 1", "-c", "UPDATE accounts SET balance = 150 WHERE id = 1",
		"-c", "SELECT 'next ok'")
	t.Logf("psql -c:\n%s", out)
	if !strings.Contains(out, "ERROR:  pgrmw blocked this write (RMW001") || !strings.Contains(out, "next ok") {
		t.Errorf("psql -c output unexpected")
	}
	env.wantBalances("1:100 2:200")
}

func TestBlockAllowsGuardedWritesUntouched(t *testing.T) {
	env := blockAll(t)
	conn := connectPgx(t, env.url)
	ctx := ctx10(t)
	var bal int
	if err := conn.QueryRow(ctx, readSQL, 1).Scan(&bal); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, safeSQL, 50, 1); err != nil {
		t.Fatalf("atomic update: %v", err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(ctx, readSQL+" FOR UPDATE", 2).Scan(&bal); err != nil {
		t.Fatal(err)
	}
	tag, err := tx.Exec(ctx, unsafeSQL, bal+7, 2)
	if err != nil || tag.String() != "UPDATE 1" {
		t.Fatalf("write under FOR UPDATE: %v %v", tag, err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	env.wantBalances("1:150 2:207")
	if n := env.block.Blocked(); n != 0 {
		t.Fatalf("Blocked() = %d", n)
	}
	for _, f := range env.findings.all() {
		if f.Action == "block" && f.Rule == "RMW001" {
			t.Fatalf("unexpected finding %s: %s", f.Rule, f.Message)
		}
	}
	// Untouched: the events are the client's statements and the server's
	// own answers; no error anywhere.
	for _, ev := range env.events.all() {
		if ev.Kind == analyzer.EventError {
			t.Fatalf("error event %s %s", ev.SQLState, ev.Message)
		}
	}
}

func TestBlockEventsShowClientAndServerOnly(t *testing.T) {
	env := blockAll(t)
	conn := connectPgx(t, env.url)
	ctx := ctx10(t)
	var bal int
	if err := conn.QueryRow(ctx, readSQL, 1).Scan(&bal); err != nil {
		t.Fatal(err)
	}
	_, err := conn.Exec(ctx, unsafeSQL, bal+50, 1)
	wantRefused(t, err)
	var errs []string
	for _, ev := range env.events.all() {
		if strings.Contains(ev.SQL, "RAISE") || strings.Contains(ev.Statement, "pgrmw") {
			t.Fatalf("injected message became an event: %+v", ev)
		}
		if ev.Kind == analyzer.EventError {
			errs = append(errs, ev.SQLState)
		}
	}
	if strings.Join(errs, " ") != "LU001" {
		t.Fatalf("error events %v, want the refusal once", errs)
	}
	fs := env.findings.all()
	if len(fs) != 1 || fs[0].Rule != "RMW001" || fs[0].Action != "block" {
		t.Fatalf("findings %+v", fs)
	}
}

func TestBlockPerRuleActionLogLetsWriteThrough(t *testing.T) {
	cfg := analyzer.DefaultConfig()
	pipeline.UseBlockMode(&cfg)
	cfg.Actions = map[string]string{"RMW001": "log"}
	env := startBlock(t, cfg, rules.All())
	conn := connectPgx(t, env.url)
	ctx := ctx10(t)
	var bal int
	if err := conn.QueryRow(ctx, readSQL, 1).Scan(&bal); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, unsafeSQL, bal+50, 1); err != nil {
		t.Fatalf("RMW001 set to log, write refused: %v", err)
	}
	env.wantBalances("1:150 2:200")
	fs := env.findings.all()
	if len(fs) != 1 || fs[0].Rule != "RMW001" || fs[0].Action != "log" {
		t.Fatalf("findings %+v", fs)
	}
}

// TestBlockAnalysisPanicFailsOpen injects a blocking rule that panics while
// judging a write: the write goes through, the panic is counted, and the
// same rule blocks once it stops panicking (so the test can tell).
func TestBlockAnalysisPanicFailsOpen(t *testing.T) {
	var explode atomic.Bool
	explode.Store(true)
	boom := &analyzer.Rule{ID: "RMW998", Name: "blocks-every-write", Severity: analyzer.SeverityWarning, Doc: "# test rule",
		Run: func(p *analyzer.Pass) {
			if p.Kind != analyzer.ObsStatement || p.Write == nil {
				return
			}
			if explode.Load() {
				panic("rule bug")
			}
			p.Report(analyzer.Finding{Message: "every write is refused", Table: p.Write.Table})
		}}
	cfg := analyzer.DefaultConfig()
	pipeline.UseBlockMode(&cfg)
	env := startBlock(t, cfg, []*analyzer.Rule{boom})
	conn := connectPgx(t, env.url)
	ctx := ctx10(t)
	if _, err := conn.Exec(ctx, unsafeSQL, 150, 1); err != nil {
		t.Fatalf("analysis panicked, write refused instead of failing open: %v", err)
	}
	env.wantBalances("1:150 2:200")
	if env.block.FailedOpen() != 1 || env.block.Analyzer().Stats().Panics == 0 {
		t.Fatalf("panic not counted: FailedOpen %d, analyzer %+v", env.block.FailedOpen(), env.block.Analyzer().Stats())
	}
	if env.block.Blocked() != 0 {
		t.Fatal("Blocked() counted a forwarded write")
	}
	pgxWorks(t, conn)

	explode.Store(false)
	_, err := conn.Exec(ctx, unsafeSQL, 175, 1)
	if r := refusalOf(t, err); r.code != "LU998" || !strings.Contains(r.message, "RMW998") {
		t.Fatalf("healthy rule did not block: %+v", r)
	}
	env.wantBalances("1:150 2:200")
	pgxWorks(t, conn)
}
