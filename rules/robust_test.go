package rules

import (
	"math/rand"
	"testing"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

// TestFeedRandomStreams feeds random, often protocol-violating, event
// sequences: the analyzer must not panic (it would fail open, but a panic
// is a bug) and must stay deterministic.
func TestFeedRandomStreams(t *testing.T) {
	sqls := []string{
		"SELECT balance FROM users WHERE id = 42", "SELECT * FROM users WHERE id = ANY($1)",
		"UPDATE users SET balance = $1 WHERE id = $2", "UPDATE users SET balance = balance + 1 WHERE id = 42",
		"UPDATE users SET v = v + 1, a = $1 WHERE id = $2 AND v = $3", "BEGIN", "COMMIT", "ROLLBACK",
		"BEGIN ISOLATION LEVEL SERIALIZABLE", "SAVEPOINT a", "ROLLBACK TO SAVEPOINT a", "RELEASE a",
		"SELECT id FROM users WHERE id = 1 FOR UPDATE", "SELEC garbage", "", ";", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
		"INSERT INTO t (k, n) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET n = EXCLUDED.n",
		"SELECT 1; UPDATE users SET balance = 3 WHERE id = 42", "WITH x AS (UPDATE t SET a = 1 WHERE id = 2 RETURNING *) SELECT * FROM x",
	}
	tags := []string{"SELECT 1", "UPDATE 0", "UPDATE 1", "COMMIT", "ROLLBACK", "BEGIN", "INSERT 0 1", ""}
	states := []string{"", "40001", "40P01", "23505", "P0001"}
	kinds := []analyzer.EventKind{analyzer.EventQuery, analyzer.EventParse, analyzer.EventBind, analyzer.EventDescribe,
		analyzer.EventExecute, analyzer.EventSync, analyzer.EventClose, analyzer.EventParameterDescription,
		analyzer.EventRowDescription, analyzer.EventDataRow, analyzer.EventCommandComplete, analyzer.EventEmptyQuery,
		analyzer.EventError, analyzer.EventReadyForQuery, analyzer.EventSessionStart, analyzer.EventSessionEnd, analyzer.EventParameterStatus}
	gen := func(seed int64) []*analyzer.Event {
		r := rand.New(rand.NewSource(seed))
		t0 := time.Unix(1_700_000_000, 0)
		var evs []*analyzer.Event
		for i := 0; i < 400; i++ {
			ev := &analyzer.Event{Kind: kinds[r.Intn(len(kinds))], Session: []string{"a", "b", "c"}[r.Intn(3)],
				Time: t0.Add(time.Duration(i) * time.Millisecond)}
			switch ev.Kind {
			case analyzer.EventQuery, analyzer.EventParse:
				ev.SQL = sqls[r.Intn(len(sqls))]
				ev.Statement = []string{"", "s1"}[r.Intn(2)]
				if r.Intn(2) == 0 {
					ev.ParamOIDs = []uint32{20, 2950, 1700, 1016}[:r.Intn(4)]
				}
			case analyzer.EventBind:
				ev.Statement = []string{"", "s1"}[r.Intn(2)]
				for j := r.Intn(4); j > 0; j-- {
					v := make([]byte, r.Intn(20))
					r.Read(v)
					ev.Params = append(ev.Params, v)
				}
				ev.ParamFormats = []int16{int16(r.Intn(2))}
				ev.ResultFormats = []int16{int16(r.Intn(2))}
			case analyzer.EventDescribe, analyzer.EventClose:
				ev.Target = "SP"[r.Intn(2)]
			case analyzer.EventRowDescription:
				for j := r.Intn(4); j > 0; j-- {
					ev.Columns = append(ev.Columns, analyzer.Column{Name: []string{"id", "balance", "v"}[r.Intn(3)], TableOID: uint32(r.Intn(3)), TypeOID: []uint32{20, 23, 1700, 2950, 25}[r.Intn(5)], Format: int16(r.Intn(2))})
				}
			case analyzer.EventDataRow:
				for j := r.Intn(4); j > 0; j-- {
					v := make([]byte, r.Intn(17))
					r.Read(v)
					ev.Values = append(ev.Values, v)
				}
			case analyzer.EventCommandComplete:
				ev.Tag = tags[r.Intn(len(tags))]
			case analyzer.EventError:
				ev.SQLState = states[r.Intn(len(states))]
			case analyzer.EventReadyForQuery:
				ev.TxStatus = "ITE"[r.Intn(3)]
			case analyzer.EventSessionStart:
				ev.Startup = map[string]string{"application_name": "x", "options": "-c default_transaction_isolation=serializable"}
			}
			evs = append(evs, ev)
		}
		return evs
	}
	for seed := int64(0); seed < 1000; seed++ {
		evs := gen(seed)
		a1 := analyzer.New(analyzer.DefaultConfig(), All())
		a2 := analyzer.New(analyzer.DefaultConfig(), All())
		f1, f2 := feedAll(a1, evs), feedAll(a2, evs)
		if st := a1.Stats(); st.Panics > 0 {
			t.Fatalf("seed %d: %d panics: %s", seed, st.Panics, st.LastPanic)
		}
		if findingKeys(f1) != findingKeys(f2) {
			t.Fatalf("seed %d: not deterministic", seed)
		}
	}
}
