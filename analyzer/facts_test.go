package analyzer

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustFacts(t *testing.T, sql string) *StatementFacts {
	t.Helper()
	fs, err := parseFacts(sql)
	if err != nil || len(fs) != 1 {
		t.Fatalf("parse %q: %v (%d stmts)", sql, err, len(fs))
	}
	return fs[0]
}

func TestFactsSelect(t *testing.T) {
	f := mustFacts(t, `SELECT u.balance, o.* FROM "public"."users" AS u JOIN orders o ON o.user_id = u.id WHERE u.id = $1 AND o.state IN ('a', 'b') AND u.org = ANY($2) FOR NO KEY UPDATE OF u SKIP LOCKED`)
	if f.Kind != StmtSelect || len(f.Tables) != 2 || f.Tables[0].Name != "users" || f.Tables[0].Alias != "u" || f.Tables[0].Schema != "public" {
		t.Fatalf("tables: %+v", f.Tables)
	}
	want := map[string]bool{"users.id": false, "orders.state": false, "users.org": false}
	for _, p := range f.Predicates {
		key := p.Table + "." + p.Column
		if _, ok := want[key]; ok {
			want[key] = true
		}
		if key == "users.org" && !p.Array {
			t.Errorf("= ANY($2) should be an array predicate")
		}
		if key == "orders.state" && len(p.Values) != 2 {
			t.Errorf("IN list: %+v", p.Values)
		}
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("missing predicate %s in %+v", k, f.Predicates)
		}
	}
	if f.LockOn("users") != LockForNoKeyUpdate || f.LockOn("orders") != LockNone || !f.Locks[0].SkipLocked {
		t.Errorf("locks: %+v", f.Locks)
	}
	if len(f.Reads) != 2 || f.Reads[0].Table != "users" || f.Reads[0].Columns[0] != "balance" || !f.Reads[1].All {
		t.Errorf("reads: %+v", f.Reads)
	}
}

func TestFactsUpdateSets(t *testing.T) {
	f := mustFacts(t, `UPDATE "users" AS t SET "balance" = COALESCE(t."balance", 0) - 1, name = $1, tags = tags || $2, version = version + 1, note = upper($3) WHERE "t"."id" = $4 AND version = $5 RETURNING id`)
	rel := map[string]bool{"balance": true, "name": false, "tags": true, "version": true, "note": false}
	for _, s := range f.Sets {
		if rel[s.Column] != s.Relative {
			t.Errorf("%s: relative = %v", s.Column, s.Relative)
		}
	}
	if s, _ := f.SetOf("note"); s.ServerSide {
		t.Errorf("upper($3) is a client value")
	}
	g := mustFacts(t, "UPDATE t SET updated_at = now(), a = DEFAULT, b = c, d = $1::numeric(12,2) WHERE id = 1")
	for _, col := range []string{"updated_at", "a", "b"} {
		if s, _ := g.SetOf(col); !s.ServerSide {
			t.Errorf("%s should be server-side", col)
		}
	}
	if s, _ := g.SetOf("d"); s.ServerSide {
		t.Errorf("d is a client value")
	}
	if s, _ := f.SetOf("version"); !s.Increment {
		t.Errorf("version = version + 1 should be an increment")
	}
	if !f.Returning || f.Target != "users" || len(f.Predicates) != 2 {
		t.Errorf("facts: %+v", f)
	}
}

func TestFactsTransactionControl(t *testing.T) {
	cases := map[string]struct {
		kind StmtKind
		iso  Isolation
	}{
		"BEGIN ISOLATION LEVEL SERIALIZABLE":                                      {StmtBegin, Serializable},
		"START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ WRITE":           {StmtBegin, RepeatableRead},
		"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ":                         {StmtSetTransaction, RepeatableRead},
		"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE": {StmtSetSession, Serializable},
		"SET default_transaction_isolation = 'repeatable read'":                   {StmtSetSession, RepeatableRead},
		"SET SESSION default_transaction_isolation TO serializable":               {StmtSetSession, Serializable},
		"SET transaction_isolation = 'serializable'":                              {StmtSetTransaction, Serializable},
		"RESET default_transaction_isolation":                                     {StmtReset, IsolationDefault},
		"END":                                                                     {StmtCommit, IsolationDefault},
		"PREPARE TRANSACTION 'x'":                                                 {StmtPrepareTransaction, IsolationDefault},
		"ROLLBACK TO SAVEPOINT a":                                                 {StmtRollbackTo, IsolationDefault},
	}
	for sql, want := range cases {
		f := mustFacts(t, sql)
		if f.Kind != want.kind || f.Isolation != want.iso {
			t.Errorf("%s: got %v/%v, want %v/%v", sql, f.Kind, f.Isolation, want.kind, want.iso)
		}
	}
	if got := startupIsolationOf("-c default_transaction_isolation=serializable -c statement_timeout=5s"); got != Serializable {
		t.Errorf("startup options: %v", got)
	}
}

func TestFactsSuppressionAndCache(t *testing.T) {
	f := mustFacts(t, "/* pgrmw:ignore RMW001 RMW002 legacy */ UPDATE t SET a = 1 WHERE id = 2")
	if !f.Suppressed("RMW001", "") || !f.Suppressed("RMW002", "") || f.Suppressed("RMW003", "") {
		t.Errorf("suppress: %v", f.Suppress)
	}
	c := newFactCache(8)
	p1, lits1 := c.lookup("SELECT a FROM t WHERE id = 1")
	p2, lits2 := c.lookup("SELECT a FROM t WHERE id = 2")
	if p1 != p2 || lits1[0] != "1" || lits2[0] != "2" || c.parsed.Load() != 1 {
		t.Errorf("normalized texts should share one parse: parsed=%d", c.parsed.Load())
	}
	// COPY t FROM $1 does not parse: fall back to the original text.
	p3, lits3 := c.lookup("COPY t FROM 'data.csv'")
	if p3.err != nil || lits3 != nil {
		t.Errorf("fallback: %v %v", p3.err, lits3)
	}
	if p, _ := c.lookup("SELEC 1"); p.err == nil {
		t.Errorf("unparsable SQL should carry its error")
	}
}

func TestNormalizerBinary(t *testing.T) {
	n := NewNormalizer()
	i8 := make([]byte, 8)
	binary.BigEndian.PutUint64(i8, uint64(42))
	uuid := []byte{0x1f, 0x44, 0xc1, 0xa0, 0x5c, 0x3e, 0x4d, 0x2a, 0x9f, 0x1e, 0, 0, 0, 0, 0, 1}
	num := []byte{0, 2, 0, 0, 0, 0, 0, 2, 0, 12, 13, 128} // 12.3456 (digits 12, 3456; dscale 2 → 12.34)
	evs := []*Event{
		{Kind: EventParse, Session: "s", Statement: "q", SQL: "SELECT x FROM t WHERE a = $1 AND b = $2 AND c = $3", ParamOIDs: []uint32{20, 2950, 0}},
		{Kind: EventDescribe, Session: "s", Target: 'S', Statement: "q"},
		{Kind: EventParameterDescription, Session: "s", ParamOIDs: []uint32{20, 2950, 1700}},
		{Kind: EventRowDescription, Session: "s", Columns: []Column{{Name: "x", TypeOID: 20}}},
		{Kind: EventBind, Session: "s", Statement: "q", ParamFormats: []int16{1}, Params: [][]byte{i8, uuid, num}, ResultFormats: []int16{1}},
		{Kind: EventExecute, Session: "s"},
		{Kind: EventSync, Session: "s"},
		{Kind: EventDataRow, Session: "s", Values: [][]byte{i8}},
	}
	for _, ev := range evs {
		n.Normalize(ev)
	}
	bind, row := evs[4], evs[7]
	got := []string{string(bind.Params[0]), string(bind.Params[1]), string(bind.Params[2]), string(row.Values[0])}
	want := []string{"42", "1f44c1a0-5c3e-4d2a-9f1e-000000000001", "12.34", "42"}
	if strings.Join(got, "|") != strings.Join(want, "|") || bind.ParamFormats != nil {
		t.Errorf("normalized %q, want %q", got, want)
	}
	// Idempotent.
	n.Normalize(bind)
	if string(bind.Params[0]) != "42" {
		t.Errorf("second pass changed %q", bind.Params[0])
	}
	if s, ok := decodeNumeric([]byte{0, 1, 0, 1, 0x40, 0, 0, 0, 0, 5}); !ok || s != "-50000" {
		t.Errorf("numeric: %q", s)
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pgrmw.yaml")
	os.WriteFile(p, []byte("window: 5s\ndisable: [RMW004]\nseverity: {RMW002: error}\nactions: {RMW001: block}\nhot_row: {conflicts: 5}\n"), 0o600)
	cfg, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Window.Seconds() != 5 || cfg.Action("RMW001") != "block" || cfg.Action("RMW002") != "log" || cfg.HotRow.Conflicts != 5 || cfg.HotRow.Window == 0 {
		t.Errorf("config: %+v", cfg)
	}
	if found, ok := FindConfig(dir); !ok || found != p {
		t.Errorf("FindConfig: %q %v", found, ok)
	}
	os.WriteFile(p, []byte("windw: 5s\n"), 0o600)
	if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), "windw") {
		t.Errorf("unknown key should be named: %v", err)
	}
	os.WriteFile(p, []byte("actions: {RMW001: refuse}\n"), 0o600)
	if _, err := LoadConfig(p); err == nil {
		t.Errorf("bad action accepted")
	}
}

// Odd shapes of the statements the value-source, MERGE and LOCK extraction
// reads must give facts (or none), never a panic.
func TestFactsOddWriteShapes(t *testing.T) {
	for _, sql := range []string{
		"UPDATE t SET a = v.a FROM (VALUES (1)) v WHERE t.id = v.id",
		"UPDATE t SET a = v.a FROM (VALUES (1, 2), (3)) v(id, a) WHERE t.id = v.id",
		"UPDATE t SET a = v.a FROM (VALUES (1 + 2, $1)) v(id, a) WHERE t.id = v.id",
		"UPDATE t SET a = v.a FROM unnest() AS v(a) WHERE t.id = v.a",
		"UPDATE t SET a = v.a FROM unnest(ARRAY[1,2], $1) AS v(id, a) WHERE t.id = v.id",
		"UPDATE t SET a = v.a FROM generate_series(1, 3) AS v(a) WHERE t.id = v.a",
		"UPDATE t SET a = v.a FROM (SELECT $1 UNION SELECT $2) v(a) WHERE t.id = v.a",
		"MERGE INTO t USING (SELECT) s ON true WHEN MATCHED THEN DO NOTHING",
		"MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE",
		"MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id)",
		"MERGE INTO t USING (VALUES ($1, $2)) s(id, a) ON t.id = s.id WHEN MATCHED AND t.a IS NULL THEN UPDATE SET a = s.a",
		"LOCK t",
		"LOCK TABLE ONLY a, public.b IN ACCESS EXCLUSIVE MODE NOWAIT",
		"LOCK TABLE a IN ROW SHARE MODE",
	} {
		fs, err := parseFacts(sql)
		if err != nil {
			t.Errorf("%s: %v", sql, err)
			continue
		}
		if len(fs) != 1 {
			t.Errorf("%s: %d statements", sql, len(fs))
		}
	}
	fs, _ := parseFacts("LOCK TABLE ONLY a, public.b IN ACCESS EXCLUSIVE MODE NOWAIT")
	if got := fs[0].TableLocks; len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("table locks %q", got)
	}
	fs, _ = parseFacts("LOCK t")
	if len(fs[0].TableLocks) != 1 {
		t.Errorf("LOCK without a mode is ACCESS EXCLUSIVE: %q", fs[0].TableLocks)
	}
	fs, _ = parseFacts("LOCK TABLE a IN ROW SHARE MODE")
	if len(fs[0].TableLocks) != 0 {
		t.Errorf("ROW SHARE does not keep writers out: %q", fs[0].TableLocks)
	}
	fs, _ = parseFacts("MERGE INTO t USING (VALUES ($1, $2)) s(id, a) ON t.id = s.id WHEN MATCHED AND t.a IS NULL THEN UPDATE SET a = s.a")
	if f := fs[0]; f.Kind != StmtUpdate || f.Target != "t" || len(f.Sets) != 1 || f.Sets[0].ServerSide || len(f.Predicates) != 1 || f.Predicates[0].Column != "id" {
		t.Errorf("MERGE facts: %+v", f)
	}
}
