package proxy

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgrmw/pgrmw/analyzer"
)

func connect(t *testing.T, p *running) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), p.url(srv.User, "", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestCancelRequest(t *testing.T) {
	p := startProxy(t, Config{})
	conn := connect(t, p)
	ctx := context.Background()
	go func() {
		time.Sleep(300 * time.Millisecond)
		// A CancelRequest on a new connection through the proxy, carrying
		// the key data the upstream backend gave at startup.
		if err := conn.PgConn().CancelRequest(ctx); err != nil {
			t.Errorf("cancel request: %v", err)
		}
	}()
	start := time.Now()
	_, err := conn.Exec(ctx, "select pg_sleep(20)")
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("cancel took %s", d)
	}
	if code := pgCode(err); code != "57014" {
		t.Fatalf("got %v, want SQLSTATE 57014 (query_canceled)", err)
	}
	var n int
	if err := conn.QueryRow(ctx, "select 6").Scan(&n); err != nil || n != 6 {
		t.Errorf("session unusable after the cancel: %v", err)
	}
}

func TestListenNotify(t *testing.T) {
	p := startProxy(t, Config{Observer: &recorder{}})
	listener, notifier := connect(t, p), connect(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := listener.Exec(ctx, "listen pgrmw_chan"); err != nil {
		t.Fatal(err)
	}
	if _, err := notifier.Exec(ctx, "notify pgrmw_chan, 'hello'"); err != nil {
		t.Fatal(err)
	}
	n, err := listener.WaitForNotification(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n.Channel != "pgrmw_chan" || n.Payload != "hello" {
		t.Errorf("notification %+v", n)
	}
}

func TestNoticeAndParameterStatusMidSession(t *testing.T) {
	rec := &recorder{}
	p := startProxy(t, Config{Observer: rec})
	var notices []string
	cc, _ := pgx.ParseConfig(p.url(srv.User, "", "postgres"))
	cc.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { notices = append(notices, n.Message) }
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "do $$ begin raise notice 'psst'; end $$"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "set application_name = 'pgrmw-test'"); err != nil {
		t.Fatal(err)
	}
	if len(notices) != 1 || notices[0] != "psst" {
		t.Errorf("notices %q", notices)
	}
	if conn.PgConn().ParameterStatus("application_name") != "pgrmw-test" {
		t.Error("client did not see the ParameterStatus")
	}
	found := false
	for _, ev := range rec.snapshot() {
		if ev.Kind == analyzer.EventParameterStatus && ev.Name == "application_name" && ev.Value == "pgrmw-test" {
			found = true
		}
	}
	if !found {
		t.Error("no parameter_status event for application_name")
	}
}

func TestCopyInAndOut(t *testing.T) {
	rec := &recorder{}
	// CopyData messages (64 KiB from pgx) stream through: the limit on
	// messages held whole does not apply to them.
	p := startProxy(t, Config{Observer: rec, MaxMessageBytes: 4096})
	conn := connect(t, p)
	ctx := context.Background()
	mustExec(t, conn, ctx, "create temp table items(id int, name text)")
	const n = 20000
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{i, fmt.Sprintf("item-%06d", i)}
	}
	copied, err := conn.CopyFrom(ctx, pgx.Identifier{"items"}, []string{"id", "name"}, pgx.CopyFromRows(rows))
	if err != nil || copied != n {
		t.Fatalf("copy in: %d, %v", copied, err)
	}
	var buf bytes.Buffer
	tag, err := conn.PgConn().CopyTo(ctx, &buf, "copy (select id, name from items order by id) to stdout")
	if err != nil {
		t.Fatal(err)
	}
	if tag.RowsAffected() != n || strings.Count(buf.String(), "\n") != n || !strings.HasPrefix(buf.String(), "0\titem-000000\n") {
		t.Errorf("copy out: %s, %d bytes", tag, buf.Len())
	}
	// A COPY FROM STDIN that the client aborts.
	_, err = conn.PgConn().CopyFrom(ctx, strings.NewReader("1\tx\nnot a number\tboom\n"), "copy items from stdin")
	if code := pgCode(err); code != "22P02" {
		t.Errorf("bad copy data: got %v, want 22P02", err)
	}
	var count int
	if err := conn.QueryRow(ctx, "select count(*) from items").Scan(&count); err != nil || count != n {
		t.Errorf("count %d, %v", count, err)
	}
	var copies, dataRows int
	for _, ev := range rec.snapshot() {
		switch ev.Kind {
		case analyzer.EventCopy:
			copies++
		case analyzer.EventDataRow:
			dataRows++
		}
	}
	if copies != 3 {
		t.Errorf("%d copy events, want 3", copies)
	}
	if dataRows != 1 { // the count(*)
		t.Errorf("%d data_row events, want 1 (copy data is not recorded)", dataRows)
	}
}

// TestLargeResultsStream moves results far larger than the relay buffer
// and checks both the bytes and the event caps.
func TestLargeResultsStream(t *testing.T) {
	rec := &recorder{}
	p := startProxy(t, Config{Observer: rec})
	conn := connect(t, p)
	ctx := context.Background()

	// Many rows: every byte arrives, at most MaxRowsPerResult are recorded.
	var sum, count int64
	rows, err := conn.Query(ctx, "select g, repeat('y', 100) from generate_series(1, 200000) g")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var g int64
		var s string
		if err := rows.Scan(&g, &s); err != nil {
			t.Fatal(err)
		}
		sum += g
		count++
	}
	if rows.Err() != nil || count != 200000 || sum != 200000*200001/2 {
		t.Fatalf("rows %d sum %d err %v", count, sum, rows.Err())
	}

	// One huge value (8 MiB, several times the whole-row limit) and a
	// value after it.
	var big string
	var after int
	if err := conn.QueryRow(ctx, "select 7, repeat('x', 8*1024*1024), 9").Scan(&after, &big, &after); err != nil {
		t.Fatal(err)
	}
	if len(big) != 8<<20 || after != 9 {
		t.Fatalf("big value %d bytes, after %d", len(big), after)
	}

	// A huge query text (client side: buffered whole to become an event).
	huge := "select length('" + strings.Repeat("z", 3<<20) + "')"
	var l int
	if err := conn.QueryRow(ctx, huge, pgx.QueryExecModeSimpleProtocol).Scan(&l); err != nil || l != 3<<20 {
		t.Fatalf("huge query: %d, %v", l, err)
	}

	var perResult []int
	var bigRow *analyzer.Event
	var hugeSQL bool
	n := 0
	for _, ev := range rec.snapshot() {
		switch ev.Kind {
		case analyzer.EventDataRow:
			n++
			for _, v := range ev.Values {
				if len(v) > analyzer.MaxValueBytes {
					t.Fatalf("value of %d bytes in an event", len(v))
				}
			}
			if len(ev.Values) > 0 && string(ev.Values[0]) == "\x00\x00\x00\x07" {
				bigRow = ev
			}
		case analyzer.EventCommandComplete:
			perResult = append(perResult, n)
			n = 0
		case analyzer.EventQuery:
			hugeSQL = hugeSQL || len(ev.SQL) > 3<<20
		}
	}
	if len(perResult) < 2 || perResult[0] != analyzer.MaxRowsPerResult {
		t.Errorf("data_row events per result %v, want %d for the first", perResult, analyzer.MaxRowsPerResult)
	}
	if bigRow == nil || len(bigRow.Values) < 2 || len(bigRow.Values[1]) != analyzer.MaxValueBytes {
		t.Errorf("big row event %+v", bigRow)
	}
	if !hugeSQL {
		t.Error("no query event with the huge SQL text")
	}
}

// TestPipelineModeAndErrors uses pgconn's pipeline mode with an error in
// the middle: everything up to Sync is skipped and the connection recovers.
func TestPipelineModeAndErrors(t *testing.T) {
	p := startProxy(t, Config{Observer: &recorder{}})
	conn := connect(t, p)
	ctx := context.Background()
	pl := conn.PgConn().StartPipeline(ctx)
	pl.SendQueryParams("select 1", nil, nil, nil, nil)
	pl.SendQueryParams("select 1/0", nil, nil, nil, nil)
	pl.SendQueryParams("select 3", nil, nil, nil, nil)
	if err := pl.Sync(); err != nil {
		t.Fatal(err)
	}
	pl.SendQueryParams("select 4", nil, nil, nil, nil)
	if err := pl.Sync(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		res, err := pl.GetResults()
		if err != nil {
			got = append(got, "err:"+pgCode(err))
			continue
		}
		if res == nil {
			break
		}
		switch r := res.(type) {
		case *pgconn.ResultReader:
			rr := r.Read()
			if rr.Err != nil {
				got = append(got, "err:"+pgCode(rr.Err))
			} else {
				got = append(got, string(rr.Rows[0][0]))
			}
		case *pgconn.PipelineSync:
			got = append(got, "sync")
		}
	}
	if err := pl.Close(); err != nil {
		t.Fatal(err)
	}
	if want := "1 err:22012 sync 4 sync"; strings.Join(got, " ") != want {
		t.Errorf("pipeline results %q, want %q", strings.Join(got, " "), want)
	}
}
