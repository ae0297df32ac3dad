package proxy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/pgrmw/pgrmw/analyzer"
)

// The tests here check the wire mechanics of a refusal with a Gate that
// refuses any statement whose SQL contains "refuse_me"; block_*_test.go
// drive real clients through the real analyzer.

const testRefusalState = "LU999"

// markerGate refuses statements containing "refuse_me" while on. As an
// Observer it follows Parse/Bind so Execute events can be judged by their SQL.
type markerGate struct {
	on atomic.Bool

	mu      sync.Mutex
	stmts   map[string]string // statement name → SQL
	portals map[string]string // portal name → SQL
	refused int
	rec     recorder
}

func newMarkerGate() *markerGate {
	g := &markerGate{stmts: map[string]string{}, portals: map[string]string{}}
	g.on.Store(true)
	return g
}

func (g *markerGate) Observe(ev *analyzer.Event) {
	g.rec.Observe(ev)
	g.mu.Lock()
	defer g.mu.Unlock()
	switch ev.Kind {
	case analyzer.EventParse:
		g.stmts[ev.Statement] = ev.SQL
	case analyzer.EventBind:
		g.portals[ev.Portal] = g.stmts[ev.Statement]
	}
}

func (g *markerGate) Check(ev *analyzer.Event) *Refusal {
	g.mu.Lock()
	defer g.mu.Unlock()
	sql := ev.SQL
	if ev.Kind == analyzer.EventExecute {
		sql = g.portals[ev.Portal]
	}
	if !g.on.Load() || !strings.Contains(sql, "refuse_me") {
		return nil
	}
	g.refused++
	return &Refusal{SQLState: testRefusalState, Message: "refused: " + sql,
		Detail: "it's a test \\ with $$ quotes $pgrmw_$", Hint: "don't"}
}

func refuseDB(t *testing.T) string {
	t.Helper()
	refuseDBOnce.Do(func() {
		if err := srv.CreateDatabase("refuse"); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Psql("refuse", `CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)`); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := srv.Psql("refuse", `TRUNCATE t; INSERT INTO t VALUES (1, 10), (2, 20)`); err != nil {
		t.Fatal(err)
	}
	return "refuse"
}

var refuseDBOnce sync.Once

// rawConn is a connection through a proxy driven message by message.
type rawConn struct {
	t  *testing.T
	pc *pgconn.PgConn
	fe *pgproto3.Frontend
}

func dialRaw(t *testing.T, url string) *rawConn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pc, err := pgconn.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close(context.Background()) })
	return &rawConn{t: t, pc: pc, fe: pc.Frontend()}
}

func (c *rawConn) send(msgs ...pgproto3.FrontendMessage) {
	c.t.Helper()
	for _, m := range msgs {
		c.fe.Send(m)
	}
	if err := c.fe.Flush(); err != nil {
		c.t.Fatal(err)
	}
}

// until reads messages up to and including the n-th ReadyForQuery and
// returns them in a compact form: "1" "2" "3" "T" "D:…" "C:tag" "E:code" "Z:status".
func (c *rawConn) until(n int) (got []string, errs []*pgproto3.ErrorResponse) {
	c.t.Helper()
	c.pc.Conn().SetReadDeadline(time.Now().Add(10 * time.Second))
	defer c.pc.Conn().SetReadDeadline(time.Time{})
	for n > 0 {
		m, err := c.fe.Receive()
		if err != nil {
			c.t.Fatalf("receive after %v: %v", got, err)
		}
		switch m := m.(type) {
		case *pgproto3.ParseComplete:
			got = append(got, "1")
		case *pgproto3.BindComplete:
			got = append(got, "2")
		case *pgproto3.CloseComplete:
			got = append(got, "3")
		case *pgproto3.RowDescription:
			got = append(got, "T")
		case *pgproto3.NoData:
			got = append(got, "n")
		case *pgproto3.DataRow:
			var vals []string
			for _, v := range m.Values {
				vals = append(vals, string(v))
			}
			got = append(got, "D:"+strings.Join(vals, ","))
		case *pgproto3.CommandComplete:
			got = append(got, "C:"+string(m.CommandTag))
		case *pgproto3.ErrorResponse:
			cp := *m
			errs = append(errs, &cp)
			got = append(got, "E:"+m.Code)
		case *pgproto3.ReadyForQuery:
			got = append(got, "Z:"+string(m.TxStatus))
			n--
		case *pgproto3.ParameterStatus, *pgproto3.NoticeResponse:
		default:
			got = append(got, fmt.Sprintf("%T", m))
		}
	}
	return got, errs
}

func (c *rawConn) expect(n int, want ...string) []*pgproto3.ErrorResponse {
	c.t.Helper()
	got, errs := c.until(n)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		c.t.Fatalf("server said\n  %v\nwant\n  %v", got, want)
	}
	return errs
}

func execMsgs(stmt, sql string, args ...string) []pgproto3.FrontendMessage {
	var params [][]byte
	for _, a := range args {
		params = append(params, []byte(a))
	}
	var out []pgproto3.FrontendMessage
	if sql != "" {
		out = append(out, &pgproto3.Parse{Name: stmt, Query: sql})
	}
	return append(out, &pgproto3.Bind{PreparedStatement: stmt, Parameters: params}, &pgproto3.Execute{})
}

func rowValue(t *testing.T, db string, id int) string {
	t.Helper()
	out, err := srv.Psql(db, fmt.Sprintf("SELECT v FROM t WHERE id = %d", id))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

func checkRefusalError(t *testing.T, e *pgproto3.ErrorResponse, wantMsg string) {
	t.Helper()
	if e.Code != testRefusalState || e.Severity != "ERROR" || e.Message != wantMsg ||
		e.Detail != "it's a test \\ with $$ quotes $pgrmw_$" || e.Hint != "don't" {
		t.Fatalf("refusal error = %+v", e)
	}
	if e.Where != "" || e.File != "" || e.Routine != "" || e.Line != 0 {
		t.Fatalf("CONTEXT or PL/pgSQL location not stripped: %+v", e)
	}
}

func TestRefuseExtendedKeepsUnnamedStatementAndHidesInjectedReplies(t *testing.T) {
	db := refuseDB(t)
	g := newMarkerGate()
	p := startProxy(t, Config{Observer: g, Gate: g})
	c := dialRaw(t, p.url("postgres", "", db))

	const upd = "UPDATE t SET v = $1 WHERE id = 1 /* refuse_me */"
	c.send(append(execMsgs("", upd, "99"), &pgproto3.Sync{})...)
	errs := c.expect(1, "1", "2", "E:"+testRefusalState, "Z:I")
	checkRefusalError(t, errs[0], "refused: "+upd)
	if v := rowValue(t, db, 1); v != "10" {
		t.Fatalf("refused UPDATE applied: v = %s", v)
	}

	// The client's unnamed statement is still its own UPDATE, as after a
	// failed Execute in PostgreSQL.
	g.on.Store(false)
	c.send(append(execMsgs("", "", "99"), &pgproto3.Sync{})...)
	c.expect(1, "2", "C:UPDATE 1", "Z:I")
	if v := rowValue(t, db, 1); v != "99" {
		t.Fatalf("unnamed statement lost: v = %s", v)
	}

	// Events: the client's messages and the server's error, nothing injected.
	var kinds []string
	for _, ev := range g.rec.snapshot() {
		if ev.Kind == analyzer.EventParameterStatus || ev.Kind == analyzer.EventSessionStart {
			continue
		}
		k := ev.Kind.String()
		if ev.Kind == analyzer.EventError {
			k += ":" + ev.SQLState
		}
		kinds = append(kinds, k)
		if ev.Kind == analyzer.EventParse && strings.Contains(ev.SQL, "RAISE") {
			t.Fatalf("injected Parse became an event: %q", ev.SQL)
		}
	}
	want := "ready_for_query parse bind execute sync error:LU999 ready_for_query bind execute sync command_complete ready_for_query"
	if got := strings.Join(kinds, " "); got != want {
		t.Fatalf("events\n  %s\nwant\n  %s", got, want)
	}
}

func TestRefuseExtendedPipelineSkipsToSyncAndContinues(t *testing.T) {
	db := refuseDB(t)
	g := newMarkerGate()
	p := startProxy(t, Config{Observer: g, Gate: g})
	c := dialRaw(t, p.url("postgres", "", db))

	// Segment 1: an allowed write, the refused one, one more statement: the
	// server rolls the segment back and skips to Sync. Segment 2 runs.
	var msgs []pgproto3.FrontendMessage
	msgs = append(msgs, execMsgs("s1", "UPDATE t SET v = v + 1 WHERE id = 2")...)
	msgs = append(msgs, execMsgs("s2", "UPDATE t SET v = 5 WHERE id = 1 /* refuse_me */")...)
	msgs = append(msgs, execMsgs("s3", "SELECT 3")...)
	msgs = append(msgs, &pgproto3.Sync{}, &pgproto3.Close{ObjectType: 'S', Name: "s3"})
	msgs = append(msgs, execMsgs("", "SELECT v FROM t WHERE id = 2")...)
	msgs = append(msgs, &pgproto3.Sync{})
	c.send(msgs...)
	errs := c.expect(2,
		"1", "2", "C:UPDATE 1", "1", "2", "E:"+testRefusalState, "Z:I",
		"3", "1", "2", "D:20", "C:SELECT 1", "Z:I")
	checkRefusalError(t, errs[0], "refused: UPDATE t SET v = 5 WHERE id = 1 /* refuse_me */")

	// The refusal's own prepared statement is reused without a clash.
	c.send(append(execMsgs("", "UPDATE t SET v = 6 WHERE id = 1 /* refuse_me */"), &pgproto3.Sync{})...)
	c.expect(1, "1", "2", "E:"+testRefusalState, "Z:I")
	c.send(&pgproto3.Query{String: "SELECT v FROM t ORDER BY id"})
	c.expect(1, "T", "D:10", "D:20", "C:SELECT 2", "Z:I")
}

func TestRefuseInTransactionAbortsIt(t *testing.T) {
	db := refuseDB(t)
	g := newMarkerGate()
	p := startProxy(t, Config{Observer: g, Gate: g})
	c := dialRaw(t, p.url("postgres", "", db))

	c.send(&pgproto3.Query{String: "BEGIN; UPDATE t SET v = v + 1 WHERE id = 2"})
	c.expect(1, "C:BEGIN", "C:UPDATE 1", "Z:T")
	c.send(append(execMsgs("", "UPDATE t SET v = 7 WHERE id = 1 /* refuse_me */"), &pgproto3.Sync{})...)
	c.expect(1, "1", "2", "E:"+testRefusalState, "Z:E")
	// In a failed transaction the server refuses everything itself: the
	// injected Parse fails first, so the client sees PostgreSQL's 25P02.
	c.send(append(execMsgs("", "UPDATE t SET v = 8 WHERE id = 1 /* refuse_me */"), &pgproto3.Sync{})...)
	c.expect(1, "E:25P02", "Z:E")
	c.send(&pgproto3.Query{String: "COMMIT"})
	c.expect(1, "C:ROLLBACK", "Z:I")
	if v1, v2 := rowValue(t, db, 1), rowValue(t, db, 2); v1 != "10" || v2 != "20" {
		t.Fatalf("transaction partly applied: v1=%s v2=%s", v1, v2)
	}
}

func TestRefuseSimpleQuery(t *testing.T) {
	db := refuseDB(t)
	g := newMarkerGate()
	p := startProxy(t, Config{Observer: g, Gate: g})
	c := dialRaw(t, p.url("postgres", "", db))

	// A multi-statement string is refused whole.
	multi := "UPDATE t SET v = v + 1 WHERE id = 2; UPDATE t SET v = 5 WHERE id = 1 /* refuse_me */; SELECT 1"
	c.send(&pgproto3.Query{String: multi})
	errs := c.expect(1, "E:"+testRefusalState, "Z:I")
	checkRefusalError(t, errs[0], "refused: "+multi)

	c.send(&pgproto3.Query{String: "BEGIN"}, &pgproto3.Query{String: "UPDATE t SET v = 5 WHERE id = 1 /* refuse_me */"},
		&pgproto3.Query{String: "SELECT 1"}, &pgproto3.Query{String: "COMMIT"})
	c.expect(4, "C:BEGIN", "Z:T", "E:"+testRefusalState, "Z:E", "E:25P02", "Z:E", "C:ROLLBACK", "Z:I")
	c.send(&pgproto3.Query{String: "SELECT v FROM t ORDER BY id"})
	c.expect(1, "T", "D:10", "D:20", "C:SELECT 2", "Z:I")

	// A string that opens a transaction block leaves it failed, as the
	// server would; a later COMMIT answers ROLLBACK.
	c.send(&pgproto3.Query{String: "/* c */ begin isolation level read committed; UPDATE t SET v = v + 1 WHERE id = 2; UPDATE t SET v = 5 WHERE id = 1 /* refuse_me */; COMMIT"})
	c.expect(1, "C:BEGIN", "E:"+testRefusalState, "Z:E")
	c.send(&pgproto3.Query{String: "COMMIT"})
	c.expect(1, "C:ROLLBACK", "Z:I")
	c.send(&pgproto3.Query{String: "SELECT v FROM t ORDER BY id"})
	c.expect(1, "T", "D:10", "D:20", "C:SELECT 2", "Z:I")
}

func TestRefuseWithoutObserver(t *testing.T) {
	db := refuseDB(t)
	gate := GateFunc(func(ev *analyzer.Event) *Refusal {
		if strings.Contains(ev.SQL, "refuse_me") {
			return &Refusal{SQLState: testRefusalState, Message: "no"}
		}
		return nil
	})
	p := startProxy(t, Config{Gate: gate})
	conn, err := pgx.Connect(context.Background(), p.url("postgres", "", db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(context.Background(), "UPDATE t SET v = 5 WHERE id = 1 /* refuse_me */", pgx.QueryExecModeSimpleProtocol)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != testRefusalState || pe.Message != "no" || pe.Where != "" {
		t.Fatalf("err = %#v", err)
	}
	var one int
	if err := conn.QueryRow(context.Background(), "SELECT $1::int", 1).Scan(&one); err != nil || one != 1 {
		t.Fatalf("connection unusable after refusal: %v", err)
	}
}

// TestRefusalDOQuoting runs refusal statements with hostile texts directly
// on the server: whatever the texts, the error carries them verbatim.
func TestRefusalDOQuoting(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, srv.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	texts := []string{
		`it's`, `back\slash \' \\' ''`, "$$ end $$; DROP TABLE x; --", "$pgrmw_$ $pgrmw_0a$", "line1\nline2\ttab",
		"E'x' U&'\\0041'", "unicode ✓ \u00e9", "nul\x00byte", "bad utf8 \xff\xfe", "%s %% %",
	}
	for _, scs := range []string{"on", "off"} {
		if _, err := conn.Exec(ctx, "SET standard_conforming_strings = "+scs); err != nil {
			t.Fatal(err)
		}
		for _, text := range texts {
			ref := &Refusal{SQLState: "LU123", Message: text, Detail: "d:" + text, Hint: "h:" + text}
			_, err := conn.Exec(ctx, refusalDO(ref), pgx.QueryExecModeSimpleProtocol)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) {
				t.Fatalf("%q: err = %v", text, err)
			}
			want := strings.ToValidUTF8(strings.ReplaceAll(text, "\x00", "\uFFFD"), "\uFFFD")
			if pe.Code != "LU123" || pe.Message != want || pe.Detail != "d:"+want || pe.Hint != "h:"+want {
				t.Fatalf("scs=%s %q: got code %s message %q detail %q hint %q", scs, text, pe.Code, pe.Message, pe.Detail, pe.Hint)
			}
		}
	}
	// An invalid SQLSTATE falls back rather than failing differently.
	_, err = conn.Exec(ctx, refusalDO(&Refusal{SQLState: "lu1", Message: "m"}), pgx.QueryExecModeSimpleProtocol)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != fallbackSQLState || pe.Message != "m" {
		t.Fatalf("fallback sqlstate: %v", err)
	}
}

func TestWithoutErrorFields(t *testing.T) {
	er := pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: "LU001", Message: "m",
		Detail: "d", Hint: "h", Where: "PL/pgSQL function inline_code_block line 1 at RAISE", File: "pl_exec.c"}
	frame, err := er.Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	out, ok := withoutErrorFields(frame, refusalHiddenFields)
	if !ok {
		t.Fatal("no field found")
	}
	var got pgproto3.ErrorResponse
	if err := got.Decode(out[5:]); err != nil {
		t.Fatal(err)
	}
	er.Where, er.File = "", ""
	if fmt.Sprint(got) != fmt.Sprint(er) {
		t.Fatalf("got %+v\nwant %+v", got, er)
	}
	if _, ok := withoutErrorFields(out, refusalHiddenFields); ok {
		t.Fatal("stripped twice")
	}
	if _, ok := withoutErrorFields(frame[:len(frame)-3], refusalHiddenFields); ok {
		t.Fatal("truncated frame accepted")
	}
}

func TestReplyQueue(t *testing.T) {
	inj := func(k replyKind) expectedReply { return expectedReply{kind: k, injected: true} }
	cli := func(k replyKind) expectedReply { return expectedReply{kind: k} }
	type step struct {
		typ      byte
		act      replyAction
		mismatch bool
	}
	cases := []struct {
		name  string
		queue []expectedReply
		steps []step
	}{
		{"refusal after a client bind", []expectedReply{cli(replyBind), inj(replyClose), inj(replyParse), inj(replyBind), inj(replyRefusal), cli(replyBind), cli(replySync)},
			[]step{{'Z', replyForward, false}, {'2', replyForward, false}, {'3', replyHide, false}, {'1', replyHide, false}, {'2', replyHide, false},
				{'E', replyStripContext, false}, {'Z', replyForward, false}}},
		{"earlier error skips the injected messages", []expectedReply{cli(replyBind), inj(replyClose), inj(replyParse), inj(replyBind), inj(replyRefusal), cli(replySync), cli(replyParse)},
			[]step{{'Z', replyForward, false}, {'E', replyForward, false}, {'Z', replyForward, false}, {'1', replyForward, false}}},
		{"injected parse fails in an aborted transaction", []expectedReply{inj(replyClose), inj(replyParse), inj(replyBind), inj(replyRefusal), cli(replySync)},
			[]step{{'Z', replyForward, false}, {'3', replyHide, false}, {'E', replyForward, false}, {'Z', replyForward, false}}},
		{"simple query refusal", []expectedReply{inj(replyQuery), cli(replyQuery)},
			[]step{{'Z', replyForward, false}, {'E', replyStripContext, false}, {'Z', replyForward, false}, {'E', replyForward, false}, {'Z', replyForward, false}}},
		{"unexpected reply resynchronises", []expectedReply{cli(replySync)},
			[]step{{'Z', replyForward, false}, {'1', replyForward, true}, {'Z', replyForward, false}, {'Z', replyForward, false}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := newReplyQueue()
			q.push(tc.queue...)
			for i, s := range tc.steps {
				act, mm := q.received(s.typ)
				if act != s.act || mm != s.mismatch {
					t.Fatalf("step %d (%c): action %d mismatch %v, want %d %v", i, s.typ, act, mm, s.act, s.mismatch)
				}
			}
		})
	}
}

func TestReplyQueueStaysBoundedWhilePipelining(t *testing.T) {
	q := newReplyQueue()
	q.received(msgReadyForQuery) // startup
	// A client always one Sync ahead of the server's replies.
	q.push(expectedReply{kind: replyParse}, expectedReply{kind: replySync})
	for i := 0; i < 10000; i++ {
		q.push(expectedReply{kind: replyParse}, expectedReply{kind: replySync})
		if act, mm := q.received(msgParseComplete); act != replyForward || mm {
			t.Fatalf("round %d: ParseComplete did not match", i)
		}
		if _, mm := q.received(msgReadyForQuery); mm {
			t.Fatalf("round %d: ReadyForQuery did not match", i)
		}
	}
	if len(q.pending) > 600 {
		t.Fatalf("queue holds %d records for 2 in flight", len(q.pending))
	}
}
