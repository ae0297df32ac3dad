package analyzer

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"
)

// recorder is a rule that writes down what it observes.
func recorder(log *[]string) *Rule {
	return &Rule{ID: "TEST", Name: "recorder", Run: func(p *Pass) {
		switch p.Kind {
		case ObsResult:
			vals := ""
			for _, r := range p.Exec.Rows {
				for _, v := range r {
					vals += string(v) + ","
				}
			}
			*log = append(*log, fmt.Sprintf("result %s %s [%s]", p.Exec.SQL, p.Exec.Tag, vals))
		case ObsError:
			sql := "?"
			if p.Exec != nil {
				sql = p.Exec.SQL
			}
			*log = append(*log, fmt.Sprintf("error %s %s", sql, p.Event.SQLState))
		case ObsTxEnd:
			*log = append(*log, fmt.Sprintf("txend committed=%v", p.Tx.Committed))
		}
	}}
}

func i8(v int64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(v))
	return b
}

// TestPipelinedBatch: a pgx batch (Parse/Describe for two statements, one
// Sync; then Bind/Execute ×3 and one Sync) with a failure in the middle: the
// responses must be matched to their statements and the statement skipped
// after the error must not complete.
func TestPipelinedBatch(t *testing.T) {
	var log []string
	a := New(DefaultConfig(), []*Rule{recorder(&log)})
	t0 := time.Unix(1_700_000_000, 0)
	s := "s"
	evs := []*Event{
		{Kind: EventParse, Statement: "a", SQL: "SELECT balance FROM users WHERE id = $1"},
		{Kind: EventDescribe, Target: 'S', Statement: "a"},
		{Kind: EventParse, Statement: "b", SQL: "UPDATE users SET balance = $1 WHERE id = $2"},
		{Kind: EventDescribe, Target: 'S', Statement: "b"},
		{Kind: EventSync},
		{Kind: EventParameterDescription, ParamOIDs: []uint32{20}},
		{Kind: EventRowDescription, Columns: []Column{{Name: "balance", TableOID: 1, TypeOID: 20}}},
		{Kind: EventParameterDescription, ParamOIDs: []uint32{20, 20}},
		{Kind: EventReadyForQuery, TxStatus: 'I'},
		// Batch: SELECT, UPDATE (fails), SELECT (skipped by the server).
		{Kind: EventBind, Statement: "a", ParamFormats: []int16{1}, Params: [][]byte{i8(42)}, ResultFormats: []int16{1}},
		{Kind: EventExecute},
		{Kind: EventBind, Statement: "b", ParamFormats: []int16{1}, Params: [][]byte{i8(7), i8(42)}},
		{Kind: EventExecute},
		{Kind: EventBind, Statement: "a", ParamFormats: []int16{1}, Params: [][]byte{i8(1)}, ResultFormats: []int16{1}},
		{Kind: EventExecute},
		{Kind: EventSync},
		{Kind: EventDataRow, Values: [][]byte{i8(100)}},
		{Kind: EventCommandComplete, Tag: "SELECT 1"},
		{Kind: EventError, SQLState: "23514"},
		{Kind: EventReadyForQuery, TxStatus: 'I'},
		// The connection goes on normally.
		{Kind: EventBind, Statement: "a", ParamFormats: []int16{1}, Params: [][]byte{i8(2)}, ResultFormats: []int16{1}},
		{Kind: EventExecute},
		{Kind: EventSync},
		{Kind: EventDataRow, Values: [][]byte{i8(5)}},
		{Kind: EventCommandComplete, Tag: "SELECT 1"},
		{Kind: EventReadyForQuery, TxStatus: 'I'},
	}
	for i, ev := range evs {
		ev.Session = s
		ev.Time = t0.Add(time.Duration(i) * time.Millisecond)
		a.Feed(ev)
	}
	got := strings.Join(log, "\n")
	want := strings.Join([]string{
		"result SELECT balance FROM users WHERE id = $1 SELECT 1 [100,]",
		"error UPDATE users SET balance = $1 WHERE id = $2 23514",
		"txend committed=false",
		"result SELECT balance FROM users WHERE id = $1 SELECT 1 [5,]",
		"txend committed=true",
	}, "\n")
	if got != want {
		t.Errorf("observations:\n%s\nwant:\n%s", got, want)
	}
	if st := a.Stats(); st.Panics != 0 {
		t.Fatal(st.LastPanic)
	}
}

// TestSimpleMultiStatement: one Query with three statements gets one result
// per statement, in order; an error stops the rest.
func TestSimpleMultiStatement(t *testing.T) {
	var log []string
	a := New(DefaultConfig(), []*Rule{recorder(&log)})
	t0 := time.Unix(1_700_000_000, 0)
	evs := []*Event{
		{Kind: EventQuery, SQL: "SELECT 1 AS one; SELECT balance FROM users WHERE id = 42; UPDATE users SET balance = 1 WHERE id = 42"},
		{Kind: EventRowDescription, Columns: []Column{{Name: "one"}}},
		{Kind: EventDataRow, Values: [][]byte{[]byte("1")}},
		{Kind: EventCommandComplete, Tag: "SELECT 1"},
		{Kind: EventRowDescription, Columns: []Column{{Name: "balance", TableOID: 1}}},
		{Kind: EventDataRow, Values: [][]byte{[]byte("100")}},
		{Kind: EventCommandComplete, Tag: "SELECT 1"},
		{Kind: EventError, SQLState: "40P01"},
		{Kind: EventReadyForQuery, TxStatus: 'I'},
	}
	for i, ev := range evs {
		ev.Session = "s"
		ev.Time = t0.Add(time.Duration(i) * time.Millisecond)
		a.Feed(ev)
	}
	got := strings.Join(log, "\n")
	for _, w := range []string{"result SELECT 1 AS one SELECT 1 [1,]", "result SELECT balance FROM users WHERE id = 42 SELECT 1 [100,]", "error UPDATE users SET balance = 1 WHERE id = 42 40P01"} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
}
