package proxy

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/internal/pgtest"
)

// describe renders an event as one comparable line.
func describe(ev *analyzer.Event) string {
	switch ev.Kind {
	case analyzer.EventQuery:
		return "query " + ev.SQL
	case analyzer.EventParse:
		return fmt.Sprintf("parse %q %s %v", ev.Statement, ev.SQL, ev.ParamOIDs)
	case analyzer.EventBind:
		return fmt.Sprintf("bind %q %q fmt%v %s res%v", ev.Portal, ev.Statement, ev.ParamFormats, values(ev.Params), ev.ResultFormats)
	case analyzer.EventDescribe, analyzer.EventClose:
		return fmt.Sprintf("%s %c %q%q", ev.Kind, ev.Target, ev.Statement, ev.Portal)
	case analyzer.EventExecute:
		return fmt.Sprintf("execute %q %d", ev.Portal, ev.MaxRows)
	case analyzer.EventRowDescription:
		var cols []string
		for _, c := range ev.Columns {
			cols = append(cols, fmt.Sprintf("%s:%d", c.Name, c.TypeOID))
		}
		return "row_description " + strings.Join(cols, ",")
	case analyzer.EventParameterDescription:
		return fmt.Sprintf("parameter_description %v", ev.ParamOIDs)
	case analyzer.EventDataRow:
		return "data_row " + values(ev.Values)
	case analyzer.EventCommandComplete:
		return "command_complete " + ev.Tag
	case analyzer.EventError:
		return fmt.Sprintf("error %s %s %s", ev.Severity, ev.SQLState, ev.Message)
	case analyzer.EventReadyForQuery:
		return fmt.Sprintf("ready_for_query %c", ev.TxStatus)
	case analyzer.EventParameterStatus:
		return fmt.Sprintf("parameter_status %s=%s", ev.Name, ev.Value)
	case analyzer.EventSessionEnd:
		return "session_end " + ev.Message
	}
	return ev.Kind.String()
}

// sessionEvents runs fn on a fresh pgx connection through a recording
// proxy and returns the session's events once it has ended, without the
// session start and the ParameterStatus burst of the startup (checked
// separately).
func sessionEvents(t *testing.T, connConfig func(*pgx.ConnConfig), fn func(ctx context.Context, conn *pgx.Conn)) []string {
	t.Helper()
	rec := &recorder{}
	p := startProxy(t, Config{Observer: rec})
	ctx := context.Background()
	cc, err := pgx.ParseConfig(p.url(srv.User, "", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	if connConfig != nil {
		connConfig(cc)
	}
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		t.Fatal(err)
	}
	fn(ctx, conn)
	conn.Close(ctx)
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	pgtest.WaitContext(wctx, 5*time.Millisecond, func() bool {
		evs := rec.snapshot()
		return len(evs) > 0 && evs[len(evs)-1].Kind == analyzer.EventSessionEnd
	})
	evs := rec.snapshot()
	if len(evs) == 0 || evs[0].Kind != analyzer.EventSessionStart {
		t.Fatalf("first event is not session_start: %v", evs)
	}
	start := evs[0]
	if start.Startup["user"] != srv.User || start.Startup["database"] != "postgres" {
		t.Errorf("startup params = %v", start.Startup)
	}
	var out []string
	ids := map[string]bool{}
	startupDone := false
	for _, ev := range evs {
		ids[ev.Session] = true
		if ev.Time.IsZero() {
			t.Errorf("event %s has no time", ev.Kind)
		}
		if ev.Kind == analyzer.EventSessionStart || (!startupDone && ev.Kind == analyzer.EventParameterStatus) {
			continue
		}
		if !startupDone && ev.Kind == analyzer.EventReadyForQuery {
			startupDone = true
			continue
		}
		out = append(out, describe(ev))
	}
	if len(ids) != 1 {
		t.Errorf("events carry %d session ids, want 1: %v", len(ids), ids)
	}
	return out
}

// values renders parameter or column values, NULL for nil.
func values(vs [][]byte) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		if v == nil {
			parts[i] = "NULL"
		} else {
			parts[i] = fmt.Sprintf("%q", v)
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func compareEvents(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events differ\n got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestEventsSimpleProtocol(t *testing.T) {
	got := sessionEvents(t, func(cc *pgx.ConnConfig) {
		cc.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	}, func(ctx context.Context, conn *pgx.Conn) {
		mustExec(t, conn, ctx, "create temp table acct(id int primary key, balance int)")
		mustExec(t, conn, ctx, "insert into acct values (1, 100), (2, 200)")
		rows, err := conn.Query(ctx, "select id, balance from acct order by id")
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
		mustExec(t, conn, ctx, "begin; update acct set balance = balance + 1 where id = 1; commit")
		if _, err := conn.Exec(ctx, "select 1/0"); err == nil {
			t.Fatal("division by zero succeeded")
		}
		mustExec(t, conn, ctx, "")
	})
	compareEvents(t, got, []string{
		"query create temp table acct(id int primary key, balance int)",
		"command_complete CREATE TABLE",
		"ready_for_query I",
		"query insert into acct values (1, 100), (2, 200)",
		"command_complete INSERT 0 2",
		"ready_for_query I",
		"query select id, balance from acct order by id",
		"row_description id:23,balance:23",
		`data_row ["1" "100"]`,
		`data_row ["2" "200"]`,
		"command_complete SELECT 2",
		"ready_for_query I",
		"query begin; update acct set balance = balance + 1 where id = 1; commit",
		"command_complete BEGIN",
		"command_complete UPDATE 1",
		"command_complete COMMIT",
		"ready_for_query I",
		"query select 1/0",
		"error ERROR 22012 division by zero",
		"ready_for_query I",
		"query ",
		"empty_query",
		"ready_for_query I",
		"session_end client terminated",
	})
}

func TestEventsExtendedProtocol(t *testing.T) {
	got := sessionEvents(t, nil, func(ctx context.Context, conn *pgx.Conn) {
		mustExec(t, conn, ctx, "create temp table acct(id int primary key, balance int)")
		mustExec(t, conn, ctx, "insert into acct values ($1, $2)", 1, 100)
		var b int
		if err := conn.QueryRow(ctx, "select balance from acct where id = $1", 1).Scan(&b); err != nil || b != 100 {
			t.Fatalf("balance %d, %v", b, err)
		}
		// Again: the statement is cached, so only Bind/Execute/Sync cross.
		if err := conn.QueryRow(ctx, "select balance from acct where id = $1", 1).Scan(&b); err != nil {
			t.Fatal(err)
		}
		var s *string
		if err := conn.QueryRow(ctx, "select $1::text", nil).Scan(&s); err != nil || s != nil {
			t.Fatalf("null: %v %v", s, err)
		}
	})
	// pgx caches statements under names like stmtcache_<hash>; normalize.
	for i, l := range got {
		got[i] = normalizeStmtName(l)
	}
	compareEvents(t, got, []string{
		// Exec without arguments takes the simple protocol.
		"query create temp table acct(id int primary key, balance int)",
		"command_complete CREATE TABLE",
		"ready_for_query I",
		`parse "S" insert into acct values ($1, $2) []`,
		`describe S "S"""`,
		"sync",
		"parameter_description [23 23]",
		"ready_for_query I",
		`bind "" "S" fmt[1 1] ["\x00\x00\x00\x01" "\x00\x00\x00d"] res[]`,
		`describe P """"`,
		`execute "" 0`,
		"sync",
		"command_complete INSERT 0 1",
		"ready_for_query I",
		`parse "S" select balance from acct where id = $1 []`,
		`describe S "S"""`,
		"sync",
		"parameter_description [23]",
		"row_description balance:23",
		"ready_for_query I",
		`bind "" "S" fmt[1] ["\x00\x00\x00\x01"] res[1]`,
		`execute "" 0`,
		"sync",
		`data_row ["\x00\x00\x00d"]`,
		"command_complete SELECT 1",
		"ready_for_query I",
		// Again: the statement is cached, so only Bind/Execute/Sync cross.
		`bind "" "S" fmt[1] ["\x00\x00\x00\x01"] res[1]`,
		`execute "" 0`,
		"sync",
		`data_row ["\x00\x00\x00d"]`,
		"command_complete SELECT 1",
		"ready_for_query I",
		`parse "S" select $1::text []`,
		`describe S "S"""`,
		"sync",
		"parameter_description [25]",
		"row_description text:25",
		"ready_for_query I",
		`bind "" "S" fmt[0] [NULL] res[0]`,
		`execute "" 0`,
		"sync",
		"data_row [NULL]",
		"command_complete SELECT 1",
		"ready_for_query I",
		"session_end client terminated",
	})
}

func TestEventsBatchPipeline(t *testing.T) {
	got := sessionEvents(t, func(cc *pgx.ConnConfig) {
		cc.DefaultQueryExecMode = pgx.QueryExecModeExec
	}, func(ctx context.Context, conn *pgx.Conn) {
		mustExec(t, conn, ctx, "create temp table acct(id int primary key, balance int)")
		b := &pgx.Batch{}
		b.Queue("insert into acct values (1, 10)")
		b.Queue("update acct set balance = balance + 5 where id = 1")
		b.Queue("select balance from acct where id = 1")
		if err := conn.SendBatch(ctx, b).Close(); err != nil {
			t.Fatal(err)
		}
	})
	compareEvents(t, got, []string{
		"query create temp table acct(id int primary key, balance int)",
		"command_complete CREATE TABLE",
		"ready_for_query I",
		// The batch: one pipeline of Parse/Bind/Describe/Execute per
		// statement and a single Sync; responses follow in order.
		`parse "" insert into acct values (1, 10) []`,
		`bind "" "" fmt[] [] res[]`,
		`describe P """"`,
		`execute "" 0`,
		`parse "" update acct set balance = balance + 5 where id = 1 []`,
		`bind "" "" fmt[] [] res[]`,
		`describe P """"`,
		`execute "" 0`,
		`parse "" select balance from acct where id = 1 []`,
		`bind "" "" fmt[] [] res[]`,
		`describe P """"`,
		`execute "" 0`,
		"sync",
		"command_complete INSERT 0 1",
		"command_complete UPDATE 1",
		"row_description balance:23",
		`data_row ["15"]`,
		"command_complete SELECT 1",
		"ready_for_query I",
		"session_end client terminated",
	})
}

func mustExec(t *testing.T, conn *pgx.Conn, ctx context.Context, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func normalizeStmtName(line string) string {
	if i := strings.Index(line, `"stmtcache_`); i >= 0 {
		j := strings.IndexByte(line[i+1:], '"')
		return line[:i] + `"S"` + line[i+j+2:]
	}
	return line
}
