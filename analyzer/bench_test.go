package analyzer_test

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
	"github.com/pgrmw/pgrmw/rules"
)

// simpleTx is one pgbench-like read-modify-write in the simple protocol:
// 10 events.
func simpleTx(sess string, t time.Time, id int, comment string) []*analyzer.Event {
	ids := strconv.Itoa(id)
	return []*analyzer.Event{
		{Kind: analyzer.EventQuery, Session: sess, Time: t, SQL: "SELECT abalance FROM pgbench_accounts WHERE aid = " + ids + comment},
		{Kind: analyzer.EventRowDescription, Session: sess, Time: t, Columns: []analyzer.Column{{Name: "abalance", TableOID: 16400, AttrNum: 3, TypeOID: 23}}},
		{Kind: analyzer.EventDataRow, Session: sess, Time: t, Values: [][]byte{[]byte("100")}},
		{Kind: analyzer.EventCommandComplete, Session: sess, Time: t, Tag: "SELECT 1"},
		{Kind: analyzer.EventReadyForQuery, Session: sess, Time: t, TxStatus: 'I'},
		{Kind: analyzer.EventQuery, Session: sess, Time: t, SQL: "UPDATE pgbench_accounts SET abalance = abalance + -17 WHERE aid = " + ids + comment},
		{Kind: analyzer.EventCommandComplete, Session: sess, Time: t, Tag: "UPDATE 1"},
		{Kind: analyzer.EventReadyForQuery, Session: sess, Time: t, TxStatus: 'I'},
		{Kind: analyzer.EventQuery, Session: sess, Time: t, SQL: "UPDATE pgbench_tellers SET tbalance = " + ids + " WHERE tid = 7" + comment},
		{Kind: analyzer.EventCommandComplete, Session: sess, Time: t, Tag: "UPDATE 1"},
	}
}

func benchFeed(b *testing.B, rs []*analyzer.Rule, uncached bool) {
	a := analyzer.New(analyzer.DefaultConfig(), rs)
	t0 := time.Unix(1_700_000_000, 0)
	// Pre-build a window of transactions so building them is not measured.
	const window = 1024
	var txs [][]*analyzer.Event
	for i := 0; i < window; i++ {
		c := ""
		if uncached {
			c = fmt.Sprintf(" /* call site %d */", i)
		}
		txs = append(txs, simpleTx(fmt.Sprintf("s%d", i%8), t0.Add(time.Duration(i)*time.Millisecond), i*7919%100000, c))
	}
	events := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		tx := txs[i%window]
		if uncached && i >= window {
			// A fresh text each time: rebuild outside the timer.
			b.StopTimer()
			tx = simpleTx(fmt.Sprintf("s%d", i%8), t0.Add(time.Duration(i)*time.Millisecond), i, fmt.Sprintf(" /* call site %d */", i))
			b.StartTimer()
		}
		for _, ev := range tx {
			a.Feed(ev)
		}
		events += len(tx)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkFeedCached: a mixed read/write stream whose statements differ
// only in literals (cache hits after normalization), all rules.
func BenchmarkFeedCached(b *testing.B) { benchFeed(b, rules.All(), false) }

// BenchmarkFeedCachedNoRules is the baseline: session tracking and facts
// lookup without rules.
func BenchmarkFeedCachedNoRules(b *testing.B) { benchFeed(b, nil, false) }

// BenchmarkFeedUncached: every statement text is new (a pg_query parse per
// statement).
func BenchmarkFeedUncached(b *testing.B) { benchFeed(b, rules.All(), true) }

// BenchmarkFeedExtended: pgx-style prepared statements with binary int8
// parameters (Bind/Execute/Sync per statement).
func BenchmarkFeedExtended(b *testing.B) {
	a := analyzer.New(analyzer.DefaultConfig(), rules.All())
	t0 := time.Unix(1_700_000_000, 0)
	s := "s1"
	for _, ev := range []*analyzer.Event{
		{Kind: analyzer.EventParse, Session: s, Time: t0, Statement: "sel", SQL: "SELECT balance FROM users WHERE id = $1", ParamOIDs: []uint32{20}},
		{Kind: analyzer.EventParse, Session: s, Time: t0, Statement: "upd", SQL: "UPDATE users SET balance = $1 WHERE id = $2", ParamOIDs: []uint32{20, 20}},
	} {
		a.Feed(ev)
	}
	int8 := func(v int) []byte { var buf [8]byte; binary.BigEndian.PutUint64(buf[:], uint64(v)); return buf[:] }
	const window = 1024
	var txs [][]*analyzer.Event
	for i := 0; i < window; i++ {
		t := t0.Add(time.Duration(i) * time.Millisecond)
		id := int8(i * 7919 % 5000)
		txs = append(txs, []*analyzer.Event{
			{Kind: analyzer.EventBind, Session: s, Time: t, Statement: "sel", ParamFormats: []int16{1}, Params: [][]byte{id}, ResultFormats: []int16{1}},
			{Kind: analyzer.EventExecute, Session: s, Time: t},
			{Kind: analyzer.EventSync, Session: s, Time: t},
			{Kind: analyzer.EventDataRow, Session: s, Time: t, Values: [][]byte{int8(100)}},
			{Kind: analyzer.EventCommandComplete, Session: s, Time: t, Tag: "SELECT 1"},
			{Kind: analyzer.EventReadyForQuery, Session: s, Time: t, TxStatus: 'I'},
			{Kind: analyzer.EventBind, Session: s, Time: t, Statement: "upd", ParamFormats: []int16{1}, Params: [][]byte{int8(250), id}},
			{Kind: analyzer.EventExecute, Session: s, Time: t},
			{Kind: analyzer.EventSync, Session: s, Time: t},
			{Kind: analyzer.EventCommandComplete, Session: s, Time: t, Tag: "UPDATE 1"},
			{Kind: analyzer.EventReadyForQuery, Session: s, Time: t, TxStatus: 'I'},
		})
	}
	replayTransactions(b, a, txs)
}

// replayTransactions feeds txs round and round as the timed loop and
// reports ns/event.
func replayTransactions(b *testing.B, a *analyzer.Analyzer, txs [][]*analyzer.Event) {
	events := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		evs := txs[i%len(txs)]
		for _, ev := range evs {
			a.Feed(ev)
		}
		events += len(evs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
}

// BenchmarkSessionMemory reports heap bytes per session with a full ledger
// (every session read more distinct rows than the ledger keeps).
func BenchmarkSessionMemory(b *testing.B) {
	for b.Loop() {
		const sessions = 200
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		a := analyzer.New(analyzer.DefaultConfig(), rules.All())
		t0 := time.Unix(1_700_000_000, 0)
		for s := 0; s < sessions; s++ {
			sess := "s" + strconv.Itoa(s)
			a.Feed(&analyzer.Event{Kind: analyzer.EventSessionStart, Session: sess, Time: t0, Startup: map[string]string{"application_name": "bench"}})
			for i := 0; i < 400; i++ {
				for _, ev := range simpleTx(sess, t0.Add(time.Duration(i)*time.Millisecond), s*1000+i, "")[:5] {
					a.Feed(ev)
				}
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/sessions, "bytes/session")
		runtime.KeepAlive(a)
	}
}

// BenchmarkFeedPgbenchSelect is the proxy's analysis load under pgbench -S
// -M prepared (libpq's PQexecPrepared): per transaction Bind (binary
// parameter), Describe portal, Execute, Sync, RowDescription, DataRow,
// CommandComplete, ReadyForQuery, 8 sessions interleaved, no
// finding. make bench's pgrmw-vs-relay gap is this cost (plus building the
// events and handing them over).
func BenchmarkFeedPgbenchSelect(b *testing.B) {
	a := analyzer.New(analyzer.DefaultConfig(), rules.All())
	t0 := time.Unix(1_700_000_000, 0)
	int4 := func(v int) []byte { var buf [4]byte; binary.BigEndian.PutUint32(buf[:], uint32(v)); return buf[:] }
	const sessions = 8
	for s := 0; s < sessions; s++ {
		sess := "s" + strconv.Itoa(s)
		for _, ev := range []*analyzer.Event{
			{Kind: analyzer.EventSessionStart, Session: sess, Time: t0, Startup: map[string]string{"user": "bench", "database": "bench"}},
			{Kind: analyzer.EventParse, Session: sess, Time: t0, Statement: "P0_1", SQL: "SELECT abalance FROM pgbench_accounts WHERE aid = $1;", ParamOIDs: []uint32{23}},
			{Kind: analyzer.EventSync, Session: sess, Time: t0},
			{Kind: analyzer.EventReadyForQuery, Session: sess, Time: t0, TxStatus: 'I'},
		} {
			a.Feed(ev)
		}
	}
	const window = 4096
	var txs [][]*analyzer.Event
	for i := 0; i < window; i++ {
		sess := "s" + strconv.Itoa(i%sessions)
		t := t0.Add(time.Duration(i) * 50 * time.Microsecond)
		txs = append(txs, []*analyzer.Event{
			{Kind: analyzer.EventBind, Session: sess, Time: t, Statement: "P0_1", ParamFormats: []int16{1}, Params: [][]byte{int4(i*7919%1000000 + 1)}, ResultFormats: []int16{1}},
			{Kind: analyzer.EventDescribe, Session: sess, Time: t, Target: 'P'},
			{Kind: analyzer.EventExecute, Session: sess, Time: t},
			{Kind: analyzer.EventSync, Session: sess, Time: t},
			{Kind: analyzer.EventRowDescription, Session: sess, Time: t, Columns: []analyzer.Column{{Name: "abalance", TableOID: 16400, AttrNum: 3, TypeOID: 23, Format: 1}}},
			{Kind: analyzer.EventDataRow, Session: sess, Time: t, Values: [][]byte{int4(i % 5000)}},
			{Kind: analyzer.EventCommandComplete, Session: sess, Time: t, Tag: "SELECT 1"},
			{Kind: analyzer.EventReadyForQuery, Session: sess, Time: t, TxStatus: 'I'},
		})
	}
	replayTransactions(b, a, txs)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/tx")
}
