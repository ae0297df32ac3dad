package rules

import (
	"strconv"
	"testing"
	"time"

	"github.com/pgrmw/pgrmw/analyzer"
)

// stream builds simple-protocol events by hand for unit tests of Feed.
type stream struct {
	t   time.Time
	evs []*analyzer.Event
}

func (s *stream) add(ev analyzer.Event) {
	s.t = s.t.Add(time.Millisecond)
	ev.Time = s.t
	s.evs = append(s.evs, &ev)
}

func (s *stream) query(sess, sql string, cols []string, rows [][]string, tag string, tx byte) {
	s.add(analyzer.Event{Kind: analyzer.EventQuery, Session: sess, SQL: sql})
	if cols != nil {
		var cs []analyzer.Column
		for i, c := range cols {
			cs = append(cs, analyzer.Column{Name: c, TableOID: 1000, AttrNum: uint16(i + 1), TypeOID: 23})
		}
		s.add(analyzer.Event{Kind: analyzer.EventRowDescription, Session: sess, Columns: cs})
		for _, r := range rows {
			var vs [][]byte
			for _, v := range r {
				vs = append(vs, []byte(v))
			}
			s.add(analyzer.Event{Kind: analyzer.EventDataRow, Session: sess, Values: vs})
		}
	}
	if tag != "" {
		s.add(analyzer.Event{Kind: analyzer.EventCommandComplete, Session: sess, Tag: tag})
		s.add(analyzer.Event{Kind: analyzer.EventReadyForQuery, Session: sess, TxStatus: tx})
	}
}

func feedAll(a *analyzer.Analyzer, evs []*analyzer.Event) []analyzer.Finding {
	var out []analyzer.Finding
	for _, ev := range evs {
		out = append(out, a.Feed(ev)...)
	}
	return append(out, a.Close()...)
}

func TestFeedRMW001Simple(t *testing.T) {
	var s stream
	s.query("order", "SELECT balance FROM users WHERE id = 42", []string{"balance"}, [][]string{{"100"}}, "SELECT 1", 'I')
	s.query("referral", "SELECT balance FROM users WHERE id = 42", []string{"balance"}, [][]string{{"100"}}, "SELECT 1", 'I')
	s.query("order", "UPDATE users SET balance = 250 WHERE id = 42", nil, nil, "UPDATE 1", 'I')
	s.query("referral", "UPDATE users SET balance = 500 WHERE id = 42", nil, nil, "UPDATE 1", 'I')
	a := analyzer.New(analyzer.DefaultConfig(), All())
	fs := feedAll(a, s.evs)
	n := 0
	for _, f := range fs {
		if f.Rule == "RMW001" {
			n++
			t.Logf("%s %s | fix: %s", f.Rule, f.Message, f.Fix)
		}
	}
	if n != 2 {
		t.Fatalf("want 2 RMW001, got %d: %+v", n, fs)
	}
	if st := a.Stats(); st.Panics != 0 {
		t.Fatalf("panics: %+v", st)
	}
}

func TestFeedLogModeAndGuards(t *testing.T) {
	cases := []struct {
		name string
		sqls []string
		want int
	}{
		{"plain", []string{"SELECT balance FROM users WHERE id = 42", "UPDATE users SET balance = 250 WHERE id = 42"}, 1},
		{"atomic", []string{"SELECT balance FROM users WHERE id = 42", "UPDATE users SET balance = balance + 150 WHERE id = 42"}, 0},
		{"for update", []string{"BEGIN", "SELECT balance FROM users WHERE id = 42 FOR UPDATE", "UPDATE users SET balance = 250 WHERE id = 42", "COMMIT"}, 0},
		{"key share", []string{"BEGIN", "SELECT balance FROM users WHERE id = 42 FOR KEY SHARE", "UPDATE users SET balance = 250 WHERE id = 42", "COMMIT"}, 1},
		{"serializable", []string{"BEGIN ISOLATION LEVEL SERIALIZABLE", "SELECT balance FROM users WHERE id = 42", "UPDATE users SET balance = 250 WHERE id = 42", "COMMIT"}, 0},
		{"separate tx", []string{"BEGIN ISOLATION LEVEL SERIALIZABLE", "SELECT balance FROM users WHERE id = 42", "COMMIT", "BEGIN ISOLATION LEVEL SERIALIZABLE", "UPDATE users SET balance = 250 WHERE id = 42", "COMMIT"}, 1},
		{"version", []string{"SELECT balance, version FROM users WHERE id = 42", "UPDATE users SET balance = 250, version = version + 1 WHERE id = 42 AND version = 3"}, 0},
		{"blind", []string{"SELECT name FROM users WHERE id = 42", "UPDATE users SET balance = 250 WHERE id = 42"}, 0},
		{"other row", []string{"SELECT balance FROM users WHERE id = 41", "UPDATE users SET balance = 250 WHERE id = 42"}, 0},
		{"suppressed", []string{"SELECT balance FROM users WHERE id = 42", "UPDATE users SET balance = 250 WHERE id = 42 /* pgrmw:ignore RMW001 reviewed */"}, 0},
		{"in list", []string{"SELECT * FROM users WHERE id IN (1, 42, 7)", "UPDATE users SET balance = 250 WHERE id = 42"}, 1},
	}
	for _, c := range cases {
		var s stream
		for _, q := range c.sqls {
			s.query("s1", q, nil, nil, "", 0)
		}
		a := analyzer.New(analyzer.DefaultConfig(), []*analyzer.Rule{RMW001})
		fs := feedAll(a, s.evs)
		if len(fs) != c.want {
			t.Errorf("%s: want %d findings, got %d: %+v", c.name, c.want, len(fs), fs)
		}
	}
}

// TestFeedServerLogExtended: a server-log stream has no backend events; the
// extended protocol arrives as Parse/Bind/Execute/Sync with text params.
func TestFeedServerLogExtended(t *testing.T) {
	var s stream
	ext := func(sess, name, sql string, params ...string) {
		s.add(analyzer.Event{Kind: analyzer.EventParse, Session: sess, Statement: name, SQL: sql})
		var ps [][]byte
		for _, p := range params {
			ps = append(ps, []byte(p))
		}
		s.add(analyzer.Event{Kind: analyzer.EventBind, Session: sess, Statement: name, Params: ps})
		s.add(analyzer.Event{Kind: analyzer.EventExecute, Session: sess})
		s.add(analyzer.Event{Kind: analyzer.EventSync, Session: sess})
	}
	s.add(analyzer.Event{Kind: analyzer.EventSessionStart, Session: "a", Startup: map[string]string{"application_name": "order"}})
	ext("a", "", "BEGIN")
	ext("a", "", "SELECT balance FROM users WHERE id = $1", "42")
	ext("a", "", "UPDATE users SET balance = $1 WHERE id = $2", "250", "42")
	ext("a", "", "COMMIT")
	ext("a", "", "BEGIN ISOLATION LEVEL SERIALIZABLE")
	ext("a", "", "SELECT balance FROM users WHERE id = $1", "7")
	ext("a", "", "UPDATE users SET balance = $1 WHERE id = $2", "250", "7")
	ext("a", "", "COMMIT")
	a := analyzer.New(analyzer.DefaultConfig(), All())
	fs := feedAll(a, s.evs)
	if len(fs) != 1 || fs[0].Rule != "RMW001" || fs[0].Key == nil || fs[0].Key.Value != "42" || fs[0].Session.ApplicationName != "order" {
		t.Fatalf("want one RMW001 on id=42, got %+v", fs)
	}
	if a.Stats().HasResults {
		t.Errorf("a log stream has no results")
	}
}

func TestIsVersionColumn(t *testing.T) {
	for col, want := range map[string]bool{"version": true, "lock_version": true, "Version": true, "post_version": true,
		"rowVersion": true, "xmin": true, "lockVersion": true, "conversion": false, "versions": false, "balance": false, "prev": false} {
		if got := analyzer.IsVersionColumn(col); got != want {
			t.Errorf("%s: %v", col, got)
		}
	}
}

// Two sessions' events can reach the analyzer out of the server's order: a
// busy proxy relays b's whole UPDATE-then-COMMIT before a's COMMIT although
// b's UPDATE was waiting for a's row lock. RMW006 must still say that b
// overwrote a, not the reverse.
func TestFeedRMW006CommitsRelayedOutOfOrder(t *testing.T) {
	for _, swapped := range []bool{false, true} {
		var s stream
		s.query("a", "BEGIN", nil, nil, "BEGIN", 'T')
		s.query("b", "BEGIN", nil, nil, "BEGIN", 'T')
		s.query("a", "SELECT balance FROM users WHERE id = 42", []string{"balance"}, [][]string{{"100"}}, "SELECT 1", 'T')
		s.query("b", "SELECT balance FROM users WHERE id = 42", []string{"balance"}, [][]string{{"100"}}, "SELECT 1", 'T')
		s.query("a", "UPDATE users SET balance = 250 WHERE id = 42", nil, nil, "UPDATE 1", 'T')
		// b's UPDATE is sent while a holds the row; it completes after a's COMMIT.
		s.add(analyzer.Event{Kind: analyzer.EventQuery, Session: "b", SQL: "UPDATE users SET balance = 500 WHERE id = 42"})
		aCommit := func() { s.query("a", "COMMIT", nil, nil, "COMMIT", 'I') }
		bDone := func() {
			s.add(analyzer.Event{Kind: analyzer.EventCommandComplete, Session: "b", Tag: "UPDATE 1"})
			s.add(analyzer.Event{Kind: analyzer.EventReadyForQuery, Session: "b", TxStatus: 'T'})
			s.query("b", "COMMIT", nil, nil, "COMMIT", 'I')
		}
		if swapped {
			bDone()
			aCommit()
		} else {
			aCommit()
			bDone()
		}
		fs := feedAll(analyzer.New(analyzer.DefaultConfig(), All()), s.evs)
		var got []string
		for _, f := range fs {
			if f.Rule == "RMW006" {
				got = append(got, f.Session.ID+": "+f.Message+" | "+f.Summary)
			}
		}
		want := "b: lost update on users id=42: a and b read the same balance, both wrote it back, and a's write (committed first) was overwritten | expected 650, stored 500: the +150 was lost"
		if len(got) != 1 || got[0] != want {
			t.Errorf("swapped=%v: RMW006 findings %q, want [%q]", swapped, got, want)
		}
	}
}

// RMW006's memory follows the write rate, not the input's length: writes
// committed more than twice the window ago are forgotten, recent ones kept.
func TestRMW006StateIsPrunedByAge(t *testing.T) {
	st := &rmw006State{byRow: map[string][]*committedWrite{}}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 1000; i++ {
		cw := &committedWrite{commit: t0.Add(time.Duration(i) * time.Second)}
		id := "users\x00id\x00" + strconv.Itoa(i%300)
		st.byRow[id] = append(st.byRow[id], cw)
		st.recorded = append(st.recorded, recordedRow{id: id, commit: cw.commit})
	}
	now := t0.Add(1000 * time.Second)
	st.prune(now, 30*time.Second)
	n := 0
	for _, list := range st.byRow {
		for _, cw := range list {
			if now.Sub(cw.commit) > time.Minute {
				t.Fatalf("write committed %s before now kept", now.Sub(cw.commit))
			}
			n++
		}
	}
	if n != 60 || len(st.recorded) != 60 {
		t.Errorf("kept %d writes (%d recorded), want the 60 of the last minute", n, len(st.recorded))
	}
}
